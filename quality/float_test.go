package quality

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestFloatFeaturesIdentical: identical pictures give VIF and ADM of 1 at
// every scale (within float rounding), and a still video gives no motion.
func TestFloatFeaturesIdentical(t *testing.T) {
	for _, bitDepth := range []int{8, 10} {
		ref := toolboxPicture(320, 180, bitDepth, 3, 1)
		out := NewScores()
		if err := NewFloatVIF().Extract(ref, ref, 0, out); err != nil {
			t.Fatal(err)
		}
		if err := NewFloatADM().Extract(ref, ref, 0, out); err != nil {
			t.Fatal(err)
		}
		m := NewFloatMotion()
		for i := 0; i < 3; i++ {
			if err := m.Extract(ref, ref, i, out); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.Flush(out); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3", "adm2", "adm_scale0", "adm_scale3"} {
			if v, _ := out.Get(name, 0); math.Abs(v-1) > 1e-5 {
				t.Errorf("%d-bit identical: %s = %.9g, want 1", bitDepth, name, v)
			}
		}
		for i := 0; i < 3; i++ {
			for _, name := range []string{"motion", "motion2", "motion3"} {
				if v, ok := out.Get(name, i); !ok || v != 0 {
					t.Errorf("%d-bit still video: %s[%d] = %v (set %v), want 0", bitDepth, name, i, v, ok)
				}
			}
		}
	}
}

// TestFloatFeaturesDegrade: more noise lowers VIF and ADM.
func TestFloatFeaturesDegrade(t *testing.T) {
	ref := toolboxPicture(320, 180, 8, 0, 1)
	prev := map[string]float64{"vif_scale0": 1, "vif_scale3": 1, "adm2": 1}
	for _, noise := range []int{2, 8, 24} {
		dis := toolboxPicture(320, 180, 8, noise, 2)
		out := NewScores()
		if err := NewFloatVIF().Extract(ref, dis, 0, out); err != nil {
			t.Fatal(err)
		}
		if err := NewFloatADM().Extract(ref, dis, 0, out); err != nil {
			t.Fatal(err)
		}
		for name, p := range prev {
			v, _ := out.Get(name, 0)
			if !(v < p) || v <= 0 {
				t.Errorf("noise %d: %s = %g, want below %g and above 0", noise, name, v, p)
			}
			prev[name] = v
		}
	}
}

