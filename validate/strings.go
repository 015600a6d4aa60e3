package validate

import (
	"strconv"
	"strings"
)

// lexString lexes a string literal whose (lower-cased) prefix has been
// consumed; the current rune is the opening quote. f-strings have their
// replacement fields tokenized in place (PEP 701 syntax).
func (l *lexer) lexString(prefix string, line, col int) {
	q := l.adv()
	triple := l.peek(0) == q && l.peek(1) == q
	if triple {
		l.adv()
		l.adv()
	}
	raw := strings.ContainsRune(prefix, 'r')
	idx := len(l.toks)
	l.toks = append(l.toks, token{kind: tkString, line: line, col: col,
		fstring: strings.ContainsRune(prefix, 'f'), bytes: strings.ContainsRune(prefix, 'b')})
	var body []rune
	for {
		if l.eof() {
			if triple {
				l.fail(line, col, "unterminated triple-quoted string literal (detected at line %d)", l.line)
			} else {
				l.fail(line, col, "unterminated string literal (detected at line %d)", l.line)
			}
			return
		}
		c := l.peek(0)
		switch {
		case c == q && (!triple || (l.peek(1) == q && l.peek(2) == q)):
			l.adv()
			if triple {
				l.adv()
				l.adv()
			}
			if !raw {
				body = decodeEscapes(body, l.toks[idx].bytes)
			}
			l.toks[idx].text = string(body)
			return
		case c == '\n' && !triple:
			l.fail(line, col, "unterminated string literal (detected at line %d)", l.line)
			return
		case c == invalidByte:
			l.fail(l.line, l.col, "source is not valid UTF-8")
			return
		case c == '\\':
			body = append(body, l.adv())
			switch n := l.peek(0); {
			case l.eof() || (l.toks[idx].fstring && (n == '{' || n == '}')):
				// In an f-string a backslash does not escape a brace.
			case l.toks[idx].fstring && !raw && n == 'N' && l.peek(1) == '{':
				for !l.eof() && l.peek(0) != '}' && l.peek(0) != q && l.peek(0) != '\n' {
					body = append(body, l.adv())
				}
				if l.peek(0) == '}' {
					body = append(body, l.adv())
				}
			default:
				body = append(body, l.adv())
			}
		case l.toks[idx].fstring && c == '{':
			l.adv()
			if l.peek(0) == '{' {
				body = append(body, l.adv())
				continue
			}
			if !l.field(l.line, l.col-1, q, triple) {
				return
			}
		case l.toks[idx].fstring && c == '}':
			l.adv()
			if l.peek(0) != '}' {
				l.fail(l.line, l.col-1, "f-string: single '}' is not allowed")
				return
			}
			body = append(body, l.adv())
		default:
			body = append(body, l.adv())
		}
	}
}

// field tokenizes an f-string replacement field after its '{': an
// expression, an optional '!' conversion and an optional format spec that
// may hold nested fields. It consumes the closing '}' and reports success.
func (l *lexer) field(line, col int, q rune, triple bool) bool {
	depth := len(l.brackets)
	l.open(bracket{ch: '{', line: line, col: col, field: true})
	for l.err == nil {
		l.skipSpace()
		if l.err != nil || l.eof() {
			break
		}
		c := l.peek(0)
		if len(l.brackets) == depth+1 && c == '=' && l.peek(1) != '=' && l.debugEquals() {
			l.adv() // the "=" of a self-documenting field, f"{x=}"
			continue
		}
		if len(l.brackets) == depth+1 {
			if c == '!' && l.peek(1) != '=' {
				l.adv()
				for !l.eof() && isIdentContinue(l.peek(0)) {
					l.adv()
				}
				for l.peek(0) == ' ' || l.peek(0) == '\t' {
					l.adv()
				}
				if c = l.peek(0); c != ':' && c != '}' {
					l.fail(l.line, l.col, "f-string: expecting '}'")
					break
				}
			}
			if c == ':' {
				l.adv()
				if !l.formatSpec(q, triple) {
					break
				}
				c = l.peek(0)
			}
			if c == '}' {
				l.adv()
				l.brackets = l.brackets[:depth]
				return true
			}
		}
		l.lexToken()
	}
	l.fail(line, col, "f-string: expecting '}'")
	return false
}

