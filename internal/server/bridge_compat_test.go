package server

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
)

// TestBridgePathsWithoutRedirects: a path with "..", "." or "//" gets the
// bridge's JSON answer, never ServeMux's redirect to the clean path.
func TestBridgePathsWithoutRedirects(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	sb := ts.URL + "/v1/sandbox/" + id
	require.Equal(t, 200, do("PUT", sb+"/file/workspace/b.txt", "bee").status)

	// Inside /workspace once resolved: served, as by the bridge.
	for name, p := range map[string]string{
		"dot-dot inside":  "/file/workspace/a/../b.txt",
		"double slash":    "/file/workspace//b.txt",
		"leading slashes": "/file//workspace/b.txt",
		"dot":             "/file/workspace/./b.txt",
	} {
		t.Run(name, func(t *testing.T) {
			r := do("GET", sb+p, "")
			require.Equal(t, 200, r.status, "%s", r.body)
			assert.Equal(t, "bee", string(r.body))
		})
	}
	t.Run("write through a double slash", func(t *testing.T) {
		require.Equal(t, 200, do("PUT", sb+"/file/workspace//sub//c.txt", "sea").status)
		r := do("GET", sb+"/file/workspace/sub/c.txt", "")
		require.Equal(t, 200, r.status)
		assert.Equal(t, "sea", string(r.body))
	})

	for _, tc := range []struct {
		name, method, path string
		status             int
		code               string
	}{
		{"dot-dot out of the workspace", "GET", sb + "/file/workspace/../etc/passwd", 403, CodeInvalidRequest},
		{"dot-dot past the route", "GET", sb + "/file/../../../etc/passwd", 403, CodeInvalidRequest},
		{"write out of the workspace", "PUT", sb + "/file/workspace/../../tmp/x", 403, CodeInvalidRequest},
		{"double slash to the root", "GET", sb + "/file//etc/passwd", 403, CodeInvalidRequest},
		{"the workspace itself", "GET", sb + "/file/workspace/sub/..", 400, CodeInvalidRequest},
		{"no file path", "GET", sb + "/file", 400, CodeInvalidRequest},
		{"double slash elsewhere", "GET", ts.URL + "/v1/sandbox//" + id + "/running", 404, CodeNotFound},
		{"unknown route", "POST", ts.URL + "/v1//run", 404, CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			do(tc.method, tc.path, "x").wantError(t, tc.status, tc.code)
		})
	}
	t.Run("dot elements elsewhere are applied", func(t *testing.T) {
		r := do("GET", sb+"/./running", "")
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.JSONEq(t, `{"running": true}`, string(r.body))
		r = do("GET", sb+"/exec/../running", "")
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.JSONEq(t, `{"running": true}`, string(r.body))
	})
	t.Run("no key, no redirect", func(t *testing.T) {
		_, ts := newTestServer(t, Config{APIKey: "k"})
		do("GET", ts.URL+"/v1/sandbox/aaaa/file/workspace/../../etc/passwd", "").wantError(t, 401, CodeUnauthorized)
		do("GET", ts.URL+"/v1/sandbox//aaaa/running", "").wantError(t, 401, CodeUnauthorized)
	})
}

// TestExecIgnoresUnknownFields: the bridge's exec ignores fields it does
// not know; /v1/ routes stay strict.
func TestExecIgnoresUnknownFields(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	res, resp := exec(t, ts.URL, id, `{"argv": ["python3", "-c", "print(6 * 7)"], "env": {"A": "b"}, "stream": true, "extra": [1, {"x": null}]}`)
	require.Equal(t, 200, resp.status, "%s", resp.body)
	assert.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)
	assert.Equal(t, "42\n", res.stdout)

	e := do("POST", ts.URL+"/v1/run", `{"code": "print(1)", "env": {}}`).wantError(t, 400, CodeInvalidRequest)
	assert.Contains(t, e.Message, `unknown field "env"`)
}

