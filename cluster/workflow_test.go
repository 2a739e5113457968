package cluster

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"rung/encode"
	"rung/ladder"
)

// fakeActivities stand in for the real ones in testsuite runs: a plan of
// n chunks, chunks that fail as told, a concat that sums the bytes.
type fakeActivities struct {
	chunks  int
	failAt  map[int]error // chunk index → error of its first attempt
	mu      sync.Mutex
	tries   map[int]int
	pending int // most chunk activities seen running at once
	running int
	// signal, when set, is how a streaming plan signals its chunks; the
	// plan then waits for a chunk encode to start before it returns.
	signal  func(name string, arg any)
	started chan struct{} // closed by the first chunk encode
	// badChunk, when set, is signalled as chunk 0 instead of the plan's.
	badChunk *encode.Chunk
}

func (f *fakeActivities) Plan(ctx context.Context, in PlanInput) (PlanOutput, error) {
	p := &encode.Plan{Source: in.Source, Frames: 10 * f.chunks}
	for i := 0; i < f.chunks; i++ {
		p.Chunks = append(p.Chunks, encode.Chunk{Index: i, Start: 10 * i, End: 10 * (i + 1)})
	}
	out := PlanOutput{Plan: p, SourceID: "id", ETag: `"etag"`}
	if in.Stream && f.signal != nil {
		for _, c := range p.Chunks[:len(p.Chunks)-1] {
			if c.Index == 0 && f.badChunk != nil {
				c = *f.badChunk
			}
			f.signal(chunkSignal, PlanChunk{Chunk: c, SourceID: out.SourceID, ETag: out.ETag})
		}
		if f.badChunk == nil {
			select {
			case <-f.started:
			case <-time.After(10 * time.Second):
				return out, errors.New("no chunk encode started before the plan ended")
			}
		}
	}
	return out, nil
}

func (f *fakeActivities) EncodeChunk(ctx context.Context, in ChunkInput) (ChunkRun, error) {
	f.mu.Lock()
	if f.started != nil && f.running == 0 && len(f.tries) == 0 {
		close(f.started)
	}
	f.tries[in.Chunk.Index]++
	try := f.tries[in.Chunk.Index]
	f.running++
	f.pending = max(f.pending, f.running)
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.running--; f.mu.Unlock() }()
	if err := f.failAt[in.Chunk.Index]; err != nil && try == 1 {
		return ChunkRun{}, err
	}
	return ChunkRun{Index: in.Chunk.Index, URL: fmt.Sprintf("%s%05d.nut", in.Prefix, in.Chunk.Index), Bytes: 100, Attempt: try}, nil
}

// triesOf returns how many times each chunk was tried so far.
func (f *fakeActivities) triesOf() map[int]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.tries)
}

func (f *fakeActivities) Concat(ctx context.Context, in ConcatInput) (ConcatOutput, error) {
	for i, u := range in.URLs {
		if !strings.HasSuffix(u, fmt.Sprintf("%05d.nut", i)) {
			return ConcatOutput{}, fmt.Errorf("chunk %d is %s", i, u)
		}
	}
	return ConcatOutput{Bytes: int64(100 * len(in.URLs))}, nil
}

func newEnv(t *testing.T, f *fakeActivities) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quietLogger{})
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(EncodeWorkflow, workflow.RegisterOptions{Name: EncodeWorkflowName})
	env.RegisterActivityWithOptions(f.Plan, activity.RegisterOptions{Name: planActivity})
	env.RegisterActivityWithOptions(f.EncodeChunk, activity.RegisterOptions{Name: chunkActivity})
	env.RegisterActivityWithOptions(f.Concat, activity.RegisterOptions{Name: concatActivity})
	return env
}

