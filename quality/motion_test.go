package quality

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"testing"

	"rung/internal/vmafref"
)

// TestMotionMatchesLibvmaf runs Motion over every frame of every feature run
// in pairs.json and requires libvmaf's json-hp values exactly.
func TestMotionMatchesLibvmaf(t *testing.T) {
	dir, entries := vmafref.Entries(t)
	names := []string{MotionSADName, MotionName, Motion2Name, Motion3Name}
	worst := map[string]float64{}
	for _, e := range entries {
		if !e.Features {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			want := vmafref.LoadResult(t, dir, e.JSONHP)
			rr, _ := openPairReaders(t, dir, e)
			m := NewMotion(MotionOptions{Debug: true})
			s := NewScores()
			p := rr.Info().NewPicture()
			n := 0
			for ; ; n++ {
				err := rr.ReadPicture(p)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("frame %d: %v", n, err)
				}
				if err := m.Extract(p, p, n, s); err != nil {
					t.Fatal(err)
				}
			}
			if err := m.Flush(s); err != nil {
				t.Fatal(err)
			}
			if n != len(want.Frames) {
				t.Fatalf("read %d frames, libvmaf scored %d", n, len(want.Frames))
			}
			for i, f := range want.Frames {
				for _, name := range names {
					w, ok := f.Metrics[name]
					if !ok {
						t.Fatalf("frame %d: libvmaf output has no %s", i, name)
					}
					got, ok := s.Get(name, i)
					if !ok {
						t.Fatalf("frame %d: %s not written", i, name)
					}
					d := math.Abs(got - w)
					worst[name] = max(worst[name], d)
					if got != w {
						t.Errorf("frame %d: %s = %.17g, libvmaf %.17g", i, name, got, w)
					}
				}
			}
		})
	}
	for _, name := range names {
		t.Logf("largest |ours - libvmaf| %s: %g", name, worst[name])
	}
}

