package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"rung/mezzfs"
	"rung/plot"
	"rung/quality"
)

func scoreCommand() *cli.Command {
	return &cli.Command{
		Name:      "score",
		Usage:     "score a distorted video against its reference with VMAF (libvmaf's numbers)",
		UsageText: "rung score -r REF -d DIST [-d DIST2 ...] [--model NAME|PATH] [--json FILE|DIR|-] [--min V] [--stats FILE] [--mezzfs-trace FILE]",
		Flags: append(append(append(vmafFlags(), gateFlags()...), []cli.Flag{
			&cli.StringFlag{Name: "reference", Aliases: []string{"r"}, Usage: "reference `FILE` (y4m, raw .yuv, or anything FFmpeg decodes)"},
			&cli.GenericFlag{Name: "distorted", Aliases: []string{"d"}, Value: &pathList{}, Usage: "distorted `FILE` (repeat to score several against the reference in one pass)"},
			&cli.IntFlag{Name: "threads", Usage: "frames scored at once (0: one per CPU)"},
			&cli.StringFlag{Name: "json", Usage: "write libvmaf-layout JSON to `FILE` (- for stdout; with several -d, a directory holding NAME.json per input)"},
			&cli.StringFlag{Name: "xml", Usage: "write libvmaf-layout XML to `FILE` (with several -d, a directory)"},
			&cli.StringFlag{Name: "csv", Usage: "write libvmaf-layout CSV to `FILE` (with several -d, a directory)"},
			&cli.IntFlag{Name: "width", Usage: "width of raw .yuv inputs"},
			&cli.IntFlag{Name: "height", Usage: "height of raw .yuv inputs"},
			&cli.StringFlag{Name: "pixfmt", Value: "yuv420p", Usage: "pixel format of raw .yuv inputs (yuv420p, yuv420p10le, yuv444p, ...)"},
			&cli.StringFlag{Name: "pool", Value: "mean", Usage: "pooling for --min and the summary: mean, harmonic_mean, min, max, p1, p5, p10, p50, low1"},
			&cli.StringFlag{Name: "plot", Usage: "draw per-frame VMAF with pooled lines (and the CI band of a bootstrap model) to `FILE`.svg or .png (with several -d, a directory holding NAME.svg per input)"},
			&cli.BoolFlag{Name: "estimate-offset", Usage: "only estimate the distorted input's constant frame offset and print it"},
			&cli.IntFlag{Name: "subsample", Value: 1, Usage: "score every `N`th frame"},
			&cli.IntFlag{Name: "frame-offset", Usage: "skip the first `K` distorted frames (negative: reference frames)"},
			&cli.StringFlag{Name: "sync", Value: "frame", Usage: "pair frames by `MODE`: frame (in order) or pts (each distorted frame with the reference frame nearest in presentation time; counts repeated and dropped frames)"},
		}...), sourceFlags()...),
		Action: runScore,
	}
}

// pathList is a repeatable flag of paths, kept whole (a StringSliceFlag
// would split a path at its commas). It is a cli.Serializer, as
// StringSlice is, so that urfave/cli's copy of the value to the flag's
// alias (-d) replaces the list instead of appending its text.
type pathList []string

// pathListSerial starts a serialized pathList: no path starts with a NUL.
const pathListSerial = "\x00paths:"

// Set appends a path, or replaces the list with a serialized one.
func (p *pathList) Set(v string) error {
	if rest, ok := strings.CutPrefix(v, pathListSerial); ok {
		return json.Unmarshal([]byte(rest), p)
	}
	*p = append(*p, v)
	return nil
}

func (p *pathList) String() string { return strings.Join(*p, " ") }

// Serialize implements cli.Serializer.
func (p *pathList) Serialize() string {
	b, _ := json.Marshal([]string(*p))
	return pathListSerial + string(b)
}

// distortedPaths returns the -d values in order.
func distortedPaths(c *cli.Context) []string {
	if p, ok := c.Generic("distorted").(*pathList); ok {
		return *p
	}
	return nil
}

