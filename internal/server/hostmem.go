package server

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// DefaultHostMemory is the default host memory budget: half of the memory
// this process may use, that is the machine's RAM (MemTotal in
// /proc/meminfo) or, when lower, the limit of its cgroup (a container's
// memory limit); no budget (-1) where neither can be read.
func DefaultHostMemory() int64 {
	total := memTotal("/proc/meminfo")
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if limit := cgroupLimit(p); limit > 0 && (total <= 0 || limit < total) {
			total = limit
		}
	}
	if total <= 0 {
		return -1
	}
	return total / 2
}

// memTotal reads MemTotal, in bytes, from a meminfo file; 0 when it cannot.
func memTotal(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}

// cgroupLimit reads a cgroup memory limit in bytes from path; 0 when there
// is none ("max", or cgroup v1's huge "unlimited" value) or it cannot be
// read.
func cgroupLimit(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n <= 0 || n >= 1<<62 {
		return 0
	}
	return n
}
