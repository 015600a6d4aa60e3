package coreutils

import (
	"fmt"
	"sort"
	"strings"
)

// optSpec describes a utility's options the way GNU getopt_long reads them.
type optSpec struct {
	// short lists the one-letter options; a letter followed by ':' takes
	// an argument ("-n 5", "-n5").
	short string
	// long maps long option names to the key they set (usually their
	// short letter); a name ending in '=' takes an argument ("--lines=5",
	// "--lines 5"), one ending in "=?" takes one only when attached
	// ("--color", "--color=never"). Unique prefixes are accepted, as GNU
	// does.
	long map[string]string
	// inOrder stops at the first operand (POSIX order) instead of
	// permuting options after operands, for utilities that take a command.
	inOrder bool
	// usageCode is the exit status of an option error (GNU: 1, or 2 for
	// ls, grep, sort, diff, cmp, ...).
	usageCode int
	// usageLine, when set, is printed between an option error and the
	// hint, as grep and diff do.
	usageLine string
}

// opt is one option as given, in order.
type opt struct {
	key string
	val string
}

// opts is a parsed command line.
type opts struct {
	list     []opt
	operands []string
}

// has reports whether key was given.
func (o *opts) has(key string) bool {
	for _, x := range o.list {
		if x.key == key {
			return true
		}
	}
	return false
}

// val returns the last value given for key.
func (o *opts) val(key string) (string, bool) {
	for i := len(o.list) - 1; i >= 0; i-- {
		if o.list[i].key == key {
			return o.list[i].val, true
		}
	}
	return "", false
}

// vals returns every value given for key, in order.
func (o *opts) vals(key string) []string {
	var out []string
	for _, x := range o.list {
		if x.key == key {
			out = append(out, x.val)
		}
	}
	return out
}

// optError is a bad command line, worded as GNU words it.
type optError string

func (e optError) Error() string { return string(e) }

// parse reads args (argv without its name) against the spec.
func (s optSpec) parse(args []string) (*opts, error) {
	o := &opts{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			o.operands = append(o.operands, args[i+1:]...)
			return o, nil
		case strings.HasPrefix(a, "--"):
			n, err := s.parseLong(o, args, i)
			if err != nil {
				return nil, err
			}
			i = n
		case len(a) > 1 && a[0] == '-':
			n, err := s.parseShort(o, args, i)
			if err != nil {
				return nil, err
			}
			i = n
		default:
			if s.inOrder {
				o.operands = append(o.operands, args[i:]...)
				return o, nil
			}
			o.operands = append(o.operands, a)
		}
	}
	return o, nil
}

// parseLong reads the long option at args[i] and returns the index of the
// last argument it used.
func (s optSpec) parseLong(o *opts, args []string, i int) (int, error) {
	name, val, hasVal := strings.Cut(args[i][2:], "=")
	full, takes, err := s.findLong(name, args[i])
	if err != nil {
		return i, err
	}
	key := s.long[full]
	switch {
	case strings.HasSuffix(full, "=?"):
	case takes && !hasVal:
		if i+1 >= len(args) {
			return i, optError(fmt.Sprintf("option '--%s' requires an argument", bareLong(full)))
		}
		i++
		val = args[i]
	case !takes && hasVal:
		return i, optError(fmt.Sprintf("option '--%s' doesn't allow an argument", full))
	}
	o.list = append(o.list, opt{key, val})
	return i, nil
}

// findLong resolves a long option name or unique prefix.
func (s optSpec) findLong(name, arg string) (string, bool, error) {
	var matches []string
	for full := range s.long {
		bare := bareLong(full)
		if bare == name {
			return full, full != bare, nil
		}
		if strings.HasPrefix(bare, name) {
			matches = append(matches, full)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], strings.HasSuffix(matches[0], "="), nil
	case 0:
		return "", false, optError(fmt.Sprintf("unrecognized option '%s'", arg))
	}
	return "", false, optError(fmt.Sprintf("option '%s' is ambiguous", arg))
}

