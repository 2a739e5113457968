package ladder

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
)

// Optimisations of --optimize.
const (
	PerShot  = "per-shot"  // a CRF per shot at equal slope, one resolution per rung
	PerTitle = "per-title" // one CRF per rung for the whole title
)

// ShotMedia is what a per-shot ladder needs of the Media beyond encoding
// and scoring: the chunks each encode is made of, and joining chosen chunk
// encodes into one rendition without encoding again.
type ShotMedia interface {
	// Chunks returns the chunks of the CRF encode job, which Encode made.
	Chunks(ctx context.Context, job EncodeJob) ([]ChunkFile, error)
	// Join concatenates one file per chunk of the source's plan, in order,
	// into an output file and returns its video bitrate in kb/s.
	Join(ctx context.Context, j JoinJob) (kbps float64, err error)
}

// JoinJob is one Join: a rendition made of chunk encodes.
type JoinJob struct {
	Source string   // the source URL
	Files  []string // one per chunk of the plan, in order
	Out    string   // .mp4 or .mkv, written whole or not at all
	Audio  bool     // copy the source's audio
}

// ChunkFile is one encoded chunk of a rendition.
type ChunkFile struct {
	Index, Start, End int // chunk number, frames [Start, End)
	File              string
	Bits              float64 // video bits
}

// ShotRow is one line of the report's per-shot table: a shot and, for each
// rung, the resolution and CRF it took.
type ShotRow struct {
	Shot   int          `json:"shot"`
	Start  int          `json:"start"`
	End    int          `json:"end"`
	Rungs  []ShotChoice `json:"rungs"`
	Frames int          `json:"frames"`
}

// PerShotSummary is the per-shot part of the report: the shots, the
// per-shot R-D curve next to the per-title one of the same trial encodes,
// and their Bjøntegaard delta.
type PerShotSummary struct {
	Shots        []ShotRow `json:"shots"`
	Hull         []Point   `json:"hull"`                           // per-shot title points on their hull
	TitleTrials  int       `json:"per_title_trials"`               // trial encodes of the per-title search, before per-shot densifying
	ChunkEncodes int       `json:"chunk_encodes"`                  // chunk encodes the search made (trial encodes × chunks)
	GridChunks   int       `json:"grid_chunks"`                    // chunk encodes of the full grid
	BDRate       *float64  `json:"bd_rate_vs_per_title,omitempty"` // PCHIP, percent
	BDRateNote   string    `json:"bd_rate_note,omitempty"`         // why BDRate is missing
	// MixedBDRate measures what the rungs leave out by keeping one
	// resolution each: the BD-rate (PCHIP, percent) of the allocation in
	// which every shot may also take another size (Frontier over all the
	// trial sizes at once) against Hull's one size per rendition. A
	// rendition whose shots change size needs an EXT-X-DISCONTINUITY and a
	// new EXT-X-MAP at each change; rung does not package those.
	MixedBDRate *float64 `json:"bd_rate_mixed_sizes_vs_one_size,omitempty"`
}

// trialJob is the encode job of a trial candidate.
func (j *job) trialJob(c Candidate) EncodeJob {
	name := fmt.Sprintf("cand_%dx%d_%s_crf%s.mp4", c.Size.Width, c.Size.Height, j.o.Codec, formatCRF(c.CRF))
	return EncodeJob{Source: j.o.Input, Codec: j.o.Codec, Size: c.Size, CRF: c.CRF, Out: filepath.Join(j.work, name)}
}

