package runtime

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"testing"
)

func TestScriptFileAndDunderFile(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	if err := s.WriteFile(ScriptPath, []byte("import sys\nprint(__file__, sys.argv)\n")); err != nil {
		t.Fatal(err)
	}
	res := execIn(t, s, "python3 "+ScriptPath+" a 'b c'", ExecOptions{})
	if res.Stdout != "/tmp/eval_script.py ['/tmp/eval_script.py', 'a', 'b c']\n" {
		t.Fatalf("got %+v", res)
	}
}

func TestFilesPersistAcrossExecUntilDestroy(t *testing.T) {
	s, err := testEngine.NewSandbox(SandboxConfig{})
	if err != nil {
		t.Fatal(err)
	}
	execIn(t, s, `python3 -c 'import os; os.makedirs("/work/out"); open("/work/out/a.txt", "w").write("from run 1")'`, ExecOptions{})
	res := execIn(t, s, `python3 -c 'print(open("/work/out/a.txt").read())'`, ExecOptions{})
	if res.Stdout != "from run 1\n" {
		t.Fatalf("second exec: %+v", res)
	}
	data, err := s.ReadFile("/work/out/a.txt")
	if err != nil || string(data) != "from run 1" {
		t.Fatalf("ReadFile: %q %v", data, err)
	}
	files, err := s.ListFiles("/work/out")
	if err != nil || len(files) != 1 || files[0].Name != "a.txt" || files[0].Size != 10 || files[0].Path != "/work/out/a.txt" {
		t.Fatalf("ListFiles: %+v %v", files, err)
	}
	if err := s.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadFile("/work/out/a.txt"); !errors.Is(err, ErrDestroyed) {
		t.Fatalf("ReadFile after Destroy: %v", err)
	}
	if _, err := s.Exec(context.Background(), "python3 -c pass", ExecOptions{}); !errors.Is(err, ErrDestroyed) {
		t.Fatalf("Exec after Destroy: %v", err)
	}
}

func TestSandboxFileAPI(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	if err := s.Mkdir("/data/in"); err != nil {
		t.Fatal(err)
	}
	if !s.Exists("/data/in") || s.Exists("/data/out") {
		t.Fatal("Exists is wrong")
	}
	if err := s.WriteFile("/data/in/x.json", []byte(`[1]`)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteFile("/data/in"); err == nil {
		t.Fatal("deleted a non-empty directory")
	}
	if err := s.DeleteFile("/data/in/x.json"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadFile("/data/in/x.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadFile of a deleted file: %v", err)
	}
	for _, bad := range []string{"relative.txt", "/tmp/a\x00b"} {
		if err := s.WriteFile(bad, nil); err == nil {
			t.Errorf("WriteFile(%q) succeeded", bad)
		}
	}
	// ".." cannot climb out of the sandbox's root.
	if err := s.WriteFile("/../../x", []byte("1")); err != nil || !s.Exists("/x") {
		t.Fatalf("/../../x: %v", err)
	}
}

func TestCommandNotFound(t *testing.T) {
	for _, cmd := range []string{"nosuchcmd -la", "bash -c 'curl example.com'", "python3 -c 'x' | wget -"} {
		res := run(t, cmd, ExecOptions{})
		if res.ExitCode != ExitNotFound || res.Success || res.Stderr == "" {
			t.Errorf("%q: got %+v", cmd, res)
		}
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
		t.Error(err)
	}
}

func TestSplitCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`python3 -c 'print("a b")'`, []string{"python3", "-c", `print("a b")`}},
		{`python3 "x y.py" a\ b "q\"uote"`, []string{"python3", "x y.py", "a b", `q"uote`}},
		{`  python3   f.py  `, []string{"python3", "f.py"}},
		{`python3 ''`, []string{"python3", ""}},
		{"python3 -c 'print(\"é\")' né\\ ü \"日本\"", []string{"python3", "-c", `print("é")`, "né ü", "日本"}},
		{"python3 \xff'\xfe'", []string{"python3", "\xff\xfe"}}, // bytes kept as given, not replaced
	} {
		got, err := SplitCommand(tc.in)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) || len(got) != len(tc.want) {
			t.Errorf("%s: got %q %v", tc.in, got, err)
		}
	}
	for _, bad := range []string{`python3 'x`, `python3 "x`, `a | b`, `a; b`, `echo $HOME`, `a \`} {
		if _, err := SplitCommand(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	// Columns count characters, not bytes.
	if _, err := SplitCommand(`python3 é; x`); err == nil || err.Error() != `';' at column 10 needs a shell, and this sandbox has none` {
		t.Errorf("column: %v", err)
	}
	argv := []string{"python3", "it's", `"q" \ $x`, "", "é\n", "a b"}
	if got, err := SplitCommand(QuoteCommand(argv)); err != nil || fmt.Sprintf("%q", got) != fmt.Sprintf("%q", argv) {
		t.Errorf("round trip of %q: %q %v", argv, got, err)
	}
}