// parseShort reads a cluster of short options at args[i] ("-rf", "-n5").
func (s optSpec) parseShort(o *opts, args []string, i int) (int, error) {
	a := args[i]
	for j := 1; j < len(a); j++ {
		ch := a[j]
		k := strings.IndexByte(s.short, ch)
		if k < 0 || ch == ':' {
			return i, optError(fmt.Sprintf("invalid option -- '%c'", ch))
		}
		if k+1 < len(s.short) && s.short[k+1] == ':' {
			val := a[j+1:]
			if val == "" {
				if i+1 >= len(args) {
					return i, optError(fmt.Sprintf("option requires an argument -- '%c'", ch))
				}
				i++
				val = args[i]
			}
			o.list = append(o.list, opt{string(ch), val})
			return i, nil
		}
		o.list = append(o.list, opt{string(ch), ""})
	}
	return i, nil
}

// parseOpts parses argv for c; on a bad command line it prints GNU's
// message and returns nil and the usage status.
func (c *call) parseOpts(s optSpec) (*opts, int) {
	return c.parseArgs(s, c.Args[1:])
}

// parseArgs is parseOpts over args, the command line without its name.
// --help and --version, unless the utility defines them, are answered
// here: parseArgs then returns nil and status 0.
func (c *call) parseArgs(s optSpec, args []string) (*opts, int) {
	if done := c.helpOrVersion(s, args); done {
		return nil, 0
	}
	o, err := s.parse(args)
	if err != nil {
		code := s.usageCode
		if code == 0 {
			code = 1
		}
		if s.usageLine != "" {
			c.out.Flush()
			fmt.Fprintf(c.Stderr, "%s: %s\n%s\n", c.name, err, s.usageLine)
			return nil, c.tryHelp(code)
		}
		return nil, c.usage(code, "%s", err)
	}
	return o, 0
}

// bareLong is a long option's name without its argument marker.
func bareLong(full string) string {
	return strings.TrimSuffix(strings.TrimSuffix(full, "=?"), "=")
}

// helpOrVersion answers --help (the options the spec knows) and
// --version (naming GNU, whose behaviour the utility follows, so scripts
// that probe for GNU tools take their GNU branch).
func (c *call) helpOrVersion(s optSpec, args []string) bool {
	for _, a := range args {
		switch {
		case a == "--":
			return false
		case a == "--help" || a == "--version":
		case s.inOrder && !strings.HasPrefix(a, "-"):
			return false // a command's own arguments follow
		default:
			continue
		}
		if _, own := s.long[a[2:]]; own {
			return false
		}
		if a == "--version" {
			c.out.WriteString(c.name + " (GNU-compatible) wasmbox\n")
		} else {
			c.out.WriteString(s.helpText(c.name))
		}
		c.out.Flush()
		return true
	}
	return false
}

// helpText lists a spec's options.
func (s optSpec) helpText(name string) string {
	var b strings.Builder
	b.WriteString("Usage: " + name + " [OPTION]... [ARGUMENT]...\n")
	b.WriteString("wasmbox's " + name + ", following GNU's; options:\n")
	for i := 0; i < len(s.short); i++ {
		if s.short[i] == ':' {
			continue
		}
		arg := ""
		if i+1 < len(s.short) && s.short[i+1] == ':' {
			arg = " ARG"
		}
		b.WriteString("  -" + string(s.short[i]) + arg + "\n")
	}
	longs := make([]string, 0, len(s.long))
	for l := range s.long {
		longs = append(longs, l)
	}
	sort.Strings(longs)
	for _, l := range longs {
		name := bareLong(l)
		switch {
		case strings.HasSuffix(l, "=?"):
			name += "[=ARG]"
		case strings.HasSuffix(l, "="):
			name += "=ARG"
		}
		b.WriteString("  --" + name + "\n")
	}
	return b.String()
}
