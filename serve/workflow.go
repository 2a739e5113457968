package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"rung/mezzfs"
)

// Names of serve's workflow and activities, registered by every worker
// that runs serve's jobs (Register) and used by Temporal.Start. Changing
// one breaks the running jobs: add a new name instead.
const (
	JobWorkflowName     = "rung.serve.Job"
	LadderActivityName  = "rung.serve.Ladder"
	FailureActivityName = "rung.serve.WriteError"
	// DefaultTaskQueue is the task queue of rung's workers.
	DefaultTaskQueue = "rung"
)

// errTypeLadder is the ApplicationError type of a ladder that failed on
// its input or its arguments: retrying would fail the same way.
const errTypeLadder = "LadderFailed"

// JobInput is the input of JobWorkflow: a source, where its ladder goes,
// and how to run it.
type JobInput struct {
	ID     string `json:"id"`
	Source string `json:"source"` // s3://bucket/key
	Output string `json:"output"` // s3://bucket/prefix of the ladder
	// LadderArgs are `rung ladder` flags added to every job
	// (`rung serve --ladder-args`).
	LadderArgs []string `json:"ladder_args,omitempty"`
	// HeartbeatTimeout is how long a ladder may go without a heartbeat
	// before Temporal gives it to another worker (default 60 s).
	HeartbeatTimeout time.Duration `json:"heartbeat_timeout,omitempty"`
}

// JobResult is where a job's ladder is.
type JobResult struct {
	Ladder string `json:"ladder"` // ladder.json
	Report string `json:"report"` // report.html
	Master string `json:"master"` // master.m3u8
}

// FailureInput is the input of the activity that records a failed job.
type FailureInput struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	Output string `json:"output"`
	Reason string `json:"reason"`
}

// JobWorkflow runs one job: the ladder of Source built and uploaded under
// Output (master.m3u8 last, nothing on failure), then, if it failed,
// Output/error.json with the one-line reason. A ladder that fails on its
// input fails the job at once; one lost with its worker (killed, the
// heartbeat missed) is retried on another.
func JobWorkflow(ctx workflow.Context, in JobInput) (JobResult, error) {
	hb := in.HeartbeatTimeout
	if hb <= 0 {
		hb = time.Minute
	}
	lctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 24 * time.Hour,
		HeartbeatTimeout:    hb,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			MaximumAttempts:        5,
			NonRetryableErrorTypes: []string{errTypeLadder},
		},
	})
	var res JobResult
	err := workflow.ExecuteActivity(lctx, LadderActivityName, in).Get(ctx, &res)
	if err == nil {
		return res, nil
	}
	if temporal.IsCanceledError(err) {
		return JobResult{}, err
	}
	reason := rootCause(err)
	fctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 10},
	})
	fin := FailureInput{ID: in.ID, Source: in.Source, Output: in.Output, Reason: reason}
	if ferr := workflow.ExecuteActivity(fctx, FailureActivityName, fin).Get(ctx, nil); ferr != nil {
		workflow.GetLogger(ctx).Error("cannot write error.json", "job", in.ID, "error", ferr)
	}
	return JobResult{}, temporal.NewNonRetryableApplicationError(reason, "JobFailed", nil)
}

// Activities are serve's activities. A worker that runs serve's jobs
// registers them with Register.
type Activities struct {
	// Rung is the rung binary the ladder runs as (`rung ladder SOURCE -o
	// OUTPUT --json ARGS...`): each ladder is its own process, with
	// FFmpeg's memory and any crash of it, and ends with its worker.
	Rung string
	// Env is added to the ladder's environment (S3 endpoint, model dir).
	Env []string
	// Storage reaches the output for error.json.
	Storage mezzfs.Options
}

// Register registers JobWorkflow and a's activities with w.
func Register(w worker.Registry, a *Activities) {
	w.RegisterWorkflowWithOptions(JobWorkflow, workflow.RegisterOptions{Name: JobWorkflowName})
	w.RegisterActivityWithOptions(a.Ladder, activity.RegisterOptions{Name: LadderActivityName})
	w.RegisterActivityWithOptions(a.WriteError, activity.RegisterOptions{Name: FailureActivityName})
}

