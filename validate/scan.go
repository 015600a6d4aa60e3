package validate

import "strings"

// scanner recognises imports, name references, attribute accesses and
// attribute-name strings in a token stream.
type scanner struct {
	toks     []token
	depth    []int // bracket depth of each token; brackets carry the outer depth
	imports  []importStmt
	inImport []bool          // tokens that belong to import statements
	bound    map[string]bool // names the code binds itself (def, params, targets, …)
	opaque   map[string]bool // names bound to modules or builtins (imports, "m = json", "t = type")
	bindAt   []bool          // tokens where the code binds a name (outside imports)
	stmtOf   []int           // index of the first token of each token's statement
	// chainRoot gives, for a name token, the start of the dotted chain it
	// ends ("a" for the "c" of a.b.c), or the token before the chain.
	chainRoot []int
	targetAt  []int  // tokens of target bindings (see bind)
	outerRef  []bool // parameter defaults/annotations naming a parameter
	// stmtBinds maps a statement's first token to the names its target
	// bindings bind; built on first use by rebindsHere.
	stmtBinds map[int]map[string]bool
}

// importStmt is one module of an import statement.
type importStmt struct {
	module string   // dotted module as written, without leading dots
	dots   string   // leading dots of a relative import
	at     int      // token index to report at
	names  []nameAt // names imported by "from … import"
}

// nameAt is a name and the token index it was written at.
type nameAt struct {
	name string
	at   int
}

func newScanner(toks []token) *scanner {
	n := len(toks)
	s := &scanner{toks: toks, depth: make([]int, n), inImport: make([]bool, n),
		bound: map[string]bool{}, opaque: map[string]bool{}, bindAt: make([]bool, n), outerRef: make([]bool, n)}
	d := 0
	for i, t := range toks {
		if t.kind == tkOp && (t.text == ")" || t.text == "]" || t.text == "}") {
			d--
		}
		s.depth[i] = d
		if t.kind == tkOp && (t.text == "(" || t.text == "[" || t.text == "{") {
			d++
		}
	}
	s.stmtOf, s.chainRoot = make([]int, len(toks)), make([]int, len(toks))
	for i := range toks {
		if s.startsAfter(i) {
			s.stmtOf[i] = i
		} else {
			s.stmtOf[i] = s.stmtOf[i-1]
		}
		s.chainRoot[i] = i
		if s.isIdent(i) && s.isOp(i-1, ".") {
			s.chainRoot[i] = i - 2
			if s.isIdent(i - 2) {
				s.chainRoot[i] = s.chainRoot[i-2]
			}
		}
	}
	for i := range toks {
		if s.stmtStart(i) && (s.isName(i, "import") || s.isName(i, "from")) {
			s.parseImport(i)
		}
	}
	s.collectBindings()
	return s
}

func (s *scanner) isKind(i int, k tokKind) bool {
	return i >= 0 && i < len(s.toks) && s.toks[i].kind == k
}

func (s *scanner) isOp(i int, op string) bool { return s.isKind(i, tkOp) && s.toks[i].text == op }

func (s *scanner) isName(i int, name string) bool {
	return s.isKind(i, tkName) && s.toks[i].text == name
}

// isIdent reports whether token i is a name that is not a hard keyword.
func (s *scanner) isIdent(i int) bool { return s.isKind(i, tkName) && !keywords[s.toks[i].text] }

// stmtStart reports whether token i begins a statement (or the body after
// a compound statement's header, as in "if x: import os").
func (s *scanner) stmtStart(i int) bool { return s.stmtOf[i] == i }

// compoundKeywords begin statements whose header ends at a ':'; soft
// keywords (match, case) only when not used as a name.
var compoundKeywords = setOf("if", "elif", "else", "while", "for", "try", "except",
	"finally", "with", "def", "class", "async", "match", "case")

// startsAfter reports whether token i begins a statement, given the
// statements of the tokens before it.
func (s *scanner) startsAfter(i int) bool {
	if i == 0 {
		return true
	}
	p := s.toks[i-1]
	switch {
	case p.kind == tkNewline || p.kind == tkIndent || p.kind == tkDedent:
		return true
	case p.kind != tkOp || s.depth[i-1] != 0:
		return false
	case p.text == ";":
		return true
	case p.text == ":":
		// Only a compound header's colon, not an annotation's or a lambda's.
		first := s.stmtOf[i-1]
		if !s.isKind(first, tkName) || !compoundKeywords[s.toks[first].text] {
			return false
		}
		soft := s.toks[first].text == "match" || s.toks[first].text == "case"
		return !soft || !(s.isOp(first+1, ":") || s.isOp(first+1, "=") || s.isOp(first+1, "."))
	}
	return false
}