// TestFloatMotion checks motion on a picture shifted by one column per
// frame against a direct computation, the motion2 = min(neighbours) rule
// and Flush.
func TestFloatMotion(t *testing.T) {
	frames := make([]*Picture, 4)
	for i := range frames {
		p := toolboxPicture(64, 48, 8, 0, 1)
		if i == 2 { // frame 2 moves more than the others
			p = toolboxPicture(64, 48, 8, 20, 7)
		}
		frames[i] = p
	}
	m := NewFloatMotion()
	out := NewScores()
	for i, p := range frames {
		if err := m.Extract(p, p, i, out); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := out.Get("motion2", 3); ok {
		t.Fatal("motion2 of the last frame recorded before Flush")
	}
	if err := m.Flush(out); err != nil {
		t.Fatal(err)
	}
	motion := out.Column("motion")
	motion2 := out.Column("motion2")
	if motion[0] != 0 || motion[1] != 0 || motion[2] <= 0 || motion[3] <= 0 {
		t.Fatalf("motion = %v, want 0, 0, >0, >0", motion)
	}
	want2 := []float64{0, min(motion[1], motion[2]), min(motion[2], motion[3]), motion[3]}
	for i, w := range want2 {
		if motion2[i] != w {
			t.Errorf("motion2[%d] = %g, want %g", i, motion2[i], w)
		}
	}
	if err := m.Extract(frames[0], frames[0], 7, out); err == nil || !strings.Contains(err.Error(), "expected") {
		t.Errorf("out-of-order frame: got %v", err)
	}

	single := NewFloatMotion()
	one := NewScores()
	if err := single.Extract(frames[0], frames[0], 0, one); err != nil {
		t.Fatal(err)
	}
	if err := single.Flush(one); err != nil {
		t.Fatal(err)
	}
	if v, ok := one.Get("motion3", 0); !ok || v != 0 {
		t.Errorf("one frame: motion3 = %v (set %v), want 0", v, ok)
	}
}

// TestFloatFeaturesRefuse: mismatched formats and tiny pictures.
func TestFloatFeaturesRefuse(t *testing.T) {
	a, b := toolboxPicture(64, 48, 8, 0, 1), toolboxPicture(64, 48, 10, 0, 1)
	tiny := toolboxPicture(12, 12, 8, 0, 1)
	for name, ext := range map[string]func() Extractor{
		"float_vif":    func() Extractor { return NewFloatVIF() },
		"float_adm":    func() Extractor { return NewFloatADM() },
		"float_motion": func() Extractor { return NewFloatMotion() },
	} {
		if err := ext().Extract(a, b, 0, NewScores()); !errors.Is(err, ErrMismatch) {
			t.Errorf("%s: mismatch: got %v", name, err)
		}
		if name == "float_motion" {
			tiny = toolboxPicture(2, 2, 8, 0, 1)
		}
		if err := ext().Extract(tiny, tiny, 0, NewScores()); !errors.Is(err, ErrTooSmall) {
			t.Errorf("%s: %s: got %v, want ErrTooSmall", name, tiny.Format(), err)
		}
	}
}

// TestFvifLog2 checks the polynomial log2 against math.Log2.
func TestFvifLog2(t *testing.T) {
	for _, x := range []float32{1, 1.5, 2, 3, 10, 1000, 1e-3, 123456} {
		if got, want := fvifLog2(x), math.Log2(float64(x)); math.Abs(float64(got)-want) > 1e-4 {
			t.Errorf("fvifLog2(%g) = %g, want %g", x, got, want)
		}
	}
	if !math.IsInf(float64(fvifLog2(0)), -1) || !math.IsNaN(float64(fvifLog2(-1))) {
		t.Error("fvifLog2 of 0 or a negative number")
	}
}

func BenchmarkFloatVIF(b *testing.B) { benchmarkExtractor(b, NewFloatVIF()) }
func BenchmarkFloatADM(b *testing.B) { benchmarkExtractor(b, NewFloatADM()) }

// BenchmarkFloatMotion feeds consecutive frame indices, as a scorer would.
func BenchmarkFloatMotion(b *testing.B) {
	ref := toolboxPicture(1920, 1080, 8, 6, 2)
	m := NewFloatMotion()
	out := NewScores()
	b.SetBytes(int64(1920 * 1080 * 3 / 2 * 2))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.Extract(ref, ref, i, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

// TestFconvolveAsmMatchesGo: the AVX2 passes give the same float bits as
// the Go loops for every filter of float VIF and motion, every input mode
// and sizes around the eight-column blocks.
func TestFconvolveAsmMatchesGo(t *testing.T) {
	if !iqaAVX2 {
		t.Skip("no AVX2 passes on this machine")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	filters := [][]float32{fvifFilter(0), fvifFilter(1), fvifFilter(2), fvifFilter(3), fmotionFilter}
	for _, size := range [][2]int{{18, 18}, {23, 19}, {40, 21}, {67, 35}} {
		w, h := size[0], size[1]
		a, b := make([]float32, w*h), make([]float32, w*h)
		for i := range a {
			a[i] = float32(rng.Float64()*255 - 128)
			b[i] = float32(rng.Float64()*255 - 128)
		}
		for fi, f := range filters {
			for _, in := range []fconvInput{fconvPlain, fconvSquare, fconvProduct} {
				got, want, tmp := make([]float32, w*h), make([]float32, w*h), make([]float32, w*h)
				fconvolveWith(got, a, b, tmp, w, h, f, in, true)
				fconvolveWith(want, a, b, tmp, w, h, f, in, false)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%dx%d filter %d mode %d: output %d: asm %v, Go %v", w, h, fi, in, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestFvifLog2Pair: the interleaved pair gives fvifLog2's bits.
func TestFvifLog2Pair(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for i := 0; i < 10000; i++ {
		a, b := float32(1+rng.ExpFloat64()*10), float32(rng.Float64()*1e6)
		ga, gb := fvifLog2Pair(a, b)
		if math.Float32bits(ga) != math.Float32bits(fvifLog2(a)) || math.Float32bits(gb) != math.Float32bits(fvifLog2(b)) {
			t.Fatalf("fvifLog2Pair(%v, %v) = %v, %v; fvifLog2 gives %v, %v", a, b, ga, gb, fvifLog2(a), fvifLog2(b))
		}
	}
}
