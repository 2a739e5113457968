package ladder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"

	"rung/plot"
	"rung/quality"
)

// Default VMAF models: libvmaf's 4K model above 2560x1440, as Netflix
// scores 4K titles, vmaf_v0.6.1 otherwise.
const (
	DefaultModel = "vmaf_v0.6.1"
	Model4K      = "vmaf_4k_v0.6.1"
)

// KeyintSeconds is the keyframe interval inside a chunk of every ladder
// encode, the HLS segment target of the packaged rungs.
const KeyintSeconds = 2

// Media is what Run needs from the encoder and the scorer: probing the
// source, encoding it at a size with a CRF or an average bitrate, and scoring
// an encode against it, and packaging the rungs as HLS. Package
// rung/ladder/media has the FFmpeg-backed one.
type Media interface {
	// Probe describes the source.
	Probe(ctx context.Context, src string) (SourceInfo, error)
	// Encode encodes the source as job says into job.Out (an MP4, written
	// whole or not at all) and returns its video bitrate in kb/s.
	Encode(ctx context.Context, job EncodeJob) (kbps float64, err error)
	// Score returns the per-frame VMAF of the encode at dist against the
	// source, the encode upscaled to the source's size with bicubic.
	Score(ctx context.Context, src, dist string) ([]float64, error)
	// PackageHLS remuxes the MP4 at src, without re-encoding, into one
	// fragmented MP4 file dir/name.mp4 with its byte-range media playlist
	// dir/name.m3u8 (segments of about segSeconds, cut at keyframes),
	// leaving neither file on error, and returns the variant describing
	// it, its URI relative to dir, with the RFC 6381 CODECS string of the
	// stream (StreamCodecs, InitCodecs).
	PackageHLS(ctx context.Context, src, dir, name string, segSeconds float64) (Variant, error)
}

// SourceInfo is what Run needs to know of the source.
type SourceInfo struct {
	Size         Size
	FrameRateNum int
	FrameRateDen int
	Frames       int
}

// Seconds is the source's duration.
func (s SourceInfo) Seconds() float64 {
	if s.FrameRateNum <= 0 || s.FrameRateDen <= 0 {
		return 0
	}
	return float64(s.Frames) * float64(s.FrameRateDen) / float64(s.FrameRateNum)
}

// EncodeJob is one encode of the source.
type EncodeJob struct {
	Source string // input URL
	Codec  string
	Size   Size
	CRF    float64 // quality-targeted when Kbps is 0
	Kbps   float64 // average-bitrate-targeted when > 0 (fixed reference ladders)
	Out    string
}

// Options configures Run. Zero values take the defaults of `rung ladder`.
type Options struct {
	Input      string
	OutDir     string
	Codec      string // default x264
	Heights    []int  // candidate heights; default DefaultHeights below the source
	Select     SelectOptions
	Fixed      string // reference ladder for the BD-rate ("apple", "netflix2015"); "" skips it
	Exhaustive bool   // encode the full candidate grid
	// Optimize is PerShot (a CRF per shot, chosen at equal rate–quality
	// slope from the trial encodes' chunks; `rung ladder`'s default) or
	// PerTitle (one CRF per rung; "" here, which the Temporal runner
	// keeps: its search does not keep the trials' chunks yet). A Media
	// without chunks (no ShotMedia) gets per-title.
	Optimize   string
	Workers    int     // trial encodes at once (default 1; each encode is parallel itself)
	MinSeconds float64 // refuse shorter sources (default 1 s, one chunk)
	Model      string  // VMAF model named in the report; "" asks the Media (ModelName) or says DefaultModel
	WorkDir    string  // trial and reference encodes (default OutDir/work)
	Media      Media   // the encoder, scorer and packager (rung/ladder/media's for `rung ladder`)
	// Progress, when set, is told of every finished encode; calls are
	// serialised.
	Progress func(Progress)
}

// Progress is one finished step of Run.
type Progress struct {
	Stage string // "trial", "reference" or "package"
	Done  int    // steps of the stage finished
	Total int    // the most steps of the stage
	Label string // what finished, e.g. "640x360 crf 27: 512 kb/s, VMAF 91.3"
}

