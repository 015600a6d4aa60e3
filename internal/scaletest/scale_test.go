package scaletest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScale runs three replicas behind HAProxy (deploy/haproxy/haproxy.cfg)
// on loopback. Its subtests share the cluster; the last one kills a replica.
func TestScale(t *testing.T) {
	bin := scaleBinary(t)
	c := startCluster(t, bin, 3)

	t.Run("stateless requests spread across the replicas", func(t *testing.T) {
		for _, route := range []struct {
			path string
			body map[string]any
			n    int
		}{
			{"/v1/validate", map[string]any{"code": "x = 1"}, 30},
			{"/v1/run", map[string]any{"code": "print(6 * 7)"}, 12},
			{"/v1/test", map[string]any{"evalCode": "def f(x):\n    return x", "testCases": []map[string]any{{"input": 1, "expected": 1}}}, 6},
		} {
			before := c.served(t, route.path)
			for range route.n {
				a := do(t, "POST", c.lb+route.path, route.body)
				require.Equal(t, http.StatusOK, a.status, "POST %s: %s", route.path, a.body)
			}
			after := c.served(t, route.path)
			total := 0.0
			for i, r := range c.replicas {
				served := after[i] - before[i]
				total += served
				// Sequential requests meet idle replicas: leastconn takes them in turn.
				assert.GreaterOrEqual(t, served, float64(route.n/len(c.replicas)/2), "%s served %v of %d %s requests", r.name, served, route.n, route.path)
			}
			assert.Equal(t, float64(route.n), total, "%s requests served by the replicas", route.path)
		}
	})

	t.Run("a sandbox and its contexts stick to the replica that created it", func(t *testing.T) {
		owners := map[string]bool{}
		for i, id := range c.createSandboxes(t, 6) {
			content := "file of " + id
			for range 3 {
				a := do(t, "GET", c.lb+sandboxFile(id), nil)
				require.Equal(t, http.StatusOK, a.status, "GET %s: %s", sandboxFile(id), a.body)
				assert.Equal(t, content, string(a.body))
			}
			stdout, exit := execPython(t, c.lb, id, "print(open('/workspace/a.txt').read())")
			assert.Equal(t, 0, exit)
			assert.Equal(t, content+"\n", stdout)
			if i < 3 { // a code context keeps its variables across runs
				cell := contextCell(t, c.lb, id)
				cell("x = 41")
				assert.Equal(t, "42", cell("x + 1"), "a context's second run in sandbox %s", id)
			}
			owners[c.sandboxOwner(t, id).name] = true
		}
		assert.Greater(t, len(owners), 1, "six sandboxes all on %v", owners)
	})

	t.Run("a named container sticks to one replica", func(t *testing.T) {
		owners := map[string]bool{}
		for _, name := range containerNames {
			c.writeContainerFile(t, name)
			for range 3 {
				status, content := readContainerFile(t, c.lb, name)
				require.Equal(t, http.StatusOK, status)
				assert.Equal(t, "file of "+name, content)
			}
			owners[c.containerOwner(t, name).name] = true
		}
		assert.Greater(t, len(owners), 1, "%d containers all on %v", len(containerNames), owners)
	})

	t.Run("requests per second, one replica and three behind HAProxy", func(t *testing.T) {
		// The replicas, HAProxy and this client share the machine's cores:
		// the figures compare the paths, they do not show scaling out.
		if load, err := os.ReadFile("/proc/loadavg"); err == nil {
			t.Logf("%d CPUs, load average %s", goruntime.NumCPU(), strings.Join(strings.Fields(string(load))[:3], " "))
		}
		for _, load := range []struct {
			path          string
			body          map[string]any
			n, concurrent int
		}{
			{"/v1/validate", map[string]any{"code": "x = 1"}, 2000, 8},
			{"/v1/run", map[string]any{"code": "print(sum(range(1000)))"}, 60, 6},
		} {
			direct := throughput(t, c.replicas[0].url+load.path, load.body, load.n, load.concurrent)
			balanced := throughput(t, c.lb+load.path, load.body, load.n, load.concurrent)
			t.Logf("POST %s, %d requests, %d at a time: one replica directly %.0f requests/s; %d replicas through HAProxy %.0f requests/s",
				load.path, load.n, load.concurrent, direct, len(c.replicas), balanced)
		}
	})

	t.Run("a replica killed mid-load", func(t *testing.T) {
		c.killMidLoad(t)
	})
}

// containerNames are named containers the tests make; with three replicas
// their hashes fall on more than one.
var containerNames = []string{"scale-a", "scale-b", "scale-c", "scale-d", "scale-e", "scale-f"}

// served is how many 200 answers each replica gave on route.
func (c *cluster) served(t *testing.T, route string) []float64 {
	counts := make([]float64, len(c.replicas))
	for i, r := range c.replicas {
		counts[i] = metric(t, r.url, "wasmbox_http_requests_total", "route", route, "code", "200")
	}
	return counts
}

