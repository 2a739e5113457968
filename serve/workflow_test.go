package serve

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

func TestJobWorkflow(t *testing.T) {
	in := JobInput{ID: "rung-1", Source: "s3://mezz/a.mkv", Output: "s3://out/ladders/a"}
	tests := []struct {
		name      string
		ladderErr error
		attempts  int // ladder attempts expected
		wantErr   string
	}{
		{"succeeds", nil, 1, ""},
		{"bad input fails at once and writes error.json",
			temporal.NewNonRetryableApplicationError("ladder: s3://mezz/a.mkv: no video stream", errTypeLadder, nil), 1,
			"ladder: s3://mezz/a.mkv: no video stream"},
		{"a lost ladder is retried", errors.New("serve: ladder of s3://mezz/a.mkv: signal: killed"), 5,
			"signal: killed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			env.RegisterWorkflowWithOptions(JobWorkflow, workflow.RegisterOptions{Name: JobWorkflowName})
			attempts := 0
			env.RegisterActivityWithOptions(func(ctx context.Context, got JobInput) (JobResult, error) {
				attempts++
				if got.ID != in.ID || got.Source != in.Source || got.Output != in.Output {
					t.Errorf("ladder input %+v, want %+v", got, in)
				}
				if tt.ladderErr != nil {
					return JobResult{}, tt.ladderErr
				}
				return JobResult{Master: in.Output + "/master.m3u8"}, nil
			}, activity.RegisterOptions{Name: LadderActivityName})
			var failure *FailureInput
			env.RegisterActivityWithOptions(func(ctx context.Context, f FailureInput) error {
				failure = &f
				return nil
			}, activity.RegisterOptions{Name: FailureActivityName})
			env.ExecuteWorkflow(JobWorkflowName, in)
			if !env.IsWorkflowCompleted() {
				t.Fatal("workflow did not complete")
			}
			err := env.GetWorkflowError()
			if attempts != tt.attempts {
				t.Errorf("%d ladder attempts, want %d", attempts, tt.attempts)
			}
			if tt.wantErr == "" {
				var res JobResult
				if err != nil || env.GetWorkflowResult(&res) != nil || res.Master != in.Output+"/master.m3u8" {
					t.Fatalf("result %+v, error %v", res, err)
				}
				if failure != nil {
					t.Errorf("error.json written for a job that succeeded: %+v", failure)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("workflow error %v, want %q", err, tt.wantErr)
			}
			if failure == nil || failure.Output != in.Output || !strings.Contains(failure.Reason, tt.wantErr) || strings.Contains(failure.Reason, "retryable") {
				t.Errorf("error.json input %+v, want the output and reason %q", failure, tt.wantErr)
			}
		})
	}
}

// fakeRung writes a shell script that stands for the rung binary.
func fakeRung(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "rung")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLadderActivity(t *testing.T) {
	in := JobInput{ID: "rung-1", Source: "s3://mezz/a.mkv", Output: "s3://out/a", LadderArgs: []string{"--rungs", "3"}}
	tests := []struct {
		name, script string
		want         JobResult
		wantErr      string
		retryable    bool
	}{
		{"done", `[ "$*" = "ladder s3://mezz/a.mkv -o s3://out/a --json --rungs 3" ] || { echo "rung: bad args $*" >&2; exit 2; }
echo '{"event":"progress","stage":"trial","done":1,"total":4,"label":"x"}'
echo 'not JSON'
echo '{"event":"done","ladder":"s3://out/a/ladder.json","report":"s3://out/a/report.html","master":"s3://out/a/master.m3u8"}'`,
			JobResult{Ladder: "s3://out/a/ladder.json", Report: "s3://out/a/report.html", Master: "s3://out/a/master.m3u8"}, "", false},
		{"bad input", `echo "[trial 0/4] ..." >&2; echo "rung: ladder: s3://mezz/a.mkv: no video stream" >&2; exit 1`,
			JobResult{}, "ladder: s3://mezz/a.mkv: no video stream", false},
		{"killed", `kill -9 $$`, JobResult{}, "signal: killed", true},
		{"no result", `exit 0`, JobResult{}, "printed no result", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestActivityEnvironment()
			a := &Activities{Rung: fakeRung(t, tt.script)}
			env.RegisterActivityWithOptions(a.Ladder, activity.RegisterOptions{Name: LadderActivityName})
			v, err := env.ExecuteActivity(LadderActivityName, in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				var app *temporal.ApplicationError
				if nonRetryable := errors.As(err, &app) && app.NonRetryable(); nonRetryable == tt.retryable {
					t.Errorf("non-retryable = %v, want %v (%v)", nonRetryable, !tt.retryable, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got JobResult
			if err := v.Get(&got); err != nil || got != tt.want {
				t.Errorf("result %+v (%v), want %+v", got, err, tt.want)
			}
		})
	}
}

func TestWriteError(t *testing.T) {
	dir := t.TempDir()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	a := &Activities{}
	env.RegisterActivityWithOptions(a.WriteError, activity.RegisterOptions{Name: FailureActivityName})
	if _, err := env.ExecuteActivity(FailureActivityName, FailureInput{ID: "rung-1", Source: "s3://mezz/a.mkv", Output: dir, Reason: "ladder: no video stream"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "error.json"))
	if err != nil || !strings.Contains(string(b), `"error": "ladder: no video stream"`) || !strings.Contains(string(b), `"job": "rung-1"`) {
		t.Errorf("error.json = %s (%v)", b, err)
	}
}