// Result is what Run produced.
type Result struct {
	Report Report
	JSON   string // path of ladder.json
	HTML   string // path of report.html
	Master string // path of master.m3u8
}

// Validate checks the options that do not depend on the source: the input
// and output, the codec, the rung constraints and the reference ladder. Its
// errors are usage errors.
func (o Options) Validate() error {
	_, err := o.withDefaults()
	return err
}

// FixedSupported reports whether a fixed reference ladder can be encoded
// with codec: its bitrate-targeted two-pass encodes (the media's, see
// rung/ladder/media) exist for x264 and x265 only.
func FixedSupported(codec string) bool { return codec == "x264" || codec == "x265" }

// withDefaults fills the zero fields and validates the options.
func (o Options) withDefaults() (Options, error) {
	if o.Input == "" || o.OutDir == "" {
		return o, errors.New("ladder: input and output directory are required")
	}
	if o.Codec == "" {
		o.Codec = "x264"
	}
	switch o.Optimize {
	case "":
		o.Optimize = PerTitle
	case PerShot, PerTitle:
	default:
		return o, fmt.Errorf("ladder: --optimize %q: want %s or %s", o.Optimize, PerShot, PerTitle)
	}
	if o.MinSeconds == 0 {
		o.MinSeconds = 1
	}
	if _, err := CRFRangeFor(o.Codec); err != nil {
		return o, err
	}
	if _, err := o.Select.withDefaults(); err != nil {
		return o, err
	}
	for _, h := range o.Heights {
		if h < 16 {
			return o, fmt.Errorf("ladder: resolution %d lines is too small", h)
		}
	}
	if o.Fixed != "" {
		if _, err := FixedFor(o.Fixed, Size{1920, 1080}); err != nil {
			return o, err
		}
		// Checked here, not after the trial encodes.
		if !FixedSupported(o.Codec) {
			return o, fmt.Errorf("ladder: the %s reference ladder needs bitrate-targeted encodes, which only x264 and x265 have, not %s (use --fixed none)", o.Fixed, o.Codec)
		}
	}
	return o, nil
}

// Run builds the per-title ladder of one source: candidate encodes (adaptive
// or exhaustive search), their hull, the rungs, the fixed reference ladder
// and its BD-rate, then writes into OutDir the rungs as fragmented-MP4 HLS
// renditions under hls/ with master.m3u8, the plots, ladder.json and
// report.html. Trial encodes live under OutDir/work.
func Run(ctx context.Context, o Options) (Result, error) {
	o, err := o.withDefaults()
	if err != nil {
		return Result{}, err
	}
	if o.Media == nil {
		return Result{}, errors.New("ladder: no encoder/scorer configured")
	}
	crfRange, _ := CRFRangeFor(o.Codec)
	src, err := o.Media.Probe(ctx, o.Input)
	if err != nil {
		return Result{}, fmt.Errorf("ladder: probe %s: %w", o.Input, err)
	}
	if secs := src.Seconds(); secs < o.MinSeconds {
		return Result{}, fmt.Errorf("ladder: %s is %.2f s (%d frames) long, shorter than one chunk (%g s)", o.Input, secs, src.Frames, o.MinSeconds)
	}
	if o.Model == "" {
		o.Model = DefaultModel
		if mn, ok := o.Media.(interface{ ModelName(src string) string }); ok {
			o.Model = mn.ModelName(o.Input)
		}
	}
	sizes, err := Sizes(src.Size, o.Heights)
	if err != nil {
		return Result{}, fmt.Errorf("%w (%s)", err, o.Input)
	}
	// A model that cannot be loaded stops the run before the first encode.
	if ml, ok := o.Media.(interface{ LoadModel(name string) error }); ok {
		if err := ml.LoadModel(o.Model); err != nil {
			return Result{}, err
		}
	}
	work := o.WorkDir
	if work == "" {
		work = filepath.Join(o.OutDir, "work")
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return Result{}, fmt.Errorf("ladder: output directory: %w", err)
	}
	j := &job{o: o, src: src, work: work}

	found, err := Search(ctx, j, SearchOptions{
		Sizes: sizes, CRFs: crfRange.Values(), Exhaustive: o.Exhaustive, Workers: o.Workers, PerShot: o.Optimize == PerShot,
		OnTrial: func(done, most int, p Point) {
			j.progress("trial", done, most, fmt.Sprintf("%s: %.0f kb/s, VMAF %.2f", p.Label(), p.Kbps, p.VMAF))
		},
	})
	if err != nil {
		return Result{}, err
	}
	if o.Optimize == PerShot {
		switch shots, err := j.shots(ctx, found.Points); {
		case errors.Is(err, errNoShots):
		case err != nil:
			return Result{}, err
		default:
			found.Shots = shots
		}
	}
	// Rungs that cannot be selected stop the run before the reference
	// encodes.
	if _, err := Select(found.Hull, o.Select); err != nil {
		return Result{}, fmt.Errorf("%w (%s)", err, o.Input)
	}
	var ref []Point
	if o.Fixed != "" {
		if ref, err = j.reference(ctx, o.Fixed); err != nil {
			return Result{}, err
		}
	}
	return Finish(ctx, o, src, found, ref)
}

