package validate

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"
)

// codingCookie matches a PEP 263 encoding declaration.
var codingCookie = regexp.MustCompile(`^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`)

// invalidByte stands for a byte that is not valid UTF-8. CPython accepts
// such bytes in comments only, so the tokenizer rejects it elsewhere.
const invalidByte rune = -1

// decodeSource turns source bytes into runes as CPython reads them: UTF-8
// (BOM dropped) unless the first two lines declare Latin-1 or ASCII, with
// newlines normalised to '\n'. Other declared encodings are refused rather
// than guessed at: a multi-byte encoding such as shift_jis can spell
// fullwidth letters that NFKC-fold to "eval". NUL bytes are refused, as in
// CPython 3.12.
func decodeSource(src []byte) ([]rune, *syntaxError) {
	latin1 := false
	if enc := declaredEncoding(src); enc != "" {
		switch norm := strings.ReplaceAll(strings.ToLower(enc), "_", "-"); {
		case strings.HasPrefix(norm, "utf-8") || norm == "utf8":
		case norm == "latin-1" || norm == "latin1" || norm == "iso-8859-1" || norm == "iso8859-1" || norm == "l1":
			latin1 = true
		case norm == "ascii" || norm == "us-ascii":
			for _, b := range src {
				if b >= 0x80 {
					return nil, &syntaxError{1, 1, "source declares ascii but is not"}
				}
			}
		default:
			return nil, &syntaxError{1, 1, "unsupported source encoding " + enc + ": save the file as UTF-8"}
		}
	}
	out := make([]rune, 0, len(src))
	line, col := 1, 1
	for i := 0; i < len(src); {
		r, n := rune(src[i]), 1
		if !latin1 && r >= 0x80 {
			if r, n = utf8.DecodeRune(src[i:]); r == utf8.RuneError && n == 1 {
				r = invalidByte
			}
		}
		i += n
		switch {
		case r == 0:
			return nil, &syntaxError{line, col, "source code cannot contain null bytes"}
		case r == '\r':
			if i < len(src) && src[i] == '\n' {
				i++
			}
			r = '\n'
		case r == 0xfeff && len(out) == 0:
			continue
		}
		out = append(out, r)
		if col++; r == '\n' {
			line, col = line+1, 1
		}
	}
	return out, nil
}

// declaredEncoding returns the encoding named by a coding cookie on one of
// the first two lines ("\n", "\r\n" or "\r" terminated), or "".
func declaredEncoding(src []byte) string {
	for n := 0; n < 2 && len(src) > 0; n++ {
		line, rest := src, []byte(nil)
		if i := bytes.IndexAny(src, "\r\n"); i >= 0 {
			line, rest = src[:i], src[i+1:]
			if src[i] == '\r' && len(rest) > 0 && rest[0] == '\n' {
				rest = rest[1:]
			}
		}
		if m := codingCookie.FindSubmatch(line); m != nil {
			return string(m[1])
		}
		src = rest
	}
	return ""
}
