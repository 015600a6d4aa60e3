package scaletest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// client is the test's HTTP client: keep-alive connections for up to 16
// workers, and a timeout well past any request the tests make, so that a
// hang is an error and not a stuck test.
var client = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 16},
}

// freshClient opens a connection for each request. HAProxy answers 502
// for a request that a dying replica dropped only when it was the first on
// its client connection; a later one on a kept-alive connection gets the
// connection closed without an answer, its signal for a client to retry.
var freshClient = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{DisableKeepAlives: true},
}

// answer is a response read whole.
type answer struct {
	status int
	body   []byte
}

// send makes one request with client; body, if not nil, is sent as JSON
// unless it is already bytes. It returns an error rather than failing the
// test, so that workers may call it.
func send(method, url string, body any) (answer, error) {
	return sendWith(client, method, url, body)
}

// sendWith is send with another client.
func sendWith(c *http.Client, method, url string, body any) (answer, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return answer{}, err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return answer{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, data}, err
}

// do makes one request on the test goroutine and fails the test if it
// could not be made.
func do(t *testing.T, method, url string, body any) answer {
	t.Helper()
	a, err := send(method, url, body)
	require.NoError(t, err, "%s %s", method, url)
	return a
}

// metric sums the samples of the Prometheus metric name that a replica
// exposes whose labels include every pair in labels ("route", "/v1/run", ...).
func metric(t *testing.T, replicaURL, name string, labels ...string) float64 {
	t.Helper()
	a := do(t, "GET", replicaURL+"/metrics", nil)
	require.Equal(t, http.StatusOK, a.status, "GET %s/metrics", replicaURL)
	var sum float64
	lines := bufio.NewScanner(bytes.NewReader(a.body))
	for lines.Scan() {
		line := lines.Text()
		series, value, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		metricName, labelText, _ := strings.Cut(strings.TrimSuffix(series, "}"), "{")
		if metricName != name || !hasLabels(labelText, labels) {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		require.NoError(t, err, "the value of %s", line)
		sum += v
	}
	return sum
}

// hasLabels reports whether the label text `a="x",b="y"` holds every
// name, value pair in want.
func hasLabels(text string, want []string) bool {
	for i := 0; i+1 < len(want); i += 2 {
		if !strings.Contains(","+text+",", ","+want[i]+"="+strconv.Quote(want[i+1])+",") {
			return false
		}
	}
	return true
}