// Finish is the last stage of a ladder, shared by Run and the Temporal
// runner: it selects the rungs on the hull the search found (per shot when
// o.Optimize is PerShot and found.Shots holds the trials' chunks, joining
// each rung from them through o.Media, a ShotMedia), compares them with the
// reference ladder's points (none when o.Fixed is ""), and writes into
// o.OutDir the HLS renditions (packaged by o.Media) with
// master.m3u8, the plots, the worst-frame pictures (when o.Media is a
// FrameMedia), ladder.json and report.html. The files of the hull's points
// (their File, relative to o.OutDir) must be there, and the rungs' Frames
// set.
func Finish(ctx context.Context, o Options, src SourceInfo, found SearchResult, reference []Point) (Result, error) {
	o, err := o.withDefaults()
	if err != nil {
		return Result{}, err
	}
	if o.Model == "" {
		o.Model = DefaultModel
	}
	work := o.WorkDir
	if work == "" {
		work = filepath.Join(o.OutDir, "work")
	}
	j := &job{o: o, src: src, work: work}
	r := Report{
		Source: o.Input, Width: src.Size.Width, Height: src.Size.Height,
		FrameRate: fmt.Sprintf("%d/%d", src.FrameRateNum, src.FrameRateDen), Frames: src.Frames,
		Codec: o.Codec, Model: o.Model, Search: "adaptive", TrialEncodes: len(found.Points), GridSize: found.Grid,
		Hull: found.Hull, Candidates: sortedPoints(found.Points), Optimize: o.Optimize, Warnings: []string{},
	}
	if o.Exhaustive {
		r.Search = "exhaustive"
	}
	selOpt := o.Select
	if o.Fixed != "" {
		r.Reference = reference
		// The floor is the higher of the asked one and the fixed
		// ladder's lowest rung on this title.
		if lo := lowestRate(reference); selOpt.MinVMAF > 0 && lo.VMAF > selOpt.MinVMAF {
			selOpt.MinVMAF = lo.VMAF
		}
	}
	r.MinVMAF = selOpt.MinVMAF
	hull := found.Hull
	if o.Optimize == PerShot {
		if found.Shots == nil {
			r.Optimize = PerTitle
			r.Warnings = append(r.Warnings, "per-title ladder: the search kept no per-chunk encodes for a per-shot one")
		} else {
			r.PerShot = perShotSummary(found.Shots, found, src.Seconds())
			hull = r.PerShot.Hull
		}
	}
	sel, err := Select(hull, selOpt)
	if err != nil {
		return Result{}, fmt.Errorf("%w (%s)", err, o.Input)
	}
	r.Warnings = append(r.Warnings, sel.Warnings...)
	r.Saturated = sel.Saturated
	if o.Fixed != "" {
		r.BDRate = CompareFixed(o.Fixed, r.Reference, hull, sel.Rungs)
		if r.BDRate.Warning != "" {
			r.Warnings = append(r.Warnings, r.BDRate.Warning)
		}
	}
	picked := sel.Rungs
	if r.PerShot != nil {
		picked = append([]Point(nil), sel.Rungs...)
		for i, p := range picked {
			if picked[i], err = j.assemble(ctx, p, fmt.Sprintf("pershot_%d_%dx%d", i, p.Width, p.Height)); err != nil {
				return Result{}, err
			}
		}
		r.PerShot.Shots = shotTable(found.Shots, picked)
	}
	res := Result{JSON: filepath.Join(o.OutDir, "ladder.json"), HTML: filepath.Join(o.OutDir, "report.html")}
	if r.Rungs, res.Master, err = j.packageRungs(ctx, picked); err != nil {
		return Result{}, err
	}
	r.Master = filepath.Base(res.Master)
	if err := j.worstFrames(ctx, r.Rungs); err != nil {
		return Result{}, err
	}
	if w, err := j.rungCAMBI(ctx, r.Rungs); err != nil {
		return Result{}, err
	} else if w != "" {
		r.Warnings = append(r.Warnings, w)
	}
	figs, err := j.plots(ctx, &r, found.Points)
	if err != nil {
		return Result{}, err
	}
	if err := WriteJSON(res.JSON, r); err != nil {
		return Result{}, err
	}
	if err := WriteHTML(res.HTML, r, figs); err != nil {
		return Result{}, err
	}
	res.Report = r
	return res, nil
}

