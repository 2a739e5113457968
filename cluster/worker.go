package cluster

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"rung/encode"
	"rung/mezzfs"
)

// WorkerOptions configures NewWorker.
type WorkerOptions struct {
	TaskQueue string // default DefaultTaskQueue
	// Concurrency bounds the activities run at once; 0 chooses from the
	// cores and the memory, as `rung encode` picks its workers.
	Concurrency int
	CacheDir    string // the worker's own cache and scratch directory (required)
	Identity    string // default host:pid
	S3          mezzfs.Options
	Metrics     *Metrics
	// StopTimeout is how long Stop lets running activities finish before
	// it cancels them (they are then retried elsewhere); default 30 s.
	StopTimeout time.Duration
}

// DefaultConcurrency is the activities a worker runs at once: one per core,
// fewer when the memory cannot hold that many 1080p encoders.
func DefaultConcurrency() int {
	return encode.DefaultWorkers(&encode.Info{Video: &encode.VideoInfo{Width: 1920, Height: 1080}}, encode.Settings{})
}

// NewWorker returns a worker of the task queue with rung's workflows and
// activities registered. Start it with Start or Run.
func NewWorker(c client.Client, o WorkerOptions) (worker.Worker, *Activities, error) {
	if o.CacheDir == "" {
		return nil, nil, fmt.Errorf("worker: no cache directory")
	}
	if err := os.MkdirAll(o.CacheDir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("worker: cache dir: %w", err)
	}
	if o.TaskQueue == "" {
		o.TaskQueue = DefaultTaskQueue
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency()
	}
	if o.Identity == "" {
		host, _ := os.Hostname()
		o.Identity = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if o.StopTimeout == 0 {
		o.StopTimeout = 30 * time.Second
	}
	a := &Activities{Identity: o.Identity, CacheDir: o.CacheDir, Concurrency: o.Concurrency, S3: o.S3, Metrics: o.Metrics, Signal: c.SignalWorkflow}
	w := worker.New(c, o.TaskQueue, worker.Options{
		Identity:                           o.Identity,
		MaxConcurrentActivityExecutionSize: o.Concurrency,
		WorkerStopTimeout:                  o.StopTimeout,
		DeadlockDetectionTimeout:           10 * time.Second,
	})
	Register(w, a)
	return w, a, nil
}

// Register registers rung's workflows and a's activities under their
// fixed names.
func Register(r worker.Registry, a *Activities) {
	r.RegisterWorkflowWithOptions(EncodeWorkflow, workflow.RegisterOptions{Name: EncodeWorkflowName})
	r.RegisterActivityWithOptions(a.Plan, activity.RegisterOptions{Name: planActivity})
	r.RegisterActivityWithOptions(a.EncodeChunk, activity.RegisterOptions{Name: chunkActivity})
	r.RegisterActivityWithOptions(a.Concat, activity.RegisterOptions{Name: concatActivity})
	r.RegisterWorkflowWithOptions(LadderWorkflow, workflow.RegisterOptions{Name: LadderWorkflowName})
	r.RegisterWorkflowWithOptions(TrialWorkflow, workflow.RegisterOptions{Name: TrialWorkflowName})
	r.RegisterActivityWithOptions(a.Prepare, activity.RegisterOptions{Name: prepareActivity})
	r.RegisterActivityWithOptions(a.Measure, activity.RegisterOptions{Name: measureActivity})
	r.RegisterActivityWithOptions(a.Reference, activity.RegisterOptions{Name: referenceActivity})
	r.RegisterActivityWithOptions(a.Finish, activity.RegisterOptions{Name: finishActivity})
}

// Dial connects to the Temporal frontend at hostPort. A nil logger keeps
// the SDK quiet below warnings.
func Dial(ctx context.Context, hostPort, namespace string, logger log.Logger) (client.Client, error) {
	if logger == nil {
		logger = quietLogger{}
	}
	c, err := client.DialContext(ctx, client.Options{HostPort: hostPort, Namespace: namespace, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("temporal: connect to %s: %w", hostPort, err)
	}
	return c, nil
}

// quietLogger drops the SDK's debug and info lines and prints the rest on
// stderr.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(msg string, kv ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"temporal: warning:", msg}, kv...)...)
}
func (quietLogger) Error(msg string, kv ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"temporal: error:", msg}, kv...)...)
}
