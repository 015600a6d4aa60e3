package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

// runRequest is the body of POST /v1/run.
type runRequest struct {
	Code         *string  `json:"code"`
	Stdin        string   `json:"stdin"`
	TimeoutMs    *float64 `json:"timeoutMs"`
	MemoryBytes  *float64 `json:"memoryBytes"`
	Policy       string   `json:"policy"`
	AllowImports []string `json:"allowImports"`
	// MaxOutputBytes caps each of stdout and stderr, at most the server's
	// own cap (its default); `wasmbox run --server` sends its --max-output.
	MaxOutputBytes *float64 `json:"maxOutputBytes"`
	determinism
}

// determinism is the part of a /v1/run or /v1/test body that asks for a
// deterministic run or a CPU budget (see CONTRACT.md, "Determinism").
type determinism struct {
	Deterministic bool   `json:"deterministic"`
	Seed          uint64 `json:"seed"`
	CPUBudget     int64  `json:"cpuBudget"`
}

// check reports a negative budget.
func (d determinism) check() *apiError {
	if d.CPUBudget < 0 {
		return badRequest("cpuBudget must not be negative, got %d", d.CPUBudget)
	}
	return nil
}

// testRequest is the body of POST /v1/test.
type testRequest struct {
	EvalCode     *string         `json:"evalCode"`
	TestCases    json.RawMessage `json:"testCases"`
	Function     string          `json:"function"`
	TimeoutMs    *float64        `json:"timeoutMs"`
	MemoryBytes  *float64        `json:"memoryBytes"`
	Policy       string          `json:"policy"`
	AllowImports []string        `json:"allowImports"`
	determinism
}

// validateRequest is the body of POST /v1/validate.
type validateRequest struct {
	Code         *string  `json:"code"`
	Policy       string   `json:"policy"`
	AllowImports []string `json:"allowImports"`
}

// validateResponse is the answer of POST /v1/validate.
type validateResponse struct {
	OK         bool                 `json:"ok"`
	Violations []validate.Violation `json:"violations"`
}

// policyOf resolves a request's policy name (default strict) and extra
// allowed imports.
func policyOf(name string, allow []string) (validate.Policy, *apiError) {
	if name == "" {
		name = "strict"
	}
	p, err := validate.PolicyByName(name)
	if err == nil {
		p, err = p.WithAllowedImports(allow...)
	}
	if err != nil {
		return p, badRequest("%v", err)
	}
	return p, nil
}

// limits checks a request's timeoutMs and memoryBytes against the server's
// maximums and fills in the defaults.
func (s *Server) limits(timeoutMs, memoryBytes *float64, defTimeout time.Duration) (time.Duration, uint64, *apiError) {
	timeout, e := s.timeoutOf("timeoutMs", timeoutMs, defTimeout)
	if e != nil {
		return 0, 0, e
	}
	mem := s.cfg.Memory
	if memoryBytes != nil {
		m := *memoryBytes
		switch {
		case m != float64(uint64(m)):
			return 0, 0, badRequest("memoryBytes must be a whole number of bytes")
		case uint64(m) < s.engine.MinMemory():
			return 0, 0, badRequest("memoryBytes %d is below the %d bytes the interpreter needs to start", uint64(m), s.engine.MinMemory())
		case uint64(m) > s.cfg.MaxMemory:
			return 0, 0, badRequest("memoryBytes %d is above this server's maximum of %d", uint64(m), s.cfg.MaxMemory)
		}
		mem = uint64(m)
	}
	return timeout, mem, nil
}

// maxOutputOf checks a request's maxOutputBytes against the server's cap.
func (s *Server) maxOutputOf(n float64) (int64, *apiError) {
	switch {
	case n != float64(uint64(n)) || n <= 0:
		return 0, badRequest("maxOutputBytes must be a positive whole number of bytes")
	case n > float64(s.cfg.MaxOutput):
		return 0, badRequest("maxOutputBytes %d is above this server's maximum of %d", uint64(n), s.cfg.MaxOutput)
	}
	return int64(n), nil
}

// timeoutOf reads a timeout in milliseconds named field.
func (s *Server) timeoutOf(field string, ms *float64, def time.Duration) (time.Duration, *apiError) {
	if ms == nil {
		return def, nil
	}
	d := time.Duration(*ms * float64(time.Millisecond))
	switch {
	case *ms <= 0 || d <= 0:
		return 0, badRequest("%s must be a positive number of milliseconds", field)
	case d > s.cfg.MaxTimeout:
		return 0, badRequest("%s %v is above this server's maximum of %d ms", field, *ms, s.cfg.MaxTimeout.Milliseconds())
	}
	return d, nil
}

// execSettings resolves what /v1/run and /v1/test share: the policy and
// the limits a request asks for.
func (s *Server) execSettings(policyName string, allow []string, timeoutMs, memoryBytes *float64) (validate.Policy, time.Duration, uint64, *apiError) {
	policy, e := policyOf(policyName, allow)
	if e != nil {
		return policy, 0, 0, e
	}
	timeout, mem, e := s.limits(timeoutMs, memoryBytes, s.cfg.Timeout)
	return policy, timeout, mem, e
}

