package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"rung/encode"
)

// EncodeWorkflowID is the workflow ID of an encode to output: one running
// workflow per output, so that starting the same encode again while it
// runs follows the running one instead of racing it.
func EncodeWorkflowID(output string) string {
	sum := sha256.Sum256([]byte(output))
	return "encode-" + hex.EncodeToString(sum[:8])
}

// StartEncode starts EncodeWorkflow on the task queue, or returns the run
// already encoding to the same output.
func StartEncode(ctx context.Context, c client.Client, taskQueue string, in EncodeInput) (client.WorkflowRun, error) {
	if taskQueue == "" {
		taskQueue = DefaultTaskQueue
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       EncodeWorkflowID(in.Output),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, EncodeWorkflowName, in)
	if err != nil {
		return nil, fmt.Errorf("temporal: start encode of %s: %w", in.Source, err)
	}
	return run, nil
}

// pollInterval is how often Follow asks for progress (each ask is a query,
// answered by a worker, and a describe).
const pollInterval = time.Second

// FollowEncode waits for an encode workflow to end, turning its progress
// query and its chunks' heartbeats into the events of a local encode.
func FollowEncode(ctx context.Context, c client.Client, run client.WorkflowRun, progress encode.ProgressFunc) (*EncodeResult, error) {
	began := time.Now()
	done := make(chan struct{})
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		if progress == nil {
			return
		}
		f := &follower{emit: progress, began: began, seen: map[int]bool{}, frames: map[int]int{}}
		t := time.NewTicker(pollInterval)
		defer t.Stop()
		for {
			f.poll(ctx, c, run)
			select {
			case <-done:
				f.poll(ctx, c, run) // the last chunks and the concat, if they ended between polls
				return
			case <-t.C:
			}
		}
	}()
	var res EncodeResult
	err := run.Get(ctx, &res)
	close(done)
	<-followed
	if err != nil {
		return nil, Unwrap(err)
	}
	if progress != nil {
		progress(encode.Event{Kind: encode.EventDone, Chunk: -1, Chunks: res.Chunks, Done: res.Frames, Total: res.Frames,
			Bytes: res.Bytes, Elapsed: time.Since(began), Output: res.Output})
	}
	return &res, nil
}

// follower turns polled workflow state into encode Events.
type follower struct {
	emit   encode.ProgressFunc
	began  time.Time
	plan   *encode.Plan
	seen   map[int]bool // chunks reported done
	frames map[int]int  // frames done per chunk
	bytes  int64
	concat bool
}

func (f *follower) poll(ctx context.Context, c client.Client, run client.WorkflowRun) {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v, err := c.QueryWorkflow(qctx, run.GetID(), run.GetRunID(), progressQuery)
	if err != nil {
		return // not yet started, or the server is away: ask again later
	}
	var p EncodeProgress
	if v.Get(&p) != nil || p.Plan == nil {
		return
	}
	if f.plan == nil {
		f.plan = p.Plan
		f.send(encode.Event{Kind: encode.EventPlan, Chunk: -1})
	}
	for _, r := range p.Done {
		if f.seen[r.Index] {
			continue
		}
		f.seen[r.Index] = true
		c := f.plan.Chunks[r.Index]
		f.frames[r.Index] = c.Len()
		f.bytes += r.Bytes
		kind := encode.EventChunkDone
		if r.Cached {
			kind = encode.EventChunkCache
		}
		f.send(encode.Event{Kind: kind, Chunk: r.Index, Frames: c.Len(), ChunkFrames: c.Len(), Bytes: r.Bytes})
	}
	if (p.Stage == "concat" || p.Stage == "done") && !f.concat {
		f.concat = true
		f.send(encode.Event{Kind: encode.EventConcat, Chunk: -1, Bytes: f.bytes})
		return
	}
	desc, err := c.DescribeWorkflowExecution(qctx, run.GetID(), run.GetRunID())
	if err != nil {
		return
	}
	for _, pa := range desc.PendingActivities {
		var i int
		if _, err := fmt.Sscanf(pa.ActivityId, "chunk-%d", &i); err != nil || i < 0 || i >= len(f.plan.Chunks) || f.seen[i] {
			continue
		}
		if pa.HeartbeatDetails == nil {
			continue
		}
		var n int
		if converter.GetDefaultDataConverter().FromPayloads(pa.HeartbeatDetails, &n) != nil {
			continue
		}
		ch := f.plan.Chunks[i]
		if _, started := f.frames[i]; !started {
			f.frames[i] = 0
			f.send(encode.Event{Kind: encode.EventChunkStart, Chunk: i, ChunkFrames: ch.Len()})
		}
		if n != f.frames[i] {
			f.frames[i] = n
			f.send(encode.Event{Kind: encode.EventFrames, Chunk: i, Frames: n, ChunkFrames: ch.Len()})
		}
	}
}