// TestPython313 runs python3.13 as python3 in every form exec accepts.
func TestPython313(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	for _, argv := range []string{
		`["python3.13", "-c", "import sys; print(sys.version_info[:2])"]`,
		`["/usr/bin/python3.13", "-c", "import sys; print(sys.version_info[:2])"]`,
		`["sh", "-c", "python3.13 -c 'import sys; print(sys.version_info[:2])'"]`,
	} {
		t.Run(argv, func(t *testing.T) {
			res, resp := exec(t, ts.URL, id, `{"argv": `+argv+`}`)
			require.Equal(t, 200, resp.status, "%s", resp.body)
			assert.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)
			assert.Equal(t, "(3, 13)\n", res.stdout)
		})
	}
}

// TestBridgeBodyLimits: file bodies and archives up to the bridge's 32 MiB
// are taken, whatever the JSON body limit; one byte more is refused.
func TestBridgeBodyLimits(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxBody: 4096, SessionFSBytes: 40 << 20})
	id := newSandbox(t, ts.URL)
	sb := ts.URL + "/v1/sandbox/" + id
	big := bytes.Repeat([]byte("0123456789abcdef"), bridgeMaxBody/16)
	require.Len(t, big, 32<<20)

	r := do("PUT", sb+"/file/workspace/big.bin", string(big), "Content-Type", "application/octet-stream")
	require.Equal(t, 200, r.status, "%s", r.body)
	r = do("GET", sb+"/file/workspace/big.bin", "")
	require.Equal(t, 200, r.status)
	assert.Len(t, r.body, len(big))
	assert.True(t, bytes.Equal(big, r.body), "the file read back differs from the one written")

	do("PUT", sb+"/file/workspace/bigger.bin", string(big)+"!").wantError(t, 413, CodePayloadTooLarge)
	e := do("POST", sb+"/hydrate", string(big)+"!").wantError(t, 400, CodeInvalidRequest)
	assert.Contains(t, e.Message, "tar payload too large")
	// The JSON limit still holds for JSON bodies.
	_, resp := exec(t, ts.URL, id, `{"argv": ["python3", "-c", "`+strings.Repeat("1", 5000)+`"]}`)
	resp.wantError(t, 413, CodePayloadTooLarge)
}

// TestSessionExecOutputUncapped: a session exec streams all its output,
// past the per-stream cap that /v1/run keeps.
func TestSessionExecOutputUncapped(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxOutput: 1024})
	id := newSandbox(t, ts.URL)
	code := `import sys\nfor i in range(2000):\n    print(f'{i:09d}' * 10)\nprint('e' * 5000, file=sys.stderr)`
	res, resp := exec(t, ts.URL, id, `{"argv": ["python3", "-c", "`+code+`"]}`)
	require.Equal(t, 200, resp.status, "%s", resp.body)
	assert.Equal(t, 0, res.exitCode)
	var want strings.Builder
	for i := range 2000 {
		want.WriteString(strings.Repeat(fmt.Sprintf("%09d", i), 10) + "\n")
	}
	assert.Equal(t, want.Len(), len(res.stdout), "stdout length")
	assert.True(t, want.String() == res.stdout, "stdout differs from what was printed")
	assert.Equal(t, strings.Repeat("e", 5000)+"\n", res.stderr)

	var run runtime.ExecResult
	do("POST", ts.URL+"/v1/run", `{"code": "`+code+`", "policy": "none"}`).decode(t, &run)
	assert.Len(t, run.Stdout, 1024)
	assert.True(t, run.StdoutTruncated)
	assert.True(t, run.StderrTruncated)
}

// TestSessionExecPastOneMiB: with the default caps, a session exec streams
// 3 MiB of output, three times what /v1/run keeps.
func TestSessionExecPastOneMiB(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	res, resp := exec(t, ts.URL, id, pyExec("import sys\nfor _ in range(48):\n    sys.stdout.write('x' * 65536)"))
	require.Equal(t, 200, resp.status, "%s", resp.body)
	assert.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)
	assert.Equal(t, 3<<20, len(res.stdout))
	assert.Equal(t, strings.Count(res.stdout, "x"), len(res.stdout), "the output is all x")
	assert.Empty(t, res.stderr)
}
