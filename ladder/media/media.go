// Package media is the FFmpeg-backed Media of package ladder, the one
// `rung ladder`, `rung encode --target-vmaf` and the Temporal workers use:
// sources opened, probed and planned by package encode (through mezzfs),
// scene-cut chunks encoded in one bounded pool with the chunk cache,
// frame-exact concatenation, HLS packaging, and package quality's VMAF
// and CAMBI at the source's size. Package ladder itself links no FFmpeg.
package media

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/asticode/go-astiav"
	"golang.org/x/sync/errgroup"

	"rung/encode"
	"rung/ladder"
	"rung/mezzfs"
	"rung/quality"
)

// v1Models2160 are the VMAF v1 models with a 4K twin: a source above
// 2560x1440 scored with NAME is scored with NAME_2160, as with the v0.6
// 4K model.
var v1Models2160 = []string{"vmaf_v1.0.16_3d0h_2160", "vmaf_v1.0.16_hfr_3d0h_2160"}

// Options configures New.
type Options struct {
	// Model is a VMAF model name or path; "" picks ladder.DefaultModel, or
	// ladder.Model4K for sources above 2560x1440.
	Model string
	// CacheDir holds the encoded chunks (the chunk cache that makes reruns
	// resume).
	CacheDir string
	// Preset is the encoder preset; "" is the encoder's default (x264:
	// medium).
	Preset string
	// Workers bounds the chunk encodes running at once across every
	// candidate (default: the CPU count).
	Workers int
	// Threads is the scorer's thread count (default: the CPU count).
	Threads int
	// Plan limits chunk lengths.
	Plan encode.PlanOptions
	// Source configures how sources are read (encode.OpenSourceWith):
	// the S3 endpoint, the block cache, statistics and a read trace.
	Source mezzfs.Options
}

// FFmpeg is the ladder.Media of `rung ladder`: FFmpeg's libraries through
// package encode (scene-cut chunks encoded in one bounded pool, the chunk
// cache, frame-exact concatenation, HLS packaging) and package quality's
// VMAF. It is also a ladder.ShotMedia, ladder.TargetMedia,
// ladder.FrameMedia and ladder.CAMBIMedia. It is safe for
// concurrent use.
type FFmpeg struct {
	o     Options
	slots chan struct{} // one token per chunk encode running

	mu      sync.Mutex // guards the fields below
	sources map[string]*mediaSource
	models  map[string]*quality.Model
	scores  map[string][]float64 // per-frame VMAF by source, model, file, size and time
	encodes map[string]float64   // kb/s of finished encodes by source, settings and output
}

// mediaSource is one opened, probed and planned source.
type mediaSource struct {
	src   encode.Source
	close func() error
	info  *encode.Info
	plan  *encode.Plan
	id    string
	model string // model name or path chosen for it
}

// New returns the media of `rung ladder`. Close releases its sources.
func New(o Options) (*FFmpeg, error) {
	if o.CacheDir == "" {
		return nil, errors.New("ladder: media: no chunk cache directory")
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.Threads <= 0 {
		o.Threads = runtime.NumCPU()
	}
	return &FFmpeg{
		o: o, slots: make(chan struct{}, o.Workers),
		sources: map[string]*mediaSource{}, models: map[string]*quality.Model{}, scores: map[string][]float64{}, encodes: map[string]float64{},
	}, nil
}

// Close releases every source the media opened.
func (m *FFmpeg) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for k, s := range m.sources {
		errs = append(errs, s.close())
		delete(m.sources, k)
	}
	return errors.Join(errs...)
}

// ModelName is the model the scores of src come from (src must have been
// probed).
func (m *FFmpeg) ModelName(src string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.sources[src]; ok {
		return s.model
	}
	return m.o.Model
}

