package ladder

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"rung/quality"
)

// TargetMedia is what a target-quality encode needs of the Media beyond
// Media and ShotMedia: encoding each chunk of the source's plan at its own
// CRF.
type TargetMedia interface {
	ShotMedia
	// EncodeChunks encodes chunk i of the plan at crfs[i] (job.CRF is
	// ignored) and returns the chunks, as Chunks does.
	EncodeChunks(ctx context.Context, job EncodeJob, crfs []float64) ([]ChunkFile, error)
}

// TargetOptions configures Target.
type TargetOptions struct {
	Input   string
	Output  string // .mp4 or .mkv, written whole or not at all
	Codec   string // default x264
	Height  int    // output height; 0 keeps the source's
	VMAF    float64
	Pool    string // how a chunk's and the title's frames are pooled: quality.Pool's methods (default mean)
	Probes  []float64
	Rounds  int     // correction rounds after the first per-chunk encode (default 2)
	Tol     float64 // a chunk within Tol of VMAF is not corrected (default 0.25)
	WorkDir string  // probe and chunk encodes
	Media   Media
	// Progress, when set, is told of every finished step.
	Progress func(Progress)
}

// TargetChunk is one chunk of a target-quality encode.
type TargetChunk struct {
	Index     int     `json:"index"`
	Start     int     `json:"start"`
	End       int     `json:"end"`
	CRF       float64 `json:"crf"`
	Predicted float64 `json:"predicted_vmaf"` // what the probes predicted at CRF
	VMAF      float64 `json:"vmaf"`           // achieved, pooled over the chunk's frames
	Kbps      float64 `json:"bitrate_kbps"`
	Encodes   int     `json:"encodes"` // encodes of this chunk, probes included
}

// TargetResult is what Target made.
type TargetResult struct {
	Output string        `json:"output"`
	Target float64       `json:"target_vmaf"`
	Pool   string        `json:"pool"`
	VMAF   float64       `json:"vmaf"` // the whole file's, pooled
	Kbps   float64       `json:"bitrate_kbps"`
	Chunks []TargetChunk `json:"chunks"`
	// MeanAbsError is the mean |predicted − achieved| VMAF of the chunks'
	// first per-chunk encode: how well the probes' interpolation predicts.
	MeanAbsError float64 `json:"mean_abs_prediction_error"`
}

