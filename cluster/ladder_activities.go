package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"rung/encode"
	"rung/ladder"
	"rung/ladder/media"
	"rung/quality"
)

// MeasureInput is a candidate whose chunks are stored at URLs.
type MeasureInput struct {
	Trial TrialInput `json:"trial"`
	URLs  []string   `json:"urls"`
}

// ReferenceInput is one bitrate-targeted rung of a fixed reference ladder.
type ReferenceInput struct {
	Source string      `json:"source"`
	ETag   string      `json:"etag"`
	Codec  string      `json:"codec"`
	Preset string      `json:"preset,omitempty"`
	Size   ladder.Size `json:"size"`
	Kbps   float64     `json:"kbps"`
	Output string      `json:"output"`
	File   string      `json:"file"`
	Model  string      `json:"model"`
}

// FinishInput is what the finish activity needs: the search's result (the
// points' files under Input.Output) and the reference points.
type FinishInput struct {
	Input     LadderInput         `json:"input"`
	Source    ladder.SourceInfo   `json:"source"`
	Model     string              `json:"model"`
	Found     ladder.SearchResult `json:"found"`
	Reference []ladder.Point      `json:"reference,omitempty"`
	SourceID  string              `json:"source_id"`
	Chunks    []encode.Chunk      `json:"chunks"`
}

// Prepare checks the ladder's options, probes and plans the source and
// returns the candidate grid: what ladder.Run does before its search.
func (a *Activities) Prepare(ctx context.Context, in LadderInput) (out prepared, err error) {
	defer a.count(prepareActivity, &err)
	o := in.options("out")
	if err := o.Validate(); err != nil {
		return out, badInput(err)
	}
	stop := heartbeatEvery(ctx, 5*time.Second, "prepare")
	defer stop()
	src, info, err := a.open(ctx, in.Source, "")
	if err != nil {
		return out, err
	}
	defer src.Close()
	v := info.Video
	out.Source = ladder.SourceInfo{Size: ladder.Size{Width: v.Width, Height: v.Height}, FrameRateNum: v.FrameRate.Num, FrameRateDen: v.FrameRate.Den, Frames: v.Frames}
	if secs := out.Source.Seconds(); secs < 1 {
		return out, badInput(fmt.Errorf("ladder: %s is %.2f s (%d frames) long, shorter than one chunk (1 s)", in.Source, secs, v.Frames))
	}
	if out.Sizes, err = ladder.Sizes(out.Source.Size, o.Heights); err != nil {
		return out, badInput(fmt.Errorf("%w (%s)", err, in.Source))
	}
	codec := o.Codec
	if codec == "" {
		codec = "x264"
	}
	r, err := ladder.CRFRangeFor(codec)
	if err != nil {
		return out, badInput(err)
	}
	out.CRFs = r.Values()
	out.Model = o.Model
	if out.Model == "" {
		out.Model = ladder.DefaultModel
		if v.Width*v.Height > 2560*1440 {
			out.Model = ladder.Model4K
		}
	}
	if _, err := a.media(ctx, out.Model, in.Options.Preset); err != nil {
		return out, err
	}
	if out.SourceID, err = encode.SourceID(src); err != nil {
		return out, err
	}
	out.ETag = src.Info().ETag
	// The plan of media.FFmpeg (default chunk lengths), so that a
	// worker's media finds every chunk in its cache.
	out.Plan, err = encode.PlanChunks(ctx, src, info, encode.PlanOptions{})
	return out, err
}

// Measure joins a candidate's chunks, measures its bitrate and its VMAF
// against the source (media.FFmpeg, as the local run does: the
// chunks are put in its cache, where it finds them), and stores the encode
// and its per-frame scores next to each other under the ladder's prefix.
func (a *Activities) Measure(ctx context.Context, in MeasureInput) (p ladder.Point, err error) {
	defer a.count(measureActivity, &err)
	stop := heartbeatEvery(ctx, 5*time.Second, "measure")
	defer stop()
	t := in.Trial
	m, err := a.media(ctx, t.Model, t.Settings.Preset)
	if err != nil {
		return p, err
	}
	if err := os.MkdirAll(a.mediaCache(), 0o755); err != nil {
		return p, fmt.Errorf("worker: cache dir: %w", err)
	}
	for _, u := range in.URLs {
		dst := filepath.Join(a.mediaCache(), path.Base(u))
		if (encode.Cache{}).Has(dst) {
			continue
		}
		if err := a.download(ctx, u, dst); err != nil {
			return p, err
		}
	}
	return a.measure(ctx, m, ladder.EncodeJob{Source: t.Source, Codec: t.Settings.Codec, Size: t.Size, CRF: t.Settings.CRF}, t.Output, t.File)
}

