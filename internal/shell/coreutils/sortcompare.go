package coreutils

import (
	"bytes"
	"strconv"
	"strings"
)

// compareBy compares two keys by the ordering flags; 'r' reverses.
func compareBy(a, b []byte, flags string) int {
	if strings.Contains(flags, "r") {
		return -compareBy(a, b, strings.ReplaceAll(flags, "r", ""))
	}
	if strings.Contains(flags, "b") {
		a, b = bytes.TrimLeft(a, " \t"), bytes.TrimLeft(b, " \t")
	}
	switch {
	case strings.Contains(flags, "n"):
		return compareNumeric(a, b)
	case strings.Contains(flags, "h"):
		return compareHuman(a, b)
	case strings.Contains(flags, "g"):
		return compareFloat(a, b)
	case strings.Contains(flags, "V"):
		return compareVersion(string(a), string(b))
	case strings.Contains(flags, "M"):
		return month(a) - month(b)
	}
	if strings.Contains(flags, "d") {
		a, b = dictionary(a), dictionary(b)
	}
	if strings.Contains(flags, "f") {
		a, b = bytes.ToUpper(a), bytes.ToUpper(b)
	}
	return bytes.Compare(a, b)
}

// numPrefix returns a key's leading number as sort -n reads it: blanks,
// a '-', digits and one decimal point.
func numPrefix(s []byte) (neg bool, intPart, frac string) {
	s = bytes.TrimLeft(s, " \t")
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intPart = strings.TrimLeft(string(s[:i]), "0")
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		frac = strings.TrimRight(string(s[i+1:j]), "0")
	}
	if intPart == "" && frac == "" {
		neg = false
	}
	return neg, intPart, frac
}

// compareNumeric compares as sort -n: exact decimal comparison of any
// length; a key without a number is 0.
func compareNumeric(a, b []byte) int {
	na, ia, fa := numPrefix(a)
	nb, ib, fb := numPrefix(b)
	if na != nb {
		if na {
			return -1
		}
		return 1
	}
	r := len(ia) - len(ib)
	if r == 0 {
		r = strings.Compare(ia, ib)
	}
	if r == 0 {
		r = strings.Compare(fa, fb)
	}
	if r > 0 {
		r = 1
	} else if r < 0 {
		r = -1
	}
	if na {
		return -r
	}
	return r
}

// compareHuman compares as sort -h: by suffix (K M G T P E Z Y) first,
// then by number.
func compareHuman(a, b []byte) int {
	sa, sb := humanSuffix(a), humanSuffix(b)
	if sa != sb {
		na, _, _ := numPrefix(a)
		nb, _, _ := numPrefix(b)
		if na == nb {
			if na {
				return sb - sa
			}
			return sa - sb
		}
	}
	return compareNumeric(a, b)
}

// humanSuffix is the rank of the suffix after a key's number.
func humanSuffix(s []byte) int {
	s = bytes.TrimLeft(s, " \t-")
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == len(s) {
		return 0
	}
	c := s[i]
	if c == 'k' {
		c = 'K'
	}
	return strings.IndexByte("KMGTPEZY", c) + 1
}

// compareFloat compares as sort -g: parsed as floating point numbers,
// keys that are not numbers first.
func compareFloat(a, b []byte) int {
	fa, ea := strconv.ParseFloat(strings.TrimSpace(string(a)), 64)
	fb, eb := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	switch {
	case ea != nil && eb != nil:
		return 0
	case ea != nil:
		return -1
	case eb != nil:
		return 1
	case fa < fb:
		return -1
	case fa > fb:
		return 1
	}
	return 0
}

// compareVersion compares as sort -V: runs of digits by value, the rest by
// bytes.
func compareVersion(a, b string) int {
	for a != "" && b != "" {
		da, db := isDigit(a[0]), isDigit(b[0])
		if da && db {
			ia, ib := digitRun(a), digitRun(b)
			na, nb := strings.TrimLeft(a[:ia], "0"), strings.TrimLeft(b[:ib], "0")
			if r := len(na) - len(nb); r != 0 {
				return r
			}
			if r := strings.Compare(na, nb); r != 0 {
				return r
			}
			a, b = a[ia:], b[ib:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func digitRun(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// month ranks a key as sort -M: JAN..DEC as 1..12, anything else 0.
func month(s []byte) int {
	s = bytes.ToUpper(bytes.TrimLeft(s, " \t"))
	for i, m := range []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"} {
		if bytes.HasPrefix(s, []byte(m)) {
			return i + 1
		}
	}
	return 0
}

// dictionary keeps only blanks and alphanumerics (sort -d).
func dictionary(s []byte) []byte {
	out := make([]byte, 0, len(s))
	for _, b := range s {
		if isBlank(b) || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' {
			out = append(out, b)
		}
	}
	return out
}
