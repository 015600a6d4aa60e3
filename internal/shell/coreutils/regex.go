package coreutils

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"strings"
)

// errBackref is a pattern with a back-reference, which Go's regexp (RE2,
// linear time by design) cannot match.
var errBackref = errors.New("back-references in patterns are not supported")

// translateRegex turns a POSIX basic (BRE) or extended (ERE) regular
// expression, with GNU's extensions (\+ \? \| in BREs, \< \> \b \w \s),
// into Go's syntax. Bracket expressions keep their POSIX meaning
// (backslash is literal in them, [:class:] works).
func translateRegex(re string, extended bool) (string, error) {
	var b strings.Builder
	// atStart: a '*' here is literal; an anchor '^' is one here (BRE).
	atStart := true
	for i := 0; i < len(re); i++ {
		ch := re[i]
		wasStart := atStart
		atStart = false
		switch {
		case ch == '[':
			n, err := translateBracket(re[i:], &b)
			if err != nil {
				return "", err
			}
			i += n - 1
		case ch == '\\':
			if i+1 == len(re) {
				return "", errors.New("Trailing backslash")
			}
			i++
			e := re[i]
			switch {
			case !extended && (e == '(' || e == ')' || e == '|' || e == '{' || e == '}' || e == '+' || e == '?'):
				if e == '}' {
					b.WriteByte('}')
					break
				}
				if (e == '+' || e == '?') && wasStart {
					b.WriteString(`\` + string(e))
					break
				}
				b.WriteByte(e)
				atStart = e == '(' || e == '|'
			case e >= '1' && e <= '9':
				return "", errBackref
			case e == '<' || e == '>':
				b.WriteString(`\b`)
			case e == '`':
				b.WriteString(`\A`)
			case e == '\'':
				b.WriteString(`\z`)
			case e == 'n':
				b.WriteString(`\n`)
			case e == 't':
				b.WriteString(`\t`)
			case strings.IndexByte("bBwWsS", e) >= 0:
				b.WriteString(`\` + string(e))
			default:
				b.WriteString(regexp.QuoteMeta(string(e)))
			}
		case ch == '*':
			if wasStart {
				b.WriteString(`\*`)
				atStart = false
			} else {
				b.WriteByte('*')
			}
		case ch == '^':
			if extended || wasStart {
				b.WriteByte('^')
				atStart = true
			} else {
				b.WriteString(`\^`)
			}
		case ch == '$':
			if extended || i+1 == len(re) || strings.HasPrefix(re[i+1:], `\)`) || strings.HasPrefix(re[i+1:], `\|`) {
				b.WriteByte('$')
			} else {
				b.WriteString(`\$`)
			}
		case extended && (ch == '(' || ch == '|'):
			b.WriteByte(ch)
			atStart = true
		case extended && (ch == '+' || ch == '?') && wasStart:
			b.WriteString(`\` + string(ch))
		case extended && ch == '{':
			if wasStart || !validInterval(re[i:]) {
				b.WriteString(`\{`)
			} else {
				b.WriteByte('{')
			}
		case extended && (ch == ')' || ch == '+' || ch == '?' || ch == '}'):
			b.WriteByte(ch)
		case ch == '.':
			b.WriteByte('.')
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	return b.String(), nil
}

// validInterval reports whether s starts with an ERE interval {m}, {m,},
// {m,n} or {,n}.
var intervalRE = regexp.MustCompile(`^\{[0-9]*(,[0-9]*)?\}`)

func validInterval(s string) bool {
	m := intervalRE.FindString(s)
	return m != "" && m != "{}" && m != "{,}"
}

// translateBracket copies the bracket expression at the start of s into b
// in Go's syntax and returns its length in s.
func translateBracket(s string, b *strings.Builder) (int, error) {
	i := 1
	b.WriteByte('[')
	if i < len(s) && s[i] == '^' {
		b.WriteByte('^')
		i++
	}
	first := true
	for i < len(s) {
		ch := s[i]
		switch {
		case ch == ']' && !first:
			b.WriteByte(']')
			return i + 1, nil
		case ch == '[' && i+1 < len(s) && (s[i+1] == ':' || s[i+1] == '=' || s[i+1] == '.'):
			kind := s[i+1]
			end := strings.Index(s[i+2:], string(kind)+"]")
			if end < 0 {
				return 0, errors.New("Unmatched [, [^, [:, [., or [=")
			}
			inner := s[i+2 : i+2+end]
			if kind == ':' {
				if _, ok := trClasses[inner]; !ok {
					return 0, errors.New("Invalid character class name")
				}
				b.WriteString("[:" + inner + ":]")
			} else {
				b.WriteString(regexp.QuoteMeta(inner))
			}
			i += end + 4
		case ch == '-' && !first && i+1 < len(s) && s[i+1] != ']':
			b.WriteByte('-')
			i++
		default:
			if strings.IndexByte(`\[]^-`, ch) >= 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(ch)
			i++
		}
		first = false
	}
	return 0, errors.New("Unmatched [, [^, [:, [., or [=")
}

// compileRegex compiles a POSIX pattern with leftmost-longest matching,
// as POSIX tools match.
func compileRegex(re string, extended, icase, dotNewline bool) (*regexp.Regexp, error) {
	t, err := translateRegex(re, extended)
	if err != nil {
		return nil, err
	}
	flags := ""
	if icase {
		flags += "i"
	}
	if dotNewline {
		flags += "s"
	}
	if flags != "" {
		t = "(?" + flags + ")" + t
	}
	r, err := regexp.Compile(t)
	if err != nil {
		return nil, regexError(err)
	}
	r.Longest()
	return r, nil
}

// regexError words a Go regexp error as GNU's would read, without Go's
// translated pattern.
func regexError(err error) error {
	var se *syntaxError
	if errors.As(err, &se) {
		return err
	}
	var re *syntax.Error
	if errors.As(err, &re) {
		switch re.Code {
		case syntax.ErrMissingParen:
			return &syntaxError{`Unmatched ( or \(`}
		case syntax.ErrUnexpectedParen:
			return &syntaxError{`Unmatched ) or \)`}
		case syntax.ErrMissingBracket:
			return &syntaxError{"Unmatched [, [^, [:, [., or [="}
		case syntax.ErrInvalidRepeatSize:
			return &syntaxError{`Invalid content of \{\}`}
		case syntax.ErrInvalidCharRange:
			return &syntaxError{"Invalid range end"}
		case syntax.ErrInvalidRepeatOp, syntax.ErrMissingRepeatArgument:
			return &syntaxError{"Invalid preceding regular expression"}
		}
		return &syntaxError{string(re.Code)}
	}
	return err
}

// syntaxError is a pattern Go's regexp refused.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }
