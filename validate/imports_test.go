package validate

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestImports(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []string
	}{
		{"plain", "import numpy\n", []string{"numpy"}},
		{"dotted and aliased", "import numpy.linalg as la, json\n", []string{"json", "numpy"}},
		{"from", "from numpy.fft import fft\nfrom . import x\nfrom .y import z\n", []string{"numpy"}},
		{"nested and dead code", "def f():\n    if False:\n        import decimal\n", []string{"decimal"}},
		{"sorted, de-duplicated", "import re\nimport json\nimport re.x\n", []string{"json", "re"}},
		{"dynamic imports are not seen", "__import__('numpy')\nm = 'import numpy'\n# import numpy\n", nil},
		{"unreadable source", "import numpy\n'unterminated\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Imports([]byte(tc.src)))
		})
	}
}

func TestImportsAny(t *testing.T) {
	mods := []string{"numpy"}
	for _, tc := range []struct {
		name string
		src  string
		want bool
	}{
		{"imported", "import json\nimport numpy as np\n", true},
		{"from-imported", "from numpy import array\n", true},
		{"named but not imported", "numpy = 1\nprint('numpy')\n", false},
		{"a module with the name as prefix", "import numpyish\n", false},
		{"not named at all", "import json\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ImportsAny([]byte(tc.src), mods))
		})
	}
}
