package validate

import (
	"cmp"
	"fmt"
	"strings"
	"unicode"
)

// Check statically checks Python 3.12 source against policy p and returns
// every violation, sorted by position. Source the tokenizer cannot read
// yields exactly one syntax-error violation. The result is never nil and is
// empty for a disabled policy.
func Check(src []byte, p Policy) []Violation {
	out := []Violation{}
	if !p.Enabled() {
		return out
	}
	toks, serr := tokenize(src)
	if serr != nil {
		return append(out, Violation{Rule: RuleSyntaxError, Name: "syntax",
			Message: "cannot parse the code: " + serr.msg, Line: serr.line, Col: serr.col})
	}
	c := &checker{scanner: newScanner(toks), p: p, out: out, seen: map[Violation]bool{}}
	c.run()
	sortViolations(c.out)
	return c.out
}

// checker turns what the scanner recognises into violations.
type checker struct {
	*scanner
	p    Policy
	out  []Violation
	seen map[Violation]bool
}

func (c *checker) add(rule, name string, at int, format string, args ...any) {
	v := Violation{Rule: rule, Name: name, Line: c.toks[at].line, Col: c.toks[at].col}
	if !c.seen[v] { // one finding per rule, name and position
		c.seen[v] = true
		v.Message = fmt.Sprintf(format, args...)
		c.out = append(c.out, v)
	}
}

func (c *checker) run() {
	for _, im := range c.imports {
		c.checkImport(im)
	}
	for i, t := range c.toks {
		switch {
		case t.kind == tkString && !t.bytes:
			c.checkString(t.text, i)
		case t.kind != tkName || keywords[t.text] || c.inImport[i]:
		case c.isOp(i-1, "."):
			c.checkAttr(t.text, i, t.text == "__dict__" && !c.userBase(i-1))
			c.checkAttrCall(i)
		case c.isOp(i+1, "=") && c.depth[i] > 0:
			// A keyword argument or parameter default; in a class pattern
			// (case C(__class__=x)) it names an attribute that is read.
			c.checkKeyword(t.text, i)
		case c.bindAt[i]:
			// A binding, not a reference.
		default:
			c.checkRef(t.text, i)
			c.checkAttrCall(i)
		}
	}
}

// allowedList describes the policy's allowlist for messages.
func (c *checker) allowedList() string {
	return fmt.Sprintf("the %s policy allows %s", c.p.Name(), strings.Join(c.p.AllowedModules(), ", "))
}

func (c *checker) checkImport(im importStmt) {
	if im.dots != "" {
		c.add(RuleImportNotAllowed, im.dots+im.module, im.at,
			"relative import %q is not allowed: the code runs as a single script, import modules by absolute name", im.dots+im.module)
		return
	}
	top := topLevel(im.module)
	switch {
	case c.p.allows(top):
		for _, n := range im.names {
			c.checkAttr(n.name, n.at, true)
		}
	case isDangerous(top):
		c.add(RuleBlockedImport, top, im.at, "import of %q is blocked: it reaches the host or the interpreter's internals; %s", top, c.allowedList())
	default:
		c.add(RuleImportNotAllowed, top, im.at, "import of %q is not allowed: %s (add it with allow-imports if you trust it)", top, c.allowedList())
	}
}

func isDangerous(module string) bool {
	for _, m := range dangerousModules {
		if m == module {
			return true
		}
	}
	return false
}

// checkRef checks a bare name reference.
func (c *checker) checkRef(name string, i int) {
	switch {
	case builtinsNames[name]:
		c.add(RuleBlockedImport, name, i, "reference to %q is blocked: it exposes the real builtins and the import system", name)
	case c.p.blocksBuiltin(name) && (!c.bound[name] || c.rebindsHere(name, i)):
		c.add(RuleBlockedCall, name, i, "use of the builtin %q is blocked by the %s policy: %s", name, c.p.Name(), builtinReasons[name])
	case name == "__loader__" || name == "__spec__":
		c.add(RuleDunderAccess, name, i, "use of %q is blocked: it reaches the import machinery", name)
	}
}

