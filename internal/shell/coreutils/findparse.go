package coreutils

import (
	"fmt"
	"strconv"
	"strings"
)

// findParser parses find's expression.
type findParser struct {
	f          *findState
	args       []string
	hasAction  bool
	followArgs bool
}

// findError is a bad expression.
type findError string

func (e findError) Error() string { return string(e) }

func (p *findParser) parse() (*findNode, error) {
	if len(p.args) == 0 {
		return nil, nil
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if len(p.args) > 0 {
		if p.args[0] == ")" {
			return nil, findError("invalid expression; you have too many ')'")
		}
		return nil, findError(fmt.Sprintf("paths must precede expression: %s", quote(p.args[0])))
	}
	return n, nil
}

func (p *findParser) or() (*findNode, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for len(p.args) > 0 && (p.args[0] == "-o" || p.args[0] == "-or") {
		p.args = p.args[1:]
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		if right == nil {
			return nil, findError("invalid expression; you have used a binary operator '-o' with nothing after it.")
		}
		left = &findNode{op: "or", kids: []*findNode{left, right}}
	}
	return left, nil
}

func (p *findParser) and() (*findNode, error) {
	var kids []*findNode
	for len(p.args) > 0 && p.args[0] != "-o" && p.args[0] != "-or" && p.args[0] != ")" {
		if p.args[0] == "-a" || p.args[0] == "-and" {
			p.args = p.args[1:]
			continue
		}
		n, err := p.not()
		if err != nil {
			return nil, err
		}
		if n != nil {
			kids = append(kids, n)
		}
	}
	switch len(kids) {
	case 0:
		return &findNode{op: "-true"}, nil
	case 1:
		return kids[0], nil
	}
	return &findNode{op: "and", kids: kids}, nil
}

func (p *findParser) not() (*findNode, error) {
	if p.args[0] == "!" || p.args[0] == "-not" {
		p.args = p.args[1:]
		if len(p.args) == 0 {
			return nil, findError("invalid expression; you have used a unary operator '!' with nothing after it.")
		}
		n, err := p.not()
		if err != nil {
			return nil, err
		}
		return &findNode{op: "not", kids: []*findNode{n}}, nil
	}
	return p.primary()
}

// primary parses one test, action, option or parenthesized expression;
// options return nil.
func (p *findParser) primary() (*findNode, error) {
	op := p.args[0]
	p.args = p.args[1:]
	arg := func() (string, error) {
		if len(p.args) == 0 {
			return "", findError(fmt.Sprintf("missing argument to `%s'", op))
		}
		a := p.args[0]
		p.args = p.args[1:]
		return a, nil
	}
	n := &findNode{op: op}
	var err error
	switch op {
	case "(":
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if len(p.args) == 0 || p.args[0] != ")" {
			return nil, findError("invalid expression; I was expecting to find a ')' somewhere but did not see one.")
		}
		p.args = p.args[1:]
		return inner, nil
	case "-true", "-false", "-empty", "-prune":
	case "-print", "-print0", "-delete", "-quit":
		p.hasAction = true
		if op == "-delete" {
			p.f.depthFirst = true
		}
	case "-depth", "-d":
		p.f.depthFirst = true
		return nil, nil
	case "-follow":
		p.f.follow = true
		return nil, nil
	case "-xdev", "-mount", "-noleaf", "-ignore_readdir_race":
		return nil, nil
	case "-maxdepth", "-mindepth":
		a, err := arg()
		if err != nil {
			return nil, err
		}
		v, perr := strconv.Atoi(a)
		if perr != nil || v < 0 {
			return nil, findError(fmt.Sprintf("Expected a positive decimal integer argument to %s, but got %s", op, quote(a)))
		}
		if op == "-maxdepth" {
			p.f.maxDepth = v
		} else {
			p.f.minDepth = v
		}
		return nil, nil
	case "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename":
		if n.arg, err = arg(); err != nil {
			return nil, err
		}
		if n.re, err = globRegex(n.arg, strings.HasPrefix(op, "-i")); err != nil {
			return nil, findError(fmt.Sprintf("invalid pattern %s", quote(n.arg)))
		}
	case "-regex", "-iregex":
		if n.arg, err = arg(); err != nil {
			return nil, err
		}
		if n.re, err = compileRegex(n.arg, false, op == "-iregex", true); err != nil {
			return nil, findError(err.Error())
		}
	case "-user", "-group":
		if n.arg, err = arg(); err != nil {
			return nil, err
		}
	case "-printf":
		p.hasAction = true
		if n.arg, err = arg(); err != nil {
			return nil, err
		}
	case "-type":
		if n.arg, err = arg(); err != nil {
			return nil, err
		}
		for _, t := range strings.Split(n.arg, ",") {
			if len(t) != 1 || !strings.Contains("fdlpsbc", t) {
				return nil, findError(fmt.Sprintf("Unknown argument to -type: %s", t))
			}
		}
	case "-size", "-mtime", "-mmin":
		a, err := arg()
		if err != nil {
			return nil, err
		}
		if a != "" && (a[0] == '+' || a[0] == '-') {
			n.cmp, a = a[0], a[1:]
		}
		if op == "-size" && a != "" && strings.Contains("cwbkMG", a[len(a)-1:]) {
			n.arg, a = a[len(a)-1:], a[:len(a)-1]
		}
		if n.num, err = parseUint(a); err != nil {
			return nil, findError(fmt.Sprintf("invalid argument %s to %s", quote(a), op))
		}
	case "-newer":
		a, err := arg()
		if err != nil {
			return nil, err
		}
		st, serr := p.f.stat(a)
		if serr != nil {
			return nil, findError(fmt.Sprintf("%s: %s", quote(a), errText(serr)))
		}
		n.num = st.Mtim
	case "-perm":
		a, err := arg()
		if err != nil {
			return nil, err
		}
		if a != "" && (a[0] == '-' || a[0] == '/') {
			n.cmp, a = a[0], a[1:]
		}
		m, merr := parseMode(a, 0, false)
		if merr != nil {
			return nil, findError(fmt.Sprintf("invalid mode %s", quote(a)))
		}
		n.num = int64(m)
	case "-exec", "-execdir", "-ok", "-okdir":
		p.hasAction = true
		if op == "-ok" || op == "-okdir" {
			n.op = strings.Replace(op, "ok", "exec", 1) // nobody to ask: run
		}
		for len(p.args) > 0 && p.args[0] != ";" && !(p.args[0] == "+" && len(n.argv) > 0 && n.argv[len(n.argv)-1] == "{}") {
			n.argv = append(n.argv, p.args[0])
			p.args = p.args[1:]
		}
		if len(p.args) == 0 || len(n.argv) == 0 {
			return nil, findError(fmt.Sprintf("missing argument to `%s'", op))
		}
		n.multi = p.args[0] == "+"
		p.args = p.args[1:]
		if n.multi {
			p.f.execs = append(p.f.execs, n)
		}
	default:
		if strings.HasPrefix(op, "-") {
			return nil, findError(fmt.Sprintf("unknown predicate `%s'", op))
		}
		return nil, findError(fmt.Sprintf("paths must precede expression: %s", quote(op)))
	}
	return n, nil
}
