package cluster

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"rung/encode"
	"rung/ladder"
	"rung/ladder/media"
)

// Names of the ladder's workflows and activities.
const (
	// LadderWorkflowName is the workflow of one per-title ladder
	// (LadderWorkflow); start it with StartLadder.
	LadderWorkflowName = "rung.Ladder"
	// TrialWorkflowName is the child workflow of one candidate: its chunk
	// encodes and its measure (concat, bitrate, score).
	TrialWorkflowName = "rung.Trial"

	prepareActivity   = "rung.LadderPrepare"
	measureActivity   = "rung.Measure"
	referenceActivity = "rung.Reference"
	finishActivity    = "rung.LadderFinish"
)

// LadderOptions are the options of `rung ladder` that a ladder workflow
// takes. Zero values take the local run's defaults.
type LadderOptions struct {
	Codec      string               `json:"codec,omitempty"`
	Heights    []int                `json:"heights,omitempty"`
	Select     ladder.SelectOptions `json:"select"`
	Fixed      string               `json:"fixed,omitempty"` // reference ladder; "" none
	Exhaustive bool                 `json:"exhaustive,omitempty"`
	// Workers is the candidates measured at once: the search's batch size,
	// which its decisions depend on (default 1, as `rung ladder`).
	Workers int    `json:"workers,omitempty"`
	Model   string `json:"model,omitempty"`
	Preset  string `json:"preset,omitempty"`
	// Optimize is ladder.PerShot or ladder.PerTitle ("" is the local
	// run's default).
	Optimize string `json:"optimize,omitempty"`
}

// LadderInput is the input of LadderWorkflow: the start API of a ladder
// (rung ladder --temporal, rung serve).
type LadderInput struct {
	Source  string        `json:"source"` // s3:// URL of the mezzanine
	Output  string        `json:"output"` // s3:// prefix of the ladder
	Options LadderOptions `json:"options"`
	// Heartbeat is the heartbeat timeout of the activities (default 1 min).
	Heartbeat time.Duration `json:"heartbeat,omitempty"`
}

// options returns the ladder.Options of the input, with a local output
// directory for the steps that write files.
func (in LadderInput) options(outDir string) ladder.Options {
	o := in.Options
	return ladder.Options{Input: in.Source, OutDir: outDir, Codec: o.Codec, Heights: o.Heights, Select: o.Select,
		Fixed: o.Fixed, Exhaustive: o.Exhaustive, Workers: o.Workers, Model: o.Model, Optimize: o.Optimize}
}

// LadderResult is what LadderWorkflow produced: the report and the URLs of
// ladder.json, report.html and master.m3u8.
type LadderResult struct {
	Report ladder.Report `json:"report"`
	JSON   string        `json:"json"`
	HTML   string        `json:"html"`
	Master string        `json:"master"`
}

// LadderProgress is what a ladder's progress query returns.
type LadderProgress struct {
	Stage string       `json:"stage"` // "prepare", "trial", "reference", "finish", "done"
	Done  int          `json:"done"`  // steps of the stage finished
	Total int          `json:"total"` // the most steps of the stage
	Steps []LadderStep `json:"steps"` // every finished step
}

