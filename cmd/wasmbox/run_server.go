package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

// `wasmbox run --server ADDR` hands the job to a running `wasmbox serve`
// (POST /v1/run) instead of loading the interpreter in this process, and
// shows the answer as a local run shows its own: the same stdout and
// stderr bytes, the same exit status, or the same --json ExecResult. The
// streams arrive when the run ends, not as they are written.

// serverJob is the body of POST /v1/run.
type serverJob struct {
	Code           string   `json:"code"`
	Stdin          string   `json:"stdin,omitempty"`
	TimeoutMs      float64  `json:"timeoutMs"`
	MemoryBytes    uint64   `json:"memoryBytes"`
	MaxOutputBytes int64    `json:"maxOutputBytes"`
	Policy         string   `json:"policy"`
	AllowImports   []string `json:"allowImports,omitempty"`
	Deterministic  bool     `json:"deterministic,omitempty"`
	Seed           uint64   `json:"seed,omitempty"`
	CPUBudget      int64    `json:"cpuBudget,omitempty"`
}

// newServerJob builds the job of a run: its code, stdin (read whole; the
// API carries it as text) and settings. The error is a usage error.
func newServerJob(src []byte, stdin io.Reader, cfg runtime.SandboxConfig, lim limitFlags, det detFlags) (serverJob, error) {
	allow, err := validate.ParseAllowImports(lim.allowImport)
	if err != nil {
		return serverJob{}, err
	}
	job := serverJob{
		Code: string(src), TimeoutMs: float64(cfg.Timeout) / float64(time.Millisecond), MemoryBytes: cfg.MemoryLimit, MaxOutputBytes: cfg.MaxOutput,
		Policy: lim.policy, AllowImports: allow, Deterministic: det.deterministic, Seed: det.seed, CPUBudget: det.budget,
	}
	if !utf8.Valid(src) {
		return serverJob{}, errors.New("--server: the program is not UTF-8 text, which is all the server's API carries")
	}
	if stdin != nil {
		in, err := io.ReadAll(stdin)
		if err != nil {
			return serverJob{}, fmt.Errorf("--stdin: %v", err)
		}
		if !utf8.Valid(in) {
			return serverJob{}, errors.New("--server: the standard input is not UTF-8 text, which is all the server's API carries")
		}
		job.Stdin = string(in)
	}
	return job, nil
}

// serverEndpoint returns the client that reaches addr, http(s)://HOST:PORT
// or unix:PATH, and the URL of its /v1/run.
func serverEndpoint(addr string) (*http.Client, string, error) {
	if path, ok := strings.CutPrefix(addr, unixPrefix); ok {
		if path == "" {
			return nil, "", fmt.Errorf("--server %q: no socket path after unix:", addr)
		}
		dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}
		return &http.Client{Transport: &http.Transport{DialContext: dial}}, "http://wasmbox/v1/run", nil
	}
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", fmt.Errorf("--server %q: give http://HOST:PORT, https://HOST:PORT or unix:PATH", addr)
	}
	return &http.Client{}, strings.TrimSuffix(u.String(), "/") + "/v1/run", nil
}

// runOnServer sends job to the server at addr and returns its result. A
// failure is an error to print and the exit status that goes with it:
// usage (2) when the server refused the job's settings, 125 when the
// server cannot be reached or failed, 130 when ctx ended.
func runOnServer(ctx context.Context, addr string, job serverJob) (*runtime.ExecResult, int, error) {
	client, endpoint, err := serverEndpoint(addr)
	if err != nil {
		return nil, exitUsage, err
	}
	body, err := json.Marshal(job)
	if err != nil {
		return nil, runtime.ExitSandboxFailure, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, exitUsage, fmt.Errorf("--server %q: %v", addr, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key := os.Getenv(apiKeyEnv); key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, runtime.ExitCanceled, errors.New("interrupted")
		}
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, runtime.ExitSandboxFailure, fmt.Errorf("cannot reach the server at %s: %v", addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var apiErr struct {
			Error string `json:"error"`
			Code  string `json:"code"`
		}
		if json.NewDecoder(resp.Body).Decode(&apiErr) != nil || apiErr.Error == "" {
			apiErr.Error = "no error message"
		}
		status := runtime.ExitSandboxFailure
		if resp.StatusCode == http.StatusBadRequest {
			status = exitUsage
		}
		return nil, status, fmt.Errorf("the server at %s answered %s: %s", addr, resp.Status, apiErr.Error)
	}
	var res runtime.ExecResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		if ctx.Err() != nil {
			return nil, runtime.ExitCanceled, errors.New("interrupted")
		}
		return nil, runtime.ExitSandboxFailure, fmt.Errorf("the server at %s sent no ExecResult: %v", addr, err)
	}
	if res.Violations == nil {
		res.Violations = []validate.Violation{}
	}
	// The API does not carry the work units a run used: a budgeted run
	// stopped before its wall-clock limit was stopped by its budget.
	if res.TimedOut && job.CPUBudget > 0 && res.Duration < job.TimeoutMs {
		res.CPUUnits = job.CPUBudget
	}
	return &res, 0, nil
}
