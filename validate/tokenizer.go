package validate

import (
	"fmt"
	"strings"
	"unicode"
)

// tokKind classifies tokens.
type tokKind uint8

const (
	tkName tokKind = iota
	tkNumber
	tkString
	tkOp
	tkNewline
	tkIndent
	tkDedent
)

// token is one lexical token. Replacement fields of an f-string are
// tokenized in place: their tokens follow the f-string's own token.
type token struct {
	kind tokKind
	// text is the NFKC-folded identifier for names, the operator for ops,
	// and the decoded literal text (fields left out) for strings.
	text      string
	line, col int
	fstring   bool // string with an f prefix
	bytes     bool // string with a b prefix
}

// syntaxError is a position and message for source the tokenizer rejects.
type syntaxError struct {
	line, col int
	msg       string
}

// maxNesting bounds bracket and f-string nesting, as CPython does.
const maxNesting = 200

// bracket is an open bracket, or '{' with field set for an f-string
// replacement field.
type bracket struct {
	ch        rune
	line, col int
	field     bool
}

// lexer holds tokenizer state. Newlines are normalised to '\n'.
type lexer struct {
	src         []rune
	pos         int
	line, col   int
	toks        []token
	brackets    []bracket
	indents     []int
	atLineStart bool
	wantIndent  bool // the last logical line ended with ':'
	err         *syntaxError
}

// tokenize splits Python 3.12 source into tokens, or reports the first
// thing that makes it unreadable.
func tokenize(src []byte) ([]token, *syntaxError) {
	runes, e := decodeSource(src)
	if e != nil {
		return nil, e
	}
	l := &lexer{src: runes, line: 1, col: 1, indents: []int{0}, atLineStart: true,
		toks: make([]token, 0, len(runes)/4)}
	l.run()
	if l.err != nil {
		return nil, l.err
	}
	return l.toks, nil
}

func (l *lexer) fail(line, col int, format string, args ...any) {
	if l.err == nil {
		l.err = &syntaxError{line, col, fmt.Sprintf(format, args...)}
	}
}

func (l *lexer) eof() bool { return l.pos >= len(l.src) }

// peek returns the rune k positions ahead, or 0 past the end.
func (l *lexer) peek(k int) rune {
	if l.pos+k < len(l.src) {
		return l.src[l.pos+k]
	}
	return 0
}

// adv consumes one rune, keeping line and column up to date.
func (l *lexer) adv() rune {
	r := l.src[l.pos]
	l.pos++
	if r == '\n' {
		l.line, l.col = l.line+1, 1
	} else {
		l.col++
	}
	return r
}

func (l *lexer) emit(kind tokKind, text string, line, col int) {
	l.toks = append(l.toks, token{kind: kind, text: text, line: line, col: col})
}

// lineHasTokens reports whether the current logical line has tokens.
func (l *lexer) lineHasTokens() bool {
	if len(l.toks) == 0 {
		return false
	}
	k := l.toks[len(l.toks)-1].kind
	return k != tkNewline && k != tkIndent && k != tkDedent
}

func (l *lexer) run() {
	for l.err == nil {
		if l.atLineStart && len(l.brackets) == 0 {
			l.indentation()
			continue
		}
		l.skipSpace()
		if l.err != nil {
			return
		}
		if l.eof() {
			l.finish()
			return
		}
		if l.peek(0) == '\n' {
			l.adv()
			if len(l.brackets) == 0 {
				l.endLogicalLine()
			}
			continue
		}
		l.lexToken()
	}
}

// endLogicalLine emits NEWLINE if the logical line had tokens.
func (l *lexer) endLogicalLine() {
	l.atLineStart = true
	if !l.lineHasTokens() {
		return
	}
	last := l.toks[len(l.toks)-1]
	l.wantIndent = last.kind == tkOp && last.text == ":"
	l.emit(tkNewline, "", last.line, last.col)
}

