package coreutils

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

func init() { register(seq, "seq") }

var seqSpec = optSpec{
	short: "s:wf:",
	long:  map[string]string{"separator=": "s", "equal-width": "w", "format=": "f"},
}

// seq prints numbers from FIRST (1) by INCREMENT (1) to LAST.
func seq(c *call) int {
	// Negative numbers are operands, not options.
	var flags, nums []string
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case a == "--":
			nums = append(nums, c.Args[i+1:]...)
			i = len(c.Args)
		case len(a) > 1 && a[0] == '-' && (a[1] == '.' || a[1] >= '0' && a[1] <= '9'):
			nums = append(nums, a)
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			if (a == "-s" || a == "-f" || a == "--separator" || a == "--format") && i+1 < len(c.Args) {
				i++
				flags = append(flags, c.Args[i])
			}
		default:
			nums = append(nums, a)
		}
	}
	o, code := c.parseArgs(seqSpec, flags)
	if o == nil {
		return code
	}
	switch {
	case len(nums) == 0:
		return c.usage(1, "missing operand")
	case len(nums) > 3:
		return c.usage(1, "extra operand %s", quote(nums[3]))
	}
	vals := make([]float64, len(nums))
	for i, n := range nums {
		v, err := strconv.ParseFloat(n, 64)
		if err != nil || math.IsNaN(v) {
			return c.usage(1, "invalid floating point argument: %s", quote(n))
		}
		vals[i] = v
	}
	first, step, last := 1.0, 1.0, vals[len(vals)-1]
	switch len(vals) {
	case 2:
		first = vals[0]
	case 3:
		first, step = vals[0], vals[1]
	}
	// Numbers print with as many decimals as FIRST and INCREMENT have.
	prec := 0
	for _, n := range nums[:len(nums)-1] {
		prec = max(prec, fracDigits(n))
	}
	if step == 0 {
		return c.usage(1, "invalid Zero increment value: %s", quote(nums[1]))
	}
	format, hasFormat := o.val("f")
	if hasFormat && strings.Count(strings.ReplaceAll(format, "%%", ""), "%") != 1 {
		c.errorf("format %s has no %% directive", quote(format))
		return c.finish()
	}
	width := 0
	if o.has("w") && !hasFormat {
		width = max(len(fmt.Sprintf("%.*f", prec, first)), len(fmt.Sprintf("%.*f", prec, last)))
	}
	sep, ok := o.val("s")
	if !ok {
		sep = "\n"
	}
	i := 0
	for ; !c.stopped(); i++ {
		v := first + float64(i)*step
		if prec > 0 { // 0.1+2*0.1 is 0.30000000000000004: compare what prints
			scale := math.Pow(10, float64(prec))
			v = math.Round(v*scale) / scale
		}
		if step > 0 && v > last || step < 0 && v < last {
			break
		}
		if i > 0 {
			c.out.WriteString(sep)
		}
		if hasFormat {
			fmt.Fprintf(c.out, format, v)
		} else {
			fmt.Fprintf(c.out, "%0*.*f", width, prec, v)
		}
	}
	if i > 0 {
		c.out.WriteString("\n")
	}
	return c.finish()
}

// fracDigits counts the digits after a number's decimal point.
func fracDigits(s string) int {
	if strings.ContainsAny(s, "eE") {
		return 0
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}
