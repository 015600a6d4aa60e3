package coreutils

import (
	"regexp"
	"strings"
)

// globRegex compiles a shell glob (* ? [...] [!...] and \ escapes) to an
// anchored regexp, case-folded when fold; '*' and '?' match '/' too, as
// fnmatch without FNM_PATHNAME.
func globRegex(glob string, fold bool) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("(?s")
	if fold {
		b.WriteString("i")
	}
	b.WriteString(")^")
	for i := 0; i < len(glob); i++ {
		switch ch := glob[i]; ch {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '\\':
			if i+1 < len(glob) {
				i++
				b.WriteString(regexp.QuoteMeta(glob[i : i+1]))
			} else {
				b.WriteString(`\\`)
			}
		case '[':
			end := strings.IndexByte(glob[i+1:], ']')
			if end == 0 && i+2 < len(glob) { // []...] holds a ']'
				if e := strings.IndexByte(glob[i+2:], ']'); e >= 0 {
					end = e + 1
				}
			}
			if end < 0 {
				b.WriteString(`\[`)
				continue
			}
			class := glob[i+1 : i+1+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			var cb strings.Builder
			if _, err := translateBracket("["+class+"]", &cb); err != nil {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(cb.String())
			i += end + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// GlobRegexp compiles a shell glob as tar's --exclude reads one: an
// anchored regexp in which * and ? match "/" too, [...] and [!...] are
// classes and \ escapes.
func GlobRegexp(glob string) (*regexp.Regexp, error) { return globRegex(glob, false) }

// globEscape quotes a string so globRegex matches it literally.
func globEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte("*?[]\\", s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