// packageRungs packages each rung's encode as an HLS fragmented-MP4
// rendition under OutDir/hls (the Media's PackageHLS) and writes
// OutDir/master.m3u8.
func (j *job) packageRungs(ctx context.Context, picked []Point) ([]Rung, string, error) {
	dir := filepath.Join(j.o.OutDir, "hls")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", fmt.Errorf("ladder: output directory: %w", err)
	}
	rungs := make([]Rung, len(picked))
	variants := make([]Variant, len(picked))
	for i, p := range picked {
		name := fmt.Sprintf("rung%d_%dx%d", i, p.Width, p.Height)
		v, err := j.o.Media.PackageHLS(ctx, filepath.Join(j.o.OutDir, p.File), dir, name, KeyintSeconds)
		if err != nil {
			return nil, "", err
		}
		p.File = "hls/" + name + ".mp4"
		rungs[i] = Rung{Point: p, PeakKbps: float64(v.Bandwidth) / 1000, Playlist: "hls/" + v.URI}
		v.URI = "hls/" + v.URI
		variants[i] = v
		j.progress("package", i+1, len(picked), name)
	}
	master, err := WriteMaster(j.o.OutDir, variants)
	return rungs, master, err
}

// plots writes the rate–quality and per-frame plots into OutDir as SVG and
// PNG, lists them in the report and returns them for report.html.
func (j *job) plots(ctx context.Context, r *Report, candidates []Point) ([]Figure, error) {
	var rungs []Point
	for _, g := range r.Rungs {
		rungs = append(rungs, g.Point)
	}
	title := filepath.Base(j.o.Input)
	rq, err := RateQualityPlot(title+": rate and quality", candidates, r.Hull, rungs, r.Reference)
	if err != nil {
		return nil, err
	}
	fp, err := FramePlot(title+": per-frame VMAF of the rungs", rungs)
	if err != nil {
		return nil, err
	}
	type figure struct {
		title, name string
		c           plot.Chart
	}
	all := []figure{{"Rate–quality per resolution, convex hull and rungs", "rate_quality", rq}, {"Per-frame VMAF of each rung", "frames", fp}}
	if r.PerShot != nil {
		cp, err := CurvesPlot(title+": per-shot and per-title R-D curves", r.Hull, r.PerShot.Hull)
		if err != nil {
			return nil, err
		}
		all = append(all, figure{"The title's R-D curves: per-title hull and per-shot hull of the same trial encodes", "per_shot", cp})
	}
	var figs []Figure
	for _, f := range all {
		svg, files, err := saveFigure(ctx, f.c, j.o.OutDir, f.name)
		if err != nil {
			return nil, err
		}
		r.Plots = append(r.Plots, files...)
		figs = append(figs, Figure{f.title, svg})
	}
	return figs, nil
}

