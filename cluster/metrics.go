package cluster

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/temporal"
)

// Metrics are a worker's Prometheus metrics, in a registry of their own.
// Labels carry codecs, activity names and outcomes, never titles or keys.
// A nil *Metrics counts nothing.
type Metrics struct {
	reg        *prometheus.Registry
	chunkSecs  *prometheus.HistogramVec
	scoreSecs  prometheus.Histogram
	activities *prometheus.CounterVec
	frames     prometheus.Counter
	s3         *prometheus.CounterVec
	vmaf       prometheus.Histogram
}

// NewMetrics registers rung's metrics and the Go runtime's in a new
// registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		chunkSecs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "rung_chunk_encode_seconds", Help: "Wall time of one chunk encode.",
			Buckets: prometheus.ExponentialBuckets(0.25, 2, 14),
		}, []string{"codec"}),
		scoreSecs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "rung_score_seconds", Help: "Wall time of one rendition score.",
			Buckets: prometheus.ExponentialBuckets(0.25, 2, 14),
		}),
		activities: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rung_activities_total", Help: "Activities run, by activity and outcome (ok, error, bad_input, canceled).",
		}, []string{"activity", "outcome"}),
		frames: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rung_encoded_frames_total", Help: "Frames encoded.",
		}),
		s3: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rung_s3_bytes_total", Help: "Bytes moved to and from S3 by activities, by direction (in, out).",
		}, []string{"direction"}),
		vmaf: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "rung_rendition_vmaf", Help: "Pooled VMAF of scored renditions.",
			Buckets: prometheus.LinearBuckets(20, 5, 17),
		}),
	}
	m.reg.MustRegister(m.chunkSecs, m.scoreSecs, m.activities, m.frames, m.s3, m.vmaf,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func (m *Metrics) chunkEncoded(codec string, frames int, d time.Duration) {
	if m == nil {
		return
	}
	m.chunkSecs.WithLabelValues(codec).Observe(d.Seconds())
	m.frames.Add(float64(frames))
}

func (m *Metrics) scored(vmaf float64, d time.Duration) {
	if m == nil {
		return
	}
	m.scoreSecs.Observe(d.Seconds())
	m.vmaf.Observe(vmaf)
}

func (m *Metrics) activity(name string, err error) {
	if m == nil {
		return
	}
	outcome := "ok"
	var ae *temporal.ApplicationError
	switch {
	case err == nil:
	case errors.As(err, &ae) && ae.NonRetryable():
		outcome = "bad_input"
	case errors.Is(err, context.Canceled):
		outcome = "canceled"
	default:
		outcome = "error"
	}
	m.activities.WithLabelValues(name, outcome).Inc()
}

func (m *Metrics) s3Bytes(direction string, n int64) {
	if m == nil {
		return
	}
	m.s3.WithLabelValues(direction).Add(float64(n))
}
