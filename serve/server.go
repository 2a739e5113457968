// Package serve is `rung serve`: an HTTP server that receives S3 event
// notifications (MinIO's webhook target, AWS S3, EventBridge API
// destinations) and starts one ladder job per new object through a
// Runner, once per (bucket, key, version or ETag), with Prometheus metrics
// and JSON logs carrying the job ID.
//
// An event is answered 2xx only once its job has started or is found
// started before; a failed start is answered 503 so the sender redelivers
// it (MinIO does, from its queue dir).
package serve

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"rung/serve/event"
)

// Config configures a Server.
type Config struct {
	// Output is where ladders go; events for objects under it are ignored.
	Output Location
	// Token is the bearer token senders must present. It is never logged.
	Token string
	// Match is a glob (path.Match) an object key must match to start a
	// job: against the whole key when it has a "/", else against the
	// key's last element. "" matches every key.
	Match string
	// Runner starts and follows the jobs.
	Runner Runner
	// Ready, when set, tells /readyz whether jobs can be started now.
	Ready func(context.Context) error
	// Logger receives the JSON logs (default: slog.Default()).
	Logger *slog.Logger
	// Registry receives serve's metrics and is what /metrics serves
	// (default: a new registry).
	Registry *prometheus.Registry
	// MaxRequests bounds the /events requests handled at once, and so
	// the memory their bodies take (default 32: at most 32 MiB of bodies).
	MaxRequests int
	// StartTimeout bounds one start (default 30 s).
	StartTimeout time.Duration
	// ShutdownTimeout bounds how long Serve waits for in-flight requests
	// after its context ends (default 30 s).
	ShutdownTimeout time.Duration
}

// Server handles the events. Create it with New.
type Server struct {
	cfg      Config
	log      *slog.Logger
	reg      *prometheus.Registry
	m        *metrics
	tokenSum [sha256.Size]byte
	slots    chan struct{}
	draining atomic.Bool

	// ctx ends the goroutines that follow jobs; Close cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	following map[string]bool // guarded by mu: jobs with a follower
}

// New checks cfg and returns a Server. Close releases it.
func New(cfg Config) (*Server, error) {
	if cfg.Token == "" {
		return nil, errors.New("serve: no token: events must be authenticated")
	}
	if cfg.Runner == nil {
		return nil, errors.New("serve: no runner")
	}
	if cfg.Output.Bucket == "" {
		return nil, errors.New("serve: no output location")
	}
	if cfg.Match != "" {
		if _, err := path.Match(cfg.Match, ""); err != nil {
			return nil, fmt.Errorf("serve: match pattern %q: %w", cfg.Match, err)
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.MaxRequests <= 0 {
		cfg.MaxRequests = 32
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 30 * time.Second
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	s := &Server{
		cfg:       cfg,
		log:       cfg.Logger,
		reg:       cfg.Registry,
		m:         newMetrics(cfg.Registry),
		tokenSum:  sha256.Sum256([]byte(cfg.Token)),
		slots:     make(chan struct{}, cfg.MaxRequests),
		following: make(map[string]bool),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Handler returns the server's routes: POST /events, GET /healthz,
// GET /readyz and GET /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /events", s.events)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	return mux
}

// Serve serves on l until ctx ends, then stops accepting, lets the
// requests in flight finish (up to ShutdownTimeout) and returns; the jobs
// themselves are left to the runner. It also follows the jobs that were
// running before it started.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.followRunning()
	}()
	s.log.Info("serving", "addr", l.Addr().String(), "output", s.cfg.Output.String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		s.Close()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.log.Info("shutting down: finishing the requests in flight, the jobs stay with Temporal")
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	s.Close()
	if err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// Close stops following jobs and waits for the followers to return.
func (s *Server) Close() {
	s.cancel()
	s.wg.Wait()
}

// ready answers /readyz: 200 when events can start jobs, else 503.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	fmt.Fprintln(w, "ready")
}

// authorized reports whether r carries "Authorization: Bearer <token>".
// Both sides are hashed first, so the comparison takes the same time
// whatever the length of what was sent.
func (s *Server) authorized(r *http.Request) bool {
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(cred)))
	return subtle.ConstantTimeCompare(sum[:], s.tokenSum[:]) == 1
}

// jobReply is one job in the answer to an event.
type jobReply struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	Output string `json:"output"`
	Result string `json:"result"`
	Error  string `json:"error,omitempty"`
}

// reply is the answer to an event.
type reply struct {
	Jobs    []jobReply `json:"jobs"`
	Ignored int        `json:"ignored"`
	Error   string     `json:"error,omitempty"`
}

