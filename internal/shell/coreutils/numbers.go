package coreutils

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

var errBadNumber = errors.New("invalid number")

// parseUint parses a non-negative decimal count.
func parseUint(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errBadNumber
	}
	return n, nil
}

// sizeSuffixes are the multipliers head, tail and friends accept.
var sizeSuffixes = map[string]float64{
	"": 1, "b": 512, "K": 1 << 10, "KiB": 1 << 10, "kB": 1e3, "KB": 1e3, "M": 1 << 20, "MiB": 1 << 20,
	"MB": 1e6, "G": 1 << 30, "GiB": 1 << 30, "GB": 1e9, "T": 1 << 40, "TiB": 1 << 40, "TB": 1e12,
	"P": 1 << 50, "PiB": 1 << 50, "PB": 1e15, "E": 1 << 60, "EiB": 1 << 60, "EB": 1e18,
}

// parseSize parses a count with an optional suffix (10K, 1M, 2b). Counts
// past int64 saturate, as GNU's do.
func parseSize(s string) (int64, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, errBadNumber
	}
	mult, ok := sizeSuffixes[s[i:]]
	if !ok {
		return 0, errBadNumber
	}
	n, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, errBadNumber
	}
	if err != nil || float64(n)*mult >= math.MaxInt64 {
		return math.MaxInt64, nil
	}
	return int64(float64(n) * mult), nil
}

// signedCount reads head's and tail's "-n" value: a sign ('+' or '-')
// when given, and the count.
func signedCount(s string) (sign byte, n int64, err error) {
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") {
		sign, s = s[0], s[1:]
	}
	n, err = parseSize(s)
	return sign, n, err
}
