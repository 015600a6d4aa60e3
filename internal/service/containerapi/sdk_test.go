package containerapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/internal/server"
	"github.com/wasmbox/wasmbox/internal/service/containerapi"
)

// sdkVersion is the @cloudflare/sandbox release whose client classes the
// end-to-end test drives.
const sdkVersion = "0.12.10"

// installSDK installs @cloudflare/sandbox from the npm registry into a
// directory kept across runs (npm's own cache makes a reinstall cheap) and
// copies the driver and its stubs next to it.
func installSDK(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	require.NoError(t, err)
	dir := filepath.Join(cache, "wasmbox", "sdk-"+sdkVersion)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@cloudflare", "sandbox", "package.json")); err != nil {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		npm := exec.Command("npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--legacy-peer-deps",
			"--no-package-lock", "--loglevel=error", "@cloudflare/sandbox@"+sdkVersion)
		npm.Dir = dir
		out, err := npm.CombinedOutput()
		require.NoError(t, err, "npm install @cloudflare/sandbox@%s in %s:\n%s", sdkVersion, dir, out)
	}
	files, err := filepath.Glob(filepath.Join("testdata", "sdk", "*.mjs"))
	require.NoError(t, err)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644))
	}
	return dir
}

// TestSDK drives `wasmbox serve`'s container API with the SDK's own
// client classes under Node (testdata/sdk/driver.mjs) and checks that every
// check of the driver passed.
func TestSDK(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the SDK end-to-end test needs Node 20 or later")
	}
	dir := installSDK(t)
	srv, err := server.New(server.Config{Engine: engine, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})

	for _, tc := range []struct{ name, baseURL string }{
		{"default", ts.URL},
		{"named", ts.URL + containerapi.NamedPrefix + "sdk-e2e"},
	} {
		t.Run(tc.name, func(t *testing.T) { runDriver(t, dir, tc.baseURL) })
	}
}

// runDriver runs driver.mjs against baseURL and checks that it ran every
// check and each passed.
func runDriver(t *testing.T, dir, baseURL string) {
	args := []string{"--import", "./register.mjs", "driver.mjs", baseURL}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	node := exec.CommandContext(ctx, "node", args...)
	node.Dir = dir
	var stderr bytes.Buffer
	node.Stderr = &stderr
	out, err := node.Output()
	require.NoError(t, err, "node driver.mjs: %s", stderr.String())

	want := []string{
		"runner/write", "runner/exec", "runner/syntax-error", "runner/timeout", "runner/delete",
		"exec/stream", "exec/command-not-found", "exec/empty-command",
		"files/mkdir", "files/utf8", "files/base64", "files/stream", "files/list", "files/exists",
		"files/rename", "files/move", "files/delete", "files/not-found", "files/guest-sees-them",
		"sessions/env", "sessions/cwd-files", "sessions/cwd-exec", "sessions/duplicate", "sessions/delete",
		"processes/run", "processes/kill", "processes/failed", "processes/kill-all", "processes/not-found",
		"contexts/create", "contexts/state", "contexts/stdout", "contexts/error", "contexts/isolated",
		"contexts/files", "contexts/list", "contexts/delete", "contexts/timeout", "contexts/javascript",
		"utils/ping", "unsupported/git",
	}
	var got []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var res struct {
			Check  string `json:"check"`
			OK     bool   `json:"ok"`
			Detail string `json:"detail"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &res), "driver line %q", sc.Text())
		got = append(got, res.Check)
		t.Run(res.Check, func(t *testing.T) {
			assert.True(t, res.OK, "%s", res.Detail)
		})
	}
	assert.ElementsMatch(t, want, got, "the checks the driver ran")
	if t.Failed() {
		fmt.Fprintf(os.Stderr, "node stderr:\n%s\n", strings.TrimSpace(stderr.String()))
	}
}
