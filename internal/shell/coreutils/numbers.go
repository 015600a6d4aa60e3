package coreutils

import (
	"errors"
	"strconv"
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