func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	var req runRequest
	if e := s.decodeJSON(w, r, &req); e != nil {
		writeError(w, r, e)
		return
	}
	if req.Code == nil {
		writeError(w, r, badRequest(`"code" is required`))
		return
	}
	policy, timeout, mem, e := s.execSettings(req.Policy, req.AllowImports, req.TimeoutMs, req.MemoryBytes)
	if e == nil {
		e = req.check()
	}
	maxOutput := s.cfg.MaxOutput
	if e == nil && req.MaxOutputBytes != nil {
		maxOutput, e = s.maxOutputOf(*req.MaxOutputBytes)
	}
	if e != nil {
		writeError(w, r, e)
		return
	}
	runner, err := runtime.NewPythonRunner(s.engine, runtime.RunnerConfig{
		Policy:  &policy,
		Sandbox: runtime.SandboxConfig{Timeout: timeout, MemoryLimit: mem, MaxOutput: maxOutput, Packages: s.cfg.Packages},
	})
	if err != nil {
		writeError(w, r, badRequest("%v", err))
		return
	}
	code := []byte(*req.Code)
	// Rejected code never starts an interpreter, so it takes no slot.
	if res := runner.Reject(code, nil); res != nil {
		s.metrics.executions.WithLabelValues("run", "rejected").Inc()
		setOutcome(r, "rejected")
		writeJSON(w, http.StatusOK, res)
		return
	}
	var res *runtime.ExecResult
	e = s.execute(r, "run", admission{bytes: footprint(mem, 0)}, func(ctx context.Context) (string, error) {
		var err error
		res, err = runner.Run(ctx, code, nil, runtime.ExecOptions{Stdin: strings.NewReader(req.Stdin),
			Deterministic: req.Deterministic, Seed: req.Seed, CPUBudget: req.CPUBudget})
		return execOutcome(res), err
	})
	switch {
	case e != nil:
		writeError(w, r, e)
	case res.ExitCode == runtime.ExitSandboxFailure:
		writeError(w, r, errorf(http.StatusInternalServerError, CodeSandboxError, "the sandbox failed: %s", strings.TrimSpace(res.Stderr)))
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

func (s *Server) handleTest(w http.ResponseWriter, r *http.Request) {
	var req testRequest
	if e := s.decodeJSON(w, r, &req); e != nil {
		writeError(w, r, e)
		return
	}
	switch raw := bytes.TrimSpace(req.TestCases); {
	case req.EvalCode == nil:
		writeError(w, r, badRequest(`"evalCode" is required`))
		return
	case len(raw) == 0:
		writeError(w, r, badRequest(`"testCases" is required`))
		return
	case raw[0] != '[':
		writeError(w, r, badRequest(`"testCases" must be an array of case objects`))
		return
	}
	cases, err := runtime.ParseCases(req.TestCases)
	if err != nil {
		writeError(w, r, badRequest("testCases: %v", err))
		return
	}
	policy, timeout, mem, e := s.execSettings(req.Policy, req.AllowImports, req.TimeoutMs, req.MemoryBytes)
	if e == nil {
		e = req.check()
	}
	if e != nil {
		writeError(w, r, e)
		return
	}
	tester, err := runtime.NewEvalTester(s.engine, runtime.TesterConfig{Function: req.Function, Timeout: timeout, MemoryLimit: mem, Policy: &policy, Packages: s.cfg.Packages,
		Deterministic: req.Deterministic, Seed: req.Seed, CPUBudget: req.CPUBudget})
	if err != nil {
		writeError(w, r, badRequest("%v", err))
		return
	}
	var rep *runtime.TestReport
	e = s.execute(r, "test", admission{bytes: footprint(mem, 4*int64(len(req.TestCases))), within: s.cfg.MaxTestDuration}, func(ctx context.Context) (string, error) {
		var err error
		rep, err = tester.Test(ctx, []byte(*req.EvalCode), cases)
		return testOutcome(rep), err
	})
	if e != nil {
		writeError(w, r, e)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) handleValidate(w http.ResponseWriter, r *http.Request) {
	var req validateRequest
	if e := s.decodeJSON(w, r, &req); e != nil {
		writeError(w, r, e)
		return
	}
	if req.Code == nil {
		writeError(w, r, badRequest(`"code" is required`))
		return
	}
	policy, e := policyOf(req.Policy, req.AllowImports)
	if e != nil {
		writeError(w, r, e)
		return
	}
	v := validate.Check([]byte(*req.Code), policy)
	if v == nil {
		v = []validate.Violation{}
	}
	if len(v) > 0 {
		setOutcome(r, "violations")
	}
	writeJSON(w, http.StatusOK, validateResponse{OK: len(v) == 0, Violations: v})
}

// testOutcome names how a test run went, for metrics and logs.
func testOutcome(rep *runtime.TestReport) string {
	switch {
	case rep == nil:
		return "sandbox_error"
	case len(rep.Violations) > 0:
		return "rejected"
	case rep.LoadError != nil:
		return "load_error"
	case !rep.Success:
		return "failed"
	}
	return "ok"
}
