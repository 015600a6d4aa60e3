package coreutils

import (
	"strings"
)

// The sandbox's one user and its machine, as id, whoami, uname, hostname
// and nproc report them: root, as a container's default user, on a
// single-threaded wasm machine.
const (
	userName   = "root"
	userID     = "0"
	hostName   = "wasmbox"
	kernelName = "Linux"
	kernelRel  = "6.1.0-wasmbox"
	kernelVer  = "#1 SMP wasmbox"
	machine    = "wasm32"
	osName     = "GNU/Linux"
	cpuCount   = 1
)

func init() {
	register(id, "id")
	register(whoami, "whoami")
	register(uname, "uname")
	register(hostname, "hostname")
	register(nproc, "nproc")
}

var idSpec = optSpec{
	short: "ugGnr",
	long:  map[string]string{"user": "u", "group": "g", "groups": "G", "name": "n", "real": "r"},
}

// id prints the sandbox user's identity.
func id(c *call) int {
	o, code := c.parseOpts(idSpec)
	if o == nil {
		return code
	}
	if len(o.operands) > 0 && o.operands[0] != userName {
		c.errorf("%s: no such user", quote(o.operands[0]))
		return c.finish()
	}
	value := userID
	if o.has("n") {
		value = userName
	}
	switch {
	case o.has("u") || o.has("g") || o.has("G"):
		c.out.WriteString(value + "\n")
	case o.has("n"):
		return c.usage(1, "cannot print only names or real IDs in default format")
	default:
		c.out.WriteString("uid=0(root) gid=0(root) groups=0(root)\n")
	}
	return c.finish()
}

// whoami prints the sandbox user's name.
func whoami(c *call) int {
	if len(c.Args) > 1 {
		return c.usage(1, "extra operand %s", quote(c.Args[1]))
	}
	c.out.WriteString(userName + "\n")
	return c.finish()
}

var unameSpec = optSpec{
	short: "asnrvmpio",
	long: map[string]string{
		"all": "a", "kernel-name": "s", "nodename": "n", "kernel-release": "r",
		"kernel-version": "v", "machine": "m", "processor": "p", "hardware-platform": "i",
		"operating-system": "o",
	},
}

// uname prints the sandbox's system names.
func uname(c *call) int {
	o, code := c.parseOpts(unameSpec)
	if o == nil {
		return code
	}
	if len(o.operands) > 0 {
		return c.usage(1, "extra operand %s", quote(o.operands[0]))
	}
	fields := []struct {
		key, value string
	}{
		{"s", kernelName}, {"n", hostName}, {"r", kernelRel}, {"v", kernelVer},
		{"m", machine}, {"p", "unknown"}, {"i", "unknown"}, {"o", osName},
	}
	var out []string
	for _, f := range fields {
		all := o.has("a") && f.value != "unknown"
		if all || o.has(f.key) {
			out = append(out, f.value)
		}
	}
	if len(out) == 0 {
		out = []string{kernelName}
	}
	c.out.WriteString(strings.Join(out, " ") + "\n")
	return c.finish()
}

// hostname prints the sandbox's host name; it cannot be changed.
func hostname(c *call) int {
	if len(c.Args) > 1 && !strings.HasPrefix(c.Args[1], "-") {
		c.errorf("you must be root to change the host name")
		return c.finish()
	}
	c.out.WriteString(hostName + "\n")
	return c.finish()
}

var nprocSpec = optSpec{long: map[string]string{"all": "all", "ignore=": "ignore"}}

// nproc prints the number of processors a command can use: one.
func nproc(c *call) int {
	o, code := c.parseOpts(nprocSpec)
	if o == nil {
		return code
	}
	if len(o.operands) > 0 {
		return c.usage(1, "extra operand %s", quote(o.operands[0]))
	}
	if v, ok := o.val("ignore"); ok {
		if _, err := parseUint(v); err != nil {
			c.errorf("invalid number: %s", quote(v))
			return c.finish()
		}
	}
	c.out.WriteString("1\n")
	return c.finish()
}