// stmtEnd returns the index just past the simple statement starting at i.
func (s *scanner) stmtEnd(i int) int {
	for ; i < len(s.toks); i++ {
		if s.isKind(i, tkNewline) || (s.isOp(i, ";") && s.depth[i] == 0) {
			break
		}
	}
	return i
}

// dotted reads a dotted name starting at token i, returning it and the
// index after it ("" if there is none).
func (s *scanner) dotted(i int) (string, int) {
	if !s.isIdent(i) {
		return "", i
	}
	name := s.toks[i].text
	i++
	for s.isOp(i, ".") && s.isIdent(i+1) {
		name += "." + s.toks[i+1].text
		i += 2
	}
	return name, i
}

// parseImport parses "import a.b as c, d" or "from .x import y as z, w"
// at token i and records the modules and the names they bind.
func (s *scanner) parseImport(i int) {
	start, j := i, i+1
	defer func() {
		for k := start; k < j; k++ {
			s.inImport[k] = true
		}
	}()
	if s.isName(i, "import") {
		for {
			mod, next := s.dotted(j)
			if mod == "" {
				return
			}
			stmt := importStmt{module: mod, at: j}
			bind := topLevel(mod)
			j = next
			if s.isName(j, "as") && s.isIdent(j+1) {
				bind = s.toks[j+1].text
				j += 2
			}
			s.imports = append(s.imports, stmt)
			s.bound[bind], s.opaque[bind] = true, true
			if !s.isOp(j, ",") {
				return
			}
			j++
		}
	}
	stmt := importStmt{at: j}
	for s.isOp(j, ".") || s.isOp(j, "...") {
		stmt.dots += s.toks[j].text
		j++
	}
	stmt.module, j = s.dotted(j)
	if !s.isName(j, "import") || (stmt.module == "" && stmt.dots == "") {
		return
	}
	j++
	if s.isOp(j, "(") {
		j++
	}
	for s.isIdent(j) {
		name, bind := s.toks[j].text, s.toks[j].text
		stmt.names = append(stmt.names, nameAt{name, j})
		j++
		if s.isName(j, "as") && s.isIdent(j+1) {
			bind = s.toks[j+1].text
			j += 2
		}
		s.bound[bind], s.opaque[bind] = true, true
		if !s.isOp(j, ",") {
			break
		}
		j++
	}
	if s.isOp(j, "*") || s.isOp(j, ")") {
		j++
	}
	s.imports = append(s.imports, stmt)
}

// collectBindings records names the code binds itself: def and class
// names, parameters, assignment, for, with/except "as" and walrus targets,
// and aliases of module names ("m = json").
func (s *scanner) collectBindings() {
	for i, t := range s.toks {
		if t.kind != tkName {
			continue
		}
		switch {
		case t.text == "def" || t.text == "class":
			if s.isIdent(i + 1) {
				s.bind(i+1, false)
				s.bindParams(i + 2)
			}
		case t.text == "lambda":
			s.bindParams(i)
		case t.text == "for":
			for j := i + 1; j < len(s.toks) && !s.isName(j, "in") && !s.isName(j, "for") && !s.isKind(j, tkNewline); j++ {
				if s.isIdent(j) && !s.isOp(j-1, ".") {
					s.bind(j, s.depth[i] == 0)
				}
			}
		case t.text == "as" && s.isIdent(i+1):
			s.bind(i+1, true)
		case s.isOp(i+1, ":="):
			s.bind(i, true)
		}
		if s.stmtStart(i) {
			s.bindTargets(i)
		}
	}
	s.propagateAliases()
}

