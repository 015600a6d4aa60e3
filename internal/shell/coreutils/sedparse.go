package coreutils

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// sedAddrKind is what a sed address matches.
type sedAddrKind int

const (
	addrLine  sedAddrKind = iota // N
	addrLast                     // $
	addrRegex                    // /re/
	addrStep                     // first~step
	addrZero                     // 0 (only as 0,/re/)
	addrPlus                     // +N (second address)
	addrMult                     // ~N (second address)
)

// sedAddr is one address.
type sedAddr struct {
	kind    sedAddrKind
	n, step int64
	re      *regexp.Regexp // nil: the last regex used
}

// sedCmd is one parsed command.
type sedCmd struct {
	a1, a2 *sedAddr
	neg    bool
	name   byte
	// s
	re     *regexp.Regexp
	repl   []replPart
	global bool
	nth    int
	print  int
	// a, i, c text; r, w, file names; b, t, T, : labels
	text   string
	target int // jump target, or the matching '}' for '{'
	ytab   *[256]byte
	code   int // q, Q exit status
	// range state
	active   bool
	rangeEnd int64
}

// replPart is a piece of an s replacement: literal text, a group (-1 for
// &), or a case conversion (\U \L \E \u \l).
type replPart struct {
	lit   string
	group int
	conv  byte
}

// sedParser reads a sed script.
type sedParser struct {
	s        string
	i        int
	extended bool
	cmds     []*sedCmd
}

// sedError is a script error, worded as GNU sed's.
type sedError struct {
	pos int
	msg string
}

func (e *sedError) Error() string {
	if e.pos < 0 {
		return e.msg
	}
	return fmt.Sprintf("-e expression #1, char %d: %s", e.pos, e.msg)
}

// errLabel is a jump to a label the script lacks; GNU exits 4 on it.
type errLabel struct{ sedError }

func (p *sedParser) fail(msg string) error { return &sedError{p.i, msg} }

// parseSed parses a whole script and resolves labels and blocks.
func parseSed(script string, extended bool) ([]*sedCmd, error) {
	p := &sedParser{s: script, extended: extended}
	var blocks []int
	for {
		p.skip(" \t\n;")
		if p.i >= len(p.s) {
			break
		}
		if p.s[p.i] == '#' {
			p.skipLine()
			continue
		}
		cmd := &sedCmd{}
		var err error
		if cmd.a1, err = p.addr(false); err != nil {
			return nil, err
		}
		if cmd.a1 != nil && p.peek() == ',' {
			p.i++
			p.skip(" \t")
			if cmd.a2, err = p.addr(true); err != nil {
				return nil, err
			}
			if cmd.a2 == nil {
				return nil, p.fail("unexpected `,'")
			}
		}
		if cmd.a1 != nil && cmd.a1.kind == addrZero && (cmd.a2 == nil || cmd.a2.kind != addrRegex) {
			return nil, p.fail("invalid usage of line address 0")
		}
		p.skip(" \t")
		for p.peek() == '!' {
			cmd.neg = true
			p.i++
			p.skip(" \t")
		}
		if p.i >= len(p.s) {
			return nil, p.fail("missing command")
		}
		cmd.name = p.s[p.i]
		p.i++
		switch cmd.name {
		case '{':
			blocks = append(blocks, len(p.cmds))
		case '}':
			if cmd.a1 != nil {
				return nil, p.fail("} doesn't want any addresses")
			}
			if len(blocks) == 0 {
				return nil, p.fail("unexpected `}'")
			}
			open := blocks[len(blocks)-1]
			blocks = blocks[:len(blocks)-1]
			p.cmds[open].target = len(p.cmds) + 1
		case 's':
			if err := p.subst(cmd); err != nil {
				return nil, err
			}
		case 'y':
			if err := p.translit(cmd); err != nil {
				return nil, err
			}
		case 'a', 'i', 'c':
			cmd.text = p.text()
		case ':':
			if cmd.a1 != nil {
				return nil, p.fail(": doesn't want any addresses")
			}
			cmd.text = p.label()
			if cmd.text == "" {
				return nil, p.fail("\":\" lacks a label")
			}
		case 'b', 't', 'T':
			cmd.text = p.label()
		case 'r', 'R', 'w', 'W':
			p.skip(" \t")
			cmd.text = p.restOfLine()
			if cmd.text == "" && (cmd.name == 'w' || cmd.name == 'W') {
				return nil, p.fail("missing filename in r/R/w/W commands")
			}
		case 'q', 'Q', 'l', 'L':
			p.skip(" \t")
			start := p.i
			for p.i < len(p.s) && isDigit(p.s[p.i]) {
				p.i++
			}
			if p.i > start {
				cmd.code, _ = strconv.Atoi(p.s[start:p.i])
			}
		case 'd', 'D', 'p', 'P', 'n', 'N', 'g', 'G', 'h', 'H', 'x', '=', 'z', 'F':
		default:
			p.i--
			return nil, &sedError{p.i + 1, fmt.Sprintf("unknown command: `%c'", cmd.name)}
		}
		p.cmds = append(p.cmds, cmd)
		if cmd.name != '{' && cmd.name != '}' {
			p.skip(" \t")
			if p.i < len(p.s) && strings.IndexByte(";\n}#", p.s[p.i]) < 0 {
				return nil, &sedError{p.i + 1, fmt.Sprintf("extra characters after command")}
			}
		}
	}
	if len(blocks) > 0 {
		return nil, &sedError{0, "unmatched `{'"}
	}
	labels := map[string]int{}
	for i, c := range p.cmds {
		if c.name == ':' {
			labels[c.text] = i
		}
	}
	for _, c := range p.cmds {
		if c.name == 'b' || c.name == 't' || c.name == 'T' {
			if c.text == "" {
				c.target = len(p.cmds)
				continue
			}
			t, ok := labels[c.text]
			if !ok {
				return nil, &errLabel{sedError{-1, fmt.Sprintf("can't find label for jump to `%s'", c.text)}}
			}
			c.target = t
		}
	}
	return p.cmds, nil
}

