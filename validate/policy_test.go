package validate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPolicyByName(t *testing.T) {
	for _, name := range []string{"strict", "stdlib", "none"} {
		t.Run(name, func(t *testing.T) {
			p, err := PolicyByName(name)
			require.NoError(t, err)
			assert.Equal(t, name, p.Name())
			assert.Equal(t, name != "none", p.Enabled())
		})
	}
	t.Run("unknown", func(t *testing.T) {
		_, err := PolicyByName("lax")
		assert.ErrorContains(t, err, `"lax"`)
		assert.ErrorContains(t, err, "strict, stdlib, none")
	})
}

func TestPolicyLists(t *testing.T) {
	strict, err := PolicyByName("strict")
	require.NoError(t, err)
	assert.Equal(t, []string{"json", "re", "typing"}, strict.AllowedModules())
	want := []string{"__import__", "breakpoint", "compile", "eval", "exec", "globals", "help", "input", "locals", "open", "vars"}
	assert.Equal(t, want, strict.BlockedBuiltins())
	none, err := PolicyByName("none")
	require.NoError(t, err)
	assert.Empty(t, none.BlockedBuiltins())
	assert.Empty(t, none.AllowedModules())
	assert.Empty(t, none.BlockedModules())
	ext, err := strict.WithAllowedImports("numpy", "xml.etree", "os")
	require.NoError(t, err)
	assert.Equal(t, []string{"json", "numpy", "os", "re", "typing", "xml"}, ext.AllowedModules())
	assert.NotContains(t, ext.BlockedModules(), "os", "allowed os still listed as blocked")
	assert.Len(t, strict.AllowedModules(), 3, "WithAllowedImports mutated its receiver")
	stdlib, err := PolicyByName("stdlib")
	require.NoError(t, err)
	for _, m := range stdlib.AllowedModules() {
		assert.False(t, isDangerous(m), "stdlib allows dangerous %s", m)
	}
}

func TestWithAllowedImportsRejects(t *testing.T) {
	strict, err := PolicyByName("strict")
	require.NoError(t, err)
	for _, bad := range []string{"", "a..b", "1x", "a-b", "x.", "import", "os; rm"} {
		t.Run(bad, func(t *testing.T) {
			_, err := strict.WithAllowedImports("json", bad)
			assert.ErrorContains(t, err, `"`+bad+`"`)
		})
	}
}

func TestParseAllowImports(t *testing.T) {
	got, err := ParseAllowImports(" numpy, xml.etree ,scipy ")
	require.NoError(t, err)
	assert.Equal(t, []string{"numpy", "xml.etree", "scipy"}, got)
	got, err = ParseAllowImports("  ")
	assert.NoError(t, err, "blank")
	assert.Nil(t, got, "blank")
	_, err = ParseAllowImports("numpy,,scipy")
	assert.Error(t, err, "empty entry accepted")
	_, err = ParseAllowImports("numpy, bad-name")
	assert.ErrorContains(t, err, `"bad-name"`)
}
