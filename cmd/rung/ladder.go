package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"rung/ladder"
	"rung/ladder/media"
	"rung/mezzfs"
)

// ladderCommand is `rung ladder INPUT -o OUTDIR`: the per-title convex-hull
// ladder, its report and its HLS renditions.
func ladderCommand() *cli.Command {
	return &cli.Command{
		Name:      "ladder",
		Usage:     "build the per-title convex-hull ladder of a source, its report and HLS renditions",
		ArgsUsage: "INPUT",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output directory (required), a path or s3://bucket/prefix (built locally, uploaded once the ladder is done)"},
			&cli.StringFlag{Name: "codec", Value: "x264", Usage: "x264|x265|svtav1|vp9|aom"},
			&cli.StringFlag{Name: "resolutions", Usage: "candidate heights, e.g. 1080,720,540 (default: the source's and the standard ones below)"},
			&cli.IntFlag{Name: "rungs", Value: 6, Usage: fmt.Sprintf("number of rungs (%d–%d)", ladder.MinRungs, ladder.MaxRungs)},
			&cli.Float64Flag{Name: "min-kbps", Usage: "no rung below this bitrate"},
			&cli.Float64Flag{Name: "max-kbps", Usage: "no rung above this bitrate"},
			&cli.Float64Flag{Name: "max-vmaf", Usage: "drop hull points above this VMAF (e.g. 95)"},
			&cli.Float64Flag{Name: "min-top-vmaf", Usage: "warn when the top rung is below this VMAF"},
			&cli.Float64Flag{Name: "min-vmaf", Value: 40, Usage: "quality floor: no rung below this VMAF, nor below the fixed reference ladder's lowest rung on this title (0: no floor)"},
			&cli.Float64Flag{Name: "saturation", Value: 1, Usage: "the top rung stops where 1.5x more bitrate gains less than this VMAF (0: off)"},
			&cli.StringFlag{Name: "optimize", Value: ladder.PerShot, Usage: "per-shot (a CRF per shot at equal rate–quality slope, from the trial encodes' chunks) or per-title (one CRF per rung)"},
			&cli.StringFlag{Name: "fixed", Usage: "reference ladder for the BD-rate: apple|netflix2015|none (default apple for x264 and x265, none for the codecs without bitrate-targeted encodes)"},
			&cli.BoolFlag{Name: "exhaustive", Usage: "encode the full candidate grid instead of the adaptive search"},
			&cli.IntFlag{Name: "workers", Value: 1, Usage: "candidates encoded at once (each encode is chunk-parallel)"},
			&cli.StringFlag{Name: "model", Usage: "VMAF model (default vmaf_v0.6.1, vmaf_4k_v0.6.1 above 2560x1440; vmaf_v1.0.16_3d0h for VMAF v1, its _2160 twin above 2560x1440; libvmaf's version=/path= syntax too)"},
			&cli.BoolFlag{Name: "json", Usage: "print progress and the result as JSON lines on stdout"},
			&cli.StringFlag{Name: "preset", Usage: "encoder preset of the trial encodes (default the encoder's)"},
		}, append(sourceFlags(), temporalFlags()...)...),
		Action: runLadder,
	}
}

func runLadder(c *cli.Context) (err error) {
	args, err := positional(c)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return usagef("ladder: want exactly one INPUT, got %d arguments", len(args))
	}
	outDir := c.String("output")
	if outDir == "" {
		return usagef("ladder: -o OUTDIR is required")
	}
	heights, err := parseHeights(c.String("resolutions"))
	if err != nil {
		return usagef("ladder: --resolutions: %v", err)
	}
	fixed := c.String("fixed")
	switch {
	case fixed == "none":
		fixed = ""
	case fixed == "" && ladder.FixedSupported(c.String("codec")):
		fixed = "apple"
	}
	o := ladder.Options{
		Input: args[0], OutDir: outDir, Codec: c.String("codec"), Heights: heights,
		Select: ladder.SelectOptions{
			Rungs: c.Int("rungs"), MinKbps: c.Float64("min-kbps"), MaxKbps: c.Float64("max-kbps"),
			MaxVMAF: c.Float64("max-vmaf"), MinTopVMAF: c.Float64("min-top-vmaf"),
			MinVMAF: c.Float64("min-vmaf"), Saturation: c.Float64("saturation"),
		},
		Optimize: c.String("optimize"),
		Fixed:    fixed, Exhaustive: c.Bool("exhaustive"), Workers: c.Int("workers"),
	}
	if err := o.Validate(); err != nil {
		return usageError{err}
	}
	if c.String("temporal") != "" {
		return runLadderTemporal(c, o)
	}
	if mezzfs.IsS3(outDir) {
		if u, err := mezzfs.ParseS3URL(outDir); err != nil || u.Bucket == "" {
			return usagef("ladder: -o %s: want s3://bucket/prefix", outDir)
		}
		// Built in a local directory, uploaded only once the ladder is done.
		if o.OutDir, err = os.MkdirTemp("", "rung-ladder-"); err != nil {
			return fmt.Errorf("ladder: work dir: %w", err)
		}
		defer os.RemoveAll(o.OutDir)
	}
	s, err := openSession(c)
	if err != nil {
		return err
	}
	defer func() { err = s.close(err) }()
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	m, err := media.New(media.Options{Model: c.String("model"), Preset: c.String("preset"), CacheDir: filepath.Join(o.OutDir, "work", "chunks"), Source: s.opts})
	if err != nil {
		return err
	}
	defer m.Close()
	o.Media = m
	jsonOut := c.Bool("json")
	o.Progress = ladderProgress(jsonOut)
	res, err := ladder.Run(ctx, o)
	if err != nil {
		return err
	}
	if outDir != o.OutDir {
		if res, err = uploadLadder(ctx, res, o.OutDir, outDir, s.opts); err != nil {
			return err
		}
	}
	return printLadder(jsonOut, res)
}

