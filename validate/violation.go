package validate

import "sort"

// Rule names carried in Violation.Rule.
const (
	// RuleBlockedImport marks an import of a module on the dangerous list, or
	// a reference to __builtins__, builtins or importlib (also as attribute).
	RuleBlockedImport = "blocked-import"
	// RuleImportNotAllowed marks an import of a module that is merely not on
	// the policy's allowlist, and relative imports.
	RuleImportNotAllowed = "import-not-allowed"
	// RuleBlockedCall marks a call of, or any other reference to, a blocked
	// builtin such as eval or exec.
	RuleBlockedCall = "blocked-call"
	// RuleDunderAccess marks access to an attribute that reaches interpreter
	// internals (__class__, __subclasses__, __globals__, frame attributes, …),
	// written directly or as a string literal given to getattr and friends.
	RuleDunderAccess = "dunder-access"
	// RuleSyntaxError marks source the tokenizer cannot read. It is always
	// the only violation reported for that source.
	RuleSyntaxError = "syntax-error"
)

// Violation is one policy finding in a source file.
type Violation struct {
	Rule    string `json:"rule"`
	Name    string `json:"name"`
	Message string `json:"message"`
	Line    int    `json:"line"` // 1-based
	Col     int    `json:"col"`  // 1-based, counted in Unicode code points
}

// sortViolations orders vs by position, then rule and name, so that output
// is deterministic.
func sortViolations(vs []Violation) {
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i], vs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Name < b.Name
	})
}
