package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"rung/encode"
	"rung/ladder"
	"rung/ladder/media"
	"rung/mezzfs"
	"rung/quality"
)

// encodeCommand is `rung encode INPUT -o OUT --codec C --crf N ...`.
func encodeCommand() *cli.Command {
	return &cli.Command{
		Name:      "encode",
		Usage:     "encode a video in scene-cut chunks in parallel, resuming from finished chunks",
		ArgsUsage: "INPUT",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output file (.mp4 or .mkv), a path or s3://bucket/key (uploaded once complete)"},
			&cli.StringFlag{Name: "codec", Value: "x264", Usage: "x264, x265, svtav1, vp9 or aom"},
			&cli.Float64Flag{Name: "crf", Value: 23, Usage: "constant quality (CRF)"},
			&cli.Float64Flag{Name: "target-vmaf", Usage: "give each chunk the CRF that reaches this VMAF (probes, interpolated, corrected) instead of one --crf"},
			&cli.StringFlag{Name: "pool", Value: "mean", Usage: "with --target-vmaf: how a chunk's frames are pooled (mean, harmonic_mean, min, p1, p5, ...)"},
			&cli.StringFlag{Name: "model", Usage: "with --target-vmaf: VMAF model (default vmaf_v0.6.1, vmaf_4k_v0.6.1 above 2560x1440)"},
			&cli.IntFlag{Name: "qp", Usage: "constant quantizer instead of CRF (x264, x265, svtav1)"},
			&cli.StringFlag{Name: "preset", Usage: "encoder preset (x264/x265 name, svtav1/vp9/aom speed number)"},
			&cli.IntFlag{Name: "height", Usage: "output height (width keeps the aspect ratio)"},
			&cli.IntFlag{Name: "keyint", Usage: "maximum keyframe interval in frames"},
			&cli.IntFlag{Name: "bit-depth", Value: 8, Usage: "output bit depth, 8 or 10"},
			&cli.StringFlag{Name: "params", Aliases: []string{"x264-params", "x265-params", "svtav1-params", "aom-params"},
				Usage: "encoder options, key=value:key=value (x264-params style)"},
			&cli.Float64Flag{Name: "chunk-seconds", Usage: "longest chunk in seconds (default 10)"},
			&cli.Float64Flag{Name: "min-chunk", Usage: "shortest chunk in seconds (default 1)"},
			&cli.IntFlag{Name: "workers", Usage: "chunks encoded at once; 1 decodes the source once and streams it to each chunk in turn (default from cores, codec and memory)"},
			&cli.StringFlag{Name: "frames", Usage: "encode only frames A:B (B exclusive) as one chunk"},
			&cli.StringFlag{Name: "plan-json", Usage: "write the chunk plan as JSON to FILE (- for stdout)"},
			&cli.StringFlag{Name: "plan", Usage: "encode the chunks of a plan written by --plan-json"},
			&cli.StringFlag{Name: "work-dir", Usage: "directory of finished chunks (default OUT.rung; for an s3:// OUT, one in $TMPDIR named after it)"},
			&cli.BoolFlag{Name: "no-audio", Usage: "drop the source's audio"},
			&cli.IntFlag{Name: "audio-track", Usage: "keep only audio track `N` (1 is the first; default: every track)"},
			&cli.BoolFlag{Name: "keep-interlaced", Usage: "encode an interlaced source's frames as they are (default: deinterlace with bwdif first)"},
			&cli.BoolFlag{Name: "strict", Usage: "fail on any packet that does not decode (default: encode the frames that decode, warn about the rest)"},
			&cli.BoolFlag{Name: "clean", Usage: "remove the work dir after a successful encode"},
			&cli.BoolFlag{Name: "json", Usage: "progress as JSON events on stdout, one per line"},
		}, append(sourceFlags(), encodeTemporalFlags()...)...),
		Action: runEncode,
	}
}

