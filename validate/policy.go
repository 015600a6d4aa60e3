package validate

import (
	"fmt"
	"sort"
	"strings"
)

// Policy is a named import and builtin policy. The zero value is not
// useful; obtain one with PolicyByName.
type Policy struct {
	name     string
	modules  []string // the policy's own allowlist (top-level names)
	extras   []string // added with WithAllowedImports (top-level names)
	builtins []string // blocked builtins
}

// policyNames lists the valid policy names, default first.
var policyNames = []string{"strict", "stdlib", "none"}

// blockedBuiltins are the builtins the strict and stdlib policies refuse:
// they run code from strings, import by name, expose namespaces (and through
// them __builtins__), or do I/O.
var blockedBuiltins = []string{
	"__import__", "breakpoint", "compile", "eval", "exec", "globals",
	"help", "input", "locals", "open", "vars",
}

// PolicyByName returns the policy called name: "strict" (the default and
// seed-compatible: json, re and typing), "stdlib" (a reviewed list of pure
// standard-library modules) or "none" (no checks).
func PolicyByName(name string) (Policy, error) {
	switch name {
	case "strict":
		return Policy{name: name, modules: strictModules, builtins: blockedBuiltins}, nil
	case "stdlib":
		return Policy{name: name, modules: stdlibModules, builtins: blockedBuiltins}, nil
	case "none":
		return Policy{name: name}, nil
	}
	return Policy{}, fmt.Errorf("unknown policy %q: valid policies are %s", name, strings.Join(policyNames, ", "))
}

// Name returns the policy's name.
func (p Policy) Name() string { return p.name }

// Enabled reports whether the policy checks anything; it is false for none.
func (p Policy) Enabled() bool { return p.name != "none" && p.name != "" }

// WithAllowedImports returns a copy of p that also allows importing mods
// (and their submodules), including modules p would otherwise block. Each
// entry must be a dotted identifier such as "numpy" or "xml.etree"; the
// error names the first bad one. p itself is not changed.
func (p Policy) WithAllowedImports(mods ...string) (Policy, error) {
	extras := append([]string(nil), p.extras...)
	for _, m := range mods {
		if !isDottedName(m) {
			return p, fmt.Errorf("invalid module name %q in allowed imports: want a dotted Python identifier such as numpy or xml.etree", m)
		}
		extras = append(extras, topLevel(m))
	}
	p.extras = extras
	return p, nil
}

// AllowedModules returns the sorted, de-duplicated top-level modules the
// policy allows importing, including extras. __future__, which every
// enabled policy allows, is not listed.
func (p Policy) AllowedModules() []string {
	return sortedSet(p.modules, p.extras)
}

// BlockedBuiltins returns the sorted builtins the policy blocks.
func (p Policy) BlockedBuiltins() []string {
	return sortedSet(p.builtins)
}

// BlockedModules returns the sorted modules on the dangerous list that the
// policy does not explicitly allow; empty for a disabled policy.
func (p Policy) BlockedModules() []string {
	if !p.Enabled() {
		return []string{}
	}
	var out []string
	for _, m := range dangerousModules {
		if !p.allows(m) {
			out = append(out, m)
		}
	}
	return sortedSet(out)
}

// allows reports whether importing module (possibly dotted) is allowed.
// __future__ always is: its imports are compiler directives such as
// "from __future__ import annotations".
func (p Policy) allows(module string) bool {
	top := topLevel(module)
	if top == "__future__" {
		return true
	}
	for _, list := range [][]string{p.modules, p.extras} {
		for _, m := range list {
			if m == top {
				return true
			}
		}
	}
	return false
}

// blocksBuiltin reports whether name is a builtin the policy blocks.
func (p Policy) blocksBuiltin(name string) bool {
	for _, b := range p.builtins {
		if b == name {
			return true
		}
	}
	return false
}

// ParseAllowImports splits a comma-separated module list such as
// "numpy, xml.etree" into its entries. Blank input gives nil; an entry that
// is not a dotted identifier is an error naming it.
func ParseAllowImports(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var out []string
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if !isDottedName(f) {
			return nil, fmt.Errorf("invalid module name %q in allow-imports list %q: want comma-separated dotted identifiers", f, list)
		}
		out = append(out, f)
	}
	return out, nil
}

// isDottedName reports whether s is a dotted ASCII Python identifier that is
// not a keyword in any part.
func isDottedName(s string) bool {
	if s == "" {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || keywords[part] || (part[0] >= '0' && part[0] <= '9') {
			return false
		}
		for i := 0; i < len(part); i++ {
			if !isASCIIIdentByte(part[i]) {
				return false
			}
		}
	}
	return true
}

// topLevel returns the first component of a dotted module name.
func topLevel(module string) string {
	if i := strings.IndexByte(module, '.'); i >= 0 {
		return module[:i]
	}
	return module
}

// sortedSet returns the sorted union of lists without duplicates, never nil.
func sortedSet(lists ...[]string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, l := range lists {
		for _, s := range l {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out
}

// BlockedAttributes returns the sorted attribute names the policy refuses
// at run time through getattr and friends: dunders and other attributes
// that reach interpreter internals, and names under which allowed modules
// keep dangerous modules (typing.sys, enum.bltns). Empty for none.
func (p Policy) BlockedAttributes() []string {
	if !p.Enabled() {
		return []string{}
	}
	var out []string
	for _, set := range []map[string]bool{builtinsNames, internalDunders, internalAttrs} {
		for name := range set {
			out = append(out, name)
		}
	}
	for name := range moduleAttrs {
		out = append(out, name)
	}
	return sortedSet(out, []string{"__import__"})
}

// CoreAttributes returns the sorted subset of BlockedAttributes that the
// in-guest guard refuses on every path, the interpreter's C lookups
// included (getattr, str.format fields, match class patterns,
// operator.attrgetter); see coreAttrs. Empty for none.
func (p Policy) CoreAttributes() []string {
	if !p.Enabled() {
		return []string{}
	}
	var out []string
	for name := range coreAttrs {
		out = append(out, name)
	}
	return sortedSet(out)
}