// Probe opens, probes and plans the source once.
func (m *FFmpeg) Probe(ctx context.Context, src string) (ladder.SourceInfo, error) {
	s, err := m.source(ctx, src)
	if err != nil {
		return ladder.SourceInfo{}, err
	}
	v := s.info.Video
	return ladder.SourceInfo{Size: ladder.Size{Width: v.Width, Height: v.Height}, FrameRateNum: v.FrameRate.Num, FrameRateDen: v.FrameRate.Den, Frames: v.Frames}, nil
}

func (m *FFmpeg) source(ctx context.Context, url string) (*mediaSource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.sources[url]; ok {
		return s, nil
	}
	src, closeSrc, err := encode.OpenSourceWith(ctx, url, m.o.Source)
	if err != nil {
		return nil, err
	}
	s := &mediaSource{src: src, close: closeSrc}
	if err := s.load(ctx, url, m.o); err != nil {
		closeSrc()
		return nil, err
	}
	m.sources[url] = s
	return s, nil
}

// load probes, identifies and plans the source and picks its model.
func (s *mediaSource) load(ctx context.Context, url string, o Options) error {
	var err error
	if s.info, err = encode.Probe(ctx, s.src, url); err != nil {
		return err
	}
	if s.info.Video == nil || s.info.Video.Frames == 0 {
		return fmt.Errorf("ladder: %s: no video frames", url)
	}
	if s.id, err = encode.SourceID(s.src); err != nil {
		return err
	}
	if s.plan, err = encode.PlanChunks(ctx, s.src, s.info, o.Plan); err != nil {
		return err
	}
	s.model = o.Model
	big := s.info.Video.Width*s.info.Video.Height > 2560*1440
	switch {
	case s.model == "":
		s.model = ladder.DefaultModel
		if big {
			s.model = ladder.Model4K
		}
	case big && slices.Contains(v1Models2160, s.model+"_2160"):
		s.model += "_2160" // VMAF v1's 4K model for the same viewing distance
	}
	return nil
}

// Encode encodes the source into job.Out. A CRF job is the source's chunk
// plan encoded chunk by chunk (cached) and concatenated. A bitrate job
// (fixed reference ladders) is two-pass average bitrate over the whole
// source as one chunk, since a two-pass rate control needs the whole
// stream; it needs x264 or x265. The returned bitrate is the video
// stream's packet bytes over the source's duration.
func (m *FFmpeg) Encode(ctx context.Context, job ladder.EncodeJob) (float64, error) {
	s, err := m.source(ctx, job.Source)
	if err != nil {
		return 0, err
	}
	set, err := m.settings(s, job)
	if err != nil {
		return 0, err
	}
	memoKey := fmt.Sprintf("%s|%+v|%g|%s", s.id, set, job.Kbps, job.Out)
	m.mu.Lock()
	kbps, done := m.encodes[memoKey]
	m.mu.Unlock()
	if _, err := os.Stat(job.Out); done && err == nil {
		return kbps, nil
	}
	cache := encode.Cache{Dir: m.o.CacheDir}
	if err := os.MkdirAll(cache.Dir, 0o755); err != nil {
		return 0, fmt.Errorf("ladder: chunk cache: %w", err)
	}
	var chunks []encode.Chunk
	var paths []string
	if job.Kbps > 0 {
		c, p, err := m.twoPass(ctx, s, cache, set, job)
		if err != nil {
			return 0, err
		}
		chunks, paths = []encode.Chunk{c}, []string{p}
	} else {
		chunks = s.plan.Chunks
		paths = chunkPaths(cache, s, set)
		g, gctx := errgroup.WithContext(ctx)
		for i, c := range chunks {
			if cache.Has(paths[i]) {
				continue
			}
			g.Go(func() error { return m.encodeChunk(gctx, s, c, set, paths[i]) })
		}
		if err := g.Wait(); err != nil {
			return 0, err
		}
	}
	cr, err := encode.Concat(ctx, encode.ConcatJob{Info: s.info, Chunks: chunks, Paths: paths, Output: job.Out})
	if err != nil {
		return 0, err
	}
	if len(cr.Lost) > 0 { // renditions are scored frame by frame against the source
		os.Remove(job.Out)
		return 0, fmt.Errorf("ladder: %s: %w: %s", s.info.Name, encode.ErrDamaged, encode.LostFrames(cr.Lost, s.info.Video.Frames))
	}
	if kbps, err = m.kbps(s, job.Out); err != nil {
		return 0, err
	}
	m.mu.Lock()
	m.encodes[memoKey] = kbps
	m.mu.Unlock()
	return kbps, nil
}