// createSandboxes makes n sandboxes through HAProxy, each holding
// /workspace/a.txt ("file of ID") written through HAProxy, and returns their IDs.
func (c *cluster) createSandboxes(t *testing.T, n int) []string {
	var ids []string
	for range n {
		a := do(t, "POST", c.lb+"/v1/sandbox", nil)
		require.Equal(t, http.StatusOK, a.status, "POST /v1/sandbox: %s", a.body)
		var created struct{ ID string }
		require.NoError(t, json.Unmarshal(a.body, &created))
		a = do(t, "PUT", c.lb+sandboxFile(created.ID), []byte("file of "+created.ID))
		require.Equal(t, http.StatusOK, a.status, "PUT %s: %s", sandboxFile(created.ID), a.body)
		ids = append(ids, created.ID)
	}
	return ids
}

func sandboxFile(id string) string { return "/v1/sandbox/" + id + "/file/workspace/a.txt" }

// sandboxOwner is the one replica that holds sandbox id, asked directly.
func (c *cluster) sandboxOwner(t *testing.T, id string) *replica {
	return c.owner(t, "sandbox "+id, func(r *replica) bool {
		return do(t, "GET", r.url+sandboxFile(id), nil).status == http.StatusOK
	})
}

// writeContainerFile writes /workspace/f ("file of NAME") in the named
// container through HAProxy.
func (c *cluster) writeContainerFile(t *testing.T, name string) {
	a := do(t, "POST", c.lb+"/v1/containers/"+name+"/api/write", map[string]any{"path": "/workspace/f", "content": "file of " + name})
	require.Equal(t, http.StatusOK, a.status, "write in container %s: %s", name, a.body)
}

// readContainerFile reads /workspace/f of the named container at base.
func readContainerFile(t *testing.T, base, name string) (status int, content string) {
	a := do(t, "POST", base+"/v1/containers/"+name+"/api/read", map[string]any{"path": "/workspace/f"})
	var read struct{ Content string }
	if a.status == http.StatusOK {
		require.NoError(t, json.Unmarshal(a.body, &read), "read in container %s", name)
	}
	return a.status, read.Content
}

// containerOwner is the one replica whose container name holds the file,
// asked directly.
func (c *cluster) containerOwner(t *testing.T, name string) *replica {
	return c.owner(t, "container "+name, func(r *replica) bool {
		status, _ := readContainerFile(t, r.url, name)
		return status == http.StatusOK
	})
}

// owner is the one live replica for which holds is true.
func (c *cluster) owner(t *testing.T, what string, holds func(*replica) bool) *replica {
	var found []*replica
	for _, r := range c.replicas {
		select {
		case <-r.done:
			continue
		default:
		}
		if holds(r) {
			found = append(found, r)
		}
	}
	require.Len(t, found, 1, "replicas holding %s", what)
	return found[0]
}

// execPython runs `python3 -c code` in sandbox id through base's bridge
// route and returns what it printed and its exit code.
func execPython(t *testing.T, base, id, code string) (stdout string, exit int) {
	a := do(t, "POST", base+"/v1/sandbox/"+id+"/exec", map[string]any{"argv": []string{"python3", "-c", code}})
	require.Equal(t, http.StatusOK, a.status, "exec in %s: %s", id, a.body)
	exit = -1
	for _, event := range strings.Split(string(a.body), "\n\n") {
		kind, data, _ := strings.Cut(event, "\ndata: ")
		switch kind {
		case "event: stdout":
			chunk, err := base64.StdEncoding.DecodeString(data)
			require.NoError(t, err, "stdout event %q", data)
			stdout += string(chunk)
		case "event: exit":
			var e struct {
				ExitCode int `json:"exit_code"`
			}
			require.NoError(t, json.Unmarshal([]byte(data), &e))
			exit = e.ExitCode
		}
	}
	return stdout, exit
}

// contextCell makes a code context in sandbox id through base and returns
// a function that runs one cell in it and returns the text of its result.
func contextCell(t *testing.T, base, id string) func(code string) string {
	a := do(t, "POST", base+"/v1/sandbox/"+id+"/contexts", map[string]any{})
	require.Equal(t, http.StatusOK, a.status, "a context in %s: %s", id, a.body)
	var created struct{ ID string }
	require.NoError(t, json.Unmarshal(a.body, &created))
	return func(code string) string {
		a := do(t, "POST", base+"/v1/sandbox/"+id+"/contexts/"+created.ID+"/run", map[string]any{"code": code})
		require.Equal(t, http.StatusOK, a.status, "run %q in context %s: %s", code, created.ID, a.body)
		var run struct {
			Results []struct{ Text string }
			Error   *struct{ Name, Message string }
		}
		require.NoError(t, json.Unmarshal(a.body, &run))
		require.Nil(t, run.Error, "run %q: %s", code, a.body)
		if len(run.Results) == 0 {
			return ""
		}
		return run.Results[0].Text
	}
}

// throughput sends n requests to url, concurrent at a time, checks that
// every one got 200, and returns the requests answered per second.
func throughput(t *testing.T, url string, body map[string]any, n, concurrent int) float64 {
	jobs := make(chan struct{}, n)
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	var mu sync.Mutex
	failures := map[string]int{}
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrent {
		wg.Go(func() {
			for range jobs {
				a, err := send("POST", url, body)
				if err != nil || a.status != http.StatusOK {
					mu.Lock()
					failures[fmt.Sprint(a.status, err)]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	assert.Empty(t, failures, "POST %s: answers other than 200 (status error: count)", url)
	return float64(n) / elapsed.Seconds()
}
