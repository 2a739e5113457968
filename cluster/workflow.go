package cluster

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"rung/encode"
)

// EncodeInput is what EncodeWorkflow encodes: the workflow's whole input,
// small enough for any history.
type EncodeInput struct {
	Source   string          `json:"source"` // s3:// URL of the mezzanine
	Output   string          `json:"output"` // s3:// URL of the .mp4 or .mkv, written only when whole
	Settings encode.Settings `json:"settings"`
	// Threads is each chunk encoder's thread count; 0 lets the worker
	// choose (its cores over its concurrency).
	Threads int                `json:"threads,omitempty"`
	Plan    encode.PlanOptions `json:"plan"`
	// Frames, when set, encodes only frames [Start, End) as one chunk.
	Frames  *encode.Chunk `json:"frames,omitempty"`
	NoAudio bool          `json:"no_audio,omitempty"`
	// Chunks is the s3:// prefix of the encoded chunks (the shared chunk
	// cache); "" means Output + ".rung/".
	Chunks string `json:"chunks,omitempty"`
	// Heartbeat is the heartbeat timeout of a chunk: how soon a chunk
	// held by a lost worker is given to another (default 1 min).
	Heartbeat time.Duration `json:"heartbeat,omitempty"`
}

// ChunkPrefix returns where the input's chunks are stored.
func (in EncodeInput) ChunkPrefix() string {
	if in.Chunks != "" {
		return strings.TrimSuffix(in.Chunks, "/") + "/"
	}
	return in.Output + ".rung/"
}

// EncodeResult is what EncodeWorkflow did: encode.Result's fields and the
// record of every chunk activity.
type EncodeResult struct {
	encode.Result
	Runs []ChunkRun `json:"runs"`
}

// ChunkRun is the record of the chunk activity that stored one chunk.
type ChunkRun struct {
	Index   int    `json:"index"`
	URL     string `json:"url"`
	Bytes   int64  `json:"bytes"`
	Cached  bool   `json:"cached"`  // found in S3 (or the worker's cache), not encoded
	Worker  string `json:"worker"`  // identity of the worker that returned it
	Attempt int    `json:"attempt"` // 1 for the first try
	// Latency is how long the activity waited between being scheduled
	// and starting (Temporal's scheduling latency).
	Latency time.Duration `json:"latency_ns"`
	Seconds float64       `json:"seconds"` // time the activity ran
}

// EncodeProgress is what the progress query returns: the plan and the
// chunks stored so far. Frames within running chunks come from their
// heartbeats (Follow reads them).
type EncodeProgress struct {
	Stage  string       `json:"stage"` // "plan", "chunks", "concat" or "done"
	Plan   *encode.Plan `json:"plan,omitempty"`
	Frames int          `json:"frames"`
	Done   []ChunkRun   `json:"done"`
}

// The versions of EncodeWorkflow's code (workflow.GetVersion): a change
// that alters the commands a workflow issues gets a new one, so that
// histories recorded by an older worker replay unchanged.
const (
	// versionChunkWindow: chunk activities are scheduled in a window of
	// maxPendingChunks instead of all at once.
	versionChunkWindow workflow.Version = 1
	// versionStreamPlan: the plan activity signals each chunk as it is
	// found (PlanInput.Stream) and chunk activities start then.
	versionStreamPlan workflow.Version = 1
)