// LadderStep is one finished step of a ladder, as ladder.Progress reports
// it in a local run.
type LadderStep struct {
	Stage string `json:"stage"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
	Label string `json:"label"`
}

// prepared is what the prepare activity learns about the source.
type prepared struct {
	Source ladder.SourceInfo `json:"source"`
	Sizes  []ladder.Size     `json:"sizes"`
	CRFs   []float64         `json:"crfs"`
	Model  string            `json:"model"`
	PlanOutput
}

// TrialInput is one candidate's encode and measure.
type TrialInput struct {
	Source    string          `json:"source"`
	ETag      string          `json:"etag"`
	SourceID  string          `json:"source_id"`
	Chunks    []encode.Chunk  `json:"chunks"`
	Settings  encode.Settings `json:"settings"`
	Size      ladder.Size     `json:"size"`
	Prefix    string          `json:"prefix"` // s3:// prefix of the chunk objects
	Output    string          `json:"output"` // s3:// prefix of the ladder
	File      string          `json:"file"`   // the encode, relative to Output
	Model     string          `json:"model"`
	Heartbeat time.Duration   `json:"heartbeat"`
}

// ladderChunkPrefix is where a ladder's chunks are stored.
func ladderChunkPrefix(output string) string {
	return strings.TrimSuffix(output, "/") + "/work/chunks/"
}

// LadderWorkflow builds the per-title ladder of the input: it prepares the
// source (probe, plan, grid), lets ladder.Planner pick the candidates and
// measures each as a TrialWorkflow child (its chunk encodes and its score
// are activities, which keeps every history small), encodes the fixed
// reference ladder, and finishes on a worker (ladder.Finish: rungs, HLS,
// report), uploading master.m3u8 last.
func LadderWorkflow(ctx workflow.Context, in LadderInput) (*LadderResult, error) {
	if in.Heartbeat <= 0 {
		in.Heartbeat = defaultHeartbeat
	}
	prog := &LadderProgress{Stage: "prepare", Steps: []LadderStep{}}
	if err := workflow.SetQueryHandler(ctx, progressQuery, func() (*LadderProgress, error) { return prog, nil }); err != nil {
		return nil, err
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 24 * time.Hour,
		HeartbeatTimeout:    in.Heartbeat,
		RetryPolicy:         retryPolicy(),
	})
	var prep prepared
	if err := workflow.ExecuteActivity(actx, prepareActivity, in).Get(ctx, &prep); err != nil {
		return nil, err
	}
	perShot := in.Options.Optimize == "" || in.Options.Optimize == ladder.PerShot
	pl, err := ladder.NewPlanner(ladder.SearchOptions{Sizes: prep.Sizes, CRFs: prep.CRFs, Exhaustive: in.Options.Exhaustive,
		Workers: in.Options.Workers, PerShot: perShot})
	if err != nil {
		return nil, err
	}
	codec := in.Options.Codec
	if codec == "" {
		codec = "x264"
	}
	prog.Stage, prog.Total = "trial", pl.Most()
	info := workflow.GetInfo(ctx)
	for batch := pl.Next(); len(batch) > 0; batch = pl.Next() {
		futures := make([]workflow.ChildWorkflowFuture, len(batch))
		for i, c := range batch {
			file := fmt.Sprintf("work/cand_%dx%d_%s_crf%s.mp4", c.Size.Width, c.Size.Height, codec, strconv.FormatFloat(c.CRF, 'f', -1, 64))
			cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
				WorkflowID: fmt.Sprintf("%s/%dx%d-crf%s", info.WorkflowExecution.ID, c.Size.Width, c.Size.Height, strconv.FormatFloat(c.CRF, 'f', -1, 64)),
			})
			futures[i] = workflow.ExecuteChildWorkflow(cctx, TrialWorkflowName, TrialInput{
				Source: in.Source, ETag: prep.ETag, SourceID: prep.SourceID, Chunks: prep.Plan.Chunks,
				// The settings of media.FFmpeg's chunks, so that the
				// measure finds them in its cache.
				Settings: media.ChunkSettings(ladder.EncodeJob{Codec: codec, Size: c.Size, CRF: c.CRF}, in.Options.Preset,
					float64(prep.Source.FrameRateNum)/float64(max(1, prep.Source.FrameRateDen))),
				Size: c.Size, Prefix: ladderChunkPrefix(in.Output), Output: in.Output, File: file, Model: prep.Model, Heartbeat: in.Heartbeat,
			})
		}
		// Recorded in the batch's order: the planner's decisions do not
		// depend on it, and the history stays the same on replay.
		for i, f := range futures {
			var p ladder.Point
			if err := f.Get(ctx, &p); err != nil {
				return nil, err
			}
			p = pl.Record(batch[i], p)
			prog.Done++
			prog.Steps = append(prog.Steps, LadderStep{"trial", prog.Done, prog.Total, fmt.Sprintf("%s: %.0f kb/s, VMAF %.2f", p.Label(), p.Kbps, p.VMAF)})
		}
	}
	found := pl.Result()
	var ref []ladder.Point
	if in.Options.Fixed != "" {
		rungs, err := ladder.FixedFor(in.Options.Fixed, prep.Source.Size)
		if err != nil {
			return nil, err
		}
		prog.Stage, prog.Done, prog.Total = "reference", 0, len(rungs)
		for i, r := range rungs {
			file := fmt.Sprintf("work/%s_%d_%dx%d_%s_%gk.mp4", in.Options.Fixed, i, r.Size.Width, r.Size.Height, codec, r.Kbps)
			var p ladder.Point
			err := workflow.ExecuteActivity(actx, referenceActivity, ReferenceInput{
				Source: in.Source, ETag: prep.ETag, Codec: codec, Preset: in.Options.Preset, Size: r.Size, Kbps: r.Kbps,
				Output: in.Output, File: file, Model: prep.Model,
			}).Get(ctx, &p)
			if err != nil {
				return nil, err
			}
			ref = append(ref, p)
			prog.Done++
			prog.Steps = append(prog.Steps, LadderStep{"reference", prog.Done, prog.Total, fmt.Sprintf("%s: %.0f kb/s, VMAF %.2f", p.Label(), p.Kbps, p.VMAF)})
		}
	}
	prog.Stage, prog.Done, prog.Total = "finish", 0, 1
	var res LadderResult
	err = workflow.ExecuteActivity(actx, finishActivity, FinishInput{
		Input: in, Source: prep.Source, Model: prep.Model, Found: found, Reference: ref,
		SourceID: prep.SourceID, Chunks: prep.Plan.Chunks,
	}).Get(ctx, &res)
	if err != nil {
		return nil, err
	}
	prog.Stage, prog.Done = "done", 1
	return &res, nil
}

// TrialWorkflow encodes one candidate's chunks as activities and measures
// the joined encode (bitrate and VMAF) in one more.
func TrialWorkflow(ctx workflow.Context, in TrialInput) (*ladder.Point, error) {
	futures := make([]workflow.Future, len(in.Chunks))
	for i, c := range in.Chunks {
		cctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			ActivityID:          fmt.Sprintf("chunk-%05d", i),
			StartToCloseTimeout: 24 * time.Hour,
			HeartbeatTimeout:    in.Heartbeat,
			RetryPolicy:         retryPolicy(),
		})
		// One encoder thread per chunk, as the local ladder encodes them.
		futures[i] = workflow.ExecuteActivity(cctx, chunkActivity, ChunkInput{
			Source: in.Source, ETag: in.ETag, SourceID: in.SourceID, Chunk: c, Settings: in.Settings, Threads: 1, Prefix: in.Prefix,
		})
	}
	urls := make([]string, len(in.Chunks))
	for i, f := range futures {
		var run ChunkRun
		if err := f.Get(ctx, &run); err != nil {
			return nil, err
		}
		urls[i] = run.URL
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 24 * time.Hour,
		HeartbeatTimeout:    in.Heartbeat,
		RetryPolicy:         retryPolicy(),
	})
	var p ladder.Point
	if err := workflow.ExecuteActivity(actx, measureActivity, MeasureInput{Trial: in, URLs: urls}).Get(ctx, &p); err != nil {
		return nil, err
	}
	return &p, nil
}
