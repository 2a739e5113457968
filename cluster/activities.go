package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"rung/encode"
	"rung/ladder/media"
	"rung/mezzfs"
)

// PlanInput is the input of the plan activity.
type PlanInput struct {
	Source   string             `json:"source"`
	Output   string             `json:"output"`
	Settings encode.Settings    `json:"settings"`
	Plan     encode.PlanOptions `json:"plan"`
	Frames   *encode.Chunk      `json:"frames,omitempty"`
	// Stream signals each chunk to the workflow (chunkSignal, a
	// PlanChunk) as soon as its end is known, so that its encode starts
	// while the rest of the source is searched for cuts.
	Stream bool `json:"stream,omitempty"`
}

// PlanChunk is one chunk of a plan still being made, with what every
// chunk activity needs to know of the source.
type PlanChunk struct {
	Chunk    encode.Chunk `json:"chunk"`
	SourceID string       `json:"source_id"`
	ETag     string       `json:"etag"`
}

// PlanOutput is the plan of a source and what identifies its content.
type PlanOutput struct {
	Plan     *encode.Plan `json:"plan"`
	SourceID string       `json:"source_id"` // encode.SourceID, part of every chunk key
	ETag     string       `json:"etag"`      // the object version every activity reads
}

// ChunkInput is the input of one chunk activity.
type ChunkInput struct {
	Source   string          `json:"source"`
	ETag     string          `json:"etag"`
	SourceID string          `json:"source_id"`
	Chunk    encode.Chunk    `json:"chunk"`
	Settings encode.Settings `json:"settings"`
	Threads  int             `json:"threads,omitempty"`
	Prefix   string          `json:"prefix"` // s3:// prefix of the chunk objects
}

// ConcatInput is the input of the concat activity.
type ConcatInput struct {
	Source  string         `json:"source"`
	ETag    string         `json:"etag"`
	Chunks  []encode.Chunk `json:"chunks"`
	URLs    []string       `json:"urls"`
	Output  string         `json:"output"`
	NoAudio bool           `json:"no_audio,omitempty"`
}

// ConcatOutput is what the concat activity wrote.
type ConcatOutput struct {
	Bytes int64 `json:"bytes"`
}

// Activities are the activities of a worker. Their methods are safe for
// concurrent use.
type Activities struct {
	// Identity names the worker in ChunkRun records.
	Identity string
	// CacheDir holds local chunk files and downloads; it is the worker's
	// own, never shared.
	CacheDir string
	// Concurrency is how many activities the worker runs at once; a chunk
	// encoder whose input leaves Threads at 0 gets cores / Concurrency
	// threads.
	Concurrency int
	// S3 configures the sources and outputs (endpoint, client, cache).
	S3 mezzfs.Options
	// Metrics, when set, counts what the activities do.
	Metrics *Metrics
	// Signal sends a signal to a workflow run (a Temporal client's
	// SignalWorkflow); a streaming plan needs it.
	Signal func(ctx context.Context, workflowID, runID, name string, arg any) error

	mu     sync.Mutex // guards probes and medias
	probes map[string]*encode.Info
	medias map[string]*media.FFmpeg // by model and preset
}

// Plan probes the source and cuts it into chunks (or takes in.Frames as
// the one chunk).
func (a *Activities) Plan(ctx context.Context, in PlanInput) (out PlanOutput, err error) {
	defer a.count(planActivity, &err)
	if err := in.Settings.Validate(); err != nil {
		return out, badInput(err)
	}
	if _, err := encode.OutputFormat(in.Output); err != nil {
		return out, badInput(err)
	}
	stop := heartbeatEvery(ctx, 5*time.Second, "planning")
	defer stop()
	src, info, err := a.open(ctx, in.Source, "")
	if err != nil {
		return out, err
	}
	defer src.Close()
	if out.SourceID, err = encode.SourceID(src); err != nil {
		return out, err
	}
	out.ETag = src.Info().ETag
	v := info.Video
	if in.Frames != nil {
		c := *in.Frames
		if c.Start < 0 || c.End > v.Frames || c.Start >= c.End {
			return out, badInput(fmt.Errorf("encode: %s: frames %d:%d outside the source's 0:%d", in.Source, c.Start, c.End, v.Frames))
		}
		c.Index = 0
		out.Plan = &encode.Plan{Source: in.Source, Frames: v.Frames, FrameRate: v.FrameRate, SceneCuts: []int{}, Chunks: []encode.Chunk{c}}
		return out, nil
	}
	found := func(encode.Chunk) error { return nil }
	if in.Stream && a.Signal != nil {
		wf := activity.GetInfo(ctx).WorkflowExecution
		found = func(c encode.Chunk) error {
			if err := a.Signal(ctx, wf.ID, wf.RunID, chunkSignal, PlanChunk{Chunk: c, SourceID: out.SourceID, ETag: out.ETag}); err != nil {
				return fmt.Errorf("worker: signal chunk %d: %w", c.Index, err)
			}
			return nil
		}
	}
	out.Plan, err = encode.PlanChunksFunc(ctx, src, info, in.Plan, found)
	return out, err
}

