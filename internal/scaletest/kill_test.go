package scaletest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outcome is what one request under load got.
type outcome struct {
	started time.Time
	status  int
	body    []byte
	err     error
}

// killMidLoad kills replica1 with SIGKILL while three-second runs execute on
// every replica and a steady stream of requests goes through HAProxy, then
// checks what each request got and what became of the replicas' sessions.
func (c *cluster) killMidLoad(t *testing.T) {
	victim := c.replicas[0]

	// Sessions on every replica: sandboxes until the victim holds one,
	// and the named containers of the earlier subtest (made again here).
	sandboxOwner := map[string]*replica{}
	for range 4 {
		for _, id := range c.createSandboxes(t, 3) {
			sandboxOwner[id] = c.sandboxOwner(t, id)
		}
		if ownsAny(sandboxOwner, victim) && ownsAny(sandboxOwner, c.replicas[1]) {
			break
		}
	}
	require.True(t, ownsAny(sandboxOwner, victim), "no sandbox of 12 landed on %s", victim.name)
	containerOwner := map[string]*replica{}
	for _, name := range containerNames {
		c.writeContainerFile(t, name)
		containerOwner[name] = c.containerOwner(t, name)
	}
	require.True(t, ownsAny(containerOwner, victim), "no named container hashes to %s", victim.name)

	// Three-second runs, two on each replica (leastconn, two slots each).
	sleepers := make([]outcome, 2*len(c.replicas))
	var wg sync.WaitGroup
	for i := range sleepers {
		wg.Go(func() { sleepers[i] = request(freshClient, "POST", c.lb+"/v1/run", sleepBody) })
	}
	require.Eventually(t, func() bool {
		return metric(t, victim.url, "wasmbox_executions_running") >= 1
	}, 10*time.Second, 20*time.Millisecond, "no run started on %s", victim.name)

	// A steady stream of short requests: four workers, 300 requests each at most.
	stopLoad := make(chan struct{})
	load := make([][]outcome, 4)
	for w := range load {
		wg.Go(func() {
			for range 300 {
				select {
				case <-stopLoad:
					return
				default:
				}
				load[w] = append(load[w], request(client, "POST", c.lb+"/v1/validate", map[string]any{"code": "x = 1"}))
			}
		})
	}
	time.Sleep(200 * time.Millisecond) // the stream reaches every replica before the kill
	require.NoError(t, victim.kill())
	killed := time.Now() // the replica is gone: requests from now on never reach it

	// New runs, sent before HAProxy's health check has noticed: each must
	// find a survivor.
	for range 10 {
		a := do(t, "POST", c.lb+"/v1/run", map[string]any{"code": "print(6 * 7)"})
		assert.Equal(t, http.StatusOK, a.status, "a run sent after the kill: %s", a.body)
	}
	time.Sleep(time.Second) // the stream goes on through the health check's verdict
	close(stopLoad)
	wg.Wait()

	t.Run("runs in flight on the killed replica get 502, the others finish", func(t *testing.T) {
		failed := 0
		for _, o := range sleepers {
			// A hang would end in the client's 30 s timeout: an error.
			require.NoError(t, o.err, "a run in flight at the kill")
			if o.status == http.StatusBadGateway {
				failed++
				assertAPIError(t, "bad_gateway", o.body)
				continue
			}
			assert.Equal(t, http.StatusOK, o.status, "a run on a survivor: %s", o.body)
		}
		assert.GreaterOrEqual(t, failed, 1, "runs that were on %s", victim.name)
		assert.Less(t, failed, len(sleepers), "runs on the survivors")
	})

	t.Run("requests sent after the kill all succeed", func(t *testing.T) {
		before, after := 0, 0
		for _, worker := range load {
			for _, o := range worker {
				if o.started.Before(killed) {
					// In flight at the kill: an answer, HAProxy's 502, or a
					// kept-alive connection closed without an answer.
					before++
					if !errors.Is(o.err, io.EOF) {
						assert.NoError(t, o.err, "a request in flight at the kill")
						assert.Contains(t, []int{http.StatusOK, http.StatusBadGateway}, o.status, "a request in flight at the kill: %s", o.body)
					}
					continue
				}
				after++
				if assert.NoError(t, o.err, "a request sent %v after the kill", o.started.Sub(killed)) {
					assert.Equal(t, http.StatusOK, o.status, "a request sent %v after the kill: %s", o.started.Sub(killed), o.body)
				}
			}
		}
		t.Logf("%d requests before the kill, %d after", before, after)
		assert.Positive(t, after, "requests sent after the kill")
	})

	t.Run("the killed replica's sandboxes answer 404, the others' still serve", func(t *testing.T) {
		for id, owner := range sandboxOwner {
			a := do(t, "GET", c.lb+sandboxFile(id), nil)
			if owner == victim {
				assert.Equal(t, http.StatusNotFound, a.status, "sandbox %s of the killed replica", id)
				assertAPIError(t, "sandbox_not_found", a.body)
				continue
			}
			assert.Equal(t, http.StatusOK, a.status, "sandbox %s on %s: %s", id, owner.name, a.body)
			assert.Equal(t, "file of "+id, string(a.body))
		}
	})

	t.Run("the killed replica's containers start afresh on a survivor", func(t *testing.T) {
		for name, owner := range containerOwner {
			status, content := readContainerFile(t, c.lb, name)
			if owner == victim {
				assert.Equal(t, http.StatusNotFound, status, "container %s of the killed replica: its file is gone", name)
				continue
			}
			assert.Equal(t, http.StatusOK, status, "container %s on %s", name, owner.name)
			assert.Equal(t, "file of "+name, content)
		}
	})
}

// sleepBody is a run that takes three seconds.
var sleepBody = map[string]any{"code": "import time\ntime.sleep(3)\nprint('slept')", "policy": "none", "timeoutMs": 10000}

// request makes one request with c and records when it started.
func request(c *http.Client, method, url string, body any) outcome {
	o := outcome{started: time.Now()}
	var a answer
	a, o.err = sendWith(c, method, url, body)
	o.status, o.body = a.status, a.body
	return o
}

// ownsAny reports whether r holds any of owners' keys.
func ownsAny(owners map[string]*replica, r *replica) bool {
	for _, owner := range owners {
		if owner == r {
			return true
		}
	}
	return false
}

// assertAPIError checks that body is the API's error shape with code.
func assertAPIError(t *testing.T, code string, body []byte) {
	t.Helper()
	var e struct{ Error, Code string }
	if assert.NoError(t, json.Unmarshal(body, &e), "an error body: %s", body) {
		assert.Equal(t, code, e.Code)
		assert.NotEmpty(t, e.Error)
	}
}
