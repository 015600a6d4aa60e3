package coreutils

import (
	"strings"
)

func init() { register(tr, "tr") }

var trSpec = optSpec{
	short: "cCdst",
	long:  map[string]string{"complement": "c", "delete": "d", "squeeze-repeats": "s", "truncate-set1": "t"},
}

// trClasses are the [:class:] sets, in byte order.
var trClasses = map[string]func(b byte) bool{
	"alnum":  func(b byte) bool { return isAlpha(b) || isDigit(b) },
	"alpha":  isAlpha,
	"blank":  func(b byte) bool { return b == ' ' || b == '\t' },
	"cntrl":  func(b byte) bool { return b < 32 || b == 127 },
	"digit":  isDigit,
	"graph":  func(b byte) bool { return b > 32 && b < 127 },
	"lower":  func(b byte) bool { return b >= 'a' && b <= 'z' },
	"print":  func(b byte) bool { return b >= 32 && b < 127 },
	"punct":  func(b byte) bool { return b > 32 && b < 127 && !isAlpha(b) && !isDigit(b) },
	"space":  func(b byte) bool { return b == ' ' || b >= '\t' && b <= '\r' },
	"upper":  func(b byte) bool { return b >= 'A' && b <= 'Z' },
	"xdigit": func(b byte) bool { return isDigit(b) || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' },
}

func isAlpha(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// tr translates, deletes (-d) or squeezes (-s) bytes of standard input:
// SET1 and SET2 take ranges (a-z), escapes (\n, \NNN), classes
// ([:upper:]), repeats ([c*N], [c*]) and -c complements SET1.
func tr(c *call) int {
	o, code := c.parseOpts(trSpec)
	if o == nil {
		return code
	}
	args := o.operands
	del, squeeze := o.has("d"), o.has("s")
	need := 2
	if del && !squeeze || squeeze && !del && len(args) == 1 {
		need = 1
	}
	switch {
	case len(args) == 0:
		return c.usage(1, "missing operand")
	case len(args) < need:
		if del {
			return c.usage(1, "missing operand after %s\nTwo strings must be given when both deleting and squeezing repeats.", quote(args[0]))
		}
		return c.usage(1, "missing operand after %s\nTwo strings must be given when translating.", quote(args[0]))
	case len(args) > need:
		if need == 1 && del {
			return c.usage(1, "extra operand %s\nOnly one string may be given when deleting without squeezing repeats.", quote(args[need]))
		}
		return c.usage(1, "extra operand %s", quote(args[need]))
	}
	set1, err := expandSet(args[0], 0)
	if err != nil {
		c.errorf("%s", err)
		return c.finish()
	}
	if o.has("c") || o.has("C") {
		set1 = complement(set1)
	}
	var set2 []byte
	if len(args) == 2 {
		set2, err = expandSet(args[1], len(set1))
		if err != nil {
			c.errorf("%s", err)
			return c.finish()
		}
	}
	var inSet1, inSqueeze [256]bool
	var table [256]byte
	for i := range table {
		table[i] = byte(i)
	}
	for _, b := range set1 {
		inSet1[b] = true
	}
	translating := !del && len(set2) > 0
	if translating {
		if o.has("t") && len(set1) > len(set2) {
			set1 = set1[:len(set2)]
		}
		for i, b := range set1 {
			table[b] = set2[min(i, len(set2)-1)]
		}
	}
	squeezeSet := set1
	if len(args) == 2 {
		squeezeSet = set2
	}
	for _, b := range squeezeSet {
		inSqueeze[b] = true
	}
	last := -1
	err = c.eachChunk(ctxReader{c, c.Stdin}, func(p []byte) {
		out := make([]byte, 0, len(p))
		for _, b := range p {
			if del && inSet1[b] {
				continue
			}
			if translating {
				b = table[b]
			}
			if squeeze && inSqueeze[b] && int(b) == last {
				continue
			}
			last = int(b)
			out = append(out, b)
		}
		c.out.Write(out)
	})
	if err != nil && c.ctx.Err() == nil {
		c.errorf("read error: %s", errText(err))
	}
	return c.finish()
}

// complement returns the bytes not in set, in order.
func complement(set []byte) []byte {
	var in [256]bool
	for _, b := range set {
		in[b] = true
	}
	var out []byte
	for i := 0; i < 256; i++ {
		if !in[i] {
			out = append(out, byte(i))
		}
	}
	return out
}

// trSetError is a bad SET.
type trSetError string

func (e trSetError) Error() string { return string(e) }

// expandSet expands a tr SET into its bytes; fill is SET1's length, which
// [c*] repeats up to in SET2.
func expandSet(s string, fill int) ([]byte, error) {
	var out []byte
	fillAt := -1
	var fillByte byte
	for i := 0; i < len(s); {
		if s[i] == '[' {
			if j := strings.Index(s[i:], ":]"); j > 1 && s[i+1] == ':' {
				name := s[i+2 : i+j]
				class, ok := trClasses[name]
				if !ok {
					return nil, trSetError("invalid character class " + quote(name))
				}
				for b := 0; b < 256; b++ {
					if class(byte(b)) {
						out = append(out, byte(b))
					}
				}
				i += j + 2
				continue
			}
			if i+3 < len(s) && s[i+1] == '=' && s[i+3] == '=' && strings.HasPrefix(s[i+3:], "=]") {
				out = append(out, s[i+2])
				i += 5
				continue
			}
			if b, n := trChar(s, i+1); i+1 < len(s) && n+i+1 < len(s) && s[i+1+n] == '*' {
				k := strings.IndexByte(s[i+1+n:], ']')
				if k >= 0 {
					count := s[i+2+n : i+1+n+k]
					if count == "" {
						fillAt, fillByte = len(out), b
					} else {
						base := 10
						if count[0] == '0' {
							base = 8
						}
						n, err := parseIntBase(count, base)
						if err != nil {
							return nil, trSetError("invalid repeat count " + quote(count) + " in [c*n] construct")
						}
						for ; n > 0; n-- {
							out = append(out, b)
						}
					}
					i += 2 + n + k
					continue
				}
			}
		}
		b, n := trChar(s, i)
		if i+n+1 < len(s) && s[i+n] == '-' {
			hi, m := trChar(s, i+n+1)
			if hi < b {
				return nil, trSetError("range-endpoints of " + quote(s[i:i+n+1+m]) + " are in reverse collating sequence order")
			}
			for x := int(b); x <= int(hi); x++ {
				out = append(out, byte(x))
			}
			i += n + 1 + m
			continue
		}
		out = append(out, b)
		i += n
	}
	if fillAt >= 0 {
		pad := make([]byte, max(fill-len(out), 0))
		for i := range pad {
			pad[i] = fillByte
		}
		out = append(out[:fillAt], append(pad, out[fillAt:]...)...)
	}
	return out, nil
}

// trChar reads one possibly escaped byte at s[i] and its length.
func trChar(s string, i int) (byte, int) {
	if i >= len(s) {
		return 0, 0
	}
	if s[i] != '\\' || i+1 == len(s) {
		return s[i], 1
	}
	switch e := s[i+1]; e {
	case 'n':
		return '\n', 2
	case 't':
		return '\t', 2
	case 'r':
		return '\r', 2
	case 'a':
		return '\a', 2
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'v':
		return '\v', 2
	case '0', '1', '2', '3', '4', '5', '6', '7':
		v, j := 0, i+1
		for ; j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7'; j++ {
			v = v*8 + int(s[j]-'0')
		}
		return byte(v), j - i
	default:
		return e, 2
	}
}

// parseIntBase parses a non-negative count in base.
func parseIntBase(s string, base int) (int, error) {
	n := 0
	for _, r := range s {
		d := int(r - '0')
		if d < 0 || d >= base {
			return 0, errBadNumber
		}
		n = n*base + d
		if n > 1<<24 {
			return 0, errBadNumber
		}
	}
	return n, nil
}
