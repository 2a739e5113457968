package quality

import (
	"fmt"
)

// Feature names written by Motion, as libvmaf's JSON output prints them. The
// SAD score has no alias in libvmaf's alias.c, so it keeps its internal name.
const (
	MotionSADName = "VMAF_integer_feature_motion_sad_score"
	Motion2Name   = "integer_motion2"
	Motion3Name   = "integer_motion3"
	MotionName    = "integer_motion" // debug only: the same value as the SAD score
)

// motionFilter is libvmaf's 5-tap integer Gaussian (integer_motion.h), whose
// taps sum to 65536.
var motionFilter = [5]int64{3571, 16004, 26386, 16004, 3571}

// motionMaxVal is libvmaf's DEFAULT_MOTION_MAX_VAL, the clip applied to every
// motion score.
const motionMaxVal = 10000.0

// MotionOptions configures Motion; the zero value means libvmaf's defaults.
type MotionOptions struct {
	// Debug also writes integer_motion (libvmaf's motion.debug=true), a
	// copy of the SAD score.
	Debug bool
}

// Motion is libvmaf's integer motion feature (feature/integer_motion.c,
// vmaf_fex_integer_motion with its default options). For frame i ≥ 1 the SAD
// score is
//
//	sad_i = min(Σ|blur(Y_{i-1} − Y_i)| / 256 / (w·h), 10000)
//
// where blur is the separable 5-tap motionFilter with mirrored edges applied
// to the luma difference in fixed point (vertical pass rounded to 8 bits of
// fraction, or bpc bits for more than 8-bit input, horizontal pass rounded by
// 16 bits), and sad_0 = 0. After all frames (libvmaf's flush):
//
//	motion2_0 = 0, motion2_i = min(sad_i, sad_{i+1}), motion2_last = sad_last
//	motion3_0 = sad_1 (0 for a single frame), motion3_i = motion2_i (i ≥ 1)
//
// clipped at 10000 (the blend, five-frame window and moving average options
// are at their defaults, which leave these values unchanged). Only the
// reference's luma is read.
//
// Motion is temporal: call Extract with frames in increasing order from one
// goroutine, then Flush once. It keeps the previous reference luma and the
// last SAD score, so its memory does not grow with the number of frames:
// motion2 and motion3 of frame i-1 are written as soon as frame i is seen.
type Motion struct {
	opts MotionOptions

	w, h, bpc int
	prev      []uint16   // luma of the previous reference frame
	diff      [5][]int32 // five rows of prev − cur (see motionSAD)
	yRow      []int32    // one row of the vertically filtered difference
	next      int        // index of the next frame expected
	prevSAD   float64    // SAD score of frame next-1
}

// NewMotion returns a motion extractor.
func NewMotion(opts MotionOptions) *Motion {
	return &Motion{opts: opts}
}

// Extract computes the SAD score of frame i against frame i-1 and writes it
// (and integer_motion with Debug), then writes motion2 and motion3 of frame
// i-1, which depend on frame i's SAD. dis is not read.
func (m *Motion) Extract(ref, dis *Picture, i int, out *Scores) error {
	if i != m.next {
		return fmt.Errorf("motion: frame %d out of order (want %d)", i, m.next)
	}
	if ref.Width < 3 || ref.Height < 3 {
		return fmt.Errorf("motion: %s is too small (at least 3x3)", ref.Format())
	}
	if ref.BitDepth < 8 || ref.BitDepth > 16 {
		return fmt.Errorf("motion: %s: bit depth not in [8, 16]", ref.Format())
	}
	if i == 0 {
		m.w, m.h, m.bpc = ref.Width, ref.Height, ref.BitDepth
		m.prev = make([]uint16, m.w*m.h)
		m.yRow = make([]int32, m.w)
		for k := range m.diff {
			m.diff[k] = make([]int32, m.w)
		}
	} else if ref.Width != m.w || ref.Height != m.h || ref.BitDepth != m.bpc {
		return fmt.Errorf("motion: frame %d is %s, frame 0 was %dx%d %d-bit: %w",
			i, ref.Format(), m.w, m.h, m.bpc, ErrMismatch)
	}
	cur := ref.Planes[0][:m.w*m.h]

	score := 0.0
	if i >= 1 {
		sad := motionSAD(m.prev, cur, &m.diff, m.yRow, m.w, m.h, m.bpc)
		score = min(float64(sad)/256./float64(uint32(m.w*m.h)), motionMaxVal)
	}
	out.Set(MotionSADName, i, score)
	if m.opts.Debug {
		out.Set(MotionName, i, score)
	}

	if i >= 1 {
		m.writeTemporal(out, i-1, m.prevSAD, score, true)
	}
	copy(m.prev, cur)
	m.prevSAD = score
	m.next++
	return nil
}