// events handles POST /events.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		s.m.events.WithLabelValues(resultUnauthorized).Inc()
		s.log.Warn("event refused: no valid bearer token", "remote", r.RemoteAddr, "result", resultUnauthorized)
		w.Header().Set("WWW-Authenticate", `Bearer realm="rung"`)
		writeJSON(w, http.StatusUnauthorized, reply{Error: "unauthorized"})
		return
	}
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-r.Context().Done():
		return
	}
	if r.ContentLength > event.MaxBody {
		s.refuse(w, r, http.StatusRequestEntityTooLarge, event.ErrTooLarge)
		return
	}
	batch, err := event.Read(r.Body)
	if err != nil {
		code := http.StatusBadRequest
		if errors.Is(err, event.ErrTooLarge) {
			code = http.StatusRequestEntityTooLarge
		}
		s.refuse(w, r, code, err)
		return
	}
	var rep reply
	for _, ig := range batch.Ignored {
		s.ignore(&rep, ig.Name, ig.Bucket, ig.Key, "not an ObjectCreated event")
	}
	failed := false
	for _, o := range batch.Created {
		switch {
		case s.cfg.Output.Holds(o.Bucket, o.Key):
			s.ignore(&rep, o.Name, o.Bucket, o.Key, "under the output prefix")
			continue
		case !s.matches(o.Key):
			s.ignore(&rep, o.Name, o.Bucket, o.Key, "does not match "+s.cfg.Match)
			continue
		}
		jr := s.start(r.Context(), NewJob(o, s.cfg.Output))
		failed = failed || jr.Result == resultFailed
		rep.Jobs = append(rep.Jobs, jr)
	}
	code := http.StatusOK
	if failed {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, rep)
}

// start starts one job and counts and logs its result.
func (s *Server) start(ctx context.Context, job Job) jobReply {
	jr := jobReply{ID: job.ID, Source: job.Source, Output: job.Output}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.StartTimeout)
	defer cancel()
	log := s.log.With("job", job.ID, "source", job.Source, "output", job.Output,
		"version", job.Object.VersionID, "etag", job.Object.ETag)
	err := s.cfg.Runner.Start(ctx, job)
	switch {
	case err == nil:
		jr.Result = resultStarted
		s.m.jobsStarted.Inc()
		s.follow(job.ID)
		log.Info("job started", "result", jr.Result)
	case errors.Is(err, ErrAlreadyStarted):
		jr.Result = resultDuplicate
		log.Info("job already started: event is a redelivery", "result", jr.Result)
	default:
		jr.Result, jr.Error = resultFailed, err.Error()
		log.Error("job start failed: the sender will redeliver", "result", jr.Result, "error", err.Error())
	}
	s.m.events.WithLabelValues(jr.Result).Inc()
	return jr
}

// ignore counts and logs an event that starts nothing.
func (s *Server) ignore(rep *reply, name, bucket, key, why string) {
	rep.Ignored++
	s.m.events.WithLabelValues(resultIgnored).Inc()
	s.log.Info("event ignored: "+why, "event", name, "bucket", bucket, "key", key, "result", resultIgnored)
}

// refuse counts, logs and answers a request whose body is refused.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, code int, err error) {
	s.m.events.WithLabelValues(resultInvalid).Inc()
	s.log.Warn("event refused", "remote", r.RemoteAddr, "result", resultInvalid, "error", err.Error())
	writeJSON(w, code, reply{Error: err.Error()})
}

// matches reports whether key matches the Match glob.
func (s *Server) matches(key string) bool {
	if s.cfg.Match == "" {
		return true
	}
	name := key
	if !strings.Contains(s.cfg.Match, "/") {
		name = path.Base(key)
	}
	ok, _ := path.Match(s.cfg.Match, name) // the pattern was checked by New
	return ok
}

// followRunning follows the jobs that were running when serve started.
func (s *Server) followRunning() {
	ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
	defer cancel()
	ids, err := s.cfg.Runner.Running(ctx)
	if err != nil {
		if s.ctx.Err() == nil {
			s.log.Warn("cannot list the running jobs: rung_jobs_in_flight misses them", "error", err.Error())
		}
		return
	}
	for _, id := range ids {
		s.follow(id)
	}
}

// follow waits, in a goroutine, for a job to end: it keeps
// rung_jobs_in_flight and rung_job_duration_seconds and logs the end.
func (s *Server) follow(id string) {
	s.mu.Lock()
	if s.following[id] || s.ctx.Err() != nil {
		s.mu.Unlock()
		return
	}
	s.following[id] = true
	s.wg.Add(1)
	s.mu.Unlock()
	s.m.inFlight.Inc()
	go func() {
		defer s.wg.Done()
		defer func() {
			s.m.inFlight.Dec()
			s.mu.Lock()
			delete(s.following, id)
			s.mu.Unlock()
		}()
		res, err := s.cfg.Runner.Wait(s.ctx, id)
		if err != nil {
			if s.ctx.Err() == nil {
				s.log.Warn("stopped following job", "job", id, "error", err.Error())
			}
			return
		}
		s.m.duration.WithLabelValues(res.Outcome).Observe(res.Duration.Seconds())
		if res.Outcome == "succeeded" {
			s.log.Info("job ended", "job", id, "outcome", res.Outcome, "seconds", res.Duration.Seconds())
		} else {
			s.log.Warn("job ended", "job", id, "outcome", res.Outcome, "seconds", res.Duration.Seconds(), "reason", res.Reason)
		}
	}()
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