func TestEncodeWorkflow(t *testing.T) {
	for _, tc := range []struct {
		name    string
		chunks  int
		failAt  map[int]error
		wantErr string
		retried int
	}{
		{name: "one chunk", chunks: 1},
		{name: "twelve chunks", chunks: 12},
		{name: "transient failure retried", chunks: 4, failAt: map[int]error{2: errors.New("s3: connection reset")}, retried: 1},
		{name: "bad input not retried", chunks: 4, failAt: map[int]error{1: badInput(fmt.Errorf("encode: s3://b/in.mkv: %w", encode.ErrUnsupported))},
			wantErr: "encode: s3://b/in.mkv: unsupported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeActivities{chunks: tc.chunks, failAt: tc.failAt, tries: map[int]int{}}
			env := newEnv(t, f)
			env.ExecuteWorkflow(EncodeWorkflowName, EncodeInput{Source: "s3://b/in.mkv", Output: "s3://b/out.mp4", Settings: encode.Settings{Codec: "x264", CRF: 23}})
			if !env.IsWorkflowCompleted() {
				t.Fatal("workflow did not complete")
			}
			err := env.GetWorkflowError()
			if tc.wantErr != "" {
				if err == nil || Unwrap(err).Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if n := f.triesOf()[1]; n != 1 {
					t.Errorf("bad input tried %d times, want 1", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var res EncodeResult
			if err := env.GetWorkflowResult(&res); err != nil {
				t.Fatal(err)
			}
			if res.Chunks != tc.chunks || res.Encoded != tc.chunks || res.Frames != 10*tc.chunks || res.Bytes != int64(100*tc.chunks) {
				t.Errorf("result %+v", res.Result)
			}
			retried := 0
			for i, r := range res.Runs {
				if r.Index != i || r.URL != fmt.Sprintf("s3://b/out.mp4.rung/%05d.nut", i) {
					t.Errorf("run %d: %+v", i, r)
				}
				retried += r.Attempt - 1
			}
			if retried != tc.retried {
				t.Errorf("%d retries, want %d", retried, tc.retried)
			}
		})
	}
}

// TestEncodeWorkflowProgress checks the progress query once the workflow
// is done.
func TestEncodeWorkflowProgress(t *testing.T) {
	f := &fakeActivities{chunks: 3, tries: map[int]int{}}
	env := newEnv(t, f)
	env.ExecuteWorkflow(EncodeWorkflowName, EncodeInput{Source: "s3://b/in.mkv", Output: "s3://b/out.mp4", Settings: encode.Settings{Codec: "x264", CRF: 23}})
	v, err := env.QueryWorkflow(progressQuery)
	if err != nil {
		t.Fatal(err)
	}
	var p EncodeProgress
	if err := v.Get(&p); err != nil {
		t.Fatal(err)
	}
	if p.Stage != "done" || len(p.Done) != 3 || p.Frames != 30 || len(p.Plan.Chunks) != 3 {
		t.Errorf("progress %+v", p)
	}
}

// fakeLadder stands in for the ladder's activities: a synthetic R-D model
// of a 1280x720 title.
type fakeLadder struct{ fakeActivities }

func (f *fakeLadder) model(size ladder.Size, crf float64) ladder.Point {
	px := float64(size.Width*size.Height) / (1280 * 720)
	kbps := 4000 * math.Pow(px, 0.75) * math.Pow(2, -(crf-18)/6)
	vmaf := (100 - 20*(1-math.Sqrt(px))) * (1 - math.Exp(-kbps/800))
	return ladder.Point{Width: size.Width, Height: size.Height, CRF: crf, Kbps: kbps, VMAF: vmaf}
}

func (f *fakeLadder) Trial(ctx context.Context, c ladder.Candidate) (ladder.Point, error) {
	return f.model(c.Size, c.CRF), nil
}

func (f *fakeLadder) Prepare(ctx context.Context, in LadderInput) (prepared, error) {
	src := ladder.SourceInfo{Size: ladder.Size{Width: 1280, Height: 720}, FrameRateNum: 25, FrameRateDen: 1, Frames: 40}
	sizes, err := ladder.Sizes(src.Size, in.Options.Heights)
	if err != nil {
		return prepared{}, err
	}
	r, _ := ladder.CRFRangeFor("x264")
	po, _ := f.Plan(ctx, PlanInput{})
	return prepared{Source: src, Sizes: sizes, CRFs: r.Values(), Model: ladder.DefaultModel, PlanOutput: po}, nil
}

func (f *fakeLadder) Measure(ctx context.Context, in MeasureInput) (ladder.Point, error) {
	if len(in.URLs) != f.chunks {
		return ladder.Point{}, fmt.Errorf("%d chunk URLs, want %d", len(in.URLs), f.chunks)
	}
	p := f.model(in.Trial.Size, in.Trial.Settings.CRF)
	p.File = in.Trial.File
	return p, nil
}

func (f *fakeLadder) Finish(ctx context.Context, in FinishInput) (LadderResult, error) {
	return LadderResult{Report: ladder.Report{TrialEncodes: len(in.Found.Points), Hull: in.Found.Hull}, Master: in.Input.Output + "/master.m3u8"}, nil
}

// TestLadderWorkflowSearch: the workflow drives ladder.Planner through
// child workflows and makes the trial encodes that ladder.Search makes
// locally, and finds the same hull.
func TestLadderWorkflowSearch(t *testing.T) {
	f := &fakeLadder{fakeActivities{chunks: 3, tries: map[int]int{}}}
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quietLogger{})
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(LadderWorkflow, workflow.RegisterOptions{Name: LadderWorkflowName})
	env.RegisterWorkflowWithOptions(TrialWorkflow, workflow.RegisterOptions{Name: TrialWorkflowName})
	env.RegisterActivityWithOptions(f.Prepare, activity.RegisterOptions{Name: prepareActivity})
	env.RegisterActivityWithOptions(f.EncodeChunk, activity.RegisterOptions{Name: chunkActivity})
	env.RegisterActivityWithOptions(f.Measure, activity.RegisterOptions{Name: measureActivity})
	env.RegisterActivityWithOptions(f.Finish, activity.RegisterOptions{Name: finishActivity})
	env.ExecuteWorkflow(LadderWorkflowName, LadderInput{Source: "s3://b/in.mkv", Output: "s3://b/ladder", Options: LadderOptions{Workers: 2}})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res LadderResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	sizes, _ := ladder.Sizes(ladder.Size{Width: 1280, Height: 720}, nil)
	r, _ := ladder.CRFRangeFor("x264")
	want, err := ladder.Search(context.Background(), f, ladder.SearchOptions{Sizes: sizes, CRFs: r.Values(), Workers: 2, PerShot: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.TrialEncodes != len(want.Points) || len(res.Report.Hull) != len(want.Hull) {
		t.Fatalf("workflow: %d trials, hull of %d; ladder.Search: %d trials, hull of %d",
			res.Report.TrialEncodes, len(res.Report.Hull), len(want.Points), len(want.Hull))
	}
	for i := range want.Hull {
		if g, w := res.Report.Hull[i], want.Hull[i]; g.Label() != w.Label() || g.Kbps != w.Kbps {
			t.Errorf("hull %d: workflow %s, local %s", i, g.Label(), w.Label())
		}
	}
}

// TestEncodeWorkflowStreamedPlan checks the streaming plan: chunks the
// plan activity signals are encoded while it still runs, the result is
// the whole plan's, and a plan that does not end with the chunks it
// signalled fails the workflow.
func TestEncodeWorkflowStreamedPlan(t *testing.T) {
	t.Run("overlap", func(t *testing.T) {
		f := &fakeActivities{chunks: 5, tries: map[int]int{}, started: make(chan struct{})}
		env := newEnv(t, f)
		f.signal = func(name string, arg any) { env.SignalWorkflow(name, arg) }
		env.ExecuteWorkflow(EncodeWorkflowName, EncodeInput{Source: "s3://b/src.mkv", Output: "s3://b/out.mp4"})
		if err := env.GetWorkflowError(); err != nil {
			t.Fatal(err)
		}
		var res EncodeResult
		if err := env.GetWorkflowResult(&res); err != nil {
			t.Fatal(err)
		}
		tries := f.triesOf()
		if res.Chunks != 5 || res.Encoded != 5 || len(res.Runs) != 5 || len(tries) != 5 {
			t.Errorf("%d chunks, %d encoded, %d runs, %d chunks tried: want 5", res.Chunks, res.Encoded, len(res.Runs), len(tries))
		}
		for i, n := range tries {
			if n != 1 {
				t.Errorf("chunk %d encoded %d times", i, n)
			}
		}
	})
	t.Run("mismatch", func(t *testing.T) {
		f := &fakeActivities{chunks: 3, tries: map[int]int{}, badChunk: &encode.Chunk{Index: 0, Start: 0, End: 12}}
		env := newEnv(t, f)
		f.signal = func(name string, arg any) { env.SignalWorkflow(name, arg) }
		env.ExecuteWorkflow(EncodeWorkflowName, EncodeInput{Source: "s3://b/src.mkv", Output: "s3://b/out.mp4"})
		err := env.GetWorkflowError()
		if err == nil || !strings.Contains(err.Error(), "is not the 0:12 signalled") {
			t.Errorf("workflow error %v, want the plan's chunk 0 is not the 0:12 signalled", err)
		}
	})
}
