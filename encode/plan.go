package encode

import (
	"context"
	"fmt"
	"math"
)

// PlanOptions limits chunk lengths.
type PlanOptions struct {
	// MinChunk is the shortest chunk in seconds (scene cuts closer than
	// this are ignored); 0 means 1 s.
	MinChunk float64
	// ChunkSeconds is the longest chunk in seconds; longer scenes are
	// split evenly. 0 means 10 s.
	ChunkSeconds float64
	// NoScenes skips scene detection: chunks are cut by length only.
	NoScenes bool
	Scene    SceneOptions
}

// Plan is how a source is cut into chunks: plain data, written with
// --plan-json and read back by workers.
type Plan struct {
	Source    string   `json:"source"`
	Frames    int      `json:"frames"`
	FrameRate Rational `json:"frame_rate"`
	SceneCuts []int    `json:"scene_cuts"`
	Chunks    []Chunk  `json:"chunks"`
}

// PlanChunks cuts the source into chunks that respect opts' length limits
// and start at scene changes where possible. Scenes are detected (unless
// opts.NoScenes) only when the source is longer than one chunk: a shorter
// source is a single chunk, since chunk boundaries are what scene cuts
// are for.
func PlanChunks(ctx context.Context, src Source, info *Info, opts PlanOptions) (*Plan, error) {
	v := info.Video
	p := &Plan{Source: info.Name, Frames: v.Frames, FrameRate: v.FrameRate, SceneCuts: []int{}}
	fps := v.FrameRate.Float64()
	if fps <= 0 {
		fps = float64(v.Frames) / math.Max(v.Duration, 1e-9)
	}
	minLen, maxLen := seconds(opts.MinChunk, 1, fps), seconds(opts.ChunkSeconds, 10, fps)
	// A source that fits in one chunk is encoded in one piece: there is
	// no boundary to place, so the scene detector's decode is skipped.
	if !opts.NoScenes && v.Frames > max(maxLen, minLen) {
		diffs, err := FrameDifferences(ctx, src, info, opts.Scene)
		if err != nil {
			return nil, err
		}
		if len(diffs) != v.Frames {
			return nil, fmt.Errorf("encode: plan %s: decoded %d frames, probe counted %d", info.Name, len(diffs), v.Frames)
		}
		p.SceneCuts = SceneCuts(diffs, opts.Scene)
	}
	p.Chunks = CutChunks(v.Frames, p.SceneCuts, minLen, max(maxLen, minLen))
	return p, nil
}

// seconds converts s (or def when s is 0) to a frame count of at least 1.
func seconds(s, def, fps float64) int {
	if s <= 0 {
		s = def
	}
	return max(1, int(math.Round(s*fps)))
}

// CutChunks cuts frames [0, frames) at the scene cuts that leave every
// chunk at least minLen frames long (the last one too), then splits chunks
// longer than maxLen into equal parts of at most maxLen frames.
func CutChunks(frames int, cuts []int, minLen, maxLen int) []Chunk {
	bounds := []int{0}
	for _, c := range cuts {
		if c-bounds[len(bounds)-1] >= minLen && frames-c >= minLen {
			bounds = append(bounds, c)
		}
	}
	bounds = append(bounds, frames)
	var chunks []Chunk
	for i := 0; i+1 < len(bounds); i++ {
		start, end := bounds[i], bounds[i+1]
		parts := (end - start + maxLen - 1) / maxLen
		for k := 0; k < parts; k++ {
			s := start + (end-start)*k/parts
			e := start + (end-start)*(k+1)/parts
			chunks = append(chunks, Chunk{Index: len(chunks), Start: s, End: e})
		}
	}
	return chunks
}

// Validate checks that the plan's chunks cover [0, frames) in order.
func (p *Plan) Validate(frames int) error {
	if p.Frames != frames {
		return fmt.Errorf("encode: plan is for %d frames, the source has %d", p.Frames, frames)
	}
	next := 0
	for i, c := range p.Chunks {
		if c.Index != i || c.Start != next || c.End <= c.Start {
			return fmt.Errorf("encode: plan chunk %d (%d:%d) does not follow frame %d", i, c.Start, c.End, next)
		}
		next = c.End
	}
	if next != frames {
		return fmt.Errorf("encode: plan ends at frame %d, the source has %d", next, frames)
	}
	return nil
}