func runScore(c *cli.Context) (err error) {
	if c.NArg() > 0 {
		return usagef("score: unexpected argument %q (inputs go with -r and -d)", c.Args().First())
	}
	disPaths := distortedPaths(c)
	if c.String("reference") == "" || len(disPaths) == 0 {
		return usagef("score: both --reference (-r) and --distorted (-d) are required")
	}
	outs, err := scoreOutputs(c, disPaths)
	if err != nil {
		return err
	}
	pool := c.String("pool")
	if _, err := quality.Pool(pool, []float64{1}); err != nil {
		return usagef("score: --pool: %v", err)
	}
	if c.Int("subsample") < 1 {
		return usagef("score: --subsample must be at least 1")
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
	if syncPTS && len(disPaths) > 1 {
		return usagef("score: --sync pts takes one -d")
	}
	if p := c.String("plot"); p != "" && len(disPaths) == 1 {
		if _, err := plot.Format(p); err != nil {
			return usagef("score: --plot: %v", err)
		}
	}
	if c.Bool("estimate-offset") && len(disPaths) > 1 {
		return usagef("score: --estimate-offset takes one -d")
	}
	s, err := openSession(c)
	if err != nil {
		return err
	}
	defer func() { err = s.close(err) }()
	if c.Bool("estimate-offset") {
		return estimateOffset(c, s.opts)
	}
	model, extractors, err := scoreModel(c)
	if err != nil {
		return err
	}
	gate, gated, err := scoreGate(c, model)
	if err != nil {
		return err
	}
	refPath := c.String("reference")
	ref, dis, err := openInputs(c, s.opts, disPaths)
	if err != nil {
		return err
	}
	defer ref.Close()
	readers := make([]quality.VideoReader, len(dis))
	for k, d := range dis {
		defer d.Close()
		readers[k] = d
	}

	var refR quality.VideoReader = ref
	var sync *quality.SyncStats
	if syncPTS {
		rt, ok1 := ref.VideoReader.(quality.TimedReader)
		dt, ok2 := dis[0].VideoReader.(quality.TimedReader)
		if !ok1 || !ok2 {
			return usagef("score: --sync pts needs inputs with timestamps (files FFmpeg decodes, not y4m or raw .yuv)")
		}
		refR, readers[0], sync = quality.SyncByTime(rt, dt)
	}
	quiet := c.String("json") == "-"
	label := "score"
	if len(dis) > 1 {
		label = fmt.Sprintf("score %d inputs", len(dis))
	}
	prog := newProgressLine(os.Stderr, label, quiet)
	results, err := quality.ScoreMany(c.Context, refR, readers, quality.ScoreOptions{
		Extractors:  extractors,
		Model:       model,
		Threads:     c.Int("threads"),
		FrameOffset: c.Int("frame-offset"),
		Subsample:   c.Int("subsample"),
		RefName:     refPath,
		DisNames:    disPaths,
		Progress:    prog.update,
	})
	prog.done()
	if err != nil {
		if errors.Is(err, quality.ErrMismatch) && !syncPTS && len(dis) == 1 && ref.Info().Frames != dis[0].Info().Frames {
			return fmt.Errorf("%w (--sync pts pairs frames by presentation time)", err)
		}
		return err
	}
	if sync != nil {
		results[0].Sync = sync
		if !quiet {
			fmt.Fprintf(os.Stderr, "rung: --sync pts: %d distorted frames paired by time: %d repeated, %d reference frames dropped\n", sync.Pairs, sync.Repeated, sync.Dropped)
		}
	}
	for _, w := range results[0].Warnings {
		fmt.Fprintf(os.Stderr, "rung: warning: %s\n", w)
	}
	var cases []quality.JUnitCase
	var failed []string
	if gated {
		if cases, failed, err = checkGates(gate, results, disPaths); err != nil {
			return err
		}
	}
	for k, res := range results {
		if err := writeScoreOutputs(outs[k], res, pool, disPaths[k], refPath); err != nil {
			return err
		}
		if !gated || quiet {
			continue
		}
		prefix := ""
		if len(results) > 1 {
			prefix = disPaths[k] + ": "
		}
		v := res.Gates[0]
		fmt.Fprintf(os.Stdout, "%s%s: %s %.6f over %d frames\n", prefix, v.Name, v.Pool, v.Value, len(res.Scored))
	}
	if err := writeJUnit(c, cases); err != nil {
		return err
	}
	if len(failed) > 0 {
		return gateFailure(failed)
	}
	return nil
}

// scoreFiles are where one input's results go; empty paths are not
// written.
type scoreFiles struct {
	json, xml, csv, plot string
	mkdir                bool // create the local directories first (several inputs)
}

// scoreOutputs maps --json, --xml, --csv and --plot to files per
// distorted input: the paths themselves for one input, and for several a
// file per input in the directory they name, called after the input's base
// name without its extension (A.json), which must then differ.
func scoreOutputs(c *cli.Context, disPaths []string) ([]scoreFiles, error) {
	one := scoreFiles{json: c.String("json"), xml: c.String("xml"), csv: c.String("csv"), plot: c.String("plot")}
	if len(disPaths) == 1 {
		return []scoreFiles{one}, nil
	}
	if one.json == "-" || one.xml == "-" || one.csv == "-" {
		return nil, usagef("score: with several -d, --json, --xml and --csv name directories, not -")
	}
	seen := map[string]string{}
	outs := make([]scoreFiles, len(disPaths))
	for k, p := range disPaths {
		base := filepath.Base(p)
		if i := strings.Index(p, "://"); i >= 0 {
			base = path.Base(p[i+3:])
		}
		base = strings.TrimSuffix(base, path.Ext(base))
		if prev, ok := seen[base]; ok {
			return nil, usagef("score: %s and %s would both write %s.*: give inputs different base names", prev, p, base)
		}
		seen[base] = p
		in := func(dir, ext string) string {
			if dir == "" {
				return ""
			}
			if strings.Contains(dir, "://") {
				return strings.TrimSuffix(dir, "/") + "/" + base + ext
			}
			return filepath.Join(dir, base+ext)
		}
		outs[k] = scoreFiles{in(one.json, ".json"), in(one.xml, ".xml"), in(one.csv, ".csv"), in(one.plot, ".svg"), true}
	}
	return outs, nil
}

// writeScoreOutputs writes one input's JSON, XML, CSV and plot where out
// says.
func writeScoreOutputs(out scoreFiles, res *quality.Result, pool, disPath, refPath string) error {
	extra := append(quality.PoolMethods()[4:], pool) // beside libvmaf's four; duplicates are dropped
	writers := []struct {
		path  string
		write func(io.Writer) error
	}{
		{out.json, func(w io.Writer) error { return quality.WriteJSON(w, res, extra) }},
		{out.xml, func(w io.Writer) error { return quality.WriteXML(w, res, extra) }},
		{out.csv, func(w io.Writer) error { return quality.WriteCSV(w, res) }},
	}
	writers = append(writers, struct {
		path  string
		write func(io.Writer) error
	}{out.plot, func(w io.Writer) error { return writePlot(w, out.plot, res, disPath, refPath) }})
	for _, wr := range writers {
		if wr.path == "" {
			continue
		}
		if out.mkdir && !strings.Contains(wr.path, "://") {
			if err := os.MkdirAll(filepath.Dir(wr.path), 0o755); err != nil {
				return fmt.Errorf("score: %w", err)
			}
		}
		if err := writeOutput(wr.path, wr.write); err != nil {
			return err
		}
	}
	return nil
}

// writePlot draws res's per-frame VMAF to w in the format p's extension
// names.
func writePlot(w io.Writer, p string, res *quality.Result, disPath, refPath string) error {
	format, _ := plot.Format(p)
	chart, err := plot.Frames(res, "vmaf", fmt.Sprintf("%s vs %s", filepath.Base(disPath), filepath.Base(refPath)))
	if err != nil {
		return err
	}
	b, err := chart.Render(format)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
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
	ref, dis, err := openInputs(c, opts, distortedPaths(c))
	if err != nil {
		return err
	}
	defer ref.Close()
	defer dis[0].Close()
	est, err := quality.EstimateOffset(c.Context, ref, dis[0], quality.OffsetOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("frame offset: %d (%.2f dB clearer than the next best; rerun with --frame-offset %d)\n", est.Offset, est.Margin, est.Offset)
	return nil
}

// openInputs opens --reference and every path of disPaths, reading
// through mezzfs with opts; the distorted inputs take the reference's
// format. On error, whatever was opened is closed.
func openInputs(c *cli.Context, opts mezzfs.Options, disPaths []string) (ref *video, dis []*video, err error) {
	raw := rawFormat{width: c.Int("width"), height: c.Int("height"), pixfmt: c.String("pixfmt")}
	ref, err = openVideo(c.Context, c.String("reference"), raw, nil, opts)
	if err != nil {
		return nil, nil, err
	}
	info := ref.Info()
	for _, p := range disPaths {
		d, err := openVideo(c.Context, p, raw, &info, opts)
		if err != nil {
			for _, d := range dis {
				d.Close()
			}
			ref.Close()
			return nil, nil, err
		}
		dis = append(dis, d)
	}
	if ref.Info().Chroma != quality.Chroma420 && sameChroma(dis, quality.Chroma420) {
		// A 4:2:2 or 4:4:4 mezzanine against 4:2:0 encodes: the
		// reference is converted to 4:2:0 with swscale, as `-pix_fmt
		// yuv420p` before libvmaf would.
		ref.Close()
		if ref, err = openVideo(c.Context, c.String("reference"), raw, &quality.VideoInfo{Chroma: quality.Chroma420}, opts); err != nil {
			for _, d := range dis {
				d.Close()
			}
			return nil, nil, err
		}
	}
	return ref, dis, nil
}

// sameChroma reports whether every input has chroma format f.
func sameChroma(vs []*video, f quality.ChromaFormat) bool {
	for _, v := range vs {
		if v.Info().Chroma != f {
			return false
		}
	}
	return true
}