// EncodeChunk encodes one chunk into prefix/INDEX-KEY.nut, the key being
// the chunk cache key: when that object exists (a retry, a duplicate, a
// rerun) it is returned as it is.
func (a *Activities) EncodeChunk(ctx context.Context, in ChunkInput) (run ChunkRun, err error) {
	defer a.count(chunkActivity, &err)
	began := time.Now()
	ai := activity.GetInfo(ctx)
	// The thread count is part of the key (x264's output depends on it).
	set := in.Settings
	set.Threads = in.Threads
	if set.Threads == 0 {
		set.Threads = max(1, runtime.NumCPU()/max(1, a.Concurrency))
	}
	key := encode.ChunkKey(in.SourceID, in.Chunk, set)
	name := path.Base(encode.Cache{Dir: "/"}.Path(in.Chunk.Index, key))
	run = ChunkRun{Index: in.Chunk.Index, URL: in.Prefix + name, Worker: a.Identity, Attempt: int(ai.Attempt), Latency: ai.StartedTime.Sub(ai.ScheduledTime)}
	defer func() { run.Seconds = time.Since(began).Seconds() }()
	client, err := a.client(ctx)
	if err != nil {
		return run, err
	}
	if n, ok, err := stat(ctx, client, run.URL); err != nil {
		return run, err
	} else if ok {
		run.Bytes, run.Cached = n, true
		return run, nil
	}
	cache := encode.Cache{Dir: filepath.Join(a.CacheDir, "chunks")}
	if err := os.MkdirAll(cache.Dir, 0o755); err != nil {
		return run, fmt.Errorf("worker: cache dir: %w", err)
	}
	local := cache.Path(in.Chunk.Index, key)
	if !cache.Has(local) {
		src, info, err := a.open(ctx, in.Source, in.ETag)
		if err != nil {
			return run, err
		}
		defer src.Close()
		err = encode.EncodeChunk(ctx, encode.ChunkJob{
			Source: src, Info: info, Chunk: in.Chunk, Settings: set, Path: local, DecodeThreads: 1,
			Frames: func(done int, bytes int64) { activity.RecordHeartbeat(ctx, done) },
		})
		if err != nil {
			return run, classify(err)
		}
		a.Metrics.chunkEncoded(in.Settings.Codec, in.Chunk.Len(), time.Since(began))
	} else {
		run.Cached = true
	}
	if run.Bytes, err = a.upload(ctx, local, run.URL); err != nil {
		return run, err
	}
	return run, nil
}

// Concat downloads the chunks, joins them with the source's timestamps
// (and audio) and uploads the output, which appears only when whole.
func (a *Activities) Concat(ctx context.Context, in ConcatInput) (out ConcatOutput, err error) {
	defer a.count(concatActivity, &err)
	stop := heartbeatEvery(ctx, 5*time.Second, "concat")
	defer stop()
	src, info, err := a.open(ctx, in.Source, in.ETag)
	if err != nil {
		return out, err
	}
	defer src.Close()
	dir, err := os.MkdirTemp(a.CacheDir, "concat-")
	if err != nil {
		return out, fmt.Errorf("worker: concat dir: %w", err)
	}
	defer os.RemoveAll(dir)
	paths := make([]string, len(in.URLs))
	for i, u := range in.URLs {
		paths[i] = filepath.Join(a.CacheDir, "chunks", path.Base(u))
		if (encode.Cache{}).Has(paths[i]) {
			continue
		}
		paths[i] = filepath.Join(dir, path.Base(u))
		if err := a.download(ctx, u, paths[i]); err != nil {
			return out, err
		}
	}
	joined := filepath.Join(dir, "out"+path.Ext(in.Output))
	cj := encode.ConcatJob{Info: info, Chunks: in.Chunks, Paths: paths, Output: joined}
	if !in.NoAudio {
		cj.Audio = src
	}
	if _, err := encode.Concat(ctx, cj); err != nil {
		return out, err
	}
	out.Bytes, err = a.upload(ctx, joined, in.Output)
	return out, err
}