// Reference encodes and measures one rung of a fixed reference ladder
// (two-pass over the whole source, on this worker).
func (a *Activities) Reference(ctx context.Context, in ReferenceInput) (p ladder.Point, err error) {
	defer a.count(referenceActivity, &err)
	stop := heartbeatEvery(ctx, 5*time.Second, "reference")
	defer stop()
	m, err := a.media(ctx, in.Model, in.Preset)
	if err != nil {
		return p, err
	}
	return a.measure(ctx, m, ladder.EncodeJob{Source: in.Source, Codec: in.Codec, Size: in.Size, Kbps: in.Kbps}, in.Output, in.File)
}

// measure encodes (from cached chunks) and scores job into a local file,
// uploads it and its scores to output/file and returns its point.
func (a *Activities) measure(ctx context.Context, m *media.FFmpeg, job ladder.EncodeJob, output, file string) (ladder.Point, error) {
	// The media keeps the sources it opens for the next activities, and a
	// source's reads end with the context it was opened with: open it
	// with one that outlives this activity (encoding and scoring still
	// stop with ctx).
	if _, err := m.Probe(context.WithoutCancel(ctx), job.Source); err != nil {
		return ladder.Point{}, classify(err)
	}
	dir, err := os.MkdirTemp(a.CacheDir, "measure-")
	if err != nil {
		return ladder.Point{}, fmt.Errorf("worker: measure dir: %w", err)
	}
	defer os.RemoveAll(dir)
	job.Out = filepath.Join(dir, path.Base(file))
	kbps, err := m.Encode(ctx, job)
	if err != nil {
		return ladder.Point{}, classify(err)
	}
	began := time.Now()
	frames, err := m.Score(ctx, job.Source, job.Out)
	if err != nil {
		return ladder.Point{}, classify(err)
	}
	p := ladder.Point{Width: job.Size.Width, Height: job.Size.Height, CRF: job.CRF, Target: job.Kbps, Kbps: kbps, File: file}
	for _, f := range []struct {
		method string
		dst    *float64
	}{{"mean", &p.VMAF}, {"p5", &p.P5}, {"min", &p.Min}} {
		if *f.dst, err = quality.Pool(f.method, frames); err != nil {
			return p, err
		}
	}
	a.Metrics.scored(p.VMAF, time.Since(began))
	url := joinURL(output, file)
	if _, err := a.upload(ctx, job.Out, url); err != nil {
		return p, err
	}
	scores := job.Out + ".vmaf.json"
	b, _ := json.Marshal(frames)
	if err := os.WriteFile(scores, b, 0o644); err != nil {
		return p, fmt.Errorf("worker: %w", err)
	}
	if _, err := a.upload(ctx, scores, url+".vmaf.json"); err != nil {
		return p, err
	}
	return p, nil
}

// Finish gathers what ladder.Finish reads, runs it (rungs, per-shot
// assembly, BD-rate, HLS, worst frames, plots, report) with the worker's
// media, and uploads the ladder, master.m3u8 last. It downloads the hull's
// encodes and, for a per-shot ladder, every trial's chunks and scores.
func (a *Activities) Finish(ctx context.Context, in FinishInput) (res LadderResult, err error) {
	defer a.count(finishActivity, &err)
	stop := heartbeatEvery(ctx, 5*time.Second, "finish")
	defer stop()
	m, err := a.media(ctx, in.Model, in.Input.Options.Preset)
	if err != nil {
		return res, err
	}
	if _, err := m.Probe(context.WithoutCancel(ctx), in.Input.Source); err != nil {
		return res, classify(err)
	}
	dir, err := os.MkdirTemp(a.CacheDir, "ladder-")
	if err != nil {
		return res, fmt.Errorf("worker: ladder dir: %w", err)
	}
	defer os.RemoveAll(dir)
	o := in.Input.options(dir)
	o.Model, o.Media = in.Model, m
	perShot := o.Optimize == "" || o.Optimize == ladder.PerShot
	found := in.Found
	scores := func(p ladder.Point) ([]float64, error) {
		local := filepath.Join(dir, filepath.FromSlash(p.File))
		if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
			return nil, fmt.Errorf("worker: %w", err)
		}
		url := joinURL(in.Input.Output, p.File)
		if err := a.download(ctx, url, local); err != nil {
			return nil, err
		}
		if err := a.download(ctx, url+".vmaf.json", local+".vmaf.json"); err != nil {
			return nil, err
		}
		var frames []float64
		b, err := os.ReadFile(local + ".vmaf.json")
		if err == nil {
			err = json.Unmarshal(b, &frames)
		}
		if err != nil {
			return nil, fmt.Errorf("worker: scores of %s: %w", url, err)
		}
		return frames, nil
	}
	for i, p := range found.Hull {
		if found.Hull[i].Frames, err = scores(p); err != nil {
			return res, err
		}
	}
	if perShot {
		if err := a.fetchChunks(ctx, in, found.Points); err != nil {
			return res, err
		}
		for i, p := range found.Points {
			if found.Points[i].Frames, err = scores(p); err != nil {
				return res, err
			}
		}
		if found.Shots, err = ladder.Shots(ctx, o, in.Source, found.Points); err != nil {
			return res, classify(err)
		}
	}
	r, err := ladder.Finish(ctx, o, in.Source, found, in.Reference)
	if err != nil {
		return res, classify(err)
	}
	if err := a.uploadDir(ctx, dir, in.Input.Output); err != nil {
		return res, err
	}
	remote := func(p string) string {
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return p
		}
		return joinURL(in.Input.Output, filepath.ToSlash(rel))
	}
	return LadderResult{Report: r.Report, JSON: remote(r.JSON), HTML: remote(r.HTML), Master: remote(r.Master)}, nil
}