// propagateAliases marks as opaque every name bound to a value that may be
// a module or a builtin: the targets of an assignment, a for statement or a
// walrus whose value expression lets such a value through, directly ("m =
// json", "t = type", "d = m.decoder") or inside a container or call
// ("t = [typing][0]", "a, b = (json, 1)", "for t in [typing]:",
// "(t := next(iter([typing])))"), in any order and through chains of
// aliases. A name that is only called or has attributes called
// ("n = len(json.dumps(x))") lets a call's result through, not the module.
func (s *scanner) propagateAliases() {
	type flow struct {
		from, to int
		targets  []int
	}
	var flows []flow
	for i := range s.toks {
		switch {
		case s.stmtStart(i) && s.isName(i, "for"):
			in := i + 1
			for in < len(s.toks) && !s.isName(in, "in") && !s.isKind(in, tkNewline) {
				in++
			}
			end := in + 1
			for end < len(s.toks) && !(s.isOp(end, ":") && s.depth[end] == s.depth[i]) && !s.isKind(end, tkNewline) {
				end++
			}
			flows = append(flows, flow{in + 1, end, s.namesIn(i+1, in)})
		case s.stmtStart(i):
			end, lastEq := s.stmtEnd(i), -1
			for j := i; j < end; j++ {
				if s.isOp(j, "=") && s.depth[j] == s.depth[i] {
					lastEq = j
				}
			}
			if lastEq > i {
				flows = append(flows, flow{lastEq + 1, end, s.namesIn(i, lastEq)})
			}
		}
		if s.isIdent(i) && s.isOp(i+1, ":=") {
			end := i + 2
			for end < len(s.toks) && s.depth[end] >= s.depth[i] && !(s.depth[end] == s.depth[i] && (s.isOp(end, ",") || s.isOp(end, ")") || s.isOp(end, "]") || s.isOp(end, "}"))) && !s.isKind(end, tkNewline) {
				end++
			}
			flows = append(flows, flow{i + 2, end, []int{i}})
		}
	}
	// Each flow fires once, when one of its roots is (or becomes) opaque.
	waiting := map[string][]int{} // user-bound root -> flows it would fire
	var work []string
	fire := func(f flow) {
		for _, t := range f.targets {
			if name := s.toks[t].text; !s.opaque[name] {
				s.opaque[name] = true
				work = append(work, name)
			}
		}
	}
	for k, f := range flows {
		roots, now := s.rootsIn(f.from, f.to)
		if now {
			fire(f)
			continue
		}
		for _, r := range roots {
			waiting[r] = append(waiting[r], k)
		}
	}
	fired := make([]bool, len(flows))
	for len(work) > 0 {
		n := work[len(work)-1]
		work = work[:len(work)-1]
		for _, k := range waiting[n] {
			if !fired[k] {
				fired[k] = true
				fire(flows[k])
			}
		}
		delete(waiting, n)
	}
}

// namesIn returns the tokens in [from, to) that are target names: not an
// attribute, not called or subscripted (those are not bindings).
func (s *scanner) namesIn(from, to int) []int {
	var out []int
	for j := from; j < to; j++ {
		if s.isIdent(j) && !s.isOp(j-1, ".") && !s.isOp(j+1, ".") && !s.isOp(j+1, "(") && !s.isOp(j+1, "[") {
			out = append(out, j)
		}
	}
	return out
}

// rootsIn returns the roots of the dotted chains in tokens [from, to) whose
// value the expression may let through (not called, not a keyword
// argument's name), and whether one of them already is an opaque or unbound
// name, i.e. a module or builtin. The others are user-bound names that make
// the expression opaque if they become opaque.
func (s *scanner) rootsIn(from, to int) ([]string, bool) {
	var roots []string
	for j := from; j < to; j++ {
		if !s.isIdent(j) || s.isOp(j-1, ".") || (s.isOp(j+1, "=") && s.depth[j] > 0) {
			continue
		}
		end := j + 1
		for s.isOp(end, ".") && s.isIdent(end+1) {
			end += 2
		}
		if s.isOp(end, "(") {
			continue
		}
		name := s.toks[j].text
		if !s.userValue(name) {
			return nil, true
		}
		roots = append(roots, name)
	}
	return roots, false
}

// bindParams binds the parameter names of a def (i at the token after the
// function name: optional PEP 695 "[T]", then "(…)") or of a lambda (i at
// "lambda", parameters up to the ':').
func (s *scanner) bindParams(i int) {
	lambda := s.isName(i, "lambda")
	base, start, j := s.depth[i], i, i
	if lambda {
		start++
	}
	params := map[string]bool{}
	for j = start; j < len(s.toks); j++ {
		t := s.toks[j]
		if lambda && ((t.kind == tkOp && t.text == ":" && s.depth[j] == base) || s.depth[j] < base || t.kind == tkNewline ||
			(t.kind == tkName && t.text == "lambda")) {
			break
		}
		if !lambda && (s.depth[j] == base && !(t.kind == tkOp && (t.text == "(" || t.text == "[" || t.text == ")" || t.text == "]"))) {
			break
		}
		if s.isIdent(j) && (lambda || s.depth[j] == base+1) &&
			(s.isOp(j-1, "(") || s.isOp(j-1, "[") || s.isOp(j-1, ",") || s.isOp(j-1, "*") || s.isOp(j-1, "**") || s.isName(j-1, "lambda")) {
			s.bind(j, false)
			params[t.text] = true
		}
	}
	// Defaults and annotations are evaluated outside the function, where
	// a parameter's name still means the builtin.
	for k := start; k < j; k++ {
		if s.isIdent(k) && !s.bindAt[k] && params[s.toks[k].text] {
			s.outerRef[k] = true
		}
	}
}

