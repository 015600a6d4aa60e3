package shell

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"
)

// result is what a command line gave.
type result struct {
	status         int
	err            error
	stdout, stderr string
}

// sandbox is a test sandbox: a host temporary directory served through
// wazero's DirFS as the sandbox's "/".
type sandbox struct {
	t    *testing.T
	root string
	cmds Commands
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "tmp"), 0o755))
	return &sandbox{t: t, root: root, cmds: testCommands()}
}

// run runs script with the working directory "/" and a 10 s timeout.
func (s *sandbox) run(script string) result {
	return s.runIn("/", "", script)
}

// runIn runs script in dir with stdin.
func (s *sandbox) runIn(dir, stdin, script string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	status, err := Run(ctx, Config{
		FS: s.root2fs(), Dir: dir, Env: []string{"LANG=C"},
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Commands: s.cmds,
	}, script, "sh")
	return result{status: status, err: err, stdout: out.String(), stderr: errb.String()}
}

// root2fs is the sandbox's filesystem.
func (s *sandbox) root2fs() experimentalsys.FS { return sysfs.DirFS(s.root) }

// write puts a file in the sandbox.
func (s *sandbox) write(p, content string, mode os.FileMode) {
	s.t.Helper()
	full := filepath.Join(s.root, p)
	require.NoError(s.t, os.MkdirAll(filepath.Dir(full), 0o755))
	require.NoError(s.t, os.WriteFile(full, []byte(content), mode))
}

// read returns a sandbox file's contents.
func (s *sandbox) read(p string) string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.root, p))
	require.NoError(s.t, err)
	return string(b)
}

// testCommands are stand-ins for the core utilities, enough to test the
// shell's plumbing: args prints its arguments one a line, upper copies
// stdin to stdout in upper case, and status exits with its argument.
func testCommands() Commands {
	return Commands{
		"args": func(_ context.Context, inv *Invocation) int {
			for _, a := range inv.Args[1:] {
				io.WriteString(inv.Stdout, a+"\n")
			}
			return 0
		},
		"upper": func(ctx context.Context, inv *Invocation) int {
			b, _ := io.ReadAll(inv.Stdin)
			inv.Stdout.Write(bytes.ToUpper(b))
			return 0
		},
		"getenv": func(_ context.Context, inv *Invocation) int {
			io.WriteString(inv.Stdout, inv.Getenv(inv.Args[1])+"\n")
			return 0
		},
		"pwd-of": func(_ context.Context, inv *Invocation) int {
			io.WriteString(inv.Stdout, inv.Dir+"\n")
			return 0
		},
		"run": func(ctx context.Context, inv *Invocation) int {
			sub := *inv
			sub.Args = inv.Args[1:]
			return inv.Run(ctx, &sub)
		},
	}
}
