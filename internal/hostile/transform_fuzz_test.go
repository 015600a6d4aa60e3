package hostile

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// transformSeeds are programs whose attribute reads, writes and method
// calls take every shape the guard's AST transform rewrites: private-name
// mangling, super(), properties and descriptors, f-strings, match class
// patterns, decorators, nested classes, chains and augmented assignment.
var transformSeeds = []string{
	"class A:\n    def __init__(self):\n        self.__x = 1\n    def get(self):\n        return self.__x\nprint(A().get(), A()._A__x)\n",
	"class B:\n    def f(self):\n        return 'b'\nclass C(B):\n    def f(self):\n        return super().f() + 'c'\n    @property\n    def p(self):\n        return super().f\nprint(C().f(), C().p())\n",
	"class P:\n    x = 1\n    y = 2\n    __match_args__ = ('x', 'y')\nmatch P():\n    case P(a, y=b):\n        print(a, b)\n",
	"import json\nd = {'a': [1, 2]}\nprint(f'{json.dumps(d)!r} {d.get}'[:12], json.decoder.JSONDecodeError.__name__)\n",
	"class N:\n    class In:\n        __v = 3\n        def v(self):\n            return self.__v\nn = N.In()\nn.w = 1\nn.w += 2\ndel n.w\nprint(n.v(), hasattr(n, 'w'))\n",
	"import re\nm = re.match(r'(a)(b)', 'ab')\nprint(m.group(1), m.span(), m.re.pattern, (m.string).upper().lower())\n",
	"def deco(f):\n    f.tag = 'x'\n    return f\n@deco\ndef g():\n    return g.tag\nprint(g(), [c.real for c in (1, 2j)], (lambda o: o.imag)(3j))\n",
	"class __Priv:\n    __a = 1\nclass _:\n    __b = 2\nprint(getattr(__Priv, '_Priv__a'), _._____b if False else 0)\n",
	"x = (1).__add__(2)\nprint(x, 'a'.join(['b', 'c']), type(x).__name__)\n",
}

// FuzzGuardTransform runs any program unguarded and under the strict
// guard without the static check. The guard must never crash the
// interpreter or fail the sandbox, and when it refuses nothing, the program
// must behave exactly as unguarded: the transform keeps the meaning of
// the code it rewrites.
func FuzzGuardTransform(f *testing.F) {
	for _, s := range transformSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		plain := guardedExecFor(t, code, "none", 5*time.Second)
		guarded := guardedExecFor(t, code, "strict", 5*time.Second)
		for _, res := range []int{plain.ExitCode, guarded.ExitCode} {
			assert.NotContains(t, []int{125, 134}, res, "the interpreter or the sandbox failed; stderr %q / %q", plain.Stderr, guarded.Stderr)
		}
		refused := strings.Contains(guarded.Stderr, "wasmbox") || strings.Contains(plain.Stderr+plain.Stdout, "wasmbox")
		if plain.ExitCode == 0 && !guarded.TimedOut && !refused {
			assert.Equal(t, plain.Stdout, guarded.Stdout, "stdout; guarded stderr %q", guarded.Stderr)
			assert.Equal(t, 0, guarded.ExitCode, "guarded stderr %q", guarded.Stderr)
		}
	})
}
