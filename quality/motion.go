package quality

import (
	"fmt"
	"math"
)

// Feature names written by Motion with libvmaf's default options, as
// libvmaf's JSON output prints them. The SAD score has no alias in libvmaf's
// alias.c, so it keeps its internal name. Non-default options append
// libvmaf's suffixes (MotionOptions.Names).
const (
	MotionSADName = "VMAF_integer_feature_motion_sad_score"
	Motion2Name   = "integer_motion2"
	Motion3Name   = "integer_motion3"
	MotionName    = "integer_motion" // debug only: the same value as the SAD score
)

// motionFilter is libvmaf's 5-tap integer Gaussian (integer_motion.h), whose
// taps sum to 65536.
var motionFilter = [5]int64{3571, 16004, 26386, 16004, 3571}

// Defaults and bounds of libvmaf's integer motion options.
const (
	motionMaxVal      = 10000.0 // DEFAULT_MOTION_MAX_VAL, also the bound of motion_max_val
	motionBlendFactor = 1.0
	motionBlendOffset = 40.0
	motionFPSWeight   = 1.0
)

// MotionOptions configures Motion; the zero value means libvmaf's defaults.
// The options other than Debug are libvmaf's feature parameters: set to a
// non-default value, they rename the features as libvmaf does
// ("integer_motion2_mffw").
type MotionOptions struct {
	// Debug also writes integer_motion (libvmaf's motion.debug=true), a
	// copy of the SAD score.
	Debug bool
	// ForceZero writes 0 for every SAD score (motion_force_zero).
	ForceZero bool
	// FiveFrameWindow computes the SAD of frame i against frame i−2 from
	// frame 2 on and takes motion2 as min(sad_{i−1}, sad_{i+1})
	// (motion_five_frame_window).
	FiveFrameWindow bool
	// MovingAverage makes motion3 the mean of this and the previous
	// frame's blended score (motion_moving_average).
	MovingAverage bool
	// BlendFactor, BlendOffset, FPSWeight and MaxVal are
	// motion_blend_factor (in [0, 1], default 1), motion_blend_offset
	// ([0, 1000], 40), motion_fps_weight ([0, 5], 1) and motion_max_val
	// ([0, 10000], 10000); nil means the default.
	BlendFactor, BlendOffset, FPSWeight, MaxVal *float64
}

// MotionOptionsFromMap converts libvmaf option names and values (as in
// ModelInput.Options for the "integer_motion" extractor) into MotionOptions.
func MotionOptionsFromMap(opts map[string]any) (MotionOptions, error) {
	var o MotionOptions
	for k, v := range opts {
		var err error
		switch k {
		case "debug":
			o.Debug, err = motionBool(k, v)
		case "motion_force_zero":
			o.ForceZero, err = motionBool(k, v)
		case "motion_five_frame_window":
			o.FiveFrameWindow, err = motionBool(k, v)
		case "motion_moving_average":
			o.MovingAverage, err = motionBool(k, v)
		case "motion_blend_factor":
			o.BlendFactor, err = motionFloat(k, v)
		case "motion_blend_offset":
			o.BlendOffset, err = motionFloat(k, v)
		case "motion_fps_weight":
			o.FPSWeight, err = motionFloat(k, v)
		case "motion_max_val":
			o.MaxVal, err = motionFloat(k, v)
		default:
			err = fmt.Errorf("motion: unknown option %q", k)
		}
		if err != nil {
			return MotionOptions{}, err
		}
	}
	return o, o.check()
}

func motionBool(k string, v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("motion: option %s: want true or false, got %v", k, v)
	}
	return b, nil
}

func motionFloat(k string, v any) (*float64, error) {
	f, ok := v.(float64)
	if !ok {
		return nil, fmt.Errorf("motion: option %s: want a number, got %v", k, v)
	}
	return &f, nil
}

// optValue returns *p, or def when p is nil.
func optValue(p *float64, def float64) float64 {
	if p == nil {
		return def
	}
	return *p
}

// check applies libvmaf's option bounds.
func (o MotionOptions) check() error {
	for _, c := range []struct {
		name   string
		p      *float64
		lo, hi float64
	}{
		{"motion_blend_factor", o.BlendFactor, 0, 1},
		{"motion_blend_offset", o.BlendOffset, 0, 1000},
		{"motion_fps_weight", o.FPSWeight, 0, 5},
		{"motion_max_val", o.MaxVal, 0, motionMaxVal},
	} {
		if c.p != nil && !(*c.p >= c.lo && *c.p <= c.hi) {
			return fmt.Errorf("motion: option %s = %g not in [%g, %g]", c.name, *c.p, c.lo, c.hi)
		}
	}
	return nil
}

