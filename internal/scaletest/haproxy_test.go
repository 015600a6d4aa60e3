package scaletest

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// haproxySection is one section of an HAProxy configuration: its keyword
// lines, comments dropped, each split into words.
type haproxySection struct {
	lines [][]string
}

// has reports whether some line starts with words.
func (s haproxySection) has(words ...string) bool {
	return len(s.starting(words...)) > 0
}

// starting is the lines that start with words.
func (s haproxySection) starting(words ...string) [][]string {
	var found [][]string
	for _, line := range s.lines {
		if len(line) >= len(words) && strings.Join(line[:len(words)], " ") == strings.Join(words, " ") {
			found = append(found, line)
		}
	}
	return found
}

// parseHAProxy splits an HAProxy configuration into its sections, by
// "kind name" ("backend replicas", "global").
func parseHAProxy(t *testing.T, path string) map[string]haproxySection {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	sections := map[string]haproxySection{}
	current := ""
	for _, raw := range strings.Split(string(data), "\n") {
		line, _, _ := strings.Cut(raw, "#")
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		if raw[0] != ' ' && raw[0] != '\t' {
			current = strings.Join(words, " ")
			require.NotContains(t, sections, current, "section %q twice", current)
			sections[current] = haproxySection{}
			continue
		}
		require.NotEmpty(t, current, "%q before any section", raw)
		s := sections[current]
		s.lines = append(s.lines, words)
		sections[current] = s
	}
	return sections
}

// TestHAProxyConfig checks deploy/haproxy/haproxy.cfg, the configuration
// TestScale runs: health checks, no resending, stickiness, and a `named`
// twin for every replica.
func TestHAProxyConfig(t *testing.T) {
	cfg := parseHAProxy(t, haproxyConfig)
	defaults, replicas, named := cfg["defaults"], cfg["backend replicas"], cfg["backend named"]
	require.NotEmpty(t, replicas.lines, "backend replicas")
	require.NotEmpty(t, named.lines, "backend named")

	t.Run("a dead replica is found by /healthz and skipped", func(t *testing.T) {
		assert.True(t, replicas.has("option", "httpchk", "GET", "/healthz"))
		servers := replicas.starting("server")
		assert.GreaterOrEqual(t, len(servers), 2)
		for _, s := range servers {
			assert.Contains(t, s, "check", "server %s", s[1])
		}
		assert.True(t, defaults.has("option", "redispatch"))
	})

	t.Run("a request a replica received is never sent again", func(t *testing.T) {
		assert.Equal(t, [][]string{{"retry-on", "conn-failure"}}, defaults.starting("retry-on"))
		assert.True(t, defaults.has("http-reuse", "never"))
	})

	t.Run("runs may last serve's longest timeout", func(t *testing.T) {
		for _, which := range []string{"client", "server"} {
			lines := defaults.starting("timeout", which)
			require.Len(t, lines, 1, "timeout %s", which)
			d, err := time.ParseDuration(lines[0][2])
			require.NoError(t, err)
			assert.Greater(t, d, 5*time.Minute, "timeout %s against --max-timeout's default", which)
		}
	})

	t.Run("sandboxes stick by the ID their replica minted", func(t *testing.T) {
		assert.True(t, replicas.has("stick", "store-response", "res.body,json_query('$.id')"))
		assert.True(t, replicas.has("stick", "match", "path,field(4,/)"))
	})

	t.Run("named containers hash onto the same replicas", func(t *testing.T) {
		assert.True(t, named.has("hash-type", "consistent"))
		var want, got []string
		for _, s := range replicas.starting("server") {
			want = append(want, fmt.Sprintf("%s %s track replicas/%s", s[1], s[2], s[1]))
		}
		for _, s := range named.starting("server") {
			got = append(got, strings.Join(s, " ")[len("server "):])
		}
		assert.Equal(t, want, got)
	})

	t.Run("addresses come from the variables TestScale sets", func(t *testing.T) {
		data, err := os.ReadFile(haproxyConfig)
		require.NoError(t, err)
		var vars []string
		for _, m := range regexp.MustCompile(`\$\{(\w+)\}`).FindAllStringSubmatch(string(data), -1) {
			vars = append(vars, m[1])
		}
		want := []string{"WASMBOX_LB_BIND"}
		for i := range replicas.starting("server") {
			want = append(want, fmt.Sprintf("WASMBOX_REPLICA_%d", i+1))
		}
		assert.ElementsMatch(t, want, uniq(vars))
	})

	t.Run("haproxy -c accepts it", func(t *testing.T) {
		if _, err := exec.LookPath("haproxy"); err != nil {
			t.Skip("haproxy is not installed")
		}
		cmd := exec.Command("haproxy", "-c", "-f", haproxyConfig)
		cmd.Env = append(os.Environ(), "WASMBOX_LB_BIND=127.0.0.1:1")
		for i := range replicas.starting("server") {
			cmd.Env = append(cmd.Env, fmt.Sprintf("WASMBOX_REPLICA_%d=127.0.0.1:%d", i+1, i+2))
		}
		out, err := cmd.CombinedOutput()
		assert.NoError(t, err, "%s", out)
		assert.NotContains(t, string(out), "WARNING")
	})
}

// uniq is words without repeats, in first-seen order.
func uniq(words []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range words {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
