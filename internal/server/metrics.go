package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wasmbox/wasmbox/runtime"
)

// metrics are the server's Prometheus metrics, in a registry of its own so
// that several servers can live in one process (tests).
type metrics struct {
	registry        *prometheus.Registry
	requests        *prometheus.CounterVec
	executions      *prometheus.CounterVec
	execDuration    *prometheus.HistogramVec
	running         prometheus.Gauge
	queueDepth      prometheus.Gauge
	shed            *prometheus.CounterVec
	sessionsLive    prometheus.Gauge
	sessionsCreated prometheus.Counter
	sessionsRemoved *prometheus.CounterVec
}

// newMetrics makes the metrics; the instance counts come from engine.
func newMetrics(engine *runtime.Engine) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wasmbox_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		executions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wasmbox_executions_total",
			Help: "Executions finished, by kind (run, test, exec) and outcome (ok, error, timeout, memory, crashed, rejected, load_error, failed, not_found, canceled, sandbox_error).",
		}, []string{"kind", "outcome"}),
		execDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "wasmbox_execution_duration_seconds",
			Help:    "Wall time of executions that held a slot, by kind.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"kind"}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wasmbox_executions_running",
			Help: "Executions holding a slot now.",
		}),
		queueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wasmbox_queue_depth",
			Help: "Requests waiting for an execution slot.",
		}),
		shed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wasmbox_requests_shed_total",
			Help: "Requests refused for capacity, by status code (429 queue full, 503 queue timeout, sessions cap or shutdown).",
		}, []string{"code"}),
		sessionsLive: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wasmbox_sessions_live",
			Help: "Sandbox sessions alive now.",
		}),
		sessionsCreated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wasmbox_sessions_created_total",
			Help: "Sandbox sessions created.",
		}),
		sessionsRemoved: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wasmbox_sessions_removed_total",
			Help: "Sandbox sessions destroyed, by reason (deleted, expired, shutdown).",
		}, []string{"reason"}),
	}
	instancesCreated := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "wasmbox_instances_created_total",
		Help: "WebAssembly interpreter instances started by the engine, warm ones included.",
	}, func() float64 { return float64(engine.Stats().InstancesStarted) })
	instancesEnded := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "wasmbox_instances_destroyed_total",
		Help: "Interpreter instances ended and freed; created minus destroyed is the instances alive (running or warm).",
	}, func() float64 { return float64(engine.Stats().InstancesEnded) })
	instancesWarm := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "wasmbox_instances_warm",
		Help: "Warm instances waiting for a job now.",
	}, func() float64 { return float64(engine.Stats().WarmReady) })
	m.registry.MustRegister(m.requests, m.executions, m.execDuration, m.running, m.queueDepth, m.shed,
		m.sessionsLive, m.sessionsCreated, m.sessionsRemoved, instancesCreated, instancesEnded, instancesWarm,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