func runEncode(c *cli.Context) (err error) {
	args, err := positional(c)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return usagef("encode: want exactly one INPUT, got %d arguments", len(args))
	}
	job, err := encodeJob(c)
	if err != nil {
		return err
	}
	if c.IsSet("target-vmaf") {
		if c.String("temporal") != "" {
			return usagef("encode: --target-vmaf runs on this machine only, not with --temporal")
		}
		return runTargetEncode(c, args[0], job)
	}
	if c.String("temporal") != "" {
		return runEncodeTemporal(c, args[0], job)
	}
	s, err := openSession(c)
	if err != nil {
		return err
	}
	defer func() { err = s.close(err) }()
	src, closeSrc, err := encode.OpenSourceWith(c.Context, args[0], s.opts)
	if err != nil {
		return err
	}
	defer closeSrc()
	job.Source, job.Name = src, args[0]
	dst := job.Output
	if mezzfs.IsS3(dst) {
		// Encoded to a file in the work dir, uploaded once whole.
		if job.WorkDir == "" {
			job.WorkDir = s3WorkDir(dst)
		}
		if err := os.MkdirAll(job.WorkDir, 0o755); err != nil {
			return fmt.Errorf("encode: work dir: %w", err)
		}
		job.Output = filepath.Join(job.WorkDir, path.Base(dst))
		defer os.Remove(job.Output)
	}
	progress, wait := progressOutput(c.Bool("json"))
	job.Progress = progress
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM) // finished chunks stay for the rerun
	defer stop()
	_, statErr := os.Stat(workDir(job))
	newWorkDir := os.IsNotExist(statErr)
	res, err := encode.Encode(ctx, job)
	wait()
	if err != nil && newWorkDir && badMedia(err) {
		os.RemoveAll(workDir(job)) // no rerun can fix the source: leave nothing behind
	}
	if err == nil && dst != job.Output {
		err = uploadFile(ctx, job.Output, dst, s.opts)
		res.Output = dst
	}
	if err != nil {
		if ctx.Err() != nil && c.Context.Err() == nil {
			return fmt.Errorf("encode: interrupted; finished chunks stay in %s for the rerun", workDir(job))
		}
		if errors.Is(err, encode.ErrUnknownCodec) {
			return usageError{err}
		}
		return err
	}
	if p := c.String("plan-json"); p != "" {
		if err := writePlan(p, res.Plan); err != nil {
			return err
		}
	}
	if c.Bool("clean") {
		os.RemoveAll(workDir(job))
	}
	if !c.Bool("json") {
		if len(res.Lost) > 0 { // --json has the warning event
			fmt.Fprintf(os.Stderr, "rung: warning: %s: %s; encoded the %d that decode (--strict refuses)\n",
				args[0], encode.LostFrames(res.Lost, res.Frames+len(res.Lost)), res.Frames)
		}
		fmt.Fprintf(os.Stderr, "%s: %d frames in %d chunks (%d encoded, %d from the work dir), %d bytes\n",
			res.Output, res.Frames, res.Chunks, res.Encoded, res.Cached, res.Bytes)
	}
	return nil
}

// encodeJob turns the flags into an encode.Job (without its source).
func encodeJob(c *cli.Context) (encode.Job, error) {
	job := encode.Job{
		Output: c.String("output"),
		Settings: encode.Settings{
			Codec: c.String("codec"), CRF: c.Float64("crf"), QP: c.Int("qp"), Preset: c.String("preset"),
			Height: c.Int("height"), Keyint: c.Int("keyint"), BitDepth: c.Int("bit-depth"), Params: c.String("params"),
			KeepInterlaced: c.Bool("keep-interlaced"),
		},
		WorkDir:     c.String("work-dir"),
		PlanOptions: encode.PlanOptions{MinChunk: c.Float64("min-chunk"), ChunkSeconds: c.Float64("chunk-seconds")},
		Workers:     c.Int("workers"),
		NoAudio:     c.Bool("no-audio"),
		Strict:      c.Bool("strict"),
		AudioTrack:  c.Int("audio-track"),
	}
	if job.AudioTrack < 0 {
		return job, usagef("encode: --audio-track %d: want 1 or more", job.AudioTrack)
	}
	if job.Output == "" {
		return job, usagef("encode: -o OUT is required")
	}
	if _, err := encode.OutputFormat(job.Output); err != nil {
		return job, usageError{err}
	}
	if mezzfs.IsS3(job.Output) {
		if u, err := mezzfs.ParseS3URL(job.Output); err != nil || u.Key == "" || strings.HasSuffix(u.Key, "/") {
			return job, usagef("encode: -o %s: want s3://bucket/key", job.Output)
		}
	}
	if err := job.Settings.Validate(); err != nil {
		return job, usageError{err}
	}
	if f := c.String("frames"); f != "" {
		a, b, ok := strings.Cut(f, ":")
		start, err1 := strconv.Atoi(a)
		end, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || start < 0 || end <= start {
			return job, usagef("encode: --frames %q: want A:B with 0 <= A < B", f)
		}
		job.Frames = &encode.Chunk{Start: start, End: end}
	}
	if p := c.String("plan"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			return job, fmt.Errorf("encode: read plan: %w", err)
		}
		job.Plan = new(encode.Plan)
		if err := json.Unmarshal(b, job.Plan); err != nil {
			return job, fmt.Errorf("encode: plan %s: %w", p, err)
		}
	}
	return job, nil
}