// job is the state of one Run shared by its stages.
type job struct {
	o    Options
	src  SourceInfo
	work string

	mu sync.Mutex // serialises Progress calls
}

func (j *job) progress(stage string, done, total int, label string) {
	if j.o.Progress == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.o.Progress(Progress{Stage: stage, Done: done, Total: total, Label: label})
}

// measure encodes one job and scores it into a point whose File is relative
// to the output directory.
func (j *job) measure(ctx context.Context, e EncodeJob) (Point, error) {
	kbps, err := j.o.Media.Encode(ctx, e)
	if err != nil {
		return Point{}, fmt.Errorf("encode %s: %w", e.Out, err)
	}
	frames, err := j.o.Media.Score(ctx, j.o.Input, e.Out)
	if err != nil {
		return Point{}, fmt.Errorf("score %s: %w", e.Out, err)
	}
	if len(frames) == 0 {
		return Point{}, fmt.Errorf("score %s: no frames", e.Out)
	}
	rel, err := filepath.Rel(j.o.OutDir, e.Out)
	if err != nil {
		rel = e.Out
	}
	rel = filepath.ToSlash(rel)
	p := Point{Width: e.Size.Width, Height: e.Size.Height, CRF: e.CRF, Target: e.Kbps, Kbps: kbps, File: rel, Frames: frames}
	if p.VMAF, p.P5, p.Min, err = poolVMAF(frames); err != nil {
		return Point{}, fmt.Errorf("score %s: %w", e.Out, err)
	}
	return p, nil
}

// Trial makes the job the search's Prober: a candidate encoded into work/
// and scored.
func (j *job) Trial(ctx context.Context, c Candidate) (Point, error) {
	return j.measure(ctx, j.trialJob(c))
}

// reference encodes and scores the fixed ladder at its bitrates.
func (j *job) reference(ctx context.Context, name string) ([]Point, error) {
	rungs, err := FixedFor(name, j.src.Size)
	if err != nil {
		return nil, err
	}
	out := make([]Point, len(rungs))
	for i, r := range rungs {
		file := fmt.Sprintf("%s_%d_%dx%d_%s_%gk.mp4", name, i, r.Size.Width, r.Size.Height, j.o.Codec, r.Kbps)
		p, err := j.measure(ctx, EncodeJob{Source: j.o.Input, Codec: j.o.Codec, Size: r.Size, Kbps: r.Kbps, Out: filepath.Join(j.work, file)})
		if err != nil {
			return nil, fmt.Errorf("ladder: %s reference %v at %g kb/s: %w", name, r.Size, r.Kbps, err)
		}
		out[i] = p
		j.progress("reference", i+1, len(rungs), fmt.Sprintf("%s: %.0f kb/s, VMAF %.2f", p.Label(), p.Kbps, p.VMAF))
	}
	return out, nil
}

// formatCRF writes a CRF as file names carry it (27, 27.5).
func formatCRF(crf float64) string { return strconv.FormatFloat(crf, 'f', -1, 64) }

// lowestRate is the point of lowest bitrate.
func lowestRate(ps []Point) Point {
	lo := ps[0]
	for _, p := range ps {
		if p.Kbps < lo.Kbps {
			lo = p
		}
	}
	return lo
}

// poolVMAF returns the mean, the 5th percentile and the minimum of the
// per-frame scores, pooled by quality.Pool (the percentile interpolates
// linearly between the closest ranks, numpy's default).
func poolVMAF(v []float64) (mean, p5, lo float64, err error) {
	for _, f := range []struct {
		method string
		dst    *float64
	}{{"mean", &mean}, {"p5", &p5}, {"min", &lo}} {
		if *f.dst, err = quality.Pool(f.method, v); err != nil {
			return 0, 0, 0, err
		}
	}
	return mean, p5, lo, nil
}

// sortedPoints orders points by size (largest first), then CRF.
func sortedPoints(ps []Point) []Point {
	out := append([]Point(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Height != out[j].Height {
			return out[i].Height > out[j].Height
		}
		return out[i].CRF < out[j].CRF
	})
	return out
}
