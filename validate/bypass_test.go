package validate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBypassClassesFlagged holds the static side of issue 12's bypass
// classes: each program passed the check before; each must now be refused
// with the named finding, under strict and stdlib.
func TestBypassClassesFlagged(t *testing.T) {
	for _, tc := range []struct {
		name, src, rule, want string
	}{
		{"issue: alias through a list", "import typing\nt = [typing][0]\ns = t.__dict__[\"sys\"]\n", RuleDunderAccess, "__dict__"},
		{"alias through a tuple", "import json\nt = (json, 1)[0]\nt.__dict__\n", RuleDunderAccess, "__dict__"},
		{"alias through a dict", "import re\nd = {'m': re}\nd['m'].__dict__\nm = d['m']\nm.__dict__\n", RuleDunderAccess, "__dict__"},
		{"alias through a call", "import json\nt = next(iter([json]))\nt.__dict__\n", RuleDunderAccess, "__dict__"},
		{"alias through unpacking", "import json\na, b = json, 1\na.__dict__\n", RuleDunderAccess, "__dict__"},
		{"alias through a for", "import json\nfor m in [json]:\n    m.__dict__\n", RuleDunderAccess, "__dict__"},
		{"alias through a walrus", "import json\nif (m := [json][0]):\n    m.__dict__\n", RuleDunderAccess, "__dict__"},
		{"alias chain in reverse order", "def f():\n    return b.__dict__\nb = [a][0]\na = [type][0]\n", RuleDunderAccess, "__dict__"},
		{"alias of a builtin type", "t = [type][0]\nt.__dict__\n", RuleDunderAccess, "__dict__"},
		{"class dunder on a user name", "x = 1\nx.__class__\n", RuleDunderAccess, "__class__"},
		{"issue: string with a space", "import typing\ndef f(x: \"x. __globals__['sys']\"): pass\n", RuleDunderAccess, "__globals__"},
		{"string with a newline and continuation", "s = \"f .\\\\\\n __globals__\"\n", RuleDunderAccess, "__globals__"},
		{"forward ref dict path", "import typing\ntyping.ForwardRef(\"t .__dict__['sys']\")\n", RuleDunderAccess, "__dict__"},
		{"forward ref module attr", "import typing\ntyping.ForwardRef('typing.sys')\n", RuleBlockedImport, "sys"},
		{"forward ref module attr in prose", "x = 'see typing. sys for more'\n", RuleBlockedImport, "sys"},
		{"format field dict", "print('{0.__dict__}'.format(1))\n", RuleDunderAccess, "__dict__"},
		{"string builtins in prose", "x = 'look at __builtins__ now'\n", RuleBlockedImport, "__builtins__"},
		{"fullwidth dunder in a string", "s = 'x. __\uff47lobals__'\n", RuleDunderAccess, "__globals__"},
	} {
		for _, policy := range []string{"strict", "stdlib"} {
			t.Run(tc.name+"/"+policy, func(t *testing.T) {
				p, err := PolicyByName(policy)
				require.NoError(t, err)
				vs := Check([]byte(tc.src), p)
				assert.Contains(t, ruleNames(vs), tc.rule+" "+tc.want, "findings: %+v", vs)
			})
		}
	}
}

// TestBypassFixesKeepHonestCode: what the new rules must not catch.
func TestBypassFixesKeepHonestCode(t *testing.T) {
	for name, src := range map[string]string{
		"instance dict of a loop variable":   "class I:\n    pass\nitems = [I(), I()]\nfor it in items:\n    print(it.__dict__)\n",
		"result of a module call":            "import json\nd = json.loads('{}')\nn = len(json.dumps(d))\nprint(d, n)\n",
		"keyword argument named like module": "import json\nopts = dict(json=1)\nopts.__dict__ if False else None\n",
		"prose with a dot and a dunder":      "msg = 'done. __init__ is fine'\n",
		"prose mentioning import":            "doc = \"never write __import__('os')\"\n",
		"attribute path of a user object":    "class C:\n    pass\nc = C()\nc.value = 2\nprint('{0.value}'.format(c))\n",
	} {
		t.Run(name, func(t *testing.T) {
			p, err := PolicyByName("strict")
			require.NoError(t, err)
			assert.Empty(t, Check([]byte(src), p))
		})
	}
}

// TestCoreAttributesAreBlocked: the names the guard refuses at the C level
// are a subset of the blocked attributes the check and the guard share.
func TestCoreAttributesAreBlocked(t *testing.T) {
	p, err := PolicyByName("strict")
	require.NoError(t, err)
	assert.Subset(t, p.BlockedAttributes(), p.CoreAttributes())
	assert.Contains(t, p.CoreAttributes(), "__globals__")
	none, err := PolicyByName("none")
	require.NoError(t, err)
	assert.Empty(t, none.CoreAttributes())
}

func ruleNames(vs []Violation) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Rule + " " + v.Name
	}
	return out
}
