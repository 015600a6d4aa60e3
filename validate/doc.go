// Package validate is the static policy check for untrusted Python 3.12
// source: it refuses code that imports dangerous modules, uses builtins
// that run or import code by name, or reaches interpreter internals. The
// wasm sandbox remains the security boundary; this is policy on top of it,
// backed at run time by the in-guest guard (internal/guard).
//
// The check runs in three layers, each in its own file:
//
//   - encoding.go and tokenizer.go/strings.go: a Python 3.12 tokenizer
//     covering every string form (raw, bytes, triple-quoted, PEP 701
//     f-strings with nested fields and format specs, whose expressions are
//     tokenized in place), comments, continuations, brackets, indentation
//     and PEP 263 coding cookies. Identifiers are NFKC-folded as CPython
//     does (nfkc.go), so "ｅval" is eval. Unreadable source is one
//     syntax-error violation.
//   - scan.go: recognition of import statements (plain, from, relative),
//     bindings (def/class names, parameters, assignment, for, as and walrus
//     targets) and module or builtin aliases ("m = json", "t = type").
//   - check.go: the rules. Names are checked as references, attributes
//     (".name", getattr/setattr/hasattr/delattr string arguments,
//     attrgetter/methodcaller paths, from-import names, class-pattern
//     keywords) and string literals that spell attribute paths
//     ("{0.__class__}", "__globals__").
//
// Deliberate leniencies, all backed by the guard's trimmed builtins: a
// blocked builtin name that the code binds itself (a parameter named input,
// def eval, open = ...) is not reported where it is used, as the check has
// no scopes; __dict__ is allowed on names bound by the code (self.__dict__)
// and refused on modules, builtins and call or subscript results.
package validate