// settings are the encoder settings of a job. Every encode of a source
// has keyframes at the same times, so that its renditions switch cleanly
// and per-shot renditions mix chunks of different CRFs: a keyframe starts
// each chunk (the plan) and then one every KeyintSeconds, with the
// encoders' own scene-cut keyframes off (x264, x265; the other encoders
// may add keyframes of their own).
func (m *FFmpeg) settings(s *mediaSource, job ladder.EncodeJob) (encode.Settings, error) {
	set := ChunkSettings(job, m.o.Preset, s.info.Video.FrameRate.Float64())
	return set, set.Validate()
}

// ChunkSettings are the encoder settings of the chunks of a ladder encode
// of a source at fps frames/s (FFmpeg's; the Temporal runner's chunk
// activities use them too, so that their chunks are the same cache
// entries).
func ChunkSettings(job ladder.EncodeJob, preset string, fps float64) encode.Settings {
	set := encode.Settings{Codec: job.Codec, CRF: job.CRF, Preset: preset, Height: job.Size.Height, Threads: 1}
	if fps > 0 {
		set.Keyint = max(1, int(math.Round(ladder.KeyintSeconds*fps)))
	}
	// Chunks of different CRFs join into one stream only when their
	// headers are equal: x264's stitchable keeps the PPS's initial QP at
	// 26 whatever the CRF, and x265's info=0 drops the SEI that spells
	// out the CRF among its options.
	switch job.Codec {
	case "x264":
		set.Params = "scenecut=0:stitchable=1"
	case "x265":
		set.Params = "scenecut=0:info=0"
	}
	return set
}

// chunkPaths are the cached files of the source's chunks encoded with set.
func chunkPaths(cache encode.Cache, s *mediaSource, set encode.Settings) []string {
	paths := make([]string, len(s.plan.Chunks))
	for i, c := range s.plan.Chunks {
		paths[i] = cache.Path(c.Index, encode.ChunkKey(s.id, c, set))
	}
	return paths
}

// Chunks returns the chunks of a CRF encode that Encode made: their frame
// ranges, cached files and video bits, for per-shot ladders.
func (m *FFmpeg) Chunks(ctx context.Context, job ladder.EncodeJob) ([]ladder.ChunkFile, error) {
	s, err := m.source(ctx, job.Source)
	if err != nil {
		return nil, err
	}
	if job.Kbps > 0 {
		return nil, fmt.Errorf("ladder: chunks of %s: a bitrate-targeted encode is one piece", job.Out)
	}
	set, err := m.settings(s, job)
	if err != nil {
		return nil, err
	}
	cache := encode.Cache{Dir: m.o.CacheDir}
	paths := chunkPaths(cache, s, set)
	out := make([]ladder.ChunkFile, len(paths))
	for i, c := range s.plan.Chunks {
		if !cache.Has(paths[i]) {
			return nil, fmt.Errorf("ladder: chunk %d of %s is not in the cache", c.Index, job.Out)
		}
		n, err := videoBytes(paths[i])
		if err != nil {
			return nil, err
		}
		out[i] = ladder.ChunkFile{Index: c.Index, Start: c.Start, End: c.End, File: paths[i], Bits: float64(n) * 8}
	}
	return out, nil
}

