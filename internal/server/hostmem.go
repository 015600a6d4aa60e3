package server

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// DefaultHostMemory is the default host memory budget: half of the
// machine's RAM (MemTotal in /proc/meminfo), or no budget (-1) where that
// cannot be read.
func DefaultHostMemory() int64 {
	total := memTotal("/proc/meminfo")
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