// TestMotionTemporal checks the motion2/motion3 bookkeeping on synthetic
// frames whose SAD scores are known: a constant picture gives 0, a single
// frame gives 0 everywhere, and frames out of order are refused.
func TestMotionTemporal(t *testing.T) {
	flat := func(v uint16) *Picture {
		p := NewPicture(16, 8, 8, Chroma420)
		for i := range p.Planes[0] {
			p.Planes[0][i] = v
		}
		return p
	}
	// A uniform step of d: the 8-bit vertical pass gives
	// (65536·d + 128) >> 8 = 256·d, the horizontal pass
	// (65536·256·d + 32768) >> 16 = 256·d, so sad = 256·d·w·h/256/(w·h) = d.
	frames := []*Picture{flat(10), flat(13), flat(13), flat(20)}
	wantSAD := []float64{0, 3, 0, 7}
	want2 := []float64{0, 0, 0, 7}
	want3 := []float64{3, 0, 0, 7}
	m := NewMotion(MotionOptions{})
	s := NewScores()
	for i, f := range frames {
		if err := m.Extract(f, f, i, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Flush(s); err != nil {
		t.Fatal(err)
	}
	for i := range frames {
		for _, c := range []struct {
			name string
			want []float64
		}{{MotionSADName, wantSAD}, {Motion2Name, want2}, {Motion3Name, want3}} {
			if got, _ := s.Get(c.name, i); got != c.want[i] {
				t.Errorf("frame %d: %s = %g, want %g", i, c.name, got, c.want[i])
			}
		}
	}
	if _, ok := s.Get(MotionName, 0); ok {
		t.Error("integer_motion written without Debug")
	}

	one := NewScores()
	m = NewMotion(MotionOptions{})
	if err := m.Extract(flat(1), nil, 0, one); err != nil {
		t.Fatal(err)
	}
	m.Flush(one)
	if v, _ := one.Get(Motion3Name, 0); v != 0 {
		t.Errorf("single frame motion3 = %g, want 0", v)
	}
	if err := m.Extract(flat(1), nil, 5, one); err == nil {
		t.Error("frame 5 after frame 0 accepted")
	}
	if err := NewMotion(MotionOptions{}).Extract(NewPicture(2, 2, 8, Chroma420), nil, 0, one); err == nil {
		t.Error("2x2 picture accepted")
	}
}

// motionSADLiteral is integer_motion.c's motion_score_pipeline_8/_16 written
// tap by tap with mirror() on every tap and no skipped rows.
func motionSADLiteral(prev, cur []uint16, w, h, bpc int) uint64 {
	shift := 8
	if bpc > 8 {
		shift = bpc
	}
	var sad uint64
	y := make([]int64, w)
	for i := range h {
		for j := range w {
			var a int64
			for k := range 5 {
				r := mirrorIndex(i-2+k, h)
				a += motionFilter[k] * (int64(prev[r*w+j]) - int64(cur[r*w+j]))
			}
			y[j] = int64(int32((a + 1<<(shift-1)) >> shift))
		}
		var row uint32
		for j := range w {
			var a int64
			for k := range 5 {
				a += motionFilter[k] * y[mirrorIndex(j-2+k, w)]
			}
			v := int32((a + 1<<15) >> 16)
			if v < 0 {
				v = -v
			}
			row += uint32(v)
		}
		sad += uint64(row)
	}
	return sad
}

// TestMotionSADMatchesLiteral compares the fast SAD with the literal one on
// random and extreme pictures of odd sizes and every bit depth.
func TestMotionSADMatchesLiteral(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, bpc := range []int{8, 10, 12, 16} {
		for _, sz := range [][2]int{{3, 3}, {5, 4}, {17, 9}, {64, 33}, {45, 7}, {100, 12}} {
			w, h := sz[0], sz[1]
			a, b := make([]uint16, w*h), make([]uint16, w*h)
			for trial := range 4 {
				for i := range a {
					switch trial {
					case 0:
						a[i], b[i] = uint16(rng.IntN(1<<bpc)), uint16(rng.IntN(1<<bpc))
					case 1:
						a[i], b[i] = uint16(1<<bpc-1), 0
					case 2:
						a[i], b[i] = 0, uint16(1<<bpc-1)
					default:
						a[i] = uint16(rng.IntN(1 << bpc))
						b[i] = a[i]
					}
				}
				y := make([]int32, w)
				var diff [5][]int32
				for k := range diff {
					diff[k] = make([]int32, w)
				}
				want := motionSADLiteral(a, b, w, h, bpc)
				for _, asm := range []bool{false, motionAVX512} {
					if got := motionSAD(a, b, &diff, y, w, h, bpc, asm); got != want {
						t.Errorf("%dx%d %d-bit trial %d asm %v: sad %d, literal %d", w, h, bpc, trial, asm, got, want)
					}
				}
			}
		}
	}
}

// BenchmarkMotion measures Motion on 1080p 8-bit frames.
func BenchmarkMotion(b *testing.B) {
	const w, h = 1920, 1080
	rng := rand.New(rand.NewPCG(3, 4))
	frames := [2]*Picture{NewPicture(w, h, 8, Chroma420), NewPicture(w, h, 8, Chroma420)}
	for _, f := range frames {
		for i := range f.Planes[0] {
			f.Planes[0][i] = uint16(rng.IntN(256))
		}
	}
	m := NewMotion(MotionOptions{})
	s := NewScores()
	b.SetBytes(w * h * 3 / 2)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		f := frames[i%2]
		if err := m.Extract(f, f, i, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

// motionReference is integer_motion.c's extract and flush over a whole
// sequence, transliterated with full arrays (libvmaf reads the SAD scores
// back from its collector): the batch model the streaming Motion must match.
func motionReference(frames [][]uint16, w, h, bpc int, o MotionOptions) (sad, m2, m3 []float64) {
	bf := optValue(o.BlendFactor, 1)
	bo := optValue(o.BlendOffset, 40)
	fps := optValue(o.FPSWeight, 1)
	maxV := optValue(o.MaxVal, 10000)
	blend := func(x float64) float64 { return x*bf + (1-bf)*math.Min(bo, x) }
	minIdx, stride := 1, 1
	if o.FiveFrameWindow {
		minIdx, stride = 2, 2
	}
	n := len(frames)
	sad = make([]float64, n)
	for i := range frames {
		if o.ForceZero || i < minIdx {
			continue
		}
		prev := frames[i-1]
		if o.FiveFrameWindow {
			prev = frames[i-2]
		}
		s := motionSADLiteral(prev, frames[i], w, h, bpc)
		sad[i] = math.Min(float64(s)/256./float64(w*h)*fps, maxV)
	}
	stamp := 0.0
	if n > minIdx {
		stamp = math.Min(blend(sad[minIdx]), maxV)
	}
	m2, m3 = make([]float64, n), make([]float64, n)
	prevProcessed := 0.0
	for i := range n {
		if i >= minIdx {
			lo, hi := i-(stride-1), i+1
			switch {
			case hi >= n:
				m2[i] = sad[i]
			case lo >= minIdx:
				m2[i] = math.Min(sad[lo], sad[hi])
			default:
				m2[i] = sad[hi]
			}
		}
		if i < minIdx {
			m3[i], prevProcessed = stamp, stamp
			continue
		}
		p := math.Min(blend(m2[i]), maxV)
		m3[i] = p
		if o.MovingAverage {
			m3[i] = (p + prevProcessed) / 2
		}
		prevProcessed = p
	}
	return sad, m2, m3
}

// TestMotionOptionsMatchReference runs Motion with every combination of
// libvmaf's motion options over short random sequences of every length
// from 1 to 7 frames and compares with motionReference exactly.
func TestMotionOptionsMatchReference(t *testing.T) {
	const w, h, bpc = 12, 7, 10
	rng := rand.New(rand.NewPCG(5, 6))
	f := func(v float64) *float64 { return &v }
	var all [][]uint16
	for range 7 {
		fr := make([]uint16, w*h)
		base := rng.IntN(1 << bpc)
		for i := range fr {
			fr[i] = uint16(min(1<<bpc-1, base+rng.IntN(200)))
		}
		all = append(all, fr)
	}
	for bits := range 16 {
		for _, tune := range []MotionOptions{
			{},
			{BlendFactor: f(0.5), BlendOffset: f(3)},
			{FPSWeight: f(2.5), MaxVal: f(20)},
			{BlendFactor: f(0), BlendOffset: f(0)},
		} {
			o := tune
			o.ForceZero = bits&1 != 0
			o.FiveFrameWindow = bits&2 != 0
			o.MovingAverage = bits&4 != 0
			o.Debug = bits&8 != 0
			names := o.Names()
			for n := 1; n <= len(all); n++ {
				frames := all[:n]
				wantSAD, want2, want3 := motionReference(frames, w, h, bpc, o)
				m := NewMotion(o)
				s := NewScores()
				for i, fr := range frames {
					p := &Picture{Width: w, Height: h, BitDepth: bpc, Planes: [3][]uint16{fr}}
					if err := m.Extract(p, nil, i, s); err != nil {
						t.Fatal(err)
					}
				}
				if err := m.Flush(s); err != nil {
					t.Fatal(err)
				}
				for i := range n {
					for _, c := range []struct {
						name string
						want float64
					}{{names.SAD, wantSAD[i]}, {names.Motion2, want2[i]}, {names.Motion3, want3[i]}} {
						if got, ok := s.Get(c.name, i); !ok || got != c.want {
							t.Errorf("%+v, %d frames: frame %d %s = %v (set %v), want %v", o, n, i, c.name, got, ok, c.want)
						}
					}
					if got, ok := s.Get(names.Motion, i); ok != o.Debug || (ok && got != wantSAD[i]) {
						t.Errorf("%+v: frame %d debug %s = %v, %v", o, i, names.Motion, got, ok)
					}
				}
				if got := len(s.Names()); got != 3+map[bool]int{true: 1}[o.Debug] {
					t.Errorf("%+v: wrote %v", o, s.Names())
				}
			}
		}
	}
}

// TestMotionNames checks libvmaf's option suffixes on the motion names and
// the conversion from model options.
func TestMotionNames(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		opts MotionOptions
		want MotionNames
	}{
		{MotionOptions{}, MotionNames{MotionSADName, Motion2Name, Motion3Name, MotionName}},
		{MotionOptions{Debug: true, BlendFactor: f(1), MaxVal: f(10000)}, MotionNames{MotionSADName, Motion2Name, Motion3Name, MotionName}},
		{MotionOptions{FiveFrameWindow: true, MovingAverage: true, FPSWeight: f(2.5), BlendOffset: f(20)},
			MotionNames{
				"VMAF_integer_feature_motion_sad_score_mbo_20_mffw_mfw_2.5_mma",
				"integer_motion2_mbo_20_mffw_mfw_2.5_mma",
				"integer_motion3_mbo_20_mffw_mfw_2.5_mma",
				"integer_motion_mbo_20_mffw_mfw_2.5_mma",
			}},
	} {
		if got := c.opts.Names(); got != c.want {
			t.Errorf("%+v: names %+v, want %+v", c.opts, got, c.want)
		}
	}
	o, err := MotionOptionsFromMap(map[string]any{"motion_five_frame_window": true, "motion_fps_weight": 2.5, "debug": true})
	if err != nil || !o.FiveFrameWindow || !o.Debug || o.FPSWeight == nil || *o.FPSWeight != 2.5 || o.MaxVal != nil {
		t.Errorf("MotionOptionsFromMap = %+v, %v", o, err)
	}
	for _, bad := range []map[string]any{
		{"motion_nope": 1.0},
		{"motion_force_zero": 1.0},
		{"motion_max_val": "big"},
		{"motion_max_val": 10001.0},
		{"motion_blend_factor": -0.5},
	} {
		if _, err := MotionOptionsFromMap(bad); err == nil {
			t.Errorf("MotionOptionsFromMap(%v) accepted", bad)
		}
	}
	if err := NewMotion(MotionOptions{FPSWeight: f(9)}).Extract(NewPicture(8, 8, 8, Chroma420), nil, 0, NewScores()); err == nil {
		t.Error("fps weight 9 accepted")
	}
}
