package runtime

import (
	"context"
	"fmt"
	"io/fs"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScriptFileAndDunderFile(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	require.NoError(t, s.WriteFile(ScriptPath, []byte("import sys\nprint(__file__, sys.argv)\n")))
	res := execIn(t, s, "python3 "+ScriptPath+" a 'b c'", ExecOptions{})
	assert.Equal(t, "/tmp/eval_script.py ['/tmp/eval_script.py', 'a', 'b c']\n", res.Stdout, "stderr %q", res.Stderr)
}

func TestFilesPersistAcrossExecUntilDestroy(t *testing.T) {
	s, err := testEngine.NewSandbox(SandboxConfig{})
	require.NoError(t, err)
	execIn(t, s, `python3 -c 'import os; os.makedirs("/work/out"); open("/work/out/a.txt", "w").write("from run 1")'`, ExecOptions{})
	res := execIn(t, s, `python3 -c 'print(open("/work/out/a.txt").read())'`, ExecOptions{})
	assert.Equal(t, "from run 1\n", res.Stdout, "second exec; stderr %q", res.Stderr)
	data, err := s.ReadFile("/work/out/a.txt")
	assert.NoError(t, err)
	assert.Equal(t, "from run 1", string(data))
	files, err := s.ListFiles("/work/out")
	require.NoError(t, err)
	require.Len(t, files, 1)
	assert.Equal(t, "a.txt", files[0].Name)
	assert.Equal(t, int64(10), files[0].Size)
	assert.Equal(t, "/work/out/a.txt", files[0].Path)
	require.NoError(t, s.Destroy())
	_, err = s.ReadFile("/work/out/a.txt")
	assert.ErrorIs(t, err, ErrDestroyed, "ReadFile after Destroy")
	_, err = s.Exec(context.Background(), "python3 -c pass", ExecOptions{})
	assert.ErrorIs(t, err, ErrDestroyed, "Exec after Destroy")
}

func TestSandboxFileAPI(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	require.NoError(t, s.Mkdir("/data/in"))
	assert.True(t, s.Exists("/data/in"), "Exists of a made directory")
	assert.False(t, s.Exists("/data/out"), "Exists of nothing")
	require.NoError(t, s.WriteFile("/data/in/x.json", []byte(`[1]`)))
	assert.Error(t, s.DeleteFile("/data/in"), "deleted a non-empty directory")
	require.NoError(t, s.DeleteFile("/data/in/x.json"))
	_, err := s.ReadFile("/data/in/x.json")
	assert.ErrorIs(t, err, fs.ErrNotExist, "ReadFile of a deleted file")
	for name, bad := range map[string]string{"relative": "relative.txt", "NUL": "/tmp/a\x00b"} {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, s.WriteFile(bad, nil), "WriteFile(%q)", bad)
		})
	}
	// ".." cannot climb out of the sandbox's root.
	assert.NoError(t, s.WriteFile("/../../x", []byte("1")))
	assert.True(t, s.Exists("/x"), "/../../x is not /x")
}

func TestCommandNotFound(t *testing.T) {
	for name, cmd := range map[string]string{
		"unknown":        "nosuchcmd -la",
		"in a nested sh": "bash -c 'curl example.com'",
		"in a pipeline":  "python3 -c 'x' | wget -",
	} {
		t.Run(name, func(t *testing.T) {
			res := run(t, cmd, ExecOptions{})
			assert.Equal(t, ExitNotFound, res.ExitCode)
			assert.False(t, res.Success, "Success")
			assert.NotEmpty(t, res.Stderr)
		})
	}
}

func TestConcurrentSandboxes(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s, err := testEngine.NewSandbox(SandboxConfig{})
			if err != nil {
				errs <- err
				return
			}
			defer s.Destroy()
			code := fmt.Sprintf(`python3 -c 'open("/tmp/n", "w").write("%d"); print(open("/tmp/n").read())'`, i)
			res, err := s.Exec(context.Background(), code, ExecOptions{})
			if err != nil {
				errs <- err
			} else if res.Stdout != fmt.Sprintf("%d\n", i) {
				errs <- fmt.Errorf("sandbox %d saw %q", i, res.Stdout)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

func TestSplitCommand(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []string
	}{
		{"single quotes", `python3 -c 'print("a b")'`, []string{"python3", "-c", `print("a b")`}},
		{"double quotes and escapes", `python3 "x y.py" a\ b "q\"uote"`, []string{"python3", "x y.py", "a b", `q"uote`}},
		{"spaces", `  python3   f.py  `, []string{"python3", "f.py"}},
		{"empty argument", `python3 ''`, []string{"python3", ""}},
		{"unicode", "python3 -c 'print(\"é\")' né\\ ü \"日本\"", []string{"python3", "-c", `print("é")`, "né ü", "日本"}},
		{"invalid UTF-8", "python3 \xff'\xfe'", []string{"python3", "\xff\xfe"}}, // bytes kept as given, not replaced
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SplitCommand(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	for name, bad := range map[string]string{
		"open single quote":  `python3 'x`,
		"open double quote":  `python3 "x`,
		"pipe":               `a | b`,
		"semicolon":          `a; b`,
		"variable":           `echo $HOME`,
		"trailing backslash": `a \`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := SplitCommand(bad)
			assert.Error(t, err, "SplitCommand(%q)", bad)
		})
	}
	t.Run("column counts characters", func(t *testing.T) {
		_, err := SplitCommand(`python3 é; x`)
		assert.EqualError(t, err, `';' at column 10 needs a shell, and this sandbox has none`)
	})
	t.Run("round trip", func(t *testing.T) {
		argv := []string{"python3", "it's", `"q" \ $x`, "", "é\n", "a b"}
		got, err := SplitCommand(QuoteCommand(argv))
		require.NoError(t, err)
		assert.Equal(t, argv, got)
	})
}
