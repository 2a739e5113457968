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
	// Threads is how the encode that made the plan split the cores (its
	// encoder thread count is part of the chunks' cache keys); nil in a
	// plan made without encoding.
	Threads *Threads `json:"threads,omitempty"`
}

// PlanChunks cuts the source into chunks that respect opts' length limits
// and start at scene changes where possible. Scenes are detected (unless
// opts.NoScenes) only when the source is longer than one chunk: a shorter
// source is a single chunk, since chunk boundaries are what scene cuts
// are for.
func PlanChunks(ctx context.Context, src Source, info *Info, opts PlanOptions) (*Plan, error) {
	return PlanChunksFunc(ctx, src, info, opts, func(Chunk) error { return nil })
}

// planLengths returns the shortest and longest chunk of opts in frames
// (maxLen >= minLen) and whether scenes are detected: unless
// opts.NoScenes, when the source is longer than one chunk. A source that
// fits in one chunk is encoded in one piece: there is no boundary to
// place, so the scene detector's decode is skipped.
func planLengths(info *Info, opts PlanOptions) (minLen, maxLen int, detect bool) {
	v := info.Video
	fps := v.FrameRate.Float64()
	if fps <= 0 {
		fps = float64(v.Frames) / math.Max(v.Duration, 1e-9)
	}
	minLen, maxLen = seconds(opts.MinChunk, 1, fps), seconds(opts.ChunkSeconds, 10, fps)
	maxLen = max(maxLen, minLen)
	return minLen, maxLen, !opts.NoScenes && v.Frames > maxLen
}

// seconds converts s (or def when s is 0) to a frame count of at least 1.
func seconds(s, def, fps float64) int {
	if s <= 0 {
		s = def
	}
	return max(1, int(math.Round(s*fps)))
}

// CutChunks cuts frames [0, frames) at the scene cuts that leave every
// chunk at least minLen frames long (the last one too) and, in scenes
// longer than maxLen, every maxLen frames: see chunker, which decides each
// boundary from the frames before it, so that a streaming encode places
// the same boundaries as it decodes.
func CutChunks(frames int, cuts []int, minLen, maxLen int) []Chunk {
	ch := chunker{frames: frames, minLen: minLen, maxLen: maxLen}
	var chunks []Chunk
	for i := 1; i < frames; i++ {
		var starts bool
		if starts, cuts = ch.next(i, cuts); starts {
			chunks = append(chunks, Chunk{Index: len(chunks), Start: ch.prev, End: i})
		}
	}
	if frames > 0 {
		chunks = append(chunks, Chunk{Index: len(chunks), Start: ch.last, End: frames})
	}
	return chunks
}

// chunker places chunk boundaries frame by frame, knowing only the frame
// count and whether each frame begins a scene. A scene cut starts a chunk
// when the chunk before and the frames after are at least minLen long. A
// chunk reaching maxLen frames with no cut ends there, unless fewer than
// minLen frames would follow: then the rest, shorter than maxLen+minLen,
// is cut in two halves.
type chunker struct {
	frames, minLen, maxLen int
	last                   int // start of the open chunk
	prev                   int // start of the chunk before it
}

// next is at for frame i given cuts, the scene cuts not yet passed, in
// order: it returns those after i.
func (c *chunker) next(i int, cuts []int) (bool, []int) {
	cut := false
	for len(cuts) > 0 && cuts[0] <= i {
		cut = cut || cuts[0] == i
		cuts = cuts[1:]
	}
	return c.at(i, cut), cuts
}

// at reports whether a chunk starts at frame i (0 < i < frames); frames
// must be asked in order, each once.
func (c *chunker) at(i int, cut bool) bool {
	n, rest := i-c.last, c.frames-i
	bound := cut && n >= c.minLen && rest >= c.minLen
	if !bound && c.frames-c.last > c.maxLen {
		if whole := c.frames - c.last; whole < c.maxLen+c.minLen {
			bound = n == whole/2
		} else {
			bound = n == c.maxLen
		}
	}
	if bound {
		c.prev, c.last = c.last, i
	}
	return bound
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