// augOps are assignment operators other than '='.
var augOps = setOf("+=", "-=", "*=", "/=", "//=", "%=", "**=", ">>=", "<<=", "&=", "|=", "^=", "@=")

// bindTargets binds the targets of an assignment statement starting at i
// ("a, b = …", "x: int = …", "n += 1").
func (s *scanner) bindTargets(i int) {
	if s.isIdent(i) && (s.isOp(i+1, ":") || (s.isKind(i+1, tkOp) && augOps[s.toks[i+1].text])) {
		s.bind(i, true)
		return
	}
	end, lastEq := s.stmtEnd(i), -1
	for j := i; j < end; j++ {
		if s.isOp(j, "=") && s.depth[j] == s.depth[i] {
			lastEq = j
		}
	}
	for j := i; j < lastEq; j++ {
		if s.isIdent(j) && !s.isOp(j-1, ".") && !s.isOp(j+1, ".") && !s.isOp(j+1, "(") && !s.isOp(j+1, "[") {
			s.bind(j, true)
		}
	}
}

// callArgs returns the token ranges [from, to) of the arguments of the
// call whose '(' is token open.
func (s *scanner) callArgs(open int) [][2]int {
	var args [][2]int
	d, from := s.depth[open]+1, open+1
	for j := open + 1; j < len(s.toks); j++ {
		end := s.isOp(j, ")") && s.depth[j] == d-1
		if end || (s.isOp(j, ",") && s.depth[j] == d) {
			if j > from {
				args = append(args, [2]int{from, j})
			}
			from = j + 1
		}
		if end {
			break
		}
	}
	return args
}

// constString returns the value of an argument made only of str literals
// (implicitly concatenated), and whether it is one.
func (s *scanner) constString(arg [2]int) (string, bool) {
	var v strings.Builder
	for j := arg[0]; j < arg[1]; j++ {
		if !s.isKind(j, tkString) || s.toks[j].bytes {
			return "", false
		}
		v.WriteString(s.toks[j].text)
	}
	return v.String(), true
}

// bind records that token i binds its name.
// A target binding (assignment, statement-level for, walrus, as) rebinds
// the name in the scope that evaluates the rest of the statement; a
// parameter, def/class name or comprehension variable does not.
func (s *scanner) bind(i int, target bool) {
	s.bound[s.toks[i].text] = true
	s.bindAt[i] = true
	if target {
		s.targetAt = append(s.targetAt, i)
	}
}

// rebindsHere reports whether the reference to name at token i is still
// the builtin although the code binds name: in a statement that itself
// rebinds it ("a, eval = 0, eval", "for open in [open]") or in the
// defaults and annotations of parameters of that name ("lambda eval=eval: …").
func (s *scanner) rebindsHere(name string, i int) bool {
	if s.stmtBinds == nil {
		s.stmtBinds = map[int]map[string]bool{}
		for _, j := range s.targetAt {
			st := s.stmtOf[j]
			if s.stmtBinds[st] == nil {
				s.stmtBinds[st] = map[string]bool{}
			}
			s.stmtBinds[st][s.toks[j].text] = true
		}
	}
	return s.outerRef[i] || s.stmtBinds[s.stmtOf[i]][name]
}

// userValue reports whether name is bound by the code itself to something
// other than a module or builtin (an alias of one).
func (s *scanner) userValue(name string) bool { return s.bound[name] && !s.opaque[name] }

// userBase reports whether the attribute access whose '.' is token dot is
// on a dotted chain rooted at a user value ("self.__dict__",
// "o.items.__dict__"), rather than on a module, a builtin such as type or
// object, or the result of a call or subscript.
func (s *scanner) userBase(dot int) bool {
	if !s.isIdent(dot - 1) {
		return false
	}
	r := s.chainRoot[dot-1]
	return s.isIdent(r) && !s.isOp(r-1, ".") && s.userValue(s.toks[r].text)
}
