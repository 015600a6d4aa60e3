package coreutils

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// echo and printf are also shell builtins; these are the programs that
// env, xargs and find -exec run, as /bin/echo and /usr/bin/printf.
func init() {
	register(echo, "echo")
	register(printf, "printf")
}

// echo prints its arguments: -n without the newline, -e with backslash
// escapes (\c stops), -E without.
func echo(c *call) int {
	args := c.Args[1:]
	newline, escapes := true, false
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && strings.Trim(args[0][1:], "neE") == "" {
		for _, f := range args[0][1:] {
			switch f {
			case 'n':
				newline = false
			case 'e':
				escapes = true
			case 'E':
				escapes = false
			}
		}
		args = args[1:]
	}
	s := strings.Join(args, " ")
	if escapes {
		var stop bool
		s, stop = expandEscapes(s, true)
		if stop {
			newline = false
		}
	}
	c.out.WriteString(s)
	if newline {
		c.out.WriteString("\n")
	}
	return c.finish()
}

// expandEscapes expands printf %b / echo -e escapes; stop reports a \c.
// echoStyle reads octal as \0NNN (echo, %b) rather than \NNN.
func expandEscapes(s string, echoStyle bool) (out string, stop bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch e := s[i]; e {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'c':
			return b.String(), true
		case 'e':
			b.WriteByte(0x1b)
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '\\':
			b.WriteByte('\\')
		case 'x':
			n, j := 0, i+1
			for ; j < len(s) && j < i+3 && isHex(s[j]); j++ {
				n = n*16 + hexVal(s[j])
			}
			if j == i+1 {
				b.WriteString(`\x`)
				continue
			}
			b.WriteByte(byte(n))
			i = j - 1
		case 'u', 'U':
			width := 4
			if e == 'U' {
				width = 8
			}
			n, j := 0, i+1
			for ; j < len(s) && j < i+1+width && isHex(s[j]); j++ {
				n = n*16 + hexVal(s[j])
			}
			b.WriteString(string(rune(n)))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			start, limit := i, i+3
			if echoStyle {
				if e != '0' {
					b.WriteByte('\\')
					b.WriteByte(e)
					continue
				}
				start, limit = i+1, i+4
			}
			n, j := 0, start
			for ; j < len(s) && j < limit && s[j] >= '0' && s[j] <= '7'; j++ {
				n = n*8 + int(s[j]-'0')
			}
			b.WriteByte(byte(n))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String(), false
}

func isHex(b byte) bool { return isDigit(b) || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' }

func hexVal(b byte) int {
	switch {
	case isDigit(b):
		return int(b - '0')
	case b >= 'a':
		return int(b-'a') + 10
	}
	return int(b-'A') + 10
}

// printf formats its arguments by FORMAT, reusing it while arguments
// remain: %s %b %q %c %d %i %o %u %x %X %e %E %f %F %g %G %a %%, with
// flags, width and precision (also *).
func printf(c *call) int {
	args := c.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return c.usage(1, "missing operand")
	}
	format, args := args[0], args[1:]
	for {
		used, stop := c.printfOnce(format, &args)
		if stop || len(args) == 0 || used == 0 {
			break
		}
	}
	return c.finish()
}

// printfOnce applies the format once; it returns how many arguments it
// consumed and whether a \c stopped output.
func (c *call) printfOnce(format string, args *[]string) (used int, stop bool) {
	next := func() (string, bool) {
		if len(*args) == 0 {
			return "", false
		}
		a := (*args)[0]
		*args = (*args)[1:]
		used++
		return a, true
	}
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch == '\\' {
			j := i + 1
			for j < len(format) && j < i+4 && format[j] >= '0' && format[j] <= '7' {
				j++
			}
			if j == i+1 && j < len(format) {
				j++
				if format[i+1] == 'x' || format[i+1] == 'u' || format[i+1] == 'U' {
					for j < len(format) && isHex(format[j]) {
						j++
					}
				}
			}
			s, st := expandEscapes(format[i:j], false)
			c.out.WriteString(s)
			if st {
				return used, true
			}
			i = j - 1
			continue
		}
		if ch != '%' || i+1 == len(format) {
			c.out.WriteByte(ch)
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
			j++
		}
		spec := format[i:j]
		for _, part := range []string{"width", "precision"} {
			if part == "precision" {
				if j >= len(format) || format[j] != '.' {
					break
				}
				spec += "."
				j++
			}
			if j < len(format) && format[j] == '*' {
				a, _ := next()
				n, _ := strconv.Atoi(a)
				spec += strconv.Itoa(n)
				j++
				continue
			}
			k := j
			for j < len(format) && isDigit(format[j]) {
				j++
			}
			spec += format[k:j]
		}
		if j >= len(format) {
			c.out.WriteString(format[i:])
			return used, false
		}
		verb := format[j]
		i = j
		if verb == '%' {
			c.out.WriteByte('%')
			continue
		}
		a, _ := next()
		switch verb {
		case 's':
			fmt.Fprintf(c.out, spec+"s", a)
		case 'b':
			s, st := expandEscapes(a, true)
			fmt.Fprintf(c.out, spec+"s", s)
			if st {
				return used, true
			}
		case 'q':
			fmt.Fprintf(c.out, spec+"s", shellQuote(a))
		case 'c':
			if a != "" {
				r, _ := utf8.DecodeRuneInString(a)
				fmt.Fprintf(c.out, spec+"c", r)
			}
		case 'd', 'i', 'o', 'u', 'x', 'X':
			n, err := parseIntArg(a)
			if err != nil {
				c.errorf("%s: %s", quote(a), err)
			}
			v := map[byte]string{'d': "d", 'i': "d", 'o': "o", 'u': "d", 'x': "x", 'X': "X"}[verb]
			fmt.Fprintf(c.out, spec+v, n)
		case 'e', 'E', 'f', 'F', 'g', 'G', 'a', 'A':
			f, err := strconv.ParseFloat(strings.TrimSpace(a), 64)
			if err != nil && a != "" {
				if n, ierr := parseIntArg(a); ierr == nil {
					f = float64(n)
				} else {
					c.errorf("%s: %s", quote(a), errNotNumeric)
				}
			}
			v := string(verb)
			if verb == 'F' {
				v = "f"
			}
			if verb == 'a' || verb == 'A' {
				v = map[byte]string{'a': "x", 'A': "X"}[verb]
			}
			fmt.Fprintf(c.out, spec+v, f)
		default:
			c.errorf("%s: invalid conversion specification", quote(format[i-len(spec)+1:j+1]))
			return used, true
		}
	}
	return used, false
}

// parseIntArg reads printf's integer arguments: decimal, 0x hex, 0 octal,
// or 'c (a character's code).
func parseIntArg(a string) (int64, error) {
	a = strings.TrimSpace(a)
	if a == "" {
		return 0, nil
	}
	if a[0] == '\'' || a[0] == '"' {
		if len(a) > 1 {
			r, _ := utf8.DecodeRuneInString(a[1:])
			return int64(r), nil
		}
		return 0, nil
	}
	n, err := strconv.ParseInt(a, 0, 64)
	if err != nil {
		if u, uerr := strconv.ParseUint(a, 0, 64); uerr == nil {
			return int64(u), nil
		}
		return n, errNotNumeric
	}
	return n, nil
}

// errNotNumeric is printf's complaint about a number argument.
var errNotNumeric = errors.New("expected a numeric value")

// shellQuote quotes s so a shell reads it back as one word (printf %q),
// as GNU does: 'single' quotes, or "double" ones around a single quote.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(isAlpha(ch) || isDigit(ch) || strings.IndexByte("@%+=:,./-_", ch) >= 0) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	if !strings.ContainsAny(s, "'") {
		return "'" + s + "'"
	}
	if !strings.ContainsAny(s, "\"$`\\!") {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
