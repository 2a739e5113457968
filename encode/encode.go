package encode

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Job is one rendition encode of one source.
type Job struct {
	Source Source
	Name   string // the source's URL, for errors and the plan
	// Info is the source's probe; Encode probes when it is nil.
	Info     *Info
	Settings Settings
	// Output is the final file (.mp4 or .mkv); it appears only when
	// complete.
	Output string
	// WorkDir holds the finished chunks (the cache that makes reruns
	// resume); "" means Output + ".rung".
	WorkDir string
	// Plan, when set, is used instead of planning with PlanOptions.
	Plan        *Plan
	PlanOptions PlanOptions
	// Frames, when set, encodes only frames [Start, End) as one chunk.
	Frames *Chunk
	// Workers is how many chunks are encoded at once; 0 chooses from the
	// cores and the memory.
	Workers int
	// NoAudio drops the source's audio instead of copying it.
	NoAudio bool
	// AudioTrack, when positive, keeps only that audio track (1 is the
	// first); 0 keeps every one.
	AudioTrack int
	// Strict fails the encode on any packet that does not decode;
	// otherwise the frames that decode are encoded, the others listed in
	// Result.Lost and in an EventWarning, unless they are more than 10%
	// of the source (ErrDamaged).
	Strict   bool
	Progress ProgressFunc
}

// Result reports what Encode did.
type Result struct {
	Output string `json:"output"`
	Frames int    `json:"frames"` // frames in Output
	// Lost lists the source frames left out because they did not decode.
	Lost    []int `json:"lost_frames,omitempty"`
	Chunks  int   `json:"chunks"`
	Encoded int   `json:"encoded_chunks"` // chunks encoded by this run
	Cached  int   `json:"cached_chunks"`  // chunks found in the work dir
	Workers int   `json:"workers"`
	Bytes   int64 `json:"bytes"` // size of Output
	// Decoded counts the frames a streaming encode (Plan.Threads.Stream)
	// decoded: the source's frame count (less those that did not decode),
	// however many chunks. 0 when each chunk decoded its own frames.
	Decoded int   `json:"decoded_frames,omitempty"`
	Plan    *Plan `json:"plan"`

	paths   []string // chunk files, by chunk index
	maxHeld int64    // most decoded frames a streaming encode held at once
}