// finish handles end of input: open brackets, pending blocks and dedents.
func (l *lexer) finish() {
	if n := len(l.brackets); n > 0 {
		b := l.brackets[n-1]
		if b.field {
			l.fail(b.line, b.col, "f-string: expecting '}'")
		} else {
			l.fail(b.line, b.col, "'%c' was never closed", b.ch)
		}
		return
	}
	l.endLogicalLine()
	if l.wantIndent {
		l.fail(l.line, l.col, "expected an indented block")
		return
	}
	for len(l.indents) > 1 {
		l.indents = l.indents[:len(l.indents)-1]
		l.emit(tkDedent, "", l.line, l.col)
	}
}

// indentation measures a line's indentation and emits INDENT/DEDENT.
// Blank and comment-only lines are skipped.
func (l *lexer) indentation() {
	width := 0
measure:
	for !l.eof() {
		switch l.peek(0) {
		case ' ':
			width++
		case '\t':
			width = (width/8 + 1) * 8
		case '\f':
			width = 0
		default:
			break measure
		}
		l.adv()
	}
	if l.eof() {
		l.atLineStart = false
		return
	}
	switch l.peek(0) {
	case '#':
		for !l.eof() && l.peek(0) != '\n' {
			l.adv()
		}
		fallthrough
	case '\n':
		if !l.eof() {
			l.adv()
		}
		return
	}
	l.atLineStart = false
	top := l.indents[len(l.indents)-1]
	switch {
	case width > top:
		if !l.wantIndent {
			l.fail(l.line, l.col, "unexpected indent")
			return
		}
		l.indents = append(l.indents, width)
		l.emit(tkIndent, "", l.line, l.col)
	case l.wantIndent:
		l.fail(l.line, l.col, "expected an indented block")
	case width < top:
		for width < l.indents[len(l.indents)-1] {
			l.indents = l.indents[:len(l.indents)-1]
			l.emit(tkDedent, "", l.line, l.col)
		}
		if width != l.indents[len(l.indents)-1] {
			l.fail(l.line, l.col, "unindent does not match any outer indentation level")
		}
	}
	l.wantIndent = false
}

// skipSpace skips blanks, comments and line continuations; inside brackets
// it skips newlines too. It stops at a newline outside brackets.
func (l *lexer) skipSpace() {
	for !l.eof() {
		switch c := l.peek(0); {
		case c == ' ' || c == '\t' || c == '\f':
			l.adv()
		case c == '#':
			for !l.eof() && l.peek(0) != '\n' {
				l.adv()
			}
		case c == '\\':
			switch {
			case l.peek(1) == '\n':
				l.adv()
				l.adv()
			case l.pos+1 >= len(l.src):
				l.fail(l.line, l.col, "unexpected EOF while parsing")
				return
			default:
				l.fail(l.line, l.col, "unexpected character after line continuation character")
				return
			}
		case c == '\n' && len(l.brackets) > 0:
			l.adv()
		default:
			return
		}
	}
}

// lexToken lexes the token at the current position.
func (l *lexer) lexToken() {
	line, col := l.line, l.col
	c := l.peek(0)
	switch {
	case isIdentStart(c):
		start := l.pos
		for !l.eof() && isIdentContinue(l.peek(0)) {
			l.adv()
		}
		word := string(l.src[start:l.pos])
		if q := l.peek(0); (q == '"' || q == '\'') && isStringPrefix(word) {
			l.lexString(strings.ToLower(word), line, col)
			return
		}
		l.emit(tkName, foldIdent(word), line, col)
	case isDigit(c) || (c == '.' && isDigit(l.peek(1))):
		l.lexNumber(line, col)
	case c == '"' || c == '\'':
		l.lexString("", line, col)
	case c == '(' || c == '[' || c == '{':
		l.adv()
		l.open(bracket{ch: c, line: line, col: col})
		l.emit(tkOp, brackets[strings.IndexRune(brackets, c):][:1], line, col)
	case c == ')' || c == ']' || c == '}':
		l.adv()
		n := len(l.brackets)
		if n == 0 || l.brackets[n-1].field {
			l.fail(line, col, "unmatched '%c'", c)
			return
		}
		if o := l.brackets[n-1].ch; closerOf(o) != c {
			l.fail(line, col, "closing parenthesis '%c' does not match opening parenthesis '%c'", c, o)
			return
		}
		l.brackets = l.brackets[:n-1]
		l.emit(tkOp, brackets[strings.IndexRune(brackets, c):][:1], line, col)
	case c < 0x80 && strings.ContainsRune(opChars, c):
		op := opChars[strings.IndexRune(opChars, c):][:1]
		for _, cand := range longOps {
			if l.hasPrefix(cand) {
				op = cand
				break
			}
		}
		for range op {
			l.adv()
		}
		l.emit(tkOp, op, line, col)
	case c == invalidByte:
		l.fail(line, col, "source is not valid UTF-8")
	default:
		l.fail(line, col, "invalid character '%c' (U+%04X)", c, c)
	}
}