// send fills the job-wide fields of e and delivers it.
func (f *follower) send(e encode.Event) {
	total := 0
	for _, c := range f.plan.Chunks {
		total += c.Len()
	}
	done := 0
	for _, n := range f.frames {
		done += n
	}
	e.Chunks, e.Done, e.Total, e.Elapsed = len(f.plan.Chunks), done, total, time.Since(f.began)
	f.emit(e)
}

// Unwrap turns a workflow's failure into the error of the activity that
// caused it, as one line: rung's own message for bad input, the
// activity's error otherwise.
func Unwrap(err error) error {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return errors.New(strings.TrimSpace(ae.Message()))
	}
	var te *temporal.TimeoutError
	if errors.As(err, &te) {
		return fmt.Errorf("temporal: %w", te)
	}
	var ce *temporal.CanceledError
	if errors.As(err, &ce) {
		return fmt.Errorf("temporal: workflow canceled")
	}
	return err
}

// LadderWorkflowID is the workflow ID of a ladder written to output: one
// running ladder per output prefix.
func LadderWorkflowID(output string) string {
	sum := sha256.Sum256([]byte(strings.TrimSuffix(output, "/")))
	return "ladder-" + hex.EncodeToString(sum[:8])
}

// StartLadder starts LadderWorkflow on the task queue under id ("" means
// LadderWorkflowID(in.Output)), or returns the run already running under
// that ID. Callers that start ladders from events (rung serve) pass one ID
// per source version, so that a redelivered event starts nothing.
func StartLadder(ctx context.Context, c client.Client, taskQueue, id string, in LadderInput) (client.WorkflowRun, error) {
	if taskQueue == "" {
		taskQueue = DefaultTaskQueue
	}
	if id == "" {
		id = LadderWorkflowID(in.Output)
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, LadderWorkflowName, in)
	if err != nil {
		return nil, fmt.Errorf("temporal: start ladder of %s: %w", in.Source, err)
	}
	return run, nil
}

// FollowLadder waits for a ladder workflow to end, calling progress (when
// set) with every step its progress query reports done.
func FollowLadder(ctx context.Context, c client.Client, run client.WorkflowRun, progress func(stage string, done, total int, label string)) (*LadderResult, error) {
	done := make(chan struct{})
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		if progress == nil {
			return
		}
		seen, last := 0, false
		t := time.NewTicker(pollInterval)
		defer t.Stop()
		for {
			qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			v, err := c.QueryWorkflow(qctx, run.GetID(), run.GetRunID(), progressQuery)
			cancel()
			var p LadderProgress
			if err == nil && v.Get(&p) == nil {
				for ; seen < len(p.Steps); seen++ {
					st := p.Steps[seen]
					progress(st.Stage, st.Done, st.Total, st.Label)
				}
			}
			select {
			case <-done:
				if last {
					return
				}
				last = true // one more poll for the steps that ended between polls
			case <-t.C:
			}
		}
	}()
	var res LadderResult
	err := run.Get(ctx, &res)
	close(done)
	<-followed
	if err != nil {
		return nil, Unwrap(err)
	}
	return &res, nil
}