// Encode cuts the source into chunks, encodes the chunks missing from the
// work dir and concatenates them into Output. How depends on the split of
// the cores (jobThreads, recorded in Result.Plan.Threads): when one
// encoder keeps the cores busy, the source is decoded once, scene cuts
// are found as its frames stream past and each chunk is encoded with
// every core as soon as it is known (encodeStream); otherwise the scenes
// are detected first and Workers chunks are encoded at once, each
// decoding its own frames (EncodeChunk). Either stops at the first
// error; finished chunks stay in the work dir for a rerun.
func Encode(ctx context.Context, job Job) (*Result, error) {
	began := time.Now()
	if err := job.Settings.Validate(); err != nil {
		return nil, err
	}
	if _, err := OutputFormat(job.Output); err != nil {
		return nil, err
	}
	if err := checkWritableDir(job.Output); err != nil {
		return nil, err
	}
	info := job.Info
	var early *earlyDecoder
	if info == nil {
		if job.Frames == nil {
			// A whole-title encode most likely streams the source.
			early = openEarly(job.Source, job.Name)
			defer early.close()
		}
		var err error
		if info, err = Probe(ctx, job.Source, job.Name); err != nil {
			return nil, err
		}
	}
	if n := info.AudioTracks(); job.AudioTrack > n && !job.NoAudio {
		return nil, fmt.Errorf("encode: %s: audio track %d asked for, the source has %d", job.Name, job.AudioTrack, n)
	}
	sourceID, err := SourceID(job.Source)
	if err != nil {
		return nil, err
	}
	cache := Cache{Dir: job.WorkDir}
	if cache.Dir == "" {
		cache.Dir = job.Output + ".rung"
	}
	if err := cache.ensure(); err != nil {
		return nil, err
	}
	threads := jobThreads(job, info)
	settings := job.Settings
	settings.Threads = threads.Encoder
	total := info.Video.Frames
	if job.Frames != nil {
		total = job.Frames.Len()
	}
	rep := &reporter{fn: job.Progress, began: began, total: total}
	var res *Result
	if threads.Stream && job.Frames == nil {
		res, err = encodeStreamJob(ctx, job, info, settings, threads, sourceID, cache, rep, early)
	} else {
		res, err = encodeChunks(ctx, job, info, settings, threads, sourceID, cache, rep)
	}
	if err != nil {
		return nil, err
	}
	rep.send(Event{Kind: EventConcat, Chunk: -1})
	cj := ConcatJob{Info: info, Chunks: res.Plan.Chunks, Paths: res.paths, Output: job.Output}
	if !job.NoAudio {
		cj.Audio, cj.AudioTrack = job.Source, job.AudioTrack
	}
	cr, err := Concat(ctx, cj)
	if err != nil {
		return nil, err
	}
	res.Frames, res.Lost = cr.Frames, cr.Lost
	if len(cr.Lost) > 0 {
		// Chunks from an earlier run may hold gaps a strict run refuses.
		if job.Strict || len(cr.Lost) > int(maxLost*float64(total)) {
			os.Remove(job.Output)
			return nil, fmt.Errorf("encode: %s: %w: %s", job.Name, ErrDamaged, LostFrames(cr.Lost, total))
		}
		rep.send(Event{Kind: EventWarning, Chunk: -1, Lost: len(cr.Lost), Message: fmt.Sprintf("%s: %s; encoded the %d that decode", job.Name, LostFrames(cr.Lost, total), cr.Frames)})
	}
	res.Bytes = fileSize(job.Output)
	rep.send(Event{Kind: EventDone, Chunk: -1, Bytes: res.Bytes, Output: job.Output})
	return res, nil
}

// jobThreads splits the cores for a job: a given plan's split when it
// records one and the job asks for none, else SplitThreads; a single
// frame range always has one worker. Settings.Threads, when set, is the
// encoder's thread count.
func jobThreads(job Job, info *Info) Threads {
	_, h := outputSize(info.Video.Width, info.Video.Height, 0, job.Settings.Height)
	workers := job.Workers
	if job.Frames != nil {
		workers = 1
	}
	t := SplitThreads(runtime.NumCPU(), job.Settings.Codec, h, workers)
	if job.Plan != nil && job.Plan.Threads != nil && job.Workers == 0 {
		t = *job.Plan.Threads
	}
	if job.Frames != nil || (info.Video.Interlaced() && !job.Settings.KeepInterlaced) {
		// One range seeks to its frames; bwdif deinterlacing is done per
		// chunk by EncodeChunk, which feeds it the frames around the chunk.
		t.Stream = false
	}
	if !t.Stream {
		t.Workers = max(1, min(t.Workers, DefaultWorkers(info, job.Settings)))
	}
	if job.Settings.Threads > 0 {
		t.Encoder = job.Settings.Threads
	}
	return t
}

