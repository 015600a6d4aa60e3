package guard

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTransform runs boot.py's AST transform on the machine's python3 (the
// Python floor; the C floor needs the wasmbox interpreter and is covered by
// internal/hostile): attribute reads are guarded without changing what
// honest code means, and the guard's own names cannot be rebound.
func TestTransform(t *testing.T) {
	for _, tc := range []struct {
		name, src      string
		code           int
		stdout, stderr string // substrings
	}{
		{name: "private names are mangled as the compiler would",
			src:    "class A:\n    def __init__(self):\n        self.__x = 1\n    def get(self):\n        return self.__x, self._A__x\nclass __B:\n    __y = 2\n    def y(self):\n        return self.__y\nprint(A().get(), __B().y())\n",
			stdout: "(1, 1) 2"},
		{name: "super and properties",
			src:    "class B:\n    v = 1\n    def f(self):\n        return 'b'\nclass C(B):\n    @property\n    def p(self):\n        return super().f() + str(super().v)\nprint(C().p)\n",
			stdout: "b1"},
		{name: "f-strings, chains and augmented assignment",
			src:    "import json\nclass O:\n    n = 1\no = O()\no.n += 2\nprint(f'{o.n} {json.decoder.JSONDecoder.__name__}')\n",
			stdout: "3 JSONDecoder"},
		{name: "dotted read of a module attribute at run time",
			src:  "import typing\nt = [typing][0]\nprint(t.sys)\n",
			code: 1, stderr: "attribute 'sys' is blocked"},
		{name: "dotted read of a module namespace",
			src:  "import json\ndef ns(m):\n    return m.__dict__\nns(json)\n",
			code: 1, stderr: "attribute '__dict__' is blocked"},
		{name: "method call of a blocked name",
			src:  "def f():\n    pass\nf.__getattribute__('x')\n",
			code: 1, stderr: "attribute '__getattribute__' is blocked"},
		{name: "write of a blocked attribute",
			src:  "def f():\n    pass\nf.__code__ = None\n",
			code: 1, stderr: "SyntaxError: the attribute '__code__' is blocked by the wasmbox strict policy"},
		{name: "the guard's names cannot be rebound",
			src:  "__wasmbox_ga__ = lambda o, n: 1\n",
			code: 1, stderr: "SyntaxError: the name '__wasmbox_ga__' is blocked"},
		{name: "nor imported under them",
			src:  "from json import loads as __wasmbox_ga__\n",
			code: 1, stderr: "SyntaxError: the name '__wasmbox_ga__' is blocked"},
		{name: "nor taken as parameters",
			src:  "def f(__wasmbox_ga__):\n    return 1\n",
			code: 1, stderr: "SyntaxError: the name '__wasmbox_ga__' is blocked"},
		{name: "class patterns naming blocked attributes",
			src:  "match 1:\n    case int(__class__=c):\n        pass\n",
			code: 1, stderr: "SyntaxError: the attribute '__class__' is blocked"},
		{name: "deep nesting still compiles",
			src:    "x = " + nested(150) + "\nprint(x)\n",
			stdout: "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := native(t, policy(t, "strict"), "code", tc.src)
			assert.Equal(t, tc.code, code, "stderr: %s", stderr)
			assert.Contains(t, stdout, tc.stdout)
			assert.Contains(t, stderr, tc.stderr)
		})
	}
}

// nested returns an expression of n nested parenthesised additions of 0 and,
// innermost, 1.
func nested(n int) string {
	s := "1"
	for range n {
		s = "(0 + " + s + ")"
	}
	return s
}
