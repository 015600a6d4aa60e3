package validate

import (
	"encoding/json"
	"strings"
	"testing"
)

func testPolicy(t *testing.T, name string) Policy {
	t.Helper()
	if name == "" {
		name = "strict"
	}
	if name == "extra" {
		p, err := PolicyByName("strict")
		if err == nil {
			p, err = p.WithAllowedImports("numpy")
		}
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p, err := PolicyByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHostile(t *testing.T) {
	if len(hostileCases) < 60 {
		t.Fatalf("only %d hostile cases", len(hostileCases))
	}
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			vs := Check([]byte(tc.src), testPolicy(t, tc.policy))
			for _, v := range vs {
				if v.Rule == tc.rule && v.Name == tc.want {
					if v.Message == "" || v.Line < 1 || v.Col < 1 {
						t.Errorf("incomplete violation %+v", v)
					}
					return
				}
			}
			t.Errorf("want %s %q in %q, got %+v", tc.rule, tc.want, tc.src, vs)
		})
	}
}

func TestHonest(t *testing.T) {
	if len(honestCases) < 30 {
		t.Fatalf("only %d honest cases", len(honestCases))
	}
	for _, tc := range honestCases {
		t.Run(tc.name, func(t *testing.T) {
			if vs := Check([]byte(tc.src), testPolicy(t, tc.policy)); len(vs) != 0 {
				t.Errorf("honest code rejected: %+v", vs)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, tc := range syntaxCases {
		t.Run(tc.name, func(t *testing.T) {
			vs := Check([]byte(tc.src), testPolicy(t, "strict"))
			if len(vs) != 1 || vs[0].Rule != RuleSyntaxError {
				t.Fatalf("want one syntax-error, got %+v", vs)
			}
			if vs[0].Line != tc.line || vs[0].Col != tc.col {
				t.Errorf("position %d:%d, want %d:%d (%s)", vs[0].Line, vs[0].Col, tc.line, tc.col, vs[0].Message)
			}
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
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		g := got[i]
		g.Message = ""
		if g != want[i] {
			t.Errorf("violation %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	b, _ := json.Marshal(got[1])
	if want := `{"rule":"blocked-import","name":"os","message":"import of \"os\" is blocked: it reaches the host or the interpreter's internals; the strict policy allows json, re, typing","line":2,"col":8}`; string(b) != want {
		t.Errorf("json = %s\nwant %s", b, want)
	}
}

func TestNoneAndNeverNil(t *testing.T) {
	none := testPolicy(t, "none")
	if vs := Check([]byte("import os\neval('x')\n'"), none); vs == nil || len(vs) != 0 {
		t.Errorf("none policy: %#v", vs)
	}
	if vs := Check(nil, testPolicy(t, "strict")); vs == nil || len(vs) != 0 {
		t.Errorf("empty source: %#v", vs)
	}
}

func TestAllowImportsOverridesBlocked(t *testing.T) {
	p, err := testPolicy(t, "stdlib").WithAllowedImports("os.path", "numpy")
	if err != nil {
		t.Fatal(err)
	}
	if vs := Check([]byte("import os\nimport numpy.linalg\n"), p); len(vs) != 0 {
		t.Errorf("got %+v", vs)
	}
	if vs := Check([]byte("import sys\n"), p); len(vs) != 1 || vs[0].Name != "sys" {
		t.Errorf("got %+v", vs)
	}
}

func TestMessageNamesPolicy(t *testing.T) {
	vs := Check([]byte("import numpy\n"), testPolicy(t, "strict"))
	if len(vs) != 1 || !strings.Contains(vs[0].Message, "allow-imports") || !strings.Contains(vs[0].Message, "json, re, typing") {
		t.Errorf("got %+v", vs)
	}
}