// encodeStreamJob encodes the whole source decoding it once
// (encodeStream), detecting the chunks as it goes unless the job gives
// them or they are cut by length alone; early, when set, is the source's
// decoder opened during the probe.
func encodeStreamJob(ctx context.Context, job Job, info *Info, settings Settings, threads Threads, sourceID string, cache Cache, rep *reporter, early *earlyDecoder) (*Result, error) {
	v := info.Video
	sj := streamJob{src: job.Source, info: info, settings: settings, sourceID: sourceID, cache: cache, opts: job.PlanOptions, strict: job.Strict, rep: rep, early: early}
	switch minLen, maxLen, detect := planLengths(info, job.PlanOptions); {
	case job.Plan != nil:
		if err := job.Plan.Validate(v.Frames); err != nil {
			return nil, fmt.Errorf("%w (%s)", err, info.Name)
		}
		sj.chunks = job.Plan.Chunks
	case !detect:
		sj.chunks = CutChunks(v.Frames, nil, minLen, maxLen)
	}
	rep.setChunks(len(sj.chunks)) // 0 until detected
	rep.send(Event{Kind: EventPlan, Chunk: -1})
	sr, err := encodeStream(ctx, sj)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Source: info.Name, Frames: v.Frames, FrameRate: v.FrameRate, SceneCuts: sr.sceneCuts, Chunks: sr.chunks, Threads: &threads}
	if job.Plan != nil {
		plan.SceneCuts = job.Plan.SceneCuts
	}
	return &Result{Output: job.Output, Frames: v.Frames, Chunks: len(sr.chunks), Encoded: sr.encoded, Cached: sr.cached,
		Workers: threads.Workers, Decoded: sr.decoded, Plan: plan, paths: sr.paths, maxHeld: sr.maxHeld}, nil
}

// encodeChunks plans the source (detecting scenes first unless the job
// gives the chunks), then encodes the chunks missing from the cache,
// threads.Workers at once, each decoding its own frames.
func encodeChunks(ctx context.Context, job Job, info *Info, settings Settings, threads Threads, sourceID string, cache Cache, rep *reporter) (*Result, error) {
	plan, err := jobPlan(ctx, job, info)
	if err != nil {
		return nil, err
	}
	p := *plan
	p.Threads = &threads
	plan = &p
	paths := make([]string, len(plan.Chunks))
	missing := 0
	for i, c := range plan.Chunks {
		paths[i] = cache.Path(c.Index, ChunkKey(sourceID, c, settings))
		if !cache.Has(paths[i]) {
			missing++
		}
	}
	workers := max(1, min(threads.Workers, missing))
	decodeThreads := 1
	if workers == 1 {
		decodeThreads = 0
	}
	total := 0
	for _, c := range plan.Chunks {
		total += c.Len()
	}
	res := &Result{Output: job.Output, Frames: total, Chunks: len(plan.Chunks), Workers: threads.Workers, Plan: plan, paths: paths}
	rep.setChunks(len(plan.Chunks))
	rep.send(Event{Kind: EventPlan, Chunk: -1})
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var mu sync.Mutex // guards res.Encoded
	for i, c := range plan.Chunks {
		if cache.Has(paths[i]) {
			res.Cached++
			rep.chunkFrames(c, c.Len(), fileSize(paths[i]), EventChunkCache)
			continue
		}
		g.Go(func() error {
			rep.chunkFrames(c, 0, 0, EventChunkStart)
			err := EncodeChunk(gctx, ChunkJob{
				Source: job.Source, Info: info, Chunk: c, Settings: settings, Path: paths[i],
				DecodeThreads: decodeThreads, Strict: job.Strict,
				Frames: func(done int, bytes int64) {
					rep.chunkFrames(c, done, bytes, EventFrames)
				},
			})
			if err != nil {
				return err
			}
			mu.Lock()
			res.Encoded++
			mu.Unlock()
			rep.chunkFrames(c, c.Len(), fileSize(paths[i]), EventChunkDone)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return res, nil
}

// maxLost is the share of a source's frames that may fail to decode
// before Encode refuses it as bad media rather than warning: a damaged
// packet or two is a usable source, a corrupted middle is not.
const maxLost = 0.1

// LostFrames describes frames that did not decode, out of total, in one
// phrase naming the first few: "2 of 456 frames did not decode (frames
// 454, 455)".
func LostFrames(lost []int, total int) string {
	const named = 8
	var b strings.Builder
	for i, f := range lost[:min(len(lost), named)] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(f))
	}
	if len(lost) > named {
		b.WriteString(", ...")
	}
	noun := "frames"
	if len(lost) == 1 {
		noun = "frame"
	}
	return fmt.Sprintf("%d of %d frames did not decode (%s %s)", len(lost), total, noun, b.String())
}

// jobPlan returns the chunks a job encodes: its frame range as one chunk,
// its given plan (validated), or a new plan.
func jobPlan(ctx context.Context, job Job, info *Info) (*Plan, error) {
	v := info.Video
	switch {
	case job.Frames != nil:
		c := *job.Frames
		if c.Start < 0 || c.End > v.Frames || c.Start >= c.End {
			return nil, fmt.Errorf("encode: %s: frames %d:%d outside the source's 0:%d", info.Name, c.Start, c.End, v.Frames)
		}
		c.Index = 0
		return &Plan{Source: info.Name, Frames: v.Frames, FrameRate: v.FrameRate, SceneCuts: []int{}, Chunks: []Chunk{c}}, nil
	case job.Plan != nil:
		if err := job.Plan.Validate(v.Frames); err != nil {
			return nil, fmt.Errorf("%w (%s)", err, info.Name)
		}
		return job.Plan, nil
	}
	return PlanChunks(ctx, job.Source, info, job.PlanOptions)
}

// DefaultWorkers is the number of chunks to encode at once: one per core,
// fewer when the available memory cannot hold that many encoders of the
// output size.
func DefaultWorkers(info *Info, s Settings) int {
	n := runtime.NumCPU()
	w, h := encodeSize(info.Video, s)
	// An encoder keeps its lookahead and reference frames, about 100
	// frames of 16-bit 4:2:0, plus a fixed overhead.
	perWorker := int64(w*h*3)*100 + 200<<20
	if avail := availableMemory(); avail > 0 {
		n = min(n, int(max(1, avail/perWorker)))
	}
	return max(1, n)
}

// availableMemory reads MemAvailable from /proc/meminfo (0 when unknown).
func availableMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	var kb int64
	for _, line := range strings.Split(string(b), "\n") {
		if _, err := fmt.Sscanf(line, "MemAvailable: %d kB", &kb); err == nil {
			return kb << 10
		}
	}
	return 0
}