// Target encodes the source with the CRF of each chunk chosen so that the
// chunk's pooled VMAF reaches o.VMAF: the whole source is encoded at a few
// probe CRFs (chunked, so each chunk is sized and scored on its own), each
// chunk's CRF for the target is interpolated from its probes with
// log(100 − VMAF) linear in CRF, the chunks are encoded at their CRFs and
// scored, and chunks still further than Tol from the target are corrected
// from their two nearest measurements (bracketing when they can), for at
// most Rounds rounds.
func Target(ctx context.Context, o TargetOptions) (TargetResult, error) {
	if o.Codec == "" {
		o.Codec = "x264"
	}
	if o.Pool == "" {
		o.Pool = "mean"
	}
	if o.Rounds == 0 {
		o.Rounds = 2
	}
	if o.Tol == 0 {
		o.Tol = 0.25
	}
	crfRange, err := CRFRangeFor(o.Codec)
	if err != nil {
		return TargetResult{}, err
	}
	if len(o.Probes) == 0 {
		o.Probes = []float64{crfRange.Lo + (crfRange.Hi-crfRange.Lo)/6, crfRange.Lo + (crfRange.Hi-crfRange.Lo)/2}
	}
	if !(o.VMAF > 0 && o.VMAF < 100) {
		return TargetResult{}, fmt.Errorf("ladder: target VMAF %g: want 0 < V < 100", o.VMAF)
	}
	if _, err := quality.Pool(o.Pool, []float64{1}); err != nil {
		return TargetResult{}, fmt.Errorf("ladder: --pool %s: %w", o.Pool, err)
	}
	tm, ok := o.Media.(TargetMedia)
	if !ok {
		return TargetResult{}, errors.New("ladder: target quality: the media cannot encode chunks at their own CRFs")
	}
	src, err := o.Media.Probe(ctx, o.Input)
	if err != nil {
		return TargetResult{}, fmt.Errorf("ladder: probe %s: %w", o.Input, err)
	}
	if err := os.MkdirAll(o.WorkDir, 0o755); err != nil {
		return TargetResult{}, fmt.Errorf("ladder: work dir: %w", err)
	}
	size := src.Size
	if o.Height > 0 {
		size = ScaledSize(src.Size, o.Height)
	}
	t := &target{o: o, tm: tm, src: src, size: size}
	steps := len(o.Probes) + 1 + o.Rounds
	// Probes: the whole source at each probe CRF.
	var chunks []ChunkFile
	var meas [][]measure // per chunk, every (CRF, VMAF) measured
	for i, crf := range o.Probes {
		job := EncodeJob{Source: o.Input, Codec: o.Codec, Size: size, CRF: crf, Out: filepath.Join(o.WorkDir, fmt.Sprintf("probe_crf%s.mp4", formatCRF(crf)))}
		if _, err := o.Media.Encode(ctx, job); err != nil {
			return TargetResult{}, fmt.Errorf("ladder: probe at crf %g: %w", crf, err)
		}
		cs, err := tm.Chunks(ctx, job)
		if err != nil {
			return TargetResult{}, err
		}
		vs, err := t.score(ctx, job.Out, cs)
		if err != nil {
			return TargetResult{}, err
		}
		if meas == nil {
			chunks, meas = cs, make([][]measure, len(cs))
		}
		for k := range cs {
			meas[k] = append(meas[k], measure{crf, vs[k]})
		}
		t.progress(i+1, steps, fmt.Sprintf("probe crf %g", crf))
	}
	res := TargetResult{Output: o.Output, Target: o.VMAF, Pool: o.Pool, Chunks: make([]TargetChunk, len(chunks))}
	crfs := make([]float64, len(chunks))
	for k, c := range chunks {
		crfs[k] = crfFor(meas[k], o.VMAF, crfRange)
		res.Chunks[k] = TargetChunk{Index: c.Index, Start: c.Start, End: c.End, CRF: crfs[k], Predicted: predictAt(meas[k], crfs[k]), Encodes: len(o.Probes)}
	}
	changed := make([]bool, len(chunks)) // chunks encoded at a new CRF this round
	for k := range changed {
		changed[k] = true
	}
	for round := 0; ; round++ {
		job := EncodeJob{Source: o.Input, Codec: o.Codec, Size: size, Out: filepath.Join(o.WorkDir, fmt.Sprintf("target_round%d.mp4", round))}
		cs, err := tm.EncodeChunks(ctx, job, crfs)
		if err != nil {
			return TargetResult{}, err
		}
		files := make([]string, len(cs))
		for k, c := range cs {
			files[k] = c.File
		}
		if _, err := tm.Join(ctx, JoinJob{Source: o.Input, Files: files, Out: job.Out}); err != nil {
			return TargetResult{}, err
		}
		frames, err := o.Media.Score(ctx, o.Input, job.Out)
		if err != nil {
			return TargetResult{}, fmt.Errorf("ladder: score %s: %w", job.Out, err)
		}
		vs, err := poolChunks(frames, cs, o.Pool)
		if err != nil {
			return TargetResult{}, err
		}
		again := false
		for k, c := range cs {
			tc := &res.Chunks[k]
			if changed[k] {
				tc.CRF, tc.VMAF, tc.Kbps = crfs[k], vs[k], c.Bits/1000/(float64(c.End-c.Start)/src.fps())
				tc.Encodes++
				meas[k] = append(meas[k], measure{crfs[k], vs[k]})
			}
			changed[k] = false
			if math.Abs(vs[k]-o.VMAF) > o.Tol {
				if next := crfFor(meas[k], o.VMAF, crfRange); !tried(meas[k], next) {
					crfs[k], changed[k], again = next, true, true
				}
			}
		}
		if round == 0 {
			for _, tc := range res.Chunks {
				res.MeanAbsError += math.Abs(tc.Predicted-tc.VMAF) / float64(len(res.Chunks))
			}
		}
		t.progress(len(o.Probes)+1+round, steps, fmt.Sprintf("round %d: %d of %d chunks off the target by more than %g", round, countOff(res.Chunks, o.VMAF, o.Tol), len(cs), o.Tol))
		if !again || round == o.Rounds {
			// The last round's chunks are the output's; a chunk whose
			// correction was not encoded keeps the CRF it was scored at.
			for k := range crfs {
				crfs[k] = res.Chunks[k].CRF
			}
			if err := t.finish(ctx, cs, &res, frames); err != nil {
				return TargetResult{}, err
			}
			return res, nil
		}
	}
}

// tried reports whether crf was measured already.
func tried(ms []measure, crf float64) bool {
	for _, m := range ms {
		if m.crf == crf {
			return true
		}
	}
	return false
}

func (s SourceInfo) fps() float64 {
	if s.FrameRateNum <= 0 || s.FrameRateDen <= 0 {
		return 25
	}
	return float64(s.FrameRateNum) / float64(s.FrameRateDen)
}

func countOff(cs []TargetChunk, v, tol float64) int {
	n := 0
	for _, c := range cs {
		if math.Abs(c.VMAF-v) > tol {
			n++
		}
	}
	return n
}

// target is the state of one Target.
type target struct {
	o    TargetOptions
	tm   TargetMedia
	src  SourceInfo
	size Size
}

func (t *target) progress(done, total int, label string) {
	if t.o.Progress != nil {
		t.o.Progress(Progress{Stage: "target", Done: done, Total: total, Label: label})
	}
}

