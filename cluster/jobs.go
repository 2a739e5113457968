package cluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Job is one of rung's workflows as `rung jobs` shows it.
type Job struct {
	ID       string    `json:"id"`
	RunID    string    `json:"run_id"`
	Type     string    `json:"type"`
	Status   string    `json:"status"`
	Started  time.Time `json:"started"`
	Closed   time.Time `json:"closed,omitzero"`
	Progress any       `json:"progress,omitempty"` // *EncodeProgress or *LadderProgress
}

// ListJobs returns up to n of rung's encode and ladder workflows, and of
// the other workflow types named in also (rung serve's jobs), newest
// first.
func ListJobs(ctx context.Context, c client.Client, n int, also ...string) ([]Job, error) {
	types := "'" + EncodeWorkflowName + "', '" + LadderWorkflowName + "'"
	for _, t := range also {
		types += ", '" + t + "'"
	}
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		PageSize: int32(n),
		Query:    fmt.Sprintf("WorkflowType IN (%s)", types),
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	var jobs []Job
	for _, e := range resp.Executions {
		j := Job{ID: e.Execution.WorkflowId, RunID: e.Execution.RunId, Type: e.Type.Name, Status: statusName(e.Status.String()),
			Started: e.StartTime.AsTime()}
		if e.CloseTime != nil {
			j.Closed = e.CloseTime.AsTime()
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// ShowJob describes one workflow and, while it runs, its progress.
func ShowJob(ctx context.Context, c client.Client, id string) (Job, error) {
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return Job{}, fmt.Errorf("jobs: show %s: %w", id, err)
	}
	e := d.WorkflowExecutionInfo
	j := Job{ID: e.Execution.WorkflowId, RunID: e.Execution.RunId, Type: e.Type.Name, Status: statusName(e.Status.String()),
		Started: e.StartTime.AsTime()}
	if e.CloseTime != nil {
		j.Closed = e.CloseTime.AsTime()
	}
	if v, err := c.QueryWorkflow(ctx, id, "", progressQuery); err == nil {
		var p any = &EncodeProgress{}
		if j.Type == LadderWorkflowName {
			p = &LadderProgress{}
		}
		if v.Get(p) == nil {
			j.Progress = p
		}
	}
	return j, nil
}

// statusName turns WORKFLOW_EXECUTION_STATUS_RUNNING into "running".
func statusName(s string) string {
	return strings.ToLower(strings.TrimPrefix(s, "WORKFLOW_EXECUTION_STATUS_"))
}
