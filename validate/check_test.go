package validate

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testPolicy(t *testing.T, name string) Policy {
	t.Helper()
	if name == "" {
		name = "strict"
	}
	if name == "extra" {
		p, err := PolicyByName("strict")
		require.NoError(t, err)
		p, err = p.WithAllowedImports("numpy")
		require.NoError(t, err)
		return p
	}
	p, err := PolicyByName(name)
	require.NoError(t, err)
	return p
}

func TestHostile(t *testing.T) {
	require.GreaterOrEqual(t, len(hostileCases), 60, "hostile cases")
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			vs := Check([]byte(tc.src), testPolicy(t, tc.policy))
			for _, v := range vs {
				if v.Rule == tc.rule && v.Name == tc.want {
					assert.NotEmpty(t, v.Message, "incomplete violation %+v", v)
					assert.GreaterOrEqual(t, v.Line, 1, "incomplete violation %+v", v)
					assert.GreaterOrEqual(t, v.Col, 1, "incomplete violation %+v", v)
					return
				}
			}
			assert.Failf(t, "finding missing", "want %s %q in %q, got %+v", tc.rule, tc.want, tc.src, vs)
		})
	}
}

func TestHonest(t *testing.T) {
	require.GreaterOrEqual(t, len(honestCases), 30, "honest cases")
	for _, tc := range honestCases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Empty(t, Check([]byte(tc.src), testPolicy(t, tc.policy)), "honest code rejected")
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, tc := range syntaxCases {
		t.Run(tc.name, func(t *testing.T) {
			vs := Check([]byte(tc.src), testPolicy(t, "strict"))
			require.Len(t, vs, 1, "want one syntax-error")
			require.Equal(t, RuleSyntaxError, vs[0].Rule)
			assert.Equal(t, [2]int{tc.line, tc.col}, [2]int{vs[0].Line, vs[0].Col}, "line and column (%s)", vs[0].Message)
		})
	}
}

func TestAllViolationsSortedWithPositions(t *testing.T) {
	src := "x = 1; \u00e9 = eval\nimport os, subprocess\nprint(f\"{x.__class__}\")\n"
	got := Check([]byte(src), testPolicy(t, "strict"))
	want := []Violation{
		{Rule: RuleBlockedCall, Name: "eval", Line: 1, Col: 12},
		{Rule: RuleBlockedImport, Name: "os", Line: 2, Col: 8},
		{Rule: RuleBlockedImport, Name: "subprocess", Line: 2, Col: 12},
		{Rule: RuleDunderAccess, Name: "__class__", Line: 3, Col: 12},
	}
	require.Len(t, got, len(want), "%+v", got)
	for i := range want {
		g := got[i]
		g.Message = ""
		assert.Equal(t, want[i], g, "violation %d", i)
	}
	b, err := json.Marshal(got[1])
	require.NoError(t, err)
	assert.Equal(t, `{"rule":"blocked-import","name":"os","message":"import of \"os\" is blocked: it reaches the host or the interpreter's internals; the strict policy allows json, re, typing","line":2,"col":8}`, string(b))
}

func TestNoneAndNeverNil(t *testing.T) {
	vs := Check([]byte("import os\neval('x')\n'"), testPolicy(t, "none"))
	assert.NotNil(t, vs, "none policy")
	assert.Empty(t, vs, "none policy")
	vs = Check(nil, testPolicy(t, "strict"))
	assert.NotNil(t, vs, "empty source")
	assert.Empty(t, vs, "empty source")
}

func TestAllowImportsOverridesBlocked(t *testing.T) {
	p, err := testPolicy(t, "stdlib").WithAllowedImports("os.path", "numpy")
	require.NoError(t, err)
	assert.Empty(t, Check([]byte("import os\nimport numpy.linalg\n"), p))
	vs := Check([]byte("import sys\n"), p)
	require.Len(t, vs, 1)
	assert.Equal(t, "sys", vs[0].Name)
}

func TestMessageNamesPolicy(t *testing.T) {
	vs := Check([]byte("import numpy\n"), testPolicy(t, "strict"))
	require.Len(t, vs, 1)
	assert.Contains(t, vs[0].Message, "allow-imports")
	assert.Contains(t, vs[0].Message, "json, re, typing")
}