// Flush writes motion2 and motion3 of the last frame. It does nothing when no
// frame was extracted.
func (m *Motion) Flush(out *Scores) error {
	if m.next == 0 {
		return nil
	}
	m.writeTemporal(out, m.next-1, m.prevSAD, 0, false)
	return nil
}

// writeTemporal writes motion2 and motion3 of frame i from its SAD score and,
// when hasNext, the SAD score of frame i+1 (libvmaf's flush in
// integer_motion.c with stride 1, min_idx 1 and an identity blend).
func (m *Motion) writeTemporal(out *Scores, i int, sad, next float64, hasNext bool) {
	var motion2, motion3 float64
	switch {
	case i == 0:
		motion2 = 0
		if hasNext { // the stamp value: frame 1's SAD
			motion3 = min(next, motionMaxVal)
		}
	case hasNext:
		motion2 = min(sad, next)
		motion3 = min(motion2, motionMaxVal)
	default:
		motion2 = sad
		motion3 = min(motion2, motionMaxVal)
	}
	out.Set(Motion2Name, i, motion2)
	out.Set(Motion3Name, i, motion3)
}

// motionSAD returns Σ|blur(prev − cur)| in libvmaf's fixed point
// (motion_score_pipeline_8 and _16 in integer_motion.c): per row, the
// vertical 5-tap pass over the difference, rounded and shifted by 8 (8-bit)
// or bpc bits, then the horizontal pass rounded and shifted by 16, absolute
// values summed in a uint32 per row and a uint64 overall. diff holds five
// rows of prev − cur, row r in slot r mod 5: the rows a vertical window
// needs, mirrored at the edges, are consecutive, so their slots differ.
func motionSAD(prev, cur []uint16, diff *[5][]int32, yRow []int32, w, h, bpc int) uint64 {
	shift := uint(8)
	if bpc > 8 {
		shift = uint(bpc)
	}
	yRound := int64(1) << (shift - 1)
	var sad uint64
	f0, f1, f2 := motionFilter[0], motionFilter[1], motionFilter[2]
	done := 0 // rows of diff computed so far
	for i := range h {
		for ; done < min(i+3, h); done++ {
			o := done * w
			d, p, c := diff[done%5][:w], prev[o:o+w], cur[o:o+w]
			for j := range d {
				d[j] = int32(p[j]) - int32(c[j])
			}
		}
		d0 := diff[motionMirror(i-2, h)%5][:w]
		d1 := diff[motionMirror(i-1, h)%5][:len(d0)]
		d2 := diff[i%5][:len(d0)]
		d3 := diff[motionMirror(i+1, h)%5][:len(d0)]
		d4 := diff[motionMirror(i+2, h)%5][:len(d0)]
		row := yRow[:len(d0)]
		var any int32
		for j := range d0 {
			// The filter is symmetric: taps 0/4 and 1/3 share a weight.
			acc := f0*(int64(d0[j])+int64(d4[j])) + f1*(int64(d1[j])+int64(d3[j])) + f2*int64(d2[j])
			v := int32((acc + yRound) >> shift)
			row[j] = v
			any |= v
		}
		if any == 0 {
			continue
		}
		var rowSAD uint32
		for j := 0; j < w; j++ {
			if j == 2 && w > 4 {
				j = w - 2 // the interior is summed below
			}
			var acc int64
			for k := range motionFilter {
				acc += motionFilter[k] * int64(row[motionMirror(j-2+k, w)])
			}
			rowSAD += motionAbsRound16(acc)
		}
		if w > 4 {
			a0, a1, a2, a3 := int64(row[0]), int64(row[1]), int64(row[2]), int64(row[3])
			for _, v := range row[4:] {
				a4 := int64(v)
				rowSAD += motionAbsRound16(f0*(a0+a4) + f1*(a1+a3) + f2*a2)
				a0, a1, a2, a3 = a1, a2, a3, a4
			}
		}
		sad += uint64(rowSAD)
	}
	return sad
}

// motionAbsRound16 is |(acc + 2^15) >> 16| as the int32 libvmaf sums.
func motionAbsRound16(acc int64) uint32 {
	v := int32((acc + 1<<15) >> 16)
	if v < 0 {
		v = -v
	}
	return uint32(v)
}

// motionMirror reflects idx into [0, size) without repeating the edge sample,
// as integer_motion.c's mirror does (valid for size ≥ 3 and |overhang| ≤ 2).
func motionMirror(idx, size int) int {
	if idx < 0 {
		return -idx
	}
	if idx >= size {
		return 2*size - idx - 2
	}
	return idx
}
