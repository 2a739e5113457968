package serve

import (
	"context"
	"errors"
	"time"
)

// ErrAlreadyStarted is returned by Runner.Start when the job's workflow ID
// has been used: the job is running or has run.
var ErrAlreadyStarted = errors.New("serve: job already started")

// Runner starts jobs and follows them. Temporal is the one rung uses; the
// tests of the HTTP side use a fake.
type Runner interface {
	// Start starts the job's workflow, once: a job whose ID was used
	// before returns an error matching ErrAlreadyStarted. Any other error
	// means the job may not have started and the event must be
	// redelivered.
	Start(ctx context.Context, job Job) error
	// Wait blocks until the job ends and says how. Its error is about
	// waiting (ctx ended, the server went away), not about the job.
	Wait(ctx context.Context, id string) (Result, error)
	// Running lists the IDs of the jobs that run now, so a restarted
	// serve follows the jobs started before it.
	Running(ctx context.Context) ([]string, error)
}

// Result is how a job ended.
type Result struct {
	// Outcome is "succeeded", "failed", "canceled", "terminated" or
	// "timed_out".
	Outcome string
	// Duration is the time from the job's start to its end.
	Duration time.Duration
	// Reason is the failure's one-line reason ("" on success).
	Reason string
}