// score scores an encode and pools each chunk's frames.
func (t *target) score(ctx context.Context, file string, cs []ChunkFile) ([]float64, error) {
	frames, err := t.o.Media.Score(ctx, t.o.Input, file)
	if err != nil {
		return nil, fmt.Errorf("ladder: score %s: %w", file, err)
	}
	return poolChunks(frames, cs, t.o.Pool)
}

// finish joins the final chunks into the output (with the source's audio)
// and pools the whole file's score.
func (t *target) finish(ctx context.Context, cs []ChunkFile, res *TargetResult, frames []float64) error {
	files := make([]string, len(cs))
	var bits float64
	for k, c := range cs {
		files[k] = c.File
		bits += c.Bits
	}
	if _, err := t.tm.Join(ctx, JoinJob{Source: t.o.Input, Files: files, Out: t.o.Output, Audio: true}); err != nil {
		return err
	}
	v, err := quality.Pool(t.o.Pool, frames)
	if err != nil {
		return err
	}
	res.VMAF, res.Kbps = v, bits/1000/(float64(t.src.Frames)/t.src.fps())
	return nil
}

// poolChunks pools each chunk's frames of a title's scores.
func poolChunks(frames []float64, cs []ChunkFile, method string) ([]float64, error) {
	out := make([]float64, len(cs))
	for k, c := range cs {
		if c.End > len(frames) || c.Start >= c.End {
			return nil, fmt.Errorf("ladder: chunk %d (frames %d–%d) outside the %d scored frames", c.Index, c.Start, c.End, len(frames))
		}
		v, err := quality.Pool(method, frames[c.Start:c.End])
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// measure is one (CRF, pooled VMAF) measurement of a chunk.
type measure struct{ crf, vmaf float64 }

// deficit is log(100 − VMAF), about linear in CRF.
func deficit(v float64) float64 { return math.Log(math.Max(100-v, 0.05)) }

// around returns the two measurements to interpolate between for the
// target: the closest one below and the closest one above it when both
// exist, else the two closest.
func around(ms []measure, v float64) (measure, measure) {
	var lo, hi *measure // lo: VMAF below the target (a higher CRF), hi: above
	for i := range ms {
		m := &ms[i]
		if m.vmaf < v && (lo == nil || m.vmaf > lo.vmaf) {
			lo = m
		}
		if m.vmaf >= v && (hi == nil || m.vmaf < hi.vmaf) {
			hi = m
		}
	}
	if lo != nil && hi != nil && lo.crf != hi.crf {
		return *hi, *lo
	}
	// One side only: the two closest to the target.
	a, b := -1, -1
	for i, m := range ms {
		d := math.Abs(m.vmaf - v)
		switch {
		case a < 0 || d < math.Abs(ms[a].vmaf-v):
			a, b = i, a
		case (b < 0 || d < math.Abs(ms[b].vmaf-v)) && m.crf != ms[a].crf:
			b = i
		}
	}
	if b < 0 || ms[a].crf == ms[b].crf {
		return ms[a], ms[a]
	}
	return ms[a], ms[b]
}

// crfFor interpolates the CRF at which a chunk reaches VMAF v from its
// measurements (log(100 − VMAF) linear in CRF), within the encoder's scale
// (x264/x265 0–51 rounded to 0.1; the codecs whose grid reaches past 51,
// SVT-AV1, VP9 and libaom, take whole numbers to 63).
func crfFor(ms []measure, v float64, r CRFRange) float64 {
	a, b := around(ms, v)
	crf := a.crf
	if a.crf != b.crf && deficit(a.vmaf) != deficit(b.vmaf) {
		crf = a.crf + (deficit(v)-deficit(a.vmaf))/(deficit(b.vmaf)-deficit(a.vmaf))*(b.crf-a.crf)
	}
	if r.Hi > 51 {
		return math.Round(math.Min(math.Max(crf, 1), 63))
	}
	return math.Round(math.Min(math.Max(crf, 1), 51)*10) / 10
}

// predictAt is the VMAF the measurements predict at crf.
func predictAt(ms []measure, crf float64) float64 {
	if len(ms) < 2 {
		return ms[0].vmaf
	}
	// The two measurements bracketing crf (or the nearest two).
	a, b := ms[0], ms[1]
	for i := range ms {
		for j := range ms {
			if ms[i].crf < ms[j].crf && math.Abs(ms[i].crf-crf)+math.Abs(ms[j].crf-crf) < math.Abs(a.crf-crf)+math.Abs(b.crf-crf) {
				a, b = ms[i], ms[j]
			}
		}
	}
	if a.crf == b.crf {
		return a.vmaf
	}
	t := (crf - a.crf) / (b.crf - a.crf)
	return 100 - math.Exp(deficit(a.vmaf)+t*(deficit(b.vmaf)-deficit(a.vmaf)))
}