func (p *sedParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *sedParser) skip(chars string) {
	for p.i < len(p.s) && strings.IndexByte(chars, p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *sedParser) skipLine() {
	for p.i < len(p.s) && p.s[p.i] != '\n' {
		p.i++
	}
}

// restOfLine reads to the end of the line.
func (p *sedParser) restOfLine() string {
	start := p.i
	p.skipLine()
	return p.s[start:p.i]
}

// label reads a label name: to a newline or ';'.
func (p *sedParser) label() string {
	p.skip(" \t")
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != '\n' && p.s[p.i] != ';' {
		p.i++
	}
	return strings.TrimRight(p.s[start:p.i], " \t")
}

// text reads a, i and c's text: "a\" and lines ending in '\' continue,
// GNU's one-line "a text" also.
func (p *sedParser) text() string {
	p.skip(" \t")
	if strings.HasPrefix(p.s[p.i:], "\\\n") {
		p.i += 2
	} else if p.peek() == '\\' {
		p.i++
	}
	var b strings.Builder
	for p.i < len(p.s) {
		ch := p.s[p.i]
		if ch == '\n' {
			break
		}
		if ch == '\\' && p.i+1 < len(p.s) {
			p.i++
			b.WriteByte(p.s[p.i])
			p.i++
			continue
		}
		b.WriteByte(ch)
		p.i++
	}
	return b.String()
}

// addr reads an address, nil when there is none.
func (p *sedParser) addr(second bool) (*sedAddr, error) {
	switch ch := p.peek(); {
	case isDigit(ch):
		n := p.number()
		if p.peek() == '~' {
			p.i++
			return &sedAddr{kind: addrStep, n: n, step: p.number()}, nil
		}
		if n == 0 && !second {
			return &sedAddr{kind: addrZero}, nil
		}
		return &sedAddr{kind: addrLine, n: n}, nil
	case ch == '$':
		p.i++
		return &sedAddr{kind: addrLast}, nil
	case second && (ch == '+' || ch == '~'):
		p.i++
		kind := addrPlus
		if ch == '~' {
			kind = addrMult
		}
		return &sedAddr{kind: kind, n: p.number()}, nil
	case ch == '/' || ch == '\\':
		if ch == '\\' {
			p.i++
		}
		if p.i >= len(p.s) || p.s[p.i] == '\n' || p.s[p.i] == '\\' {
			return nil, p.fail("unterminated address regex")
		}
		delim := p.s[p.i]
		p.i++
		re, err := p.regex(delim)
		if err != nil {
			return nil, err
		}
		flags := ""
		for p.peek() == 'I' || p.peek() == 'M' {
			flags += string(p.s[p.i])
			p.i++
		}
		compiled, err := p.compile(re, flags)
		if err != nil {
			return nil, err
		}
		return &sedAddr{kind: addrRegex, re: compiled}, nil
	}
	return nil, nil
}

func (p *sedParser) number() int64 {
	start := p.i
	for p.i < len(p.s) && isDigit(p.s[p.i]) {
		p.i++
	}
	n, _ := strconv.ParseInt(p.s[start:p.i], 10, 64)
	return n
}

// regex reads a delimited regex body; "\delim" is the delimiter itself
// and "\n" a newline.
func (p *sedParser) regex(delim byte) (string, error) {
	var b strings.Builder
	inBracket := false
	for p.i < len(p.s) {
		ch := p.s[p.i]
		switch {
		case ch == '\\' && p.i+1 < len(p.s):
			next := p.s[p.i+1]
			switch {
			case next == delim && delim != '&':
				b.WriteByte(delim)
			case next == 'n':
				b.WriteString(`\n`)
			default:
				b.WriteByte('\\')
				b.WriteByte(next)
			}
			p.i += 2
			continue
		case ch == '[' && !inBracket:
			inBracket = true
			b.WriteByte(ch)
			p.i++
			if p.peek() == '^' {
				b.WriteByte('^')
				p.i++
			}
			if p.peek() == ']' {
				b.WriteByte(']')
				p.i++
			}
			continue
		case ch == ']' && inBracket:
			inBracket = false
		case ch == delim && !inBracket:
			p.i++
			return b.String(), nil
		case ch == '\n' && !inBracket:
			return "", p.fail("unterminated address regex")
		}
		b.WriteByte(ch)
		p.i++
	}
	return "", p.fail("unterminated address regex")
}

// compile compiles a sed regex; "" is the last regex, resolved when run.
func (p *sedParser) compile(re, flags string) (*regexp.Regexp, error) {
	if re == "" {
		return nil, nil
	}
	t, err := translateRegex(re, p.extended)
	if err != nil {
		return nil, p.fail(err.Error())
	}
	prefix := "(?s"
	if strings.Contains(flags, "I") {
		prefix += "i"
	}
	if strings.Contains(flags, "M") {
		prefix += "m"
	}
	r, err := regexp.Compile(prefix + ")" + t)
	if err != nil {
		return nil, p.fail(regexError(err).Error())
	}
	r.Longest()
	return r, nil
}

// subst reads s/re/repl/flags.
func (p *sedParser) subst(cmd *sedCmd) error {
	if p.i >= len(p.s) || p.s[p.i] == '\n' || p.s[p.i] == '\\' {
		return p.fail("unterminated `s' command")
	}
	delim := p.s[p.i]
	p.i++
	re, err := p.regex(delim)
	if err != nil {
		return &sedError{p.i, "unterminated `s' command"}
	}
	repl, err := p.replacement(delim)
	if err != nil {
		return err
	}
	cmd.repl = repl
	flags := ""
	for p.i < len(p.s) {
		ch := p.s[p.i]
		switch {
		case ch == 'g':
			cmd.global = true
		case ch == 'p':
			cmd.print++
		case ch == 'i' || ch == 'I' || ch == 'm' || ch == 'M':
			flags += strings.ToUpper(string(ch))
		case isDigit(ch):
			cmd.nth = int(p.number())
			if cmd.nth == 0 {
				return p.fail("number option to `s' command may not be zero")
			}
			continue
		case ch == 'w':
			p.i++
			p.skip(" \t")
			cmd.text = p.restOfLine()
			continue
		case ch == 'e':
			return p.fail("the `e' flag is not supported: the sandbox's sed runs no commands")
		case strings.IndexByte(" \t;\n}#", ch) >= 0:
			goto done
		default:
			return &sedError{p.i + 1, "unknown option to `s'"}
		}
		p.i++
	}
done:
	cmd.re, err = p.compile(re, flags)
	return err
}

// replacement reads an s replacement up to delim.
func (p *sedParser) replacement(delim byte) ([]replPart, error) {
	var parts []replPart
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, replPart{lit: lit.String(), group: -2})
			lit.Reset()
		}
	}
	for p.i < len(p.s) {
		ch := p.s[p.i]
		p.i++
		switch {
		case ch == delim:
			flush()
			return parts, nil
		case ch == '&':
			flush()
			parts = append(parts, replPart{group: -1})
		case ch == '\\' && p.i < len(p.s):
			e := p.s[p.i]
			p.i++
			switch {
			case isDigit(e):
				flush()
				parts = append(parts, replPart{group: int(e - '0')})
			case e == 'n':
				lit.WriteByte('\n')
			case e == 't':
				lit.WriteByte('\t')
			case e == 'U' || e == 'L' || e == 'E' || e == 'u' || e == 'l':
				flush()
				parts = append(parts, replPart{group: -2, conv: e})
			default:
				lit.WriteByte(e)
			}
		default:
			lit.WriteByte(ch)
		}
	}
	return nil, &sedError{p.i, "unterminated `s' command"}
}

// translit reads y/src/dst/.
func (p *sedParser) translit(cmd *sedCmd) error {
	if p.i >= len(p.s) {
		return p.fail("unterminated `y' command")
	}
	delim := p.s[p.i]
	p.i++
	read := func() (string, error) {
		var b strings.Builder
		for p.i < len(p.s) {
			ch := p.s[p.i]
			p.i++
			if ch == delim {
				return b.String(), nil
			}
			if ch == '\\' && p.i < len(p.s) {
				e := p.s[p.i]
				p.i++
				switch e {
				case 'n':
					ch = '\n'
				case 't':
					ch = '\t'
				case '\\':
					ch = '\\'
				default:
					if e != delim {
						b.WriteByte('\\')
					}
					ch = e
				}
			}
			b.WriteByte(ch)
		}
		return "", p.fail("unterminated `y' command")
	}
	src, err := read()
	if err != nil {
		return err
	}
	dst, err := read()
	if err != nil {
		return err
	}
	if len(src) != len(dst) {
		return p.fail("strings for `y' command are different lengths")
	}
	var tab [256]byte
	for i := range tab {
		tab[i] = byte(i)
	}
	for i := range src {
		tab[src[i]] = dst[i]
	}
	cmd.ytab = &tab
	return nil
}