// shots splits every trial encode into its chunks: each chunk's bits from
// its file and its per-frame VMAF from the trial's scores. It needs a
// ShotMedia; otherwise errNoShots.
func (j *job) shots(ctx context.Context, trials []Point) ([]Shot, error) {
	sm, ok := j.o.Media.(ShotMedia)
	if !ok {
		return nil, errNoShots
	}
	var shots []Shot
	for _, p := range trials {
		e := j.trialJob(Candidate{Size{p.Width, p.Height}, p.CRF})
		cs, err := sm.Chunks(ctx, e)
		if err != nil {
			return nil, fmt.Errorf("ladder: per-shot: %w", err)
		}
		if shots == nil {
			for _, c := range cs {
				shots = append(shots, Shot{Index: c.Index, Start: c.Start, End: c.End})
			}
		}
		if len(cs) != len(shots) {
			return nil, fmt.Errorf("ladder: per-shot: %s has %d chunks, want %d", e.Out, len(cs), len(shots))
		}
		for i, c := range cs {
			if c.Start != shots[i].Start || c.End != shots[i].End || c.End > len(p.Frames) {
				return nil, fmt.Errorf("ladder: per-shot: chunk %d of %s is frames %d–%d of %d, want %d–%d", c.Index, e.Out, c.Start, c.End, len(p.Frames), shots[i].Start, shots[i].End)
			}
			fs := p.Frames[c.Start:c.End]
			mean := 0.0
			for _, v := range fs {
				mean += v
			}
			shots[i].Points = append(shots[i].Points, ShotPoint{Size: Size{p.Width, p.Height}, CRF: p.CRF, Bits: c.Bits,
				VMAF: mean / float64(len(fs)), File: c.File, Frames: fs})
		}
	}
	if err := checkShots(shots, j.src.Frames); err != nil {
		return nil, err
	}
	return shots, nil
}

// Shots returns the shots of the trial encodes of a finished search (their
// chunks through o.Media, a ShotMedia, and the trials' per-frame scores),
// which Finish needs in found.Shots for a per-shot ladder: Run calls it
// after its search, the Temporal runner on the worker that finishes.
func Shots(ctx context.Context, o Options, src SourceInfo, trials []Point) ([]Shot, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	work := o.WorkDir
	if work == "" {
		work = filepath.Join(o.OutDir, "work")
	}
	j := &job{o: o, src: src, work: work}
	return j.shots(ctx, trials)
}

// errNoShots is returned by job.shots for a Media without chunks.
var errNoShots = errors.New("ladder: per-shot: the media gives no per-chunk encodes")

// assemble joins the chunk encodes a per-shot point picked into one file
// under work/ and returns the point with its File (relative to the output
// directory) and the measured bitrate.
func (j *job) assemble(ctx context.Context, p Point, name string) (Point, error) {
	sm, ok := j.o.Media.(ShotMedia)
	if !ok {
		return p, errNoShots
	}
	files := make([]string, len(p.Shots))
	for i, c := range p.Shots {
		files[i] = c.File
	}
	out := filepath.Join(j.work, name+".mp4")
	kbps, err := sm.Join(ctx, JoinJob{Source: j.o.Input, Files: files, Out: out})
	if err != nil {
		return p, fmt.Errorf("ladder: join %s: %w", name, err)
	}
	rel, err := filepath.Rel(j.o.OutDir, out)
	if err != nil {
		rel = out
	}
	// The rendition's bitrate is the allocation's sum of its chunks'
	// packets; the joined file holds the same packets.
	if math.Abs(kbps-p.Kbps) > 0.005*p.Kbps {
		return p, fmt.Errorf("ladder: join %s: %.1f kb/s, its chunks sum to %.1f", name, kbps, p.Kbps)
	}
	p.File = filepath.ToSlash(rel)
	return p, nil
}

// shotTable is the report's per-shot table of the rungs.
func shotTable(shots []Shot, rungs []Point) []ShotRow {
	rows := make([]ShotRow, len(shots))
	for i, s := range shots {
		rows[i] = ShotRow{Shot: s.Index, Start: s.Start, End: s.End, Frames: s.Frames()}
		for _, r := range rungs {
			if i < len(r.Shots) {
				rows[i].Rungs = append(rows[i].Rungs, r.Shots[i])
			}
		}
	}
	return rows
}

// perShotSummary builds the per-shot R-D curve of the trial encodes' chunks
// and its BD-rate against the per-title hull of the same encodes.
func perShotSummary(shots []Shot, found SearchResult, seconds float64) *PerShotSummary {
	s := &PerShotSummary{
		Hull:         Hull(PerShotPoints(shots, seconds)),
		TitleTrials:  found.TitleTrials,
		ChunkEncodes: len(found.Points) * len(shots),
		GridChunks:   found.Grid * len(shots),
	}
	if v, err := BDRate(found.Hull, s.Hull); err == nil {
		s.BDRate = percent(v)
	} else {
		s.BDRateNote = err.Error()
	}
	if v, err := BDRate(s.Hull, Hull(Frontier(shots, seconds))); err == nil {
		s.MixedBDRate = percent(v)
	}
	return s
}
