package coreutils

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

func init() { register(expr, "expr") }

// errExprSyntax is a malformed expression (status 2).
var errExprSyntax = errors.New("syntax error")

// exprParser evaluates expr's arguments.
type exprParser struct {
	args []string
	last string // the argument taken last, for messages
	err  error
	// errStatus is 2 for a bad expression, 3 for an evaluation error.
	errStatus int
}

// expr evaluates an expression of its arguments and prints the result:
// | & < <= = == != >= > + - * / % : (BRE match), length, substr, index,
// match, ( ). Status 0 when the result is neither empty nor 0, 1 when it
// is, 2 for a bad expression, 3 for an error such as division by zero.
func expr(c *call) int {
	args := c.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		c.usage(2, "missing operand")
		return 2
	}
	p := &exprParser{args: args}
	v := p.or()
	if p.err == nil && len(p.args) > 0 {
		p.fail(2, errors.New("syntax error: unexpected argument "+quote(p.args[0])))
	}
	if p.err != nil {
		c.errorf("%s", p.err)
		return p.errStatus
	}
	c.out.WriteString(v + "\n")
	c.finish()
	if v == "" || isZero(v) {
		return 1
	}
	return 0
}

func (p *exprParser) fail(status int, err error) {
	if p.err == nil {
		p.err, p.errStatus = err, status
	}
}

func (p *exprParser) peek() string {
	if len(p.args) == 0 {
		return ""
	}
	return p.args[0]
}

func (p *exprParser) take() string {
	if len(p.args) == 0 {
		p.fail(2, errors.New("syntax error: missing argument after "+quote(p.last)))
		return ""
	}
	a := p.args[0]
	p.args = p.args[1:]
	p.last = a
	return a
}

func (p *exprParser) or() string {
	left := p.and()
	for p.peek() == "|" && p.err == nil {
		p.take()
		right := p.and()
		if left == "" || isZero(left) {
			left = right
			if left == "" || isZero(left) {
				left = "0"
			}
		}
	}
	return left
}

func (p *exprParser) and() string {
	left := p.compare()
	for p.peek() == "&" && p.err == nil {
		p.take()
		right := p.compare()
		if left == "" || isZero(left) || right == "" || isZero(right) {
			left = "0"
		}
	}
	return left
}

func (p *exprParser) compare() string {
	left := p.sum()
	for p.err == nil {
		op := p.peek()
		switch op {
		case "<", "<=", "=", "==", "!=", ">=", ">":
		default:
			return left
		}
		p.take()
		right := p.sum()
		var cmp int
		a, errA := toInt(left)
		b, errB := toInt(right)
		if errA == nil && errB == nil {
			cmp = a.Cmp(b)
		} else {
			cmp = strings.Compare(left, right)
		}
		ok := map[string]bool{"<": cmp < 0, "<=": cmp <= 0, "=": cmp == 0, "==": cmp == 0, "!=": cmp != 0, ">=": cmp >= 0, ">": cmp > 0}[op]
		left = "0"
		if ok {
			left = "1"
		}
	}
	return left
}

func (p *exprParser) sum() string {
	left := p.product()
	for (p.peek() == "+" || p.peek() == "-") && p.err == nil {
		op := p.take()
		right := p.product()
		left = p.arith(op, left, right)
	}
	return left
}

func (p *exprParser) product() string {
	left := p.match()
	for (p.peek() == "*" || p.peek() == "/" || p.peek() == "%") && p.err == nil {
		op := p.take()
		right := p.match()
		left = p.arith(op, left, right)
	}
	return left
}

// arith applies an arithmetic operator to two integers.
func (p *exprParser) arith(op, l, r string) string {
	a, errA := toInt(l)
	b, errB := toInt(r)
	if errA != nil || errB != nil {
		p.fail(2, errors.New("non-integer argument"))
		return ""
	}
	switch op {
	case "+":
		return new(big.Int).Add(a, b).String()
	case "-":
		return new(big.Int).Sub(a, b).String()
	case "*":
		return new(big.Int).Mul(a, b).String()
	}
	if b.Sign() == 0 {
		p.fail(2, errors.New("division by zero"))
		return ""
	}
	if op == "/" {
		return new(big.Int).Quo(a, b).String()
	}
	return new(big.Int).Rem(a, b).String()
}

func (p *exprParser) match() string {
	left := p.primary()
	for p.peek() == ":" && p.err == nil {
		p.take()
		left = p.regexMatch(left, p.primary())
	}
	return left
}

// regexMatch is STR : RE, anchored at the start: the first group's text,
// or the length of the match.
func (p *exprParser) regexMatch(s, re string) string {
	r, err := compileRegex("^"+re, false, false, true)
	if err != nil {
		p.fail(2, err)
		return ""
	}
	m := r.FindStringSubmatchIndex(s)
	if r.NumSubexp() > 0 {
		if m == nil || m[2] < 0 {
			return ""
		}
		return s[m[2]:m[3]]
	}
	if m == nil {
		return "0"
	}
	return strconv.Itoa(utf8.RuneCountInString(s[:m[1]]))
}

func (p *exprParser) primary() string {
	switch tok := p.take(); tok {
	case "(":
		v := p.or()
		switch {
		case p.err != nil:
		case len(p.args) == 0:
			p.fail(2, errors.New("syntax error: expecting ')' after "+quote(p.last)))
		case p.peek() != ")":
			p.fail(2, errors.New("syntax error: expecting ')' instead of "+quote(p.peek())))
		default:
			p.take()
		}
		return v
	case "length":
		return strconv.Itoa(utf8.RuneCountInString(p.take()))
	case "substr":
		s, pos, n := []rune(p.take()), p.take(), p.take()
		i, err1 := strconv.Atoi(pos)
		l, err2 := strconv.Atoi(n)
		if err1 != nil || err2 != nil || i < 1 || l < 1 || i > len(s) {
			return ""
		}
		return string(s[i-1 : min(i-1+l, len(s))])
	case "index":
		s, chars := p.take(), p.take()
		if i := strings.IndexAny(s, chars); i >= 0 {
			return strconv.Itoa(utf8.RuneCountInString(s[:i]) + 1)
		}
		return "0"
	case "match":
		s := p.take()
		return p.regexMatch(s, p.take())
	case "+":
		return p.take()
	default:
		return tok
	}
}

// toInt parses an expr integer.
func toInt(s string) (*big.Int, error) {
	n, ok := new(big.Int).SetString(strings.TrimPrefix(s, "+"), 10)
	if !ok || strings.HasPrefix(s, "+") {
		return nil, errExprSyntax
	}
	return n, nil
}

// isZero reports whether s is an integer zero.
func isZero(s string) bool {
	n, err := toInt(s)
	return err == nil && n.Sign() == 0
}