// debugEquals reports whether the '=' at the current position ends a
// field's expression: only blanks stand between it and '}', '!' or ':'.
func (l *lexer) debugEquals() bool {
	k := 1
	for l.peek(k) == ' ' || l.peek(k) == '\t' {
		k++
	}
	c := l.peek(k)
	return c == '}' || c == ':' || (c == '!' && l.peek(k+1) != '=')
}

// formatSpec skips a format spec up to (not including) the field's closing
// '}', tokenizing nested replacement fields.
func (l *lexer) formatSpec(q rune, triple bool) bool {
	for !l.eof() {
		c := l.peek(0)
		switch {
		case c == '}':
			return true
		case c == '{':
			l.adv()
			if !l.field(l.line, l.col-1, q, triple) {
				return false
			}
		case c == q && (!triple || (l.peek(1) == q && l.peek(2) == q)), c == '\n' && !triple, c == invalidByte:
			return false
		default:
			l.adv()
		}
	}
	return false
}

// decodeEscapes interprets backslash escapes the way CPython does for a
// non-raw string or bytes literal. Unknown escapes are kept verbatim.
func decodeEscapes(body []rune, bytes bool) []rune {
	out := make([]rune, 0, len(body))
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' || i+1 == len(body) {
			out = append(out, body[i])
			continue
		}
		i++
		switch c := body[i]; c {
		case '\n':
		case '\\', '\'', '"':
			out = append(out, c)
		case 'a', 'b', 'f', 'n', 'r', 't', 'v':
			out = append(out, rune(strings.IndexByte("abtnvfr", byte(c))+7))
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(body) && j < i+3 && body[j] >= '0' && body[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(string(body[i:j]), 8, 32)
			out = append(out, rune(v))
			i = j - 1
		case 'x', 'u', 'U':
			n := map[rune]int{'x': 2, 'u': 4, 'U': 8}[c]
			if (bytes && c != 'x') || i+1+n > len(body) {
				out = append(out, '\\', c)
				continue
			}
			v, err := strconv.ParseUint(string(body[i+1:i+1+n]), 16, 32)
			if err != nil {
				out = append(out, '\\', c)
				continue
			}
			out = append(out, rune(v))
			i += n
		case 'N':
			end := -1
			if !bytes && i+1 < len(body) && body[i+1] == '{' {
				for j := i + 2; j < len(body); j++ {
					if body[j] == '}' {
						end = j
						break
					}
				}
			}
			if end >= 0 {
				if r, ok := charByName(string(body[i+2 : end])); ok {
					out = append(out, r)
					i = end
					continue
				}
			}
			out = append(out, '\\', c)
		default:
			out = append(out, '\\', c)
		}
	}
	return out
}

// charByName resolves the \N{...} names that matter for spelling
// identifiers: LOW LINE, FULL STOP, DIGIT x and LATIN SMALL/CAPITAL LETTER x.
func charByName(name string) (rune, bool) {
	name = strings.ToUpper(strings.Join(strings.Fields(name), " "))
	digits := []string{"ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"}
	switch {
	case name == "LOW LINE":
		return '_', true
	case name == "FULL STOP":
		return '.', true
	case strings.HasPrefix(name, "DIGIT "):
		for i, d := range digits {
			if name[6:] == d {
				return rune('0' + i), true
			}
		}
	case len(name) == len("LATIN SMALL LETTER X") && strings.HasPrefix(name, "LATIN SMALL LETTER "):
		return rune(name[len(name)-1]) | 0x20, name[len(name)-1] >= 'A' && name[len(name)-1] <= 'Z'
	case len(name) == len("LATIN CAPITAL LETTER X") && strings.HasPrefix(name, "LATIN CAPITAL LETTER "):
		return rune(name[len(name)-1]), name[len(name)-1] >= 'A' && name[len(name)-1] <= 'Z'
	}
	return 0, false
}
