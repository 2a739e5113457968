package encode

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/asticode/go-astiav"
)

// sceneWidth is about the width of the luma the scene detector compares:
// like av-scenechange's fast mode, detection runs on a downscaled picture.
const sceneWidth = 256

// SceneOptions tunes the scene-change detector.
type SceneOptions struct {
	// Threshold is the mean absolute luma difference (8-bit scale) between
	// consecutive downscaled frames above which a cut may be declared;
	// 0 means 12.
	Threshold float64
	// Window is how many previous differences the adaptive test averages;
	// a cut also needs a difference of at least twice that average
	// (motion raises every difference, a cut only one). 0 means 5.
	Window int
}

func (o SceneOptions) withDefaults() SceneOptions {
	if o.Threshold == 0 {
		o.Threshold = 12
	}
	if o.Window == 0 {
		o.Window = 5
	}
	return o
}

// sceneStride is the spacing of the coarse pass over intra-only sources.
const sceneStride = 4

// FrameDifferences decodes the source's luma, averages it over square
// blocks to about sceneWidth samples across, and returns for every frame
// i > 0 the mean absolute difference to frame i-1 on the 8-bit scale
// (d[0] is 0).
//
// Intra-only sources (every frame a keyframe: FFV1, ProRes, DNxHD
// mezzanines), whose frames decode on their own, are first compared every
// sceneStride frames; only the spans whose difference reaches the
// threshold are decoded frame by frame, and the other frames get the
// span's difference shared evenly, which is below any cut.
func FrameDifferences(ctx context.Context, src Source, info *Info, opts SceneOptions) ([]float64, error) {
	opts = opts.withDefaults()
	v := info.Video
	area := float64(sceneBlock(v) * sceneBlock(v))
	diff := func(a, b []int32) float64 {
		if a == nil || b == nil { // a frame that did not decode
			return 0
		}
		return meanAbsDiff(a, b) / area
	}
	if !stridedScenes(v) {
		sums, err := lumaSums(ctx, src, info, func(int) bool { return true }, false)
		if err != nil {
			return nil, err
		}
		diffs := make([]float64, v.Frames)
		for i := 1; i < v.Frames; i++ {
			diffs[i] = diff(sums[i], sums[i-1])
		}
		return diffs, nil
	}
	coarse := func(i int) bool { return i%sceneStride == 0 || i == v.Frames-1 }
	sums, err := lumaSums(ctx, src, info, coarse, true)
	if err != nil {
		return nil, err
	}
	diffs := make([]float64, v.Frames)
	refine := make([]bool, v.Frames) // frames of the spans to decode one by one
	var spans []float64              // per-frame difference of each span so far
	for start := 0; start < v.Frames-1; {
		end := min(start+sceneStride, v.Frames-1)
		d := diff(sums[end], sums[start])
		if spanMayCut(d, end-start, spans, opts) {
			for i := start; i <= end; i++ {
				refine[i] = true
			}
		}
		spans = append(spans, d/float64(end-start))
		for i := start + 1; i <= end; i++ {
			diffs[i] = d / float64(end-start)
		}
		start = end
	}
	fine, err := lumaSums(ctx, src, info, func(i int) bool { return refine[i] }, true)
	if err != nil {
		return nil, err
	}
	for i := 1; i < v.Frames; i++ {
		if refine[i] && refine[i-1] {
			diffs[i] = diff(fine[i], fine[i-1])
		}
	}
	return diffs, nil
}

// spanMayCut reports whether a span of n frames of the coarse pass, whose
// first and last frames differ by d, may hold a cut, given the per-frame
// differences of the spans before it: when d reaches the threshold and,
// per frame, stands out from the previous Window spans the way SceneCuts
// asks of a frame (a cut of c over motion m per frame gives c+(n-1)m
// against n*m, and c >= 2m means c+(n-1)m >= (n+1)m).
func spanMayCut(d float64, n int, spans []float64, opts SceneOptions) bool {
	prev := spans[max(0, len(spans)-opts.Window):]
	var mean float64
	for _, p := range prev {
		mean += p / float64(len(prev))
	}
	perFrame, fn := d/float64(n), float64(n)
	return d >= opts.Threshold && (len(prev) == 0 || perFrame*fn >= mean*(fn+1))
}

