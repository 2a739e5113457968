package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"rung/mezzfs"
	"rung/quality"
)

func scoreCommand() *cli.Command {
	return &cli.Command{
		Name:      "score",
		Usage:     "score a distorted video against its reference with VMAF (libvmaf's numbers)",
		UsageText: "rung score -r REF -d DIST [--model NAME|PATH] [--json FILE|-] [--min V] [--stats FILE] [--mezzfs-trace FILE]",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "reference", Aliases: []string{"r"}, Usage: "reference `FILE` (y4m, raw .yuv, or anything FFmpeg decodes)"},
			&cli.StringFlag{Name: "distorted", Aliases: []string{"d"}, Usage: "distorted `FILE`"},
			&cli.StringFlag{Name: "model", Value: "vmaf_v0.6.1", Usage: "model `NAME` or path to a libvmaf JSON model"},
			&cli.StringSliceFlag{Name: "feature", Usage: "extra feature in libvmaf's syntax, `NAME[=option=value:...]` (psnr, float_ssim, float_ms_ssim, ...; repeatable)"},
			&cli.IntFlag{Name: "threads", Usage: "frames scored at once (0: one per CPU)"},
			&cli.StringFlag{Name: "json", Usage: "write libvmaf-layout JSON to `FILE` (- for stdout)"},
			&cli.StringFlag{Name: "xml", Usage: "write libvmaf-layout XML to `FILE`"},
			&cli.StringFlag{Name: "csv", Usage: "write libvmaf-layout CSV to `FILE`"},
			&cli.IntFlag{Name: "width", Usage: "width of raw .yuv inputs"},
			&cli.IntFlag{Name: "height", Usage: "height of raw .yuv inputs"},
			&cli.StringFlag{Name: "pixfmt", Value: "yuv420p", Usage: "pixel format of raw .yuv inputs (yuv420p, yuv420p10le, yuv444p, ...)"},
			&cli.Float64Flag{Name: "min", Value: math.NaN(), Usage: "exit 3 when the pooled score is below `V`"},
			&cli.StringFlag{Name: "pool", Value: "mean", Usage: "pooling for --min and the summary: mean, harmonic_mean, min, max, p1, p5, p10, p50, low1"},
			&cli.StringFlag{Name: "plot", Usage: "draw per-frame VMAF with pooled lines (and the CI band of a bootstrap model) to `FILE`.svg or .png"},
			&cli.StringFlag{Name: "gate", Usage: "what --min gates on: vmaf (default) or ci_lo (the bootstrap model's lower 95% bound)"},
			&cli.BoolFlag{Name: "estimate-offset", Usage: "only estimate the distorted input's constant frame offset and print it"},
			&cli.IntFlag{Name: "subsample", Value: 1, Usage: "score every `N`th frame"},
			&cli.IntFlag{Name: "frame-offset", Usage: "skip the first `K` distorted frames (negative: reference frames)"},
			&cli.StringFlag{Name: "sync", Value: "frame", Usage: "pair frames by `MODE`: frame (in order) or pts (each distorted frame with the reference frame nearest in presentation time; counts repeated and dropped frames)"},
		}, sourceFlags()...),
		Action: runScore,
	}
}

