package validate

import "testing"

func TestDeclaredEncoding(t *testing.T) {
	for src, want := range map[string]string{
		"# coding: latin-1\nx = 1\n":                       "latin-1",
		"#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n": "utf-8",
		"\n\n# coding: latin-1\n":                          "",
		"x = 1\r# vim: set fileencoding=cp1252 :":          "cp1252",
		"\r\n\r\n# coding: latin-1\n":                      "",
		"x = 1\n":                                          "",
	} {
		if got := declaredEncoding([]byte(src)); got != want {
			t.Errorf("declaredEncoding(%q) = %q, want %q", src, got, want)
		}
	}
}

func TestInvalidUTF8OnlyInComments(t *testing.T) {
	p, _ := PolicyByName("strict")
	if vs := Check([]byte("x = 1  # caf\xe9\n"), p); len(vs) != 0 {
		t.Errorf("comment: %+v", vs)
	}
	for _, src := range []string{"x = '\xe9'\n", "x\xe9 = 1\n", "f'{1:\xe9}'\n"} {
		if vs := Check([]byte(src), p); len(vs) != 1 || vs[0].Rule != RuleSyntaxError {
			t.Errorf("%q: %+v", src, vs)
		}
	}
}