// fetchChunks puts the chunks of every trial into the worker media's cache
// (a per-shot ladder joins its rungs from them).
func (a *Activities) fetchChunks(ctx context.Context, in FinishInput, trials []ladder.Point) error {
	if err := os.MkdirAll(a.mediaCache(), 0o755); err != nil {
		return fmt.Errorf("worker: cache dir: %w", err)
	}
	codec := in.Input.Options.Codec
	if codec == "" {
		codec = "x264"
	}
	fps := float64(in.Source.FrameRateNum) / float64(max(1, in.Source.FrameRateDen))
	prefix := ladderChunkPrefix(in.Input.Output)
	for _, p := range trials {
		set := media.ChunkSettings(ladder.EncodeJob{Codec: codec, Size: ladder.Size{Width: p.Width, Height: p.Height}, CRF: p.CRF}, in.Input.Options.Preset, fps)
		for _, c := range in.Chunks {
			name := path.Base(encode.Cache{Dir: "/"}.Path(c.Index, encode.ChunkKey(in.SourceID, c, set)))
			dst := filepath.Join(a.mediaCache(), name)
			if (encode.Cache{}).Has(dst) {
				continue
			}
			if err := a.download(ctx, prefix+name, dst); err != nil {
				return err
			}
		}
	}
	return nil
}

// uploadDir uploads the ladder built in dir (its work directory aside) to
// the prefix, master.m3u8 last, so that a prefix holding it is complete.
func (a *Activities) uploadDir(ctx context.Context, dir, prefix string) error {
	var files []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case fi.IsDir() && rel == "work":
			return filepath.SkipDir
		case fi.Mode().IsRegular() && rel != "master.m3u8":
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("worker: upload %s: %w", dir, err)
	}
	files = append(files, "master.m3u8")
	for _, rel := range files {
		if _, err := a.upload(ctx, filepath.Join(dir, filepath.FromSlash(rel)), joinURL(prefix, rel)); err != nil {
			return err
		}
	}
	return nil
}

// media returns the worker's media.FFmpeg for a model and preset,
// made once: it keeps the sources it opened, probed and planned.
func (a *Activities) media(ctx context.Context, model, preset string) (*media.FFmpeg, error) {
	opts, err := a.options(ctx)
	if err != nil {
		return nil, err
	}
	key := model + "|" + preset
	a.mu.Lock()
	defer a.mu.Unlock()
	if m, ok := a.medias[key]; ok {
		return m, nil
	}
	m, err := media.New(media.Options{Model: model, CacheDir: a.mediaCache(), Preset: preset, Source: opts,
		Threads: max(1, runtime.NumCPU()/max(1, a.Concurrency))})
	if err != nil {
		return nil, err
	}
	if err := m.LoadModel(model); err != nil {
		m.Close()
		return nil, badInput(err)
	}
	if a.medias == nil {
		a.medias = map[string]*media.FFmpeg{}
	}
	a.medias[key] = m
	return m, nil
}

// mediaCache is the chunk cache of the worker's ladder media.
func (a *Activities) mediaCache() string { return filepath.Join(a.CacheDir, "ladder-chunks") }

// Close releases the sources the worker's ladder media opened.
func (a *Activities) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, m := range a.medias {
		m.Close()
		delete(a.medias, k)
	}
	return nil
}

// joinURL appends a slash-separated relative path to an s3:// prefix.
func joinURL(prefix, rel string) string {
	return strings.TrimSuffix(prefix, "/") + "/" + path.Clean(rel)
}
