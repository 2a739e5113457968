package serve

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Results of an event, the values of rung_events_received_total's result
// label.
const (
	resultStarted      = "started"      // an ObjectCreated event whose job started
	resultDuplicate    = "duplicate"    // an event whose job had started before
	resultIgnored      = "ignored"      // a test event, another kind, an object under the output or not matching
	resultUnauthorized = "unauthorized" // a request without the token
	resultInvalid      = "invalid"      // a request refused: malformed, oversized, a bad key
	resultFailed       = "failed"       // an event whose start failed (answered 5xx, to be redelivered)
)

// metrics are serve's Prometheus metrics.
type metrics struct {
	events      *prometheus.CounterVec
	jobsStarted prometheus.Counter
	inFlight    prometheus.Gauge
	duration    *prometheus.HistogramVec
}

// newMetrics registers serve's metrics, and the Go and process collectors,
// with reg.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rung_events_received_total",
			Help: "S3 events received by rung serve, by result (started, duplicate, ignored, unauthorized, invalid, failed).",
		}, []string{"result"}),
		jobsStarted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rung_jobs_started_total",
			Help: "Ladder workflows started by rung serve.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rung_jobs_in_flight",
			Help: "Ladder workflows started by rung serve that have not ended.",
		}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "rung_job_duration_seconds",
			Help:    "Time from a job's start to its end, by outcome (succeeded, failed, canceled, terminated, timed_out).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 16), // 1 s to 9 h
		}, []string{"outcome"}),
	}
	// The label values exist from the start, so a dashboard sees zeros.
	for _, r := range []string{resultStarted, resultDuplicate, resultIgnored, resultUnauthorized, resultInvalid, resultFailed} {
		m.events.WithLabelValues(r)
	}
	reg.MustRegister(m.events, m.jobsStarted, m.inFlight, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