// EncodeWorkflow probes and plans the source (one activity), encodes its
// chunks as activities spread over the workers, and concatenates them into
// the output (one activity, which commits the object only when whole).
func EncodeWorkflow(ctx workflow.Context, in EncodeInput) (*EncodeResult, error) {
	if in.Heartbeat <= 0 {
		in.Heartbeat = defaultHeartbeat
	}
	prog := &EncodeProgress{Stage: "plan", Done: []ChunkRun{}}
	if err := workflow.SetQueryHandler(ctx, progressQuery, func() (*EncodeProgress, error) { return prog, nil }); err != nil {
		return nil, err
	}
	short := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    in.Heartbeat,
		RetryPolicy:         retryPolicy(),
	})
	// A streaming plan signals each chunk as soon as it is known, and its
	// encode is scheduled then; before, every chunk waited for the plan.
	stream := workflow.GetVersion(ctx, "stream-plan", workflow.DefaultVersion, versionStreamPlan) >= versionStreamPlan
	var planned PlanOutput
	planFuture := workflow.ExecuteActivity(short, planActivity, PlanInput{Source: in.Source, Output: in.Output, Settings: in.Settings, Plan: in.Plan, Frames: in.Frames, Stream: stream})
	var (
		chunks   []encode.Chunk // known so far; every chunk once the plan is done
		planDone bool
		sourceID string // the source's identity, for the chunk activities
		etag     string
		failed   error
	)
	fail := func(err error) {
		if failed == nil {
			failed = err
		}
	}
	finishPlan := func() {
		planDone = true
		chunks, sourceID, etag = planned.Plan.Chunks, planned.SourceID, planned.ETag
		prog.Stage, prog.Plan = "chunks", planned.Plan
		for _, c := range chunks {
			prog.Frames += c.Len()
		}
	}
	if !stream {
		if err := planFuture.Get(ctx, &planned); err != nil {
			return nil, err
		}
		finishPlan()
	}

	window := len(chunks)
	if workflow.GetVersion(ctx, "chunk-window", workflow.DefaultVersion, versionChunkWindow) >= versionChunkWindow {
		window = maxPendingChunks
	}
	var runs []ChunkRun
	var futures []workflow.Future
	chunkCtx := func(i int) workflow.Context {
		return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			ActivityID:          fmt.Sprintf("chunk-%05d", i),
			StartToCloseTimeout: 24 * time.Hour,
			HeartbeatTimeout:    in.Heartbeat,
			RetryPolicy:         retryPolicy(),
		})
	}
	sel := workflow.NewSelector(ctx)
	var schedule func()
	add := func(i int) {
		sel.AddFuture(futures[i], func(f workflow.Future) {
			if err := f.Get(ctx, &runs[i]); err != nil {
				fail(err)
				return
			}
			prog.Done = append(prog.Done, runs[i])
			schedule()
		})
	}
	schedule = func() {
		for next := len(futures); next < len(chunks) && next-len(prog.Done) < window; next++ {
			futures = append(futures, workflow.ExecuteActivity(chunkCtx(next), chunkActivity, ChunkInput{
				Source: in.Source, ETag: etag, SourceID: sourceID, Chunk: chunks[next],
				Settings: in.Settings, Threads: in.Threads, Prefix: in.ChunkPrefix(),
			}))
			runs = append(runs, ChunkRun{})
			add(next)
		}
	}
	schedule()
	if stream {
		sel.AddFuture(planFuture, func(f workflow.Future) {
			if err := f.Get(ctx, &planned); err != nil {
				fail(err)
				return
			}
			signalled := chunks
			finishPlan()
			for i, c := range signalled {
				if i >= len(chunks) || chunks[i] != c {
					fail(fmt.Errorf("encode: %s: the plan's chunk %d is not the %d:%d signalled", in.Source, i, c.Start, c.End))
					return
				}
			}
			schedule()
		})
		sel.AddReceive(workflow.GetSignalChannel(ctx, chunkSignal), func(c workflow.ReceiveChannel, _ bool) {
			var pc PlanChunk
			c.Receive(ctx, &pc)
			switch i := pc.Chunk.Index; {
			case planDone:
			case i == len(chunks):
				chunks = append(chunks, pc.Chunk)
				sourceID, etag = pc.SourceID, pc.ETag
				schedule()
			case i < len(chunks) && chunks[i] != pc.Chunk: // a retried plan must find the same chunks
				fail(fmt.Errorf("encode: %s: chunk %d signalled as %d:%d and before as %d:%d", in.Source, i, pc.Chunk.Start, pc.Chunk.End, chunks[i].Start, chunks[i].End))
			}
		})
	}
	for !planDone || len(prog.Done) < len(chunks) {
		sel.Select(ctx)
		if failed != nil {
			return nil, failed // pending chunks are cancelled with the workflow context
		}
	}
	plan := planned.Plan

	prog.Stage = "concat"
	urls := make([]string, len(runs))
	res := &EncodeResult{Result: encode.Result{Output: in.Output, Frames: prog.Frames, Chunks: len(plan.Chunks), Plan: plan}, Runs: runs}
	for i, r := range runs {
		urls[i] = r.URL
		if r.Cached {
			res.Cached++
		} else {
			res.Encoded++
		}
	}
	var joined ConcatOutput
	err := workflow.ExecuteActivity(short, concatActivity, ConcatInput{
		Source: in.Source, ETag: planned.ETag, Chunks: plan.Chunks, URLs: urls, Output: in.Output, NoAudio: in.NoAudio,
	}).Get(ctx, &joined)
	if err != nil {
		return nil, err
	}
	res.Bytes = joined.Bytes
	prog.Stage = "done"
	return res, nil
}
