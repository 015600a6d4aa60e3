package validate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLargeInputsStayFast guards against quadratic paths: each input has
// tens of thousands of tokens in a shape that once cost O(n²).
func TestLargeInputsStayFast(t *testing.T) {
	const n = 30000
	var aliases strings.Builder
	for i := n; i > 0; i-- {
		fmt.Fprintf(&aliases, "a%d = a%d\n", i, i-1)
	}
	aliases.WriteString("a0 = json\na1.__dict__\n")
	inputs := map[string]string{
		"attribute chain":   "x" + strings.Repeat(".a", n) + ".__dict__\n",
		"dict chain":        "x" + strings.Repeat(".__dict__", n) + "\n",
		"keywords":          "f(" + strings.Repeat("a=1, ", n) + ")\n",
		"case keywords":     "match x:\n    case C(" + strings.Repeat("a=1, ", n) + "):\n        pass\n",
		"fors":              "[" + strings.Repeat("for ", n) + "]\n",
		"lambdas":           strings.Repeat("lambda ", n) + "\n",
		"getattr concat":    "getattr(x, " + strings.Repeat(`"a" `, n) + ")\n",
		"prose string":      `s = "` + strings.Repeat("a.b ", n) + `"` + "\n",
		"alias chain":       aliases.String(),
		"params":            "def f(" + strings.Repeat("x, ", n) + "): pass\n",
		"rebinding":         "def f(eval=1):\n    return eval(" + strings.Repeat("eval, ", n) + ")\n",
		"many violations":   strings.Repeat("eval; ", n) + "\n",
		"deep indentation":  deepIndent(2000),
		"implicit concat":   "x = " + strings.Repeat("'a' ", n) + "\n",
		"nested f-strings":  strings.Repeat(`f"{`, 190) + "1" + strings.Repeat(`}"`, 190) + "\n",
		"unterminated long": "x = '" + strings.Repeat("a", 10*n),
	}
	p, err := PolicyByName("strict")
	require.NoError(t, err)
	for name, src := range inputs {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			Check([]byte(src), p)
			assert.LessOrEqual(t, time.Since(start), 5*time.Second)
		})
	}
}

func deepIndent(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Repeat(" ", i) + "if x:\n")
	}
	b.WriteString(strings.Repeat(" ", n) + "pass\n")
	return b.String()
}
