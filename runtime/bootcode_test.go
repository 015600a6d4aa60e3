package runtime

import (
	"os"
	"path/filepath"
	"testing"
)

// The guard's bytecode is made once and kept beside the compilation cache; a
// corrupt copy is detected and made again.
func TestBootCodeCache(t *testing.T) {
	dir := t.TempDir()
	e := &Engine{rt: testEngine.rt, module: testEngine.module, interp: testEngine.interp, reactor: testEngine.reactor, cacheDir: dir}
	code := e.loadBootCode()
	if len(code) == 0 {
		t.Fatal("no bytecode")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "guard-*.marshal"))
	if len(files) != 1 {
		t.Fatalf("cache files: %v", files)
	}
	if cached, ok := readChecked(files[0]); !ok || string(cached) != string(code) {
		t.Fatal("the cached copy does not match")
	}
	data, _ := os.ReadFile(files[0])
	data[len(data)-1] ^= 0xff
	os.WriteFile(files[0], data, 0o644)
	if _, ok := readChecked(files[0]); ok {
		t.Fatal("a corrupt copy passed the check")
	}
	if again := e.loadBootCode(); string(again) != string(code) {
		t.Fatal("the bytecode made again differs")
	}
	if _, ok := readChecked(files[0]); !ok {
		t.Fatal("the corrupt copy was not replaced")
	}
	// A guarded run with this engine's bytecode works.
	e.bootOnce.Do(func() { e.bootCode = code })
	s, err := e.NewSandbox(SandboxConfig{Timeout: testTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Destroy()
	res := execIn(t, s, `python3 -c 'import json; print(json.dumps([1]))'`, ExecOptions{Policy: policy(t, "strict")})
	if res.ExitCode != 0 || res.Stdout != "[1]\n" {
		t.Fatalf("got %+v", res)
	}
}