// params returns the options as libvmaf option names and values, for
// naming.
func (o MotionOptions) params() map[string]any {
	return map[string]any{
		"motion_force_zero":        o.ForceZero,
		"motion_five_frame_window": o.FiveFrameWindow,
		"motion_moving_average":    o.MovingAverage,
		"motion_blend_factor":      optValue(o.BlendFactor, motionBlendFactor),
		"motion_blend_offset":      optValue(o.BlendOffset, motionBlendOffset),
		"motion_fps_weight":        optValue(o.FPSWeight, motionFPSWeight),
		"motion_max_val":           optValue(o.MaxVal, motionMaxVal),
	}
}

// MotionNames are the names Motion writes its features under.
type MotionNames struct {
	SAD, Motion2, Motion3 string
	Motion                string // debug only
}

// Names returns the feature names Motion writes with these options:
// libvmaf's (vmaf_feature_name_from_options), printed as its writers print
// them.
func (o MotionOptions) Names() MotionNames {
	name := func(feature string) string {
		in, err := modelInput(feature, o.params())
		if err != nil { // the table and params() agree; see TestMotionNames
			panic(err)
		}
		return in.Name
	}
	return MotionNames{
		SAD:     name("VMAF_integer_feature_motion_sad_score"),
		Motion2: name("VMAF_integer_feature_motion2_score"),
		Motion3: name("VMAF_integer_feature_motion3_score"),
		Motion:  name("VMAF_integer_feature_motion_score"),
	}
}

// Motion is libvmaf's integer motion feature (feature/integer_motion.c,
// vmaf_fex_integer_motion). With the default options, for frame i ≥ 1 the
// SAD score is
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
// With options, the SAD is scaled by the fps weight before the clip at
// max_val; with the five-frame window it compares frame i with frame i−2 for
// i ≥ 2 and motion2_i = min(sad_{i−1}, sad_{i+1}) (sad_{i+1} for i = 2);
// motion3 is min(blend(motion2), max_val) with blend(x) = x·f + (1−f)·min(o, x),
// averaged with the previous frame's under the moving average, and the frames
// before the window start take blend(sad) of its first frame. Only the
// reference's luma is read.
//
// Motion is temporal: call Extract with frames in increasing order from one
// goroutine, then Flush once. It keeps the previous one or two reference
// lumas and the last few SAD scores, so its memory does not grow with the
// number of frames: motion2 and motion3 of a frame are written as soon as the
// SAD scores they depend on are known.
type Motion struct {
	opts   MotionOptions
	names  MotionNames
	err    error // invalid options, reported by Extract and Flush
	minIdx int   // first frame with a SAD: 1, or 2 with the window

	blendFactor, blendOffset, fpsWeight, maxV float64

	w, h, bpc      int
	prev, prevPrev []uint16   // lumas of frames next-1 and next-2
	diff           [5][]int32 // five rows of prev − cur (see motionSAD)
	yRow           []int32    // one row of the vertically filtered difference
	asm            bool       // use the AVX-512 kernels (motionAVX512; tests turn it off)

	next, written        int        // next frame expected; frames with motion2/3 written
	sad                  [4]float64 // SAD scores of the last frames, frame j in sad[j%4]
	stamp, prevProcessed float64    // libvmaf flush's stamp_value and prev_processed
}

// NewMotion returns a motion extractor. Options out of libvmaf's bounds make
// Extract fail.
func NewMotion(opts MotionOptions) *Motion {
	m := &Motion{
		opts:        opts,
		minIdx:      1,
		asm:         motionAVX512,
		blendFactor: optValue(opts.BlendFactor, motionBlendFactor),
		blendOffset: optValue(opts.BlendOffset, motionBlendOffset),
		fpsWeight:   optValue(opts.FPSWeight, motionFPSWeight),
		maxV:        optValue(opts.MaxVal, motionMaxVal),
		err:         opts.check(),
	}
	if m.err == nil {
		m.names = opts.Names()
	}
	if opts.FiveFrameWindow {
		m.minIdx = 2
	}
	return m
}

// Extract computes the SAD score of frame i and writes it (and the debug
// score), then writes motion2 and motion3 of the earlier frames they can now
// be computed for. dis is not read.
func (m *Motion) Extract(ref, dis *Picture, i int, out *Scores) error {
	if m.err != nil {
		return m.err
	}
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
		if m.opts.FiveFrameWindow {
			m.prevPrev = make([]uint16, m.w*m.h)
		}
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
	if !m.opts.ForceZero && i >= m.minIdx {
		against := m.prev
		if m.opts.FiveFrameWindow {
			against = m.prevPrev
		}
		sad := motionSAD(against, cur, &m.diff, m.yRow, m.w, m.h, m.bpc, m.asm)
		score = min(float64(sad)/256./float64(uint32(m.w*m.h))*m.fpsWeight, m.maxV)
	}
	out.Set(m.names.SAD, i, score)
	if m.opts.Debug {
		out.Set(m.names.Motion, i, score)
	}
	m.sad[i%4] = score
	if i == m.minIdx { // more than minIdx frames: the stamp is known
		m.stamp = min(m.blend(score), m.maxV)
	}

	if m.opts.FiveFrameWindow {
		m.prevPrev, m.prev = m.prev, m.prevPrev
	}
	copy(m.prev, cur)
	m.next++
	// Frame j needs sad_{j+1}, and frames before minIdx need the stamp.
	for m.next > m.minIdx && m.written < m.next-1 {
		m.writeTemporal(out, m.written, true)
		m.written++
	}
	return nil
}