// ladderEvent is one of the JSON lines `rung ladder --json` prints.
type ladderEvent struct {
	Event  string `json:"event"`
	Stage  string `json:"stage"`
	Done   int    `json:"done"`
	Total  int    `json:"total"`
	Label  string `json:"label"`
	Ladder string `json:"ladder"`
	Report string `json:"report"`
	Master string `json:"master"`
}

// Progress is the heartbeat detail of a ladder.
type Progress struct {
	Stage string `json:"stage"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// Ladder runs `rung ladder` on the job, heartbeating its progress. A
// ladder that exits with rung's runtime or usage error code fails
// non-retryable with its one-line error; one killed (its worker gone, the
// job canceled) returns a retryable error.
func (a *Activities) Ladder(ctx context.Context, in JobInput) (JobResult, error) {
	args := append([]string{"ladder", in.Source, "-o", in.Output, "--json"}, in.LadderArgs...)
	cmd := exec.CommandContext(ctx, a.Rung, args...)
	// The ladder dies with its worker: Temporal gives the job to another.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Env = append(os.Environ(), a.Env...)
	stderr := &tailBuffer{max: 8 << 10}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return JobResult{}, fmt.Errorf("serve: ladder of %s: %w", in.Source, err)
	}
	if err := cmd.Start(); err != nil {
		return JobResult{}, fmt.Errorf("serve: ladder of %s: %w", in.Source, err)
	}
	activity.RecordHeartbeat(ctx, Progress{Stage: "start"})
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		// Between progress lines (a long encode, the upload), the ladder
		// is alive: say so well within the heartbeat timeout (the SDK
		// sends at most one heartbeat per 0.8 of it).
		every := 5 * time.Second
		if hb := activity.GetInfo(ctx).HeartbeatTimeout; hb > 0 {
			every = min(every, max(hb/4, 100*time.Millisecond))
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				activity.RecordHeartbeat(ctx, Progress{Stage: "running"})
			case <-stop:
				return
			}
		}
	}()
	var res JobResult
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var ev ladderEvent
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		switch ev.Event {
		case "progress":
			activity.RecordHeartbeat(ctx, Progress{Stage: ev.Stage, Done: ev.Done, Total: ev.Total})
		case "done":
			res = JobResult{Ladder: ev.Ladder, Report: ev.Report, Master: ev.Master}
		}
	}
	io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		if res.Master == "" {
			return res, fmt.Errorf("serve: ladder of %s printed no result", in.Source)
		}
		return res, nil
	case ctx.Err() != nil:
		return JobResult{}, ctx.Err()
	case errors.As(err, &exit) && (exit.ExitCode() == 1 || exit.ExitCode() == 2):
		return JobResult{}, temporal.NewNonRetryableApplicationError(stderr.lastLine(), errTypeLadder, nil)
	}
	return JobResult{}, fmt.Errorf("serve: ladder of %s: %w (%s)", in.Source, err, stderr.lastLine())
}

// errorDoc is the content of error.json.
type errorDoc struct {
	Job    string `json:"job"`
	Source string `json:"source"`
	Error  string `json:"error"`
	Time   string `json:"time"`
}

// WriteError writes Output/error.json for a failed job.
func (a *Activities) WriteError(ctx context.Context, in FailureInput) error {
	doc := errorDoc{Job: in.ID, Source: in.Source, Error: in.Reason, Time: time.Now().UTC().Format(time.RFC3339)}
	name := strings.TrimSuffix(in.Output, "/") + "/error.json"
	err := mezzfs.WriteFile(ctx, name, a.Storage, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	})
	if err != nil {
		return fmt.Errorf("serve: write %s: %w", name, err)
	}
	return nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = t.b[over:]
	}
	return len(p), nil
}

// lastLine is the last non-empty line written, without rung's "rung: "
// prefix.
func (t *tailBuffer) lastLine() string {
	lines := bytes.Split(bytes.TrimSpace(t.b), []byte("\n"))
	last := strings.TrimSpace(string(lines[len(lines)-1]))
	if last == "" {
		return "rung ladder failed with no message"
	}
	return strings.TrimPrefix(last, "rung: ")
}
