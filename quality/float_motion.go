package quality

import "fmt"

// fmotionFilter is FILTER_5_s (motion_tools.h), the default 5-tap blur.
var fmotionFilter = []float32{0.054488685, 0.244201342, 0.402619947, 0.244201342, 0.054488685}

// FloatMotion is libvmaf's "float_motion" feature extractor (float_motion.c,
// motion.c) with its default options: the reference luma (offset by -128,
// divided by 2^(bpc-8) above 8 bit) is blurred with the 5-tap filter
// FILTER_5_s (edges mirrored), and
//
//	motion[i]  = mean |blur_i - blur_{i-1}|          (0 for frame 0)
//	motion2[i] = min(motion[i], motion[i+1])          (motion[i] for the last frame)
//	motion3[i] = motion2[i]                           (blend factor 1)
//
// each mean a float sum of float row sums divided in float. It records
// motion, motion2 and motion3 (libvmaf's JSON names for
// VMAF_feature_motion_score, ..motion2.., ..motion3..; debug output is on by
// default in libvmaf, so motion is recorded too). motion2 and motion3 of
// frame i are recorded when frame i+1 arrives, the last frame's by Flush.
//
// FloatMotion is temporal: give it the frames of one video in order, from 0,
// from one goroutine.
type FloatMotion struct {
	blur  [2][]float32 // blurred reference luma of frames i and i-1 by index mod 2
	ref   []float32
	tmp   []float32
	next  int     // index of the next frame expected
	score float64 // motion of the last frame seen
	w, h  int
}

// NewFloatMotion returns a float_motion extractor.
func NewFloatMotion() *FloatMotion {
	return &FloatMotion{}
}

// fmotionBlend mirrors motion_blend (motion_blend_tools.h) with libvmaf's
// default blend factor 1 and offset 40, where it returns its input.
func fmotionBlend(score float64) float64 {
	const factor, offset = motionBlendFactor, motionBlendOffset
	return score*factor + (1-factor)*min(offset, score)
}

// fmotionMax is DEFAULT_MOTION_MAX_VAL, the clip of every motion value.
const fmotionMax = motionMaxVal

// Extract blurs frame i's reference and records motion[i], and
// motion2/motion3 of frame i-1 (of frame 0 already at frame 1 for motion3).
// dis is only checked for format.
func (m *FloatMotion) Extract(ref, dis *Picture, i int, out *Scores) error {
	if err := floatCheck("float_motion", ref, dis, i, 3); err != nil {
		return err
	}
	if i != m.next {
		return fmt.Errorf("float_motion: frame %d given when frame %d was expected: a temporal feature needs every frame in order", i, m.next)
	}
	if i > 0 && (ref.Width != m.w || ref.Height != m.h) {
		return fmt.Errorf("float_motion: frame %d is %dx%d, earlier frames %dx%d: %w", i, ref.Width, ref.Height, m.w, m.h, ErrMismatch)
	}
	m.w, m.h = ref.Width, ref.Height
	m.next++
	n := m.w * m.h
	m.ref = floatLuma(m.ref, ref)
	m.tmp = growFloat32(m.tmp, n)
	cur := i % 2
	m.blur[cur] = growFloat32(m.blur[cur], n)
	fconvolve(m.blur[cur], m.ref, nil, m.tmp, m.w, m.h, fmotionFilter, fconvPlain)

	if i == 0 {
		out.Set("motion2", 0, 0)
		out.Set("motion", 0, 0)
		return nil
	}
	score := fmotionSAD(m.blur[1-cur], m.blur[cur], m.w, m.h)
	out.Set("motion", i, min(score, fmotionMax))
	prevScore := m.score
	m.score = score
	if i == 1 {
		out.Set("motion3", 0, min(fmotionBlend(score), fmotionMax))
		return nil
	}
	// libvmaf keeps a third blurred frame to take the SAD of frames i-1 and
	// i-2 again; |a-b| is |b-a| in float, so that is frame i-1's score.
	score2 := min(prevScore, score)
	out.Set("motion2", i-1, min(score2, fmotionMax))
	out.Set("motion3", i-1, min(fmotionBlend(score2), fmotionMax))
	return nil
}

// Flush records motion2 and motion3 of the last frame (motion3 only when
// there was a single frame), as libvmaf's flush does.
func (m *FloatMotion) Flush(out *Scores) error {
	switch last := m.next - 1; {
	case last > 0:
		out.Set("motion2", last, min(m.score, fmotionMax))
		out.Set("motion3", last, min(fmotionBlend(m.score), fmotionMax))
	case last == 0:
		out.Set("motion3", 0, 0)
	}
	return nil
}

// fmotionSAD mirrors vmaf_image_sad_c (motion.c) without the scale-1 term:
// the float sum of per-row float sums of |a-b|, divided in float by w*h.
func fmotionSAD(a, b []float32, w, h int) float64 {
	var sum float32
	for y := 0; y < h; y++ {
		ra, rb := a[y*w:(y+1)*w], b[y*w:(y+1)*w]
		var row float32
		for x, v := range ra {
			d := v - rb[x]
			if d < 0 {
				d = -d
			}
			row += d
		}
		sum += row
	}
	return float64(sum / float32(w*h))
}

// refOnly marks FloatMotion as reading the reference alone: ScoreMany runs
// one instance for every distorted input.
func (m *FloatMotion) refOnly() {}