// Flush writes motion2 and motion3 of the frames still pending (the last
// one, or all of them for fewer frames than the window needs).
func (m *Motion) Flush(out *Scores) error {
	if m.err != nil {
		return m.err
	}
	for ; m.written < m.next; m.written++ {
		m.writeTemporal(out, m.written, m.written+1 < m.next)
	}
	return nil
}

// blend is libvmaf's motion_blend: x·f + (1−f)·min(o, x).
func (m *Motion) blend(x float64) float64 {
	return float64(x*m.blendFactor) + float64((1-m.blendFactor)*math.Min(m.blendOffset, x))
}

// writeTemporal writes motion2 and motion3 of frame j, as the loop of
// libvmaf's flush in integer_motion.c does for index j; hasNext tells
// whether frame j+1 exists. Frames are written in order.
func (m *Motion) writeTemporal(out *Scores, j int, hasNext bool) {
	var motion2, motion3 float64
	switch {
	case j < m.minIdx:
		motion2 = 0
	case !hasNext:
		motion2 = m.sad[j%4]
	default:
		hi := m.sad[(j+1)%4]
		lo := j
		if m.opts.FiveFrameWindow {
			lo = j - 1
		}
		if lo >= m.minIdx {
			motion2 = min(m.sad[lo%4], hi)
		} else {
			motion2 = hi
		}
	}
	if j < m.minIdx {
		// The stamp is 0 unless frame minIdx exists; it was set when
		// frame minIdx was extracted.
		stamp := 0.0
		if m.next > m.minIdx {
			stamp = m.stamp
		}
		motion3, m.prevProcessed = stamp, stamp
	} else {
		processed := min(m.blend(motion2), m.maxV)
		motion3 = processed
		if m.opts.MovingAverage {
			motion3 = (processed + m.prevProcessed) / 2
		}
		m.prevProcessed = processed
	}
	out.Set(m.names.Motion2, j, motion2)
	out.Set(m.names.Motion3, j, motion3)
}

// motionSAD returns Σ|blur(prev − cur)| in libvmaf's fixed point
// (motion_score_pipeline_8 and _16 in integer_motion.c): per row, the
// vertical 5-tap pass over the difference, rounded and shifted by 8 (8-bit)
// or bpc bits, then the horizontal pass rounded and shifted by 16, absolute
// values summed in a uint32 per row and a uint64 overall. diff holds five
// rows of prev − cur, row r in slot r mod 5: the rows a vertical window
// needs, mirrored at the edges, are consecutive, so their slots differ.
//
// With asm set, the AVX-512 kernels (motionDiffAsm, motionVerticalAsm,
// motionHorizontalAsm) do the first multiple of their block of each row.
func motionSAD(prev, cur []uint16, diff *[5][]int32, yRow []int32, w, h, bpc int, asm bool) uint64 {
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
			j0 := 0
			if asm {
				j0 = motionDiffAsm(p, c, d)
			}
			for j := j0; j < len(d); j++ {
				d[j] = int32(p[j]) - int32(c[j])
			}
		}
		d0 := diff[mirrorIndex(i-2, h)%5][:w]
		d1 := diff[mirrorIndex(i-1, h)%5][:len(d0)]
		d2 := diff[i%5][:len(d0)]
		d3 := diff[mirrorIndex(i+1, h)%5][:len(d0)]
		d4 := diff[mirrorIndex(i+2, h)%5][:len(d0)]
		row := yRow[:len(d0)]
		var any int32
		j0 := 0
		if asm {
			rows := [5][]int32{d0, d1, d2, d3, d4}
			var nz bool
			j0, nz = motionVerticalAsm(&rows, row, shift)
			if nz {
				any = 1
			}
		}
		for j := j0; j < len(d0); j++ {
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
				acc += motionFilter[k] * int64(row[mirrorIndex(j-2+k, w)])
			}
			rowSAD += motionAbsRound16(acc)
		}
		if w > 4 {
			s := 2 // the first output the loop below sums
			if asm {
				n, sum := motionHorizontalAsm(row)
				s, rowSAD = s+n, rowSAD+sum
			}
			a0, a1, a2, a3 := int64(row[s-2]), int64(row[s-1]), int64(row[s]), int64(row[s+1])
			for _, v := range row[s+2:] {
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

// refOnly marks Motion as reading the reference alone: ScoreMany runs one
// instance for every distorted input.
func (m *Motion) refOnly() {}
