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
				r := motionMirror(i-2+k, h)
				a += motionFilter[k] * (int64(prev[r*w+j]) - int64(cur[r*w+j]))
			}
			y[j] = int64(int32((a + 1<<(shift-1)) >> shift))
		}
		var row uint32
		for j := range w {
			var a int64
			for k := range 5 {
				a += motionFilter[k] * y[motionMirror(j-2+k, w)]
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
		for _, sz := range [][2]int{{3, 3}, {5, 4}, {17, 9}, {64, 33}} {
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
				if got, want := motionSAD(a, b, &diff, y, w, h, bpc), motionSADLiteral(a, b, w, h, bpc); got != want {
					t.Errorf("%dx%d %d-bit trial %d: sad %d, literal %d", w, h, bpc, trial, got, want)
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