func runScore(c *cli.Context) (err error) {
	if c.NArg() > 0 {
		return usagef("score: unexpected argument %q (inputs go with -r and -d)", c.Args().First())
	}
	if c.String("reference") == "" || c.String("distorted") == "" {
		return usagef("score: both --reference (-r) and --distorted (-d) are required")
	}
	pool := c.String("pool")
	if _, err := quality.Pool(pool, []float64{1}); err != nil {
		return usagef("score: --pool: %v", err)
	}
	if c.Int("subsample") < 1 {
		return usagef("score: --subsample must be at least 1")
	}
	key := "vmaf"
	switch c.String("gate") {
	case "", "vmaf":
	case "ci_lo":
		key = "vmaf_ci_p95_lo"
	default:
		return usagef("score: --gate %q: want vmaf or ci_lo", c.String("gate"))
	}
	syncPTS := false
	switch c.String("sync") {
	case "", "frame":
	case "pts":
		syncPTS = true
		if c.Int("frame-offset") != 0 {
			return usagef("score: --sync pts pairs by time; it does not take --frame-offset")
		}
	default:
		return usagef("score: --sync %q: want frame or pts", c.String("sync"))
	}
	if p := c.String("plot"); p != "" {
		if _, err := quality.PlotFormat(p); err != nil {
			return usagef("score: --plot: %v", err)
		}
	}
	s, err := openSession(c)
	if err != nil {
		return err
	}
	defer func() { err = s.close(err) }()
	if c.Bool("estimate-offset") {
		return estimateOffset(c, s.opts)
	}
	modelPath, err := quality.ResolveModel(c.String("model"))
	if err != nil {
		return err
	}
	model, err := quality.LoadModel(modelPath)
	if err != nil {
		return err
	}
	extractors, err := quality.Extractors(model, c.StringSlice("feature"))
	if err != nil {
		return usagef("score: %v", err)
	}
	refPath, disPath := c.String("reference"), c.String("distorted")
	ref, dis, err := openPair(c, s.opts)
	if err != nil {
		return err
	}
	defer ref.Close()
	defer dis.Close()

	var refR, disR quality.VideoReader = ref, dis
	var sync *quality.SyncStats
	if syncPTS {
		rt, ok1 := ref.VideoReader.(quality.TimedReader)
		dt, ok2 := dis.VideoReader.(quality.TimedReader)
		if !ok1 || !ok2 {
			return usagef("score: --sync pts needs inputs with timestamps (files FFmpeg decodes, not y4m or raw .yuv)")
		}
		refR, disR, sync = quality.SyncByTime(rt, dt)
	}
	quiet := c.String("json") == "-"
	prog := newProgressLine(os.Stderr, "score", quiet)
	res, err := quality.Score(c.Context, refR, disR, quality.ScoreOptions{
		Extractors:  extractors,
		Model:       model,
		Threads:     c.Int("threads"),
		FrameOffset: c.Int("frame-offset"),
		Subsample:   c.Int("subsample"),
		RefName:     refPath,
		DisName:     disPath,
		Progress:    prog.update,
	})
	prog.done()
	if err != nil {
		if errors.Is(err, quality.ErrMismatch) && !syncPTS && ref.Info().Frames != dis.Info().Frames {
			return fmt.Errorf("%w (--sync pts pairs frames by presentation time)", err)
		}
		return err
	}
	if sync != nil {
		res.Sync = sync
		if !quiet {
			fmt.Fprintf(os.Stderr, "rung: --sync pts: %d distorted frames paired by time: %d repeated, %d reference frames dropped\n", sync.Pairs, sync.Repeated, sync.Dropped)
		}
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(os.Stderr, "rung: warning: %s\n", w)
	}
	extra := append(quality.PoolMethods()[4:], pool) // beside libvmaf's four; duplicates are dropped
	writers := []struct {
		path  string
		write func(io.Writer) error
	}{
		{c.String("json"), func(w io.Writer) error { return quality.WriteJSON(w, res, extra) }},
		{c.String("xml"), func(w io.Writer) error { return quality.WriteXML(w, res, extra) }},
		{c.String("csv"), func(w io.Writer) error { return quality.WriteCSV(w, res) }},
	}
	for _, wr := range writers {
		if wr.path == "" {
			continue
		}
		if err := writeOutput(wr.path, wr.write); err != nil {
			return err
		}
	}
	if p := c.String("plot"); p != "" {
		format, _ := quality.PlotFormat(p)
		pl, err := quality.PlotFrames(res, "vmaf", fmt.Sprintf("%s vs %s", filepath.Base(disPath), filepath.Base(refPath)))
		if err != nil {
			return err
		}
		b, err := quality.RenderPlot(pl, format)
		if err != nil {
			return err
		}
		if err := writeOutput(p, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
			return err
		}
	}
	vals := res.Values(key)
	if vals == nil {
		return fmt.Errorf("score: --gate %s needs a bootstrap model (--model vmaf_b_v0.6.3)", c.String("gate"))
	}
	score, err := quality.Pool(pool, vals)
	if err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintf(os.Stdout, "%s: %s %.6f over %d frames\n", key, pool, score, len(res.Scored))
	}
	if min := c.Float64("min"); !math.IsNaN(min) && score < min {
		return gateError{fmt.Sprintf("quality gate failed: %s %s %.6f is below --min %g", key, pool, score, min)}
	}
	return nil
}

// writeOutput writes path ("-" is standard output) whole through a
// temporary file and a rename (mezzfs.WriteFile): a failed write leaves no
// partial file.
func writeOutput(path string, write func(io.Writer) error) error {
	if path == "-" {
		return write(os.Stdout)
	}
	return mezzfs.WriteFile(context.Background(), path, mezzfs.Options{}, write)
}

// estimateOffset prints the most likely constant frame offset of the
// distorted input (for --frame-offset) and how clear the answer is.
func estimateOffset(c *cli.Context, opts mezzfs.Options) error {
	ref, dis, err := openPair(c, opts)
	if err != nil {
		return err
	}
	defer ref.Close()
	defer dis.Close()
	est, err := quality.EstimateOffset(c.Context, ref, dis, quality.OffsetOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("frame offset: %d (%.2f dB clearer than the next best; rerun with --frame-offset %d)\n", est.Offset, est.Margin, est.Offset)
	return nil
}

// openPair opens --reference and --distorted, reading through mezzfs with
// opts; the distorted input takes the reference's format.
func openPair(c *cli.Context, opts mezzfs.Options) (ref, dis *video, err error) {
	raw := rawFormat{width: c.Int("width"), height: c.Int("height"), pixfmt: c.String("pixfmt")}
	ref, err = openVideo(c.Context, c.String("reference"), raw, nil, opts)
	if err != nil {
		return nil, nil, err
	}
	info := ref.Info()
	dis, err = openVideo(c.Context, c.String("distorted"), raw, &info, opts)
	if err != nil {
		ref.Close()
		return nil, nil, err
	}
	return ref, dis, nil
}