// brackets are the bracket characters.
const brackets = "()[]{}"

// opChars are the ASCII characters that start an operator or delimiter.
const opChars = "+-*/%@&|^~<>=.,:;!"

// longOps are the multi-character operators, longest first.
var longOps = []string{
	"**=", "//=", ">>=", "<<=", "...",
	"!=", "==", "<=", ">=", "->", ":=", "**", "//", "<<", ">>",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
}

func (l *lexer) hasPrefix(s string) bool {
	i := 0
	for _, r := range s {
		if l.peek(i) != r {
			return false
		}
		i++
	}
	return true
}

// open pushes a bracket, enforcing the nesting limit.
func (l *lexer) open(b bracket) {
	if len(l.brackets) >= maxNesting {
		l.fail(b.line, b.col, "too many nested parentheses")
		return
	}
	l.brackets = append(l.brackets, b)
}

func closerOf(open rune) rune {
	switch open {
	case '(':
		return ')'
	case '[':
		return ']'
	}
	return '}'
}

// lexNumber lexes an int, float or imaginary literal. Trailing letters
// start a new token, as in CPython 3.12 (`1if x else 2`).
func (l *lexer) lexNumber(line, col int) {
	start := l.pos
	digits := func(ok func(rune) bool) {
		for !l.eof() && (ok(l.peek(0)) || l.peek(0) == '_') {
			l.adv()
		}
	}
	if l.peek(0) == '0' && strings.ContainsRune("xXoObB", l.peek(1)) {
		l.adv()
		l.adv()
		digits(isHexDigit)
	} else {
		digits(isDigit)
		if l.peek(0) == '.' {
			l.adv()
			digits(isDigit)
		}
		if e := l.peek(0); e == 'e' || e == 'E' {
			switch s := l.peek(1); {
			case isDigit(s):
				l.adv()
				digits(isDigit)
			case (s == '+' || s == '-') && isDigit(l.peek(2)):
				l.adv()
				l.adv()
				digits(isDigit)
			}
		}
		if j := l.peek(0); j == 'j' || j == 'J' {
			l.adv()
		}
	}
	l.emit(tkNumber, string(l.src[start:l.pos]), line, col)
}

func isDigit(r rune) bool    { return r >= '0' && r <= '9' }
func isHexDigit(r rune) bool { return isDigit(r) || (r|0x20 >= 'a' && r|0x20 <= 'f') }

func isASCIIIdentByte(b byte) bool {
	return b == '_' || (b|0x20 >= 'a' && b|0x20 <= 'z') || (b >= '0' && b <= '9')
}

// isIdentStart reports whether r may start an identifier (XID_Start or '_').
func isIdentStart(r rune) bool {
	if r < 0x80 {
		return r == '_' || (r|0x20 >= 'a' && r|0x20 <= 'z')
	}
	return unicode.IsLetter(r) || unicode.In(r, unicode.Nl, unicode.Other_ID_Start)
}

// isIdentContinue reports whether r may continue an identifier.
func isIdentContinue(r rune) bool {
	if r < 0x80 {
		return isASCIIIdentByte(byte(r))
	}
	return isIdentStart(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue)
}

// isStringPrefix reports whether word is a valid string prefix.
func isStringPrefix(word string) bool {
	switch strings.ToLower(word) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}
