package cluster

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Recorded histories of EncodeWorkflow, 14 chunks on two workers:
// encodeHistory from before the streaming plan (versionStreamPlan),
// encodeStreamHistory with it (TestTemporalEncode -update rewrites it).
var (
	encodeHistory       = filepath.Join("testdata", "encode_history.json")
	encodeStreamHistory = filepath.Join("testdata", "encode_history_stream.json")
)

// recordHistory writes the history of the workflow id as the JSON the
// Temporal CLI and the SDK's replayer read.
func recordHistory(tb testing.TB, c client.Client, id, path string) {
	tb.Helper()
	h := &historypb.History{}
	it := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			tb.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: " "}.Marshal(h)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TestReplayEncodeHistory replays recorded histories against today's
// EncodeWorkflow: a change to the workflow's code that is not guarded by
// workflow.GetVersion fails here with a nondeterminism error.
func TestReplayEncodeHistory(t *testing.T) {
	for _, h := range []string{encodeHistory, encodeStreamHistory} {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(EncodeWorkflow, workflow.RegisterOptions{Name: EncodeWorkflowName})
		if err := r.ReplayWorkflowHistoryFromJSONFile(quietLogger{}, h); err != nil {
			t.Errorf("replay %s: %v", h, err)
		}
	}
}