// open opens and probes the source (probes are kept by URL and ETag).
// When etag is set, the object must still be that version.
func (a *Activities) open(ctx context.Context, url, etag string) (*mezzfs.Source, *encode.Info, error) {
	opts, err := a.options(ctx)
	if err != nil {
		return nil, nil, err
	}
	src, err := mezzfs.Open(ctx, url, opts)
	if err != nil {
		return nil, nil, classify(err)
	}
	if etag != "" && src.Info().ETag != etag {
		src.Close()
		return nil, nil, badInput(fmt.Errorf("worker: %s changed since it was planned (ETag %s, planned %s)", url, src.Info().ETag, etag))
	}
	key := url + "|" + src.Info().ETag
	a.mu.Lock()
	info, ok := a.probes[key]
	a.mu.Unlock()
	if ok {
		return src, info, nil
	}
	info, err = encode.Probe(ctx, src, url)
	if err == nil && (info.Video == nil || info.Video.Frames == 0) {
		err = fmt.Errorf("encode: %s: %w", url, encode.ErrNoVideo)
	}
	if err != nil {
		src.Close()
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, badInput(err) // a source FFmpeg cannot read stays unreadable
	}
	a.mu.Lock()
	if a.probes == nil {
		a.probes = map[string]*encode.Info{}
	}
	a.probes[key] = info
	a.mu.Unlock()
	return src, info, nil
}

// options returns the S3 options with one shared client.
func (a *Activities) options(ctx context.Context) (mezzfs.Options, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.S3.S3 == nil {
		c, err := mezzfs.NewS3Client(ctx, a.S3.S3Options)
		if err != nil {
			return a.S3, err
		}
		a.S3.S3 = c
	}
	// One block cache for every activity of the worker: the chunks of a
	// source fetch its blocks once.
	if a.S3.Cache == nil {
		c, err := mezzfs.NewCache(a.S3.CacheOptions)
		if err != nil {
			return a.S3, err
		}
		a.S3.Cache = c
	}
	return a.S3, nil
}

func (a *Activities) client(ctx context.Context) (*s3.Client, error) {
	o, err := a.options(ctx)
	return o.S3, err
}

// upload copies a local file to url; the object appears only once whole.
func (a *Activities) upload(ctx context.Context, local, url string) (int64, error) {
	opts, err := a.options(ctx)
	if err != nil {
		return 0, err
	}
	src, err := mezzfs.Open(ctx, local, mezzfs.Options{})
	if err != nil {
		return 0, err
	}
	defer src.Close()
	out, err := mezzfs.Create(ctx, url, opts)
	if err != nil {
		return 0, err
	}
	defer out.Abort()
	n, err := mezzfs.Copy(ctx, out, src, nil)
	if err != nil {
		return 0, fmt.Errorf("worker: upload %s: %w", url, err)
	}
	if err := out.Commit(); err != nil {
		return 0, err
	}
	a.Metrics.s3Bytes("out", n)
	return n, nil
}

// download copies url into the local file dst (written under a temporary
// name, renamed when whole).
func (a *Activities) download(ctx context.Context, url, dst string) error {
	opts, err := a.options(ctx)
	if err != nil {
		return err
	}
	src, err := mezzfs.Open(ctx, url, opts)
	if err != nil {
		return classify(err)
	}
	defer src.Close()
	out, err := mezzfs.Create(ctx, dst, mezzfs.Options{})
	if err != nil {
		return err
	}
	defer out.Abort()
	n, err := mezzfs.Copy(ctx, out, src, nil)
	if err != nil {
		return fmt.Errorf("worker: download %s: %w", url, err)
	}
	a.Metrics.s3Bytes("in", n)
	return out.Commit()
}

// count records an activity's outcome.
func (a *Activities) count(name string, err *error) {
	a.Metrics.activity(name, *err)
}

// stat returns the size of the object at url and whether it exists.
func stat(ctx context.Context, client *s3.Client, url string) (int64, bool, error) {
	u, err := mezzfs.ParseS3URL(url)
	if err != nil {
		return 0, false, badInput(err)
	}
	out, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(u.Key)})
	var nf *types.NotFound
	var ae smithy.APIError
	switch {
	case errors.As(err, &nf), errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NoSuchKey"):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("worker: stat %s: %w", url, err)
	}
	return aws.ToInt64(out.ContentLength), true, nil
}

// heartbeatEvery records a heartbeat with details every d until stop is
// called: for steps without a progress callback, so that a lost worker is
// noticed within the heartbeat timeout.
func heartbeatEvery(ctx context.Context, d time.Duration, details any) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			activity.RecordHeartbeat(ctx, details)
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done) }
}

// badInput marks err as one no retry can fix.
func badInput(err error) error {
	return temporal.NewNonRetryableApplicationError(err.Error(), errBadInput, err)
}

// classify marks the failures of bad input among err: unknown codecs,
// unsupported formats, objects that do not exist or cannot be read.
func classify(err error) error {
	var ae smithy.APIError
	switch {
	case errors.Is(err, encode.ErrUnknownCodec), errors.Is(err, encode.ErrUnsupported), errors.Is(err, encode.ErrNoVideo),
		errors.Is(err, os.ErrNotExist):
		return badInput(err)
	case errors.As(err, &ae):
		switch ae.ErrorCode() {
		case "NotFound", "NoSuchKey", "NoSuchBucket", "AccessDenied", "Forbidden":
			return badInput(err)
		}
	}
	return err
}
