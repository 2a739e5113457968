package serve

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Temporal is the Runner of rung serve: each job is a JobWorkflow whose
// workflow ID is the job's ID, started with Temporal's reject-duplicate
// ID reuse policy, so that an ID runs at most once while Temporal keeps
// its history (the namespace's retention), even after the job ended.
type Temporal struct {
	// Client is connected to the Temporal frontend.
	Client client.Client
	// TaskQueue is the queue the workers poll (DefaultTaskQueue when
	// empty).
	TaskQueue string
	// Input is the JobWorkflow input of a job, without its ID, source and
	// output, which Start fills.
	Input JobInput
}

var _ Runner = (*Temporal)(nil)

// Start starts the job's JobWorkflow. A workflow ID used before, running
// or closed, is refused by Temporal and returns ErrAlreadyStarted: without
// WorkflowExecutionErrorWhenAlreadyStarted the SDK would hand back the
// existing run and a duplicate could not be told from a start.
func (t *Temporal) Start(ctx context.Context, job Job) error {
	in := t.Input
	in.ID, in.Source, in.Output = job.ID, job.Source, job.Output
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       job.ID,
		TaskQueue:                                t.taskQueue(),
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		Memo:                                     map[string]any{"source": job.Source, "output": job.Output},
	}, JobWorkflowName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &started):
		return fmt.Errorf("%w: workflow %s", ErrAlreadyStarted, job.ID)
	case err != nil:
		return fmt.Errorf("serve: start workflow %s for %s: %w", job.ID, job.Source, err)
	}
	return nil
}

// Wait waits for the workflow to close. A wait cut short (the server
// restarting, the connection lost) is resumed until ctx ends.
func (t *Temporal) Wait(ctx context.Context, id string) (Result, error) {
	backoff := time.Second
	for {
		werr := t.Client.GetWorkflow(ctx, id, "").Get(ctx, nil)
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		desc, err := t.Client.DescribeWorkflowExecution(ctx, id, "")
		if err == nil {
			info := desc.GetWorkflowExecutionInfo()
			if outcome, closed := outcomes[info.GetStatus()]; closed {
				res := Result{Outcome: outcome, Duration: info.GetCloseTime().AsTime().Sub(info.GetStartTime().AsTime())}
				if werr != nil && outcome != "succeeded" {
					res.Reason = rootCause(werr)
				}
				return res, nil
			}
		}
		select {
		case <-ctx.Done():
			return Result{}, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// outcomes maps the closed workflow statuses to Result.Outcome.
var outcomes = map[enumspb.WorkflowExecutionStatus]string{
	enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:  "succeeded",
	enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:     "failed",
	enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:   "canceled",
	enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED: "terminated",
	enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:  "timed_out",
}

// rootCause is the message of the innermost error of a workflow's
// failure, without the SDK's "(type: ..., retryable: ...)": the job's
// one-line reason.
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			var app *temporal.ApplicationError
			if errors.As(err, &app) {
				return strings.TrimSpace(app.Message())
			}
			return strings.TrimSpace(err.Error())
		}
		err = next
	}
}

// Running lists the IDs of the running JobWorkflows.
func (t *Temporal) Running(ctx context.Context) ([]string, error) {
	var ids []string
	var token []byte
	for {
		resp, err := t.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query:         fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", JobWorkflowName),
			PageSize:      1000,
			NextPageToken: token,
		})
		if err != nil {
			return nil, fmt.Errorf("serve: list running jobs: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			ids = append(ids, e.GetExecution().GetWorkflowId())
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return ids, nil
		}
	}
}

// Ready checks that the Temporal frontend answers.
func (t *Temporal) Ready(ctx context.Context) error {
	if _, err := t.Client.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal: %w", err)
	}
	return nil
}

func (t *Temporal) taskQueue() string {
	if t.TaskQueue == "" {
		return DefaultTaskQueue
	}
	return t.TaskQueue
}