// checkAttr checks an attribute name, whether written as ".name", as a
// string given to getattr and friends, or imported with "from m import".
// opaqueBase says whether the object is not known to be a user value (see
// userBase); only then is __dict__ refused.
func (c *checker) checkAttr(name string, i int, opaqueBase bool) {
	switch {
	case builtinsNames[name]:
		c.add(RuleBlockedImport, name, i, "access to attribute %q is blocked: it exposes the real builtins and the import system", name)
	case moduleAttrs[name] != "":
		c.add(RuleBlockedImport, name, i, "access to attribute %q is blocked: it reaches the blocked module %s", name, moduleAttrs[name])
	case c.p.blocksBuiltin(name) && strings.HasPrefix(name, "__"):
		c.add(RuleBlockedCall, name, i, "use of the builtin %q is blocked by the %s policy: %s", name, c.p.Name(), builtinReasons[name])
	case internalDunders[name] || internalAttrs[name] || (name == "__dict__" && opaqueBase):
		c.add(RuleDunderAccess, name, i, "access to attribute %q is blocked: it reaches interpreter internals; ordinary dunders such as __name__, __init__ or type(obj).__name__ are fine", name)
	}
}

// checkKeyword checks a keyword name at token i. In a case pattern it is an
// attribute read; elsewhere only names reaching interpreter internals are
// refused, since ordinary keywords like os= or sys= are common.
func (c *checker) checkKeyword(name string, i int) {
	if c.isName(c.stmtOf[i], "case") || internalDunders[name] || internalAttrs[name] {
		c.checkAttr(name, i, true)
	}
}

// checkAttrCall checks string arguments of getattr/setattr/delattr/hasattr
// and of operator.attrgetter/methodcaller called at name token i.
func (c *checker) checkAttrCall(i int) {
	name := c.toks[i].text
	if !c.isOp(i+1, "(") || (!getattrFuncs[name] && !attrPathFuncs[name]) || (getattrFuncs[name] && c.isOp(i-1, ".")) {
		return
	}
	args := c.callArgs(i + 1)
	for k, arg := range args {
		v, ok := c.constString(arg)
		switch {
		case !ok:
		case attrPathFuncs[name] && (name == "attrgetter" || k == 0):
			for _, part := range strings.Split(v, ".") {
				c.checkAttr(part, arg[0], true)
			}
		case k == 1 && getattrFuncs[name]:
			base := args[0]
			user := base[1]-base[0] == 1 && c.isIdent(base[0]) && c.userValue(c.toks[base[0]].text)
			c.checkAttr(v, arg[0], !user)
		}
	}
}

// checkString flags str literals that spell a path to interpreter
// internals, such as "__class__" or "{0.__globals__}" (str.format,
// string.Formatter), or code that the standard library may evaluate
// (typing.get_type_hints and ForwardRef evaluate annotation strings). Text
// with whitespace is prose; there only parts of attribute paths count, with
// or without blanks around the dot ("x. __globals__"), and __builtins__,
// which is never prose. Calls written in strings ("eval(x)") are left to
// the guard, which marks what the standard library evaluates. Characters are compared after
// NFKC folding, as the compiler would see them.
func (c *checker) checkString(raw string, i int) {
	s := foldIdent(raw)
	prose := strings.IndexFunc(s, unicode.IsSpace) >= 0
	for k := 0; k < len(s); {
		if !isASCIIIdentByte(s[k]) {
			k++
			continue
		}
		start := k
		for k < len(s) && isASCIIIdentByte(s[k]) {
			k++
		}
		part, dotted := s[start:k], afterDot(s, start)
		switch {
		case part == "__builtins__":
			c.add(RuleBlockedImport, part, i, "string naming %q is blocked: it exposes the real builtins and the import system", part)
		case prose && !dotted:
		case internalDunders[part] || internalAttrs[part] || (part == "__dict__" && dotted):
			c.add(RuleDunderAccess, part, i, "string naming attribute %q is blocked: it reaches interpreter internals", part)
		case dotted && (moduleAttrs[part] != "" || builtinsNames[part]):
			c.add(RuleBlockedImport, part, i, "string naming attribute %q is blocked: it reaches the blocked module %s", part, cmp.Or(moduleAttrs[part], part))
		}
	}
}

// afterDot reports whether the name starting at s[start] follows a '.',
// with only blanks and line continuations between them.
func afterDot(s string, start int) bool {
	for j := start - 1; j >= 0; j-- {
		switch s[j] {
		case ' ', '\t', '\n', '\r', '\f', '\v', '\\':
			continue
		case '.':
			return true
		}
		return false
	}
	return false
}
