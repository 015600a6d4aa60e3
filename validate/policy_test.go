package validate

import (
	"reflect"
	"strings"
	"testing"
)

func TestPolicyByName(t *testing.T) {
	for _, name := range []string{"strict", "stdlib", "none"} {
		p, err := PolicyByName(name)
		if err != nil || p.Name() != name || p.Enabled() != (name != "none") {
			t.Errorf("%s: %v %v %v", name, p.Name(), p.Enabled(), err)
		}
	}
	_, err := PolicyByName("lax")
	if err == nil || !strings.Contains(err.Error(), `"lax"`) || !strings.Contains(err.Error(), "strict, stdlib, none") {
		t.Errorf("err = %v", err)
	}
}

func TestPolicyLists(t *testing.T) {
	strict, _ := PolicyByName("strict")
	if got := strict.AllowedModules(); !reflect.DeepEqual(got, []string{"json", "re", "typing"}) {
		t.Errorf("strict allows %v", got)
	}
	want := []string{"__import__", "breakpoint", "compile", "eval", "exec", "globals", "help", "input", "locals", "open", "vars"}
	if got := strict.BlockedBuiltins(); !reflect.DeepEqual(got, want) {
		t.Errorf("strict blocks %v", got)
	}
	none, _ := PolicyByName("none")
	if len(none.BlockedBuiltins()) != 0 || len(none.AllowedModules()) != 0 || len(none.BlockedModules()) != 0 {
		t.Errorf("none is not empty")
	}
	ext, err := strict.WithAllowedImports("numpy", "xml.etree", "os")
	if err != nil {
		t.Fatal(err)
	}
	if got := ext.AllowedModules(); !reflect.DeepEqual(got, []string{"json", "numpy", "os", "re", "typing", "xml"}) {
		t.Errorf("extended allows %v", got)
	}
	for _, m := range ext.BlockedModules() {
		if m == "os" {
			t.Errorf("allowed os still listed as blocked")
		}
	}
	if len(strict.AllowedModules()) != 3 {
		t.Errorf("WithAllowedImports mutated its receiver")
	}
	stdlib, _ := PolicyByName("stdlib")
	for _, m := range stdlib.AllowedModules() {
		if isDangerous(m) {
			t.Errorf("stdlib allows dangerous %s", m)
		}
	}
}

func TestWithAllowedImportsRejects(t *testing.T) {
	strict, _ := PolicyByName("strict")
	for _, bad := range []string{"", "a..b", "1x", "a-b", "x.", "import", "os; rm"} {
		if _, err := strict.WithAllowedImports("json", bad); err == nil || !strings.Contains(err.Error(), `"`+bad+`"`) {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
}

func TestParseAllowImports(t *testing.T) {
	got, err := ParseAllowImports(" numpy, xml.etree ,scipy ")
	if err != nil || !reflect.DeepEqual(got, []string{"numpy", "xml.etree", "scipy"}) {
		t.Errorf("got %v %v", got, err)
	}
	if got, err := ParseAllowImports("  "); got != nil || err != nil {
		t.Errorf("blank: %v %v", got, err)
	}
	if _, err := ParseAllowImports("numpy,,scipy"); err == nil {
		t.Error("empty entry accepted")
	}
	if _, err := ParseAllowImports("numpy, bad-name"); err == nil || !strings.Contains(err.Error(), `"bad-name"`) {
		t.Errorf("err = %v", err)
	}
}