// badMedia reports whether err says the source itself cannot be encoded
// (rather than the run failing).
func badMedia(err error) bool {
	for _, e := range []error{encode.ErrDamaged, encode.ErrUnsupported, encode.ErrTruncated, encode.ErrNoVideo} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func workDir(job encode.Job) string {
	if job.WorkDir != "" {
		return job.WorkDir
	}
	return job.Output + ".rung"
}

// writePlan writes the plan as indented JSON to path ("-": stdout).
func writePlan(path string, p *encode.Plan) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	err = writeOutput(path, func(w io.Writer) error { _, err := w.Write(b); return err })
	if err != nil {
		return fmt.Errorf("encode: write plan: %w", err)
	}
	return nil
}

// runTargetEncode is `rung encode --target-vmaf V`: each chunk at the CRF
// that reaches V (ladder.Target). The work dir keeps the probe and chunk
// encodes, so a rerun resumes.
func runTargetEncode(c *cli.Context, input string, job encode.Job) (err error) {
	for _, f := range []string{"crf", "qp", "keyint", "params", "frames", "plan", "bit-depth"} {
		if c.IsSet(f) {
			return usagef("encode: --target-vmaf chooses the CRF of each chunk; --%s cannot go with it", f)
		}
	}
	v := c.Float64("target-vmaf")
	if !(v > 0 && v < 100) {
		return usagef("encode: --target-vmaf %g: want 0 < V < 100", v)
	}
	if _, err := quality.Pool(c.String("pool"), []float64{1}); err != nil {
		return usagef("encode: --pool %s: %v", c.String("pool"), err)
	}
	s, err := openSession(c)
	if err != nil {
		return err
	}
	defer func() { err = s.close(err) }()
	dst := job.Output
	if job.WorkDir == "" {
		job.WorkDir = job.Output + ".rung"
		if mezzfs.IsS3(dst) {
			job.WorkDir = s3WorkDir(dst)
		}
	}
	out := dst
	if mezzfs.IsS3(dst) {
		out = filepath.Join(job.WorkDir, path.Base(dst))
		defer os.Remove(out)
	}
	m, err := media.New(media.Options{Model: c.String("model"), CacheDir: filepath.Join(job.WorkDir, "chunks"),
		Preset: job.Settings.Preset, Workers: job.Workers, Plan: job.PlanOptions, Source: s.opts})
	if err != nil {
		return err
	}
	defer m.Close()
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	jsonOut := c.Bool("json")
	res, err := ladder.Target(ctx, ladder.TargetOptions{
		Input: input, Output: out, Codec: job.Settings.Codec, Height: job.Settings.Height, VMAF: v, Pool: c.String("pool"),
		WorkDir: job.WorkDir, Media: m,
		Progress: func(p ladder.Progress) {
			if jsonOut {
				json.NewEncoder(os.Stdout).Encode(map[string]any{"event": "progress", "stage": p.Stage, "done": p.Done, "total": p.Total, "label": p.Label})
				return
			}
			fmt.Fprintf(os.Stderr, "[%s %d/%d] %s\n", p.Stage, p.Done, p.Total, p.Label)
		},
	})
	if err != nil {
		return err
	}
	if dst != out {
		if err := uploadFile(ctx, out, dst, s.opts); err != nil {
			return err
		}
		res.Output = dst
	}
	if jsonOut {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{"event": "done", "result": res})
	}
	for _, ch := range res.Chunks {
		fmt.Fprintf(os.Stderr, "chunk %d (frames %d–%d): crf %.1f, VMAF %.2f (predicted %.2f), %.0f kb/s\n", ch.Index, ch.Start, ch.End, ch.CRF, ch.VMAF, ch.Predicted, ch.Kbps)
	}
	fmt.Fprintf(os.Stderr, "%s: VMAF %.2f (%s, target %g), %.0f kb/s; mean |predicted − achieved| %.2f\n", res.Output, res.VMAF, res.Pool, res.Target, res.Kbps, res.MeanAbsError)
	return nil
}
