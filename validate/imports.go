package validate

import (
	"bytes"
	"slices"
)

// Imports returns the top-level modules that src imports by absolute name
// in import statements ("import a.b" and "from a.b import c" give "a"),
// sorted and de-duplicated; wherever the statement is (a function body, a
// branch never taken). Relative imports are left out, and so are imports
// by name at run time (__import__, importlib), which no static scan sees.
// Source the tokenizer cannot read gives nil.
func Imports(src []byte) []string {
	toks, serr := tokenize(src)
	if serr != nil {
		return nil
	}
	var out []string
	for _, im := range newScanner(toks).imports {
		if im.dots == "" && im.module != "" {
			out = append(out, topLevel(im.module))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ImportsAny reports whether src imports (as Imports says) any of the
// top-level modules in mods. It tokenizes src only when one of the names
// appears in its bytes, so that most source costs a substring search; an
// import spelled with non-ASCII look-alikes that fold to the name, or in
// a non-ASCII-compatible encoding, is missed.
func ImportsAny(src []byte, mods []string) bool {
	var maybe []string
	for _, m := range mods {
		if bytes.Contains(src, []byte(m)) {
			maybe = append(maybe, m)
		}
	}
	if len(maybe) == 0 {
		return false
	}
	for _, m := range Imports(src) {
		if slices.Contains(maybe, m) {
			return true
		}
	}
	return false
}
