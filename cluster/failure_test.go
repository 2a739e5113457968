package cluster

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"rung/encode"
	"rung/mezzfs"
)

// startJob starts an encode of the rig's source to output through the API
// (the test needs the run to watch it).
func (r *rig) startJob(t *testing.T, c client.Client, output string, heartbeat time.Duration) client.WorkflowRun {
	t.Helper()
	run, err := StartEncode(context.Background(), c, "", EncodeInput{
		Source: r.source, Output: output,
		Settings:  encode.Settings{Codec: "x264", CRF: 28, Preset: "veryfast"},
		Plan:      encode.PlanOptions{ChunkSeconds: 0.8, MinChunk: 0.4},
		Heartbeat: heartbeat,
	})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// outputSize returns the size of the output object, -1 when absent.
func (r *rig) outputSize(t *testing.T, output string) int64 {
	t.Helper()
	u, err := mezzfs.ParseS3URL(output)
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.s3.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(u.Key)})
	if err != nil {
		return -1
	}
	return aws.ToInt64(out.ContentLength)
}

// TestTemporalWorkerKilled kills one of two workers (SIGKILL) while it
// encodes a chunk: the other worker goes on, only the lost chunk is
// encoded again (one extra attempt in all), the output object does not
// exist before the job is done, and the killed worker, restarted, takes
// chunks again.
func TestTemporalWorkerKilled(t *testing.T) {
	r := newRig(t, multishot)
	c := r.tmp.Client()
	victim := r.startWorker(t, "victim", "--concurrency", "1")
	r.startWorker(t, "survivor", "--concurrency", "1")
	output := "s3://rung/out/killed.mp4"
	run := r.startJob(t, c, output, 3*time.Second)

	// Wait for the victim to be in the middle of a chunk: started, with
	// frames done in its heartbeat.
	lost := -1
	deadline := time.Now().Add(2 * time.Minute)
	for lost < 0 {
		if time.Now().After(deadline) {
			t.Fatal("the victim never started a chunk")
		}
		d, err := c.DescribeWorkflowExecution(context.Background(), run.GetID(), run.GetRunID())
		if err != nil {
			t.Fatal(err)
		}
		for _, pa := range d.PendingActivities {
			var frames int
			if pa.LastWorkerIdentity != "victim" || pa.State != enumspb.PENDING_ACTIVITY_STATE_STARTED || pa.HeartbeatDetails == nil ||
				converter.GetDefaultDataConverter().FromPayloads(pa.HeartbeatDetails, &frames) != nil || frames == 0 {
				continue
			}
			fmt.Sscanf(pa.ActivityId, "chunk-%d", &lost)
			t.Logf("killing the victim in chunk %d at frame %d", lost, frames)
		}
		time.Sleep(20 * time.Millisecond)
	}
	victim.kill()
	if n := r.outputSize(t, output); n >= 0 {
		t.Fatalf("%s exists (%d bytes) with chunks left to encode", output, n)
	}
	r.startWorker(t, "victim-restarted", "--concurrency", "1")

	var res EncodeResult
	var seen []int64
	done := make(chan error, 1)
	go func() { done <- run.Get(context.Background(), &res) }()
	for waiting := true; waiting; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			waiting = false
		case <-time.After(100 * time.Millisecond):
			// The object appears only when the concat activity commits it,
			// whole: every size seen must be the final one.
			if n := r.outputSize(t, output); n >= 0 {
				seen = append(seen, n)
			}
		}
	}
	for _, n := range seen {
		if n != res.Bytes {
			t.Errorf("the output was seen with %d bytes, %d when whole", n, res.Bytes)
		}
	}
	extra, byWorker := 0, map[string]int{}
	for _, run := range res.Runs {
		byWorker[run.Worker]++
		extra += run.Attempt - 1
		if run.Attempt > 1 && run.Index != lost {
			t.Errorf("chunk %d was tried %d times; only chunk %d was lost", run.Index, run.Attempt, lost)
		}
	}
	t.Logf("%d chunks; chunks per worker %v; extra attempts %d (chunk %d: attempt %d)", res.Chunks, byWorker, extra, lost, res.Runs[lost].Attempt)
	if extra != 1 || res.Runs[lost].Attempt != 2 {
		t.Errorf("%d extra attempts, chunk %d attempt %d: want only the lost chunk redone, once", extra, lost, res.Runs[lost].Attempt)
	}
	if byWorker["survivor"] == 0 || byWorker["victim-restarted"] == 0 {
		t.Errorf("chunks per worker %v: want the survivor and the restarted worker both to encode", byWorker)
	}
	local := filepath.Join(r.dir, "killed.mp4")
	r.download(t, output, local)
	if info := probeFile(t, local); info.Video.Frames != res.Frames {
		t.Errorf("output has %d frames, want %d", info.Video.Frames, res.Frames)
	}
}

// TestTemporalServerRestart kills the Temporal dev server in the middle of
// a job and starts it again on its database: the job completes, once.
func TestTemporalServerRestart(t *testing.T) {
	r := newRig(t, multishot)
	r.startWorker(t, "worker-a", "--concurrency", "1")
	output := "s3://rung/out/restart.mp4"
	run := r.startJob(t, r.tmp.Client(), output, 5*time.Second)
	c := r.tmp.Client()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if time.Now().After(deadline) {
			t.Fatal("no chunk done after 2 minutes")
		}
		v, err := c.QueryWorkflow(context.Background(), run.GetID(), run.GetRunID(), progressQuery)
		var p EncodeProgress
		if err == nil && v.Get(&p) == nil && len(p.Done) >= 3 {
			t.Logf("restarting the server with %d of %d chunks done", len(p.Done), len(p.Plan.Chunks))
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.tmp.Restart()
	c2 := r.tmp.Client()
	res := result(t, c2, output)
	resp, err := c2.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowId = '%s'", run.GetID()),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Executions) != 1 || resp.Executions[0].Status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("%d executions of %s, want one, completed", len(resp.Executions), run.GetID())
	}
	attempts := 0
	for _, run := range res.Runs {
		attempts += run.Attempt
	}
	t.Logf("completed: %d chunks, %d chunk attempts", res.Chunks, attempts)
	local := filepath.Join(r.dir, "restart.mp4")
	r.download(t, output, local)
	if info := probeFile(t, local); info.Video.Frames != res.Frames {
		t.Errorf("output has %d frames, want %d", info.Video.Frames, res.Frames)
	}
}