// ladderProgress prints a ladder's progress: JSON lines on stdout, or a
// line per step with the elapsed time and the search's ETA on stderr.
func ladderProgress(jsonOut bool) func(ladder.Progress) {
	start := time.Now()
	return func(p ladder.Progress) {
		if jsonOut {
			json.NewEncoder(os.Stdout).Encode(map[string]any{"event": "progress", "stage": p.Stage, "done": p.Done, "total": p.Total, "label": p.Label})
			return
		}
		el := time.Since(start)
		eta := ""
		if p.Stage == "trial" && p.Done > 0 && p.Total > p.Done {
			eta = fmt.Sprintf(", search ETA ≤ %s", (el / time.Duration(p.Done) * time.Duration(p.Total-p.Done)).Round(time.Second))
		}
		fmt.Fprintf(os.Stderr, "[%s %d/%d] %s (elapsed %s%s)\n", p.Stage, p.Done, p.Total, p.Label, el.Round(time.Second), eta)
	}
}

// printLadder prints a finished ladder: a JSON line with --json, else the
// rungs, the BD-rate, the warnings and where the files are.
func printLadder(jsonOut bool, res ladder.Result) error {
	r := res.Report
	if jsonOut {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{"event": "done", "ladder": res.JSON, "report": res.HTML, "master": res.Master,
			"trial_encodes": r.TrialEncodes, "rungs": len(r.Rungs), "bd_rate": r.BDRate})
	}
	for _, g := range r.Rungs {
		fmt.Printf("%4dx%-4d %8.1f kb/s  VMAF %.2f (p5 %.2f, min %.2f)  %s\n", g.Width, g.Height, g.Kbps, g.VMAF, g.P5, g.Min, g.File)
	}
	if r.BDRate != nil && r.BDRate.Percent != nil {
		fmt.Printf("BD-rate vs %s: %+.1f%%\n", r.BDRate.Reference, *r.BDRate.Percent)
	}
	if ps := r.PerShot; ps != nil && ps.BDRate != nil {
		fmt.Printf("per-shot vs per-title BD-rate: %+.1f%% (%d shots, %d chunk encodes of a %d grid)\n", *ps.BDRate, len(ps.Shots), ps.ChunkEncodes, ps.GridChunks)
		if ps.MixedBDRate != nil {
			fmt.Printf("a size per shot instead of per rendition: BD-rate %+.1f%% (not used: one size per rendition)\n", *ps.MixedBDRate)
		}
	}
	for _, w := range r.Warnings {
		fmt.Printf("warning: %s\n", w)
	}
	fmt.Printf("%d trial encodes (%s search, grid of %d)\nreport: %s\nladder: %s\nHLS: %s\n", r.TrialEncodes, r.Search, r.GridSize, res.HTML, res.JSON, res.Master)
	return nil
}

// uploadLadder uploads the ladder built in dir, its work directory aside,
// to the s3:// prefix, the master playlist last, and returns res with the
// paths of dir replaced by their URLs.
func uploadLadder(ctx context.Context, res ladder.Result, dir, prefix string, opts mezzfs.Options) (ladder.Result, error) {
	opts, err := s3Client(ctx, opts)
	if err != nil {
		return res, err
	}
	if err := uploadDir(ctx, dir, prefix, []string{"work"}, []string{"master.m3u8"}, opts); err != nil {
		return res, fmt.Errorf("ladder: upload to %s: %w", prefix, err)
	}
	remote := func(p string) string {
		rel, err := filepath.Rel(dir, p)
		if err != nil || p == "" {
			return p
		}
		return joinURL(prefix, filepath.ToSlash(rel))
	}
	res.JSON, res.HTML, res.Master = remote(res.JSON), remote(res.HTML), remote(res.Master)
	return res, nil
}

// parseHeights reads "1080,720,540" (a trailing "p" is allowed).
func parseHeights(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var hs []int
	for _, f := range strings.Split(s, ",") {
		h, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(f), "p"))
		if err != nil || h <= 0 {
			return nil, fmt.Errorf("%q is not a height in lines", f)
		}
		hs = append(hs, h)
	}
	return hs, nil
}