// Join concatenates one encoded file per chunk of the source's plan, in
// order (from Chunks or EncodeChunks), into j.Out without re-encoding and
// returns its video bitrate in kb/s.
func (m *FFmpeg) Join(ctx context.Context, j ladder.JoinJob) (float64, error) {
	s, err := m.source(ctx, j.Source)
	if err != nil {
		return 0, err
	}
	if len(j.Files) != len(s.plan.Chunks) {
		return 0, fmt.Errorf("ladder: join %s: %d files for %d chunks", j.Out, len(j.Files), len(s.plan.Chunks))
	}
	cj := encode.ConcatJob{Info: s.info, Chunks: s.plan.Chunks, Paths: j.Files, Output: j.Out}
	if j.Audio {
		cj.Audio = s.src
	}
	cr, err := encode.Concat(ctx, cj)
	if err != nil {
		return 0, err
	}
	if len(cr.Lost) > 0 {
		os.Remove(j.Out)
		return 0, fmt.Errorf("ladder: %s: %w: %s", s.info.Name, encode.ErrDamaged, encode.LostFrames(cr.Lost, s.info.Video.Frames))
	}
	return m.kbps(s, j.Out)
}

// EncodeChunks encodes chunk i of the source's plan at crfs[i] (cached,
// in the pool Encode uses) and returns the chunks.
func (m *FFmpeg) EncodeChunks(ctx context.Context, job ladder.EncodeJob, crfs []float64) ([]ladder.ChunkFile, error) {
	s, err := m.source(ctx, job.Source)
	if err != nil {
		return nil, err
	}
	if len(crfs) != len(s.plan.Chunks) {
		return nil, fmt.Errorf("ladder: %d CRFs for %d chunks", len(crfs), len(s.plan.Chunks))
	}
	cache := encode.Cache{Dir: m.o.CacheDir}
	if err := os.MkdirAll(cache.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("ladder: chunk cache: %w", err)
	}
	out := make([]ladder.ChunkFile, len(crfs))
	g, gctx := errgroup.WithContext(ctx)
	for i, c := range s.plan.Chunks {
		cj := job
		cj.CRF = crfs[i]
		set, err := m.settings(s, cj)
		if err != nil {
			return nil, err
		}
		path := cache.Path(c.Index, encode.ChunkKey(s.id, c, set))
		out[i] = ladder.ChunkFile{Index: c.Index, Start: c.Start, End: c.End, File: path}
		if cache.Has(path) {
			continue
		}
		g.Go(func() error { return m.encodeChunk(gctx, s, c, set, path) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i := range out {
		n, err := videoBytes(out[i].File)
		if err != nil {
			return nil, err
		}
		out[i].Bits = float64(n) * 8
	}
	return out, nil
}

// kbps is the video bitrate of an encode of s: its packet bytes over the
// source's duration.
func (m *FFmpeg) kbps(s *mediaSource, file string) (float64, error) {
	bytes, err := videoBytes(file)
	if err != nil {
		return 0, err
	}
	secs := float64(s.info.Video.Frames) / s.info.Video.FrameRate.Float64()
	if math.IsNaN(secs) || math.IsInf(secs, 0) || secs <= 0 {
		secs = s.info.Video.Duration
	}
	return float64(bytes) * 8 / 1000 / secs, nil
}

// encodeChunk encodes one chunk into path, holding one of the pool's slots.
func (m *FFmpeg) encodeChunk(ctx context.Context, s *mediaSource, c encode.Chunk, set encode.Settings, path string) error {
	select {
	case m.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-m.slots }()
	return encode.EncodeChunk(ctx, encode.ChunkJob{Source: s.src, Info: s.info, Chunk: c, Settings: set, Path: path, DecodeThreads: 1})
}

// twoPass encodes the whole source at job.Kbps with the encoder's two-pass
// rate control (x264/x265 "pass" and "stats" parameters) and returns the
// chunk and its cached file.
func (m *FFmpeg) twoPass(ctx context.Context, s *mediaSource, cache encode.Cache, set encode.Settings, job ladder.EncodeJob) (encode.Chunk, string, error) {
	if job.Codec != "x264" && job.Codec != "x265" {
		return encode.Chunk{}, "", fmt.Errorf("ladder: bitrate-targeted reference encodes need x264 or x265, not %s", job.Codec)
	}
	whole := encode.Chunk{Index: 0, Start: 0, End: s.info.Video.Frames}
	stats := filepath.Join(cache.Dir, fmt.Sprintf("%s-%s-%dp-%gk.stats", s.id[:16], job.Codec, job.Size.Height, job.Kbps))
	if strings.ContainsAny(stats, ":=") {
		return encode.Chunk{}, "", fmt.Errorf("ladder: chunk cache path %s has ':' or '=', which encoder parameters cannot carry", cache.Dir)
	}
	rate := strconv.FormatFloat(job.Kbps, 'f', -1, 64)
	p2 := set
	p2.CRF = 0
	p2.Params = "bitrate=" + rate + ":pass=2:stats=" + stats
	out := cache.Path(whole.Index, encode.ChunkKey(s.id, whole, p2))
	if cache.Has(out) {
		return whole, out, nil
	}
	p1 := p2
	p1.Params = "bitrate=" + rate + ":pass=1:stats=" + stats
	first := cache.Path(whole.Index, encode.ChunkKey(s.id, whole, p1))
	if err := m.encodeChunk(ctx, s, whole, p1, first); err != nil {
		return encode.Chunk{}, "", fmt.Errorf("first pass: %w", err)
	}
	os.Remove(first) // only its statistics are needed
	if err := m.encodeChunk(ctx, s, whole, p2, out); err != nil {
		return encode.Chunk{}, "", fmt.Errorf("second pass: %w", err)
	}
	return whole, out, nil
}

// Score decodes the source and the encode, upscales the encode to the
// source's size with bicubic (encode's decoder), and returns the per-frame
// VMAF of the source's model. Scores are remembered by file, size and
// modification time, so a second ladder over the same encodes (adaptive
// after exhaustive) scores nothing twice.
func (m *FFmpeg) Score(ctx context.Context, src, dist string) ([]float64, error) {
	s, err := m.source(ctx, src)
	if err != nil {
		return nil, err
	}
	model, err := m.model(s.model)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(dist)
	if err != nil {
		return nil, fmt.Errorf("ladder: score: %w", err)
	}
	key := fmt.Sprintf("%s|%s|%s|%d|%d", s.id, s.model, dist, fi.Size(), fi.ModTime().UnixNano())
	m.mu.Lock()
	memo, ok := m.scores[key]
	m.mu.Unlock()
	if ok {
		return memo, nil
	}
	ref, err := encode.OpenVideo(ctx, s.src, src, encode.DecodeOptions{Info: s.info, Threads: 1, Chroma420: true, Deinterlace: true})
	if err != nil {
		return nil, err
	}
	defer ref.Close()
	ri := ref.Info()
	dis, err := encode.OpenFile(ctx, dist, encode.DecodeOptions{Width: ri.Width, Height: ri.Height, BitDepth: ri.BitDepth,
		Chroma420: ri.Chroma == quality.Chroma420, Threads: 1})
	if err != nil {
		return nil, err
	}
	defer dis.Close()
	ex, err := quality.Extractors(model, nil)
	if err != nil {
		return nil, err
	}
	res, err := quality.Score(ctx, ref, dis, quality.ScoreOptions{Extractors: ex, Model: model, Threads: m.o.Threads, RefName: src, DisName: dist})
	if err != nil {
		return nil, err
	}
	v := res.Scores.Column("vmaf")
	if len(v) != s.info.Video.Frames {
		return nil, fmt.Errorf("ladder: score %s: %d VMAF frames for %d source frames", dist, len(v), s.info.Video.Frames)
	}
	m.mu.Lock()
	m.scores[key] = v
	m.mu.Unlock()
	return v, nil
}

// LoadModel loads (and keeps) the VMAF model name, for Run to find a
// missing model before it encodes.
func (m *FFmpeg) LoadModel(name string) error {
	_, err := m.model(name)
	return err
}

// model loads a model once by name, path or libvmaf's version=/path= syntax
// (quality.OpenModel: the CLI contract's lookup order, then the built-in
// models).
func (m *FFmpeg) model(name string) (*quality.Model, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if md, ok := m.models[name]; ok {
		return md, nil
	}
	md, err := quality.OpenModel(name)
	if err != nil {
		return nil, fmt.Errorf("ladder: %w", err)
	}
	m.models[name] = md
	return md, nil
}

// FramePair decodes frame number frame of the source and of the encode
// dist, the encode upscaled to the source's size with bicubic as Score
// does.
func (m *FFmpeg) FramePair(ctx context.Context, src, dist string, frame int) (ref, dis *quality.Picture, err error) {
	s, err := m.source(ctx, src)
	if err != nil {
		return nil, nil, err
	}
	rd, err := encode.OpenVideo(ctx, s.src, src, encode.DecodeOptions{Info: s.info, Threads: 1, Chroma420: true, Deinterlace: true})
	if err != nil {
		return nil, nil, err
	}
	defer rd.Close()
	ri := rd.Info()
	dd, err := encode.OpenFile(ctx, dist, encode.DecodeOptions{Width: ri.Width, Height: ri.Height, BitDepth: ri.BitDepth,
		Chroma420: ri.Chroma == quality.Chroma420, Threads: 1})
	if err != nil {
		return nil, nil, err
	}
	defer dd.Close()
	di := dd.Info()
	ref = quality.NewPicture(ri.Width, ri.Height, ri.BitDepth, ri.Chroma)
	dis = quality.NewPicture(di.Width, di.Height, di.BitDepth, di.Chroma)
	for i := 0; i <= frame; i++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if err := rd.ReadPicture(ref); err != nil {
			return nil, nil, fmt.Errorf("ladder: frame %d of %s: %w", i, src, err)
		}
		if err := dd.ReadPicture(dis); err != nil {
			return nil, nil, fmt.Errorf("ladder: frame %d of %s: %w", i, dist, err)
		}
	}
	return ref, dis, nil
}

// videoBytes sums the packet sizes of the first video stream of path.
func videoBytes(path string) (int64, error) {
	in := astiav.AllocFormatContext()
	if in == nil {
		return 0, errors.New("ladder: alloc input context")
	}
	defer in.Free()
	if err := in.OpenInput(path, nil, nil); err != nil {
		return 0, fmt.Errorf("ladder: open %s: %w", path, err)
	}
	defer in.CloseInput()
	// The container's header types the streams; FindStreamInfo would
	// decode frames for parameters this count does not use.
	idx := -1
	for _, s := range in.Streams() {
		if s.CodecParameters().MediaType() == astiav.MediaTypeVideo {
			idx = s.Index()
			break
		}
	}
	if idx < 0 {
		return 0, fmt.Errorf("ladder: %s has no video stream", path)
	}
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	var n int64
	for {
		if err := in.ReadFrame(pkt); err != nil {
			if errors.Is(err, astiav.ErrEof) {
				return n, nil
			}
			return 0, fmt.Errorf("ladder: read %s: %w", path, err)
		}
		if pkt.StreamIndex() == idx {
			n += int64(pkt.Size())
		}
		pkt.Unref()
	}
}

// FFmpeg is every kind of media package ladder asks for.
var (
	_ ladder.Media       = (*FFmpeg)(nil)
	_ ladder.TargetMedia = (*FFmpeg)(nil)
	_ ladder.FrameMedia  = (*FFmpeg)(nil)
	_ ladder.CAMBIMedia  = (*FFmpeg)(nil)
)
