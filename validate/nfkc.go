package validate

import "strings"

// foldRun maps runes lo..hi to the ASCII characters to, to+1, ….
type foldRun struct {
	lo, hi rune
	to     byte
}

// foldIdent returns the identifier as Python sees it after NFKC
// normalisation, as far as that matters here: every character whose NFKC
// form is ASCII is replaced by it (so "ｅval" becomes "eval"). Other
// non-ASCII characters are kept; an identifier containing one can never
// equal an ASCII name, exactly as after full NFKC.
func foldIdent(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		b.WriteString(foldRune(r))
	}
	return b.String()
}

// foldRune returns r's NFKC form if that is ASCII, else r itself.
func foldRune(r rune) string {
	if r < 0x80 {
		return string(r)
	}
	lo, hi := 0, len(asciiFoldRuns)
	for lo < hi {
		m := (lo + hi) / 2
		switch f := asciiFoldRuns[m]; {
		case r < f.lo:
			hi = m
		case r > f.hi:
			lo = m + 1
		default:
			return string(rune(f.to) + (r - f.lo))
		}
	}
	if s, ok := asciiFoldMulti[r]; ok {
		return s
	}
	return string(r)
}