// checkWritableDir fails early when the output's directory cannot take
// new files, before any encoding.
func checkWritableDir(output string) error {
	dir := filepath.Dir(output)
	f, err := os.CreateTemp(dir, ".rung-write-test-*")
	if err != nil {
		return fmt.Errorf("encode: output directory %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// reporter turns chunk progress into Events, serialising the callback.
type reporter struct {
	fn    ProgressFunc
	began time.Time
	total int

	mu     sync.Mutex // guards the fields below and calls to fn
	chunks int
	done   map[int]int // frames done per chunk
	bytes  map[int]int64
}

// chunkFrames records that chunk c has done frames and bytes, and sends
// an event of kind k.
func (r *reporter) chunkFrames(c Chunk, done int, bytes int64, k EventKind) {
	if r.fn == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done == nil {
		r.done, r.bytes = map[int]int{}, map[int]int64{}
	}
	r.done[c.Index], r.bytes[c.Index] = done, bytes
	all := 0
	for _, n := range r.done {
		all += n
	}
	r.fn(Event{Kind: k, Chunk: c.Index, Chunks: r.chunks, Frames: done, ChunkFrames: c.Len(), Done: all, Total: r.total, Bytes: bytes, Elapsed: time.Since(r.began)})
}

// setChunks records how many chunks the plan has (so far, while a
// streaming encode detects them).
func (r *reporter) setChunks(n int) {
	r.mu.Lock()
	r.chunks = n
	r.mu.Unlock()
}

// send delivers a job-wide event.
func (r *reporter) send(e Event) {
	if r.fn == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	all := 0
	for _, n := range r.done {
		all += n
	}
	e.Chunks, e.Done, e.Total, e.Elapsed = r.chunks, all, r.total, time.Since(r.began)
	if e.Bytes == 0 {
		for _, b := range r.bytes {
			e.Bytes += b
		}
	}
	r.fn(e)
}
