package validate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeclaredEncoding(t *testing.T) {
	for src, want := range map[string]string{
		"# coding: latin-1\nx = 1\n":                       "latin-1",
		"#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n": "utf-8",
		"\n\n# coding: latin-1\n":                          "",
		"x = 1\r# vim: set fileencoding=cp1252 :":          "cp1252",
		"\r\n\r\n# coding: latin-1\n":                      "",
		"x = 1\n":                                          "",
	} {
		t.Run(src, func(t *testing.T) {
			assert.Equal(t, want, declaredEncoding([]byte(src)))
		})
	}
}

func TestInvalidUTF8OnlyInComments(t *testing.T) {
	p, err := PolicyByName("strict")
	require.NoError(t, err)
	t.Run("comment", func(t *testing.T) {
		assert.Empty(t, Check([]byte("x = 1  # caf\xe9\n"), p))
	})
	for _, src := range []string{"x = '\xe9'\n", "x\xe9 = 1\n", "f'{1:\xe9}'\n"} {
		t.Run(src, func(t *testing.T) {
			vs := Check([]byte(src), p)
			require.Len(t, vs, 1, "%+v", vs)
			assert.Equal(t, RuleSyntaxError, vs[0].Rule)
		})
	}
}