// sceneBlock is the side of the luma blocks the detector averages.
func sceneBlock(v *VideoInfo) int { return max(1, (v.Width+sceneWidth-1)/sceneWidth) }

// lumaSums decodes the frames want selects and returns their luma block
// sums, indexed by frame (nil for frames not decoded). With skip, the
// other frames' packets are not even decoded (intra-only sources).
func lumaSums(ctx context.Context, src Source, info *Info, want func(int) bool, skip bool) ([][]int32, error) {
	sums := make([][]int32, info.Video.Frames)
	err := eachLuma(ctx, src, info, want, skip, func(i int, s []int32) error {
		sums[i] = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Frames that did not decode (damaged packets) keep nil sums: they
	// are no scene cut, and the chunk encoders report them.
	return sums, nil
}

// eachLuma decodes the frames want selects, in presentation order, and
// calls fn with each one's index and luma block sums. With skip, the
// other frames' packets are not even decoded (intra-only sources), and
// want is asked once per packet, in the order of the packets.
func eachLuma(ctx context.Context, src Source, info *Info, want func(int) bool, skip bool, fn func(i int, sums []int32) error) error {
	v := info.Video
	fd, err := openFrameDecoder(src, info.Name, 0)
	if err != nil {
		return err
	}
	defer fd.Close()
	if skip {
		fd.keep = func(pts int64) bool {
			i := frameIndex(v, pts)
			return i < 0 || want(i)
		}
	}
	luma := newLumaSampler(v)
	defer luma.free()
	frame := astiav.AllocFrame()
	defer frame.Free()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := fd.next(frame)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		i := frameIndex(v, frame.Pts())
		if i < 0 {
			return fmt.Errorf("encode: %s: decoded a frame with pts %d, which the probe did not see", info.Name, frame.Pts())
		}
		if !skip && !want(i) {
			continue
		}
		sums, err := luma.sums(frame)
		if err != nil {
			return fmt.Errorf("encode: %s: %w", info.Name, err)
		}
		if err := fn(i, sums); err != nil {
			return err
		}
	}
}

// blockSums sums a w x h 8-bit plane over block x block squares (partial
// blocks at the right and bottom edges are dropped) into dst.
func blockSums(dst []int32, plane []byte, w, h, block int) []int32 {
	bw, bh := w/block, h/block
	dst = append(dst[:0], make([]int32, bw*bh)...)
	for y := 0; y < bh*block; y++ {
		row := plane[y*w : y*w+bw*block]
		out := dst[(y/block)*bw : (y/block+1)*bw]
		for x := range out {
			var s int32
			for _, p := range row[x*block : (x+1)*block] {
				s += int32(p)
			}
			out[x] += s
		}
	}
	return dst
}

// meanAbsDiff returns the mean absolute difference of two block-sum
// arrays, per sample of the blocks (8-bit scale).
func meanAbsDiff(a, b []int32) float64 {
	var sum int64
	for i, x := range a {
		d := int64(x) - int64(b[i])
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return float64(sum) / float64(len(a))
}

// SceneCuts returns the frames that begin a new scene: i such that
// diffs[i] >= Threshold and diffs[i] >= 2x the mean of the Window
// differences before it.
func SceneCuts(diffs []float64, opts SceneOptions) []int {
	opts = opts.withDefaults()
	var cuts []int
	for i := 1; i < len(diffs); i++ {
		if isSceneCut(diffs[i], diffs[max(1, i-opts.Window):i], opts) {
			cuts = append(cuts, i)
		}
	}
	return cuts
}

// isSceneCut reports whether a frame whose difference to the frame
// before is d begins a new scene, given prev, the differences of the up to
// Window frames before it (frame 0's excluded), oldest first.
func isSceneCut(d float64, prev []float64, opts SceneOptions) bool {
	if d < opts.Threshold {
		return false
	}
	var sum float64
	for _, p := range prev {
		sum += p
	}
	return len(prev) == 0 || d >= 2*sum/float64(len(prev))
}

// stridedScenes reports whether FrameDifferences compares the frames of v
// every sceneStride frames first: intra-only sources long enough.
func stridedScenes(v *VideoInfo) bool {
	return len(v.Keyframes) == v.Frames && v.Frames >= 4*sceneStride
}

// sceneStream finds the scene cuts of a source frame by frame, from every
// frame's luma block sums in presentation order, for an encode that
// decodes each frame once anyway. Its differences are exactly those of
// FrameDifferences (for intra-only sources it replays the coarse pass and
// refines a span from the sums it already has), so it finds the same
// cuts; a frame's difference is known at most sceneStride frames after
// it. It keeps the sums of one span and the last Window differences.
type sceneStream struct {
	opts    SceneOptions
	frames  int
	area    float64
	strided bool

	next  int       // frames pushed
	start int       // first frame of the open span (strided)
	sums  [][]int32 // sums of frames start..next-1 (strided), or of frame next-1
	spans []float64 // per-frame differences of the last Window spans (strided)
	prev  []float64 // differences of the last Window frames after frame 0
	cuts  []int     // frames known to start a scene, not yet taken
	known int       // frames whose difference (and so cut decision) is known
}

func newSceneStream(v *VideoInfo, opts SceneOptions) *sceneStream {
	return &sceneStream{opts: opts.withDefaults(), frames: v.Frames, strided: stridedScenes(v),
		area: float64(sceneBlock(v) * sceneBlock(v))}
}

// push adds the next frame's block sums (which the stream keeps; nil for
// a frame that did not decode) and
// returns how many frames from the start have a known difference:
// whether any of them is a cut is then final.
func (s *sceneStream) push(sums []int32) int {
	i := s.next
	s.next++
	s.sums = append(s.sums, sums)
	switch {
	case i == 0:
		s.known = 1
	case !s.strided:
		s.add(i, s.diff(sums, s.sums[0]))
		s.sums = append(s.sums[:0], sums)
	case i%sceneStride == 0 || i == s.frames-1: // the end of a coarse span
		n := i - s.start
		d := s.diff(sums, s.sums[0])
		fine := spanMayCut(d, n, s.spans, s.opts)
		s.spans = append(s.spans, d/float64(n))
		if len(s.spans) > s.opts.Window {
			s.spans = s.spans[1:]
		}
		for j := s.start + 1; j <= i; j++ {
			if fine {
				s.add(j, s.diff(s.sums[j-s.start], s.sums[j-s.start-1]))
			} else {
				s.add(j, d/float64(n))
			}
		}
		s.start = i
		s.sums = append(s.sums[:0], sums)
	}
	return s.known
}

// diff is FrameDifferences' difference of two frames' sums: 0 when one
// of them did not decode (nil).
func (s *sceneStream) diff(a, b []int32) float64 {
	if a == nil || b == nil {
		return 0
	}
	return meanAbsDiff(a, b) / s.area
}

// add records frame i's difference d.
func (s *sceneStream) add(i int, d float64) {
	if isSceneCut(d, s.prev, s.opts) {
		s.cuts = append(s.cuts, i)
	}
	s.prev = append(s.prev, d)
	if len(s.prev) > s.opts.Window {
		s.prev = s.prev[1:]
	}
	s.known = i + 1
}

// takeCuts returns the cuts found since the last call.
func (s *sceneStream) takeCuts() []int {
	c := s.cuts
	s.cuts = nil
	return c
}
