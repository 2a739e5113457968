package quality

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// toolboxPicture returns a deterministic w x h 4:2:0 picture: a diagonal
// ramp with texture, plus uniform noise of the given amplitude (0 = none)
// drawn from seed.
func toolboxPicture(w, h, bitDepth int, noise int, seed uint64) *Picture {
	p := NewPicture(w, h, bitDepth, Chroma420)
	rng := rand.New(rand.NewPCG(seed, 1))
	top := int(1)<<bitDepth - 1
	for k := range p.Planes {
		pw, ph := p.PlaneWidth(k), p.PlaneHeight(k)
		for y := 0; y < ph; y++ {
			for x := 0; x < pw; x++ {
				v := (x+2*y)*top/(pw+2*ph) + int(20*math.Sin(float64(x*y)/50))<<(bitDepth-8)
				if noise > 0 {
					v += rng.IntN(2*noise+1) - noise
				}
				p.Planes[k][y*pw+x] = uint16(min(max(v, 0), top))
			}
		}
	}
	return p
}

// TestPSNRFormula checks psnr against hand-computed values: a constant
// error of d gives 10*log10(peak²/d²), identical planes give the clamp.
func TestPSNRFormula(t *testing.T) {
	tests := []struct {
		name     string
		bitDepth int
		opt      PSNROptions
		delta    int // added to every sample of the distorted luma
		want     float64
	}{
		{"8bit d=1", 8, PSNROptions{}, 1, 10 * math.Log10(255*255)},
		{"8bit d=4", 8, PSNROptions{}, 4, 10 * math.Log10(255*255/16.0)},
		{"8bit identical", 8, PSNROptions{}, 0, 60},
		{"10bit d=4", 10, PSNROptions{}, 4, 10 * math.Log10(1023*1023/16.0)},
		{"10bit identical", 10, PSNROptions{}, 0, 72},
		{"10bit reduced peak", 10, PSNROptions{ReducedHBDPeak: true}, 4, 10 * math.Log10(1020*1020/16.0)},
		{"8bit min_sse", 8, PSNROptions{MinSSE: 0.5}, 0, math.Ceil(10 * math.Log10(255*255/(0.5/(64*32))))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref := NewPicture(64, 32, tc.bitDepth, Chroma420)
			dis := NewPicture(64, 32, tc.bitDepth, Chroma420)
			for k := range ref.Planes {
				for j := range ref.Planes[k] {
					ref.Planes[k][j] = uint16(100 + j%7)
					dis.Planes[k][j] = ref.Planes[k][j]
				}
			}
			for j := range dis.Planes[0] {
				dis.Planes[0][j] += uint16(tc.delta)
			}
			out := NewScores()
			if err := NewPSNR(tc.opt).Extract(ref, dis, 3, out); err != nil {
				t.Fatal(err)
			}
			got, _ := out.Get("psnr_y", 3)
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("psnr_y = %.15g, want %.15g", got, tc.want)
			}
			if cb, _ := out.Get("psnr_cb", 3); tc.opt.MinSSE == 0 && cb != float64(6*tc.bitDepth+12) {
				t.Errorf("psnr_cb = %v, want the %d dB clamp", cb, 6*tc.bitDepth+12)
			}
		})
	}
}

// TestPSNROptions checks LumaOnly and MSE.
func TestPSNROptions(t *testing.T) {
	ref, dis := toolboxPicture(48, 32, 8, 0, 1), toolboxPicture(48, 32, 8, 3, 2)
	out := NewScores()
	if err := NewPSNR(PSNROptions{LumaOnly: true, MSE: true}).Extract(ref, dis, 0, out); err != nil {
		t.Fatal(err)
	}
	if got, want := out.Names(), []string{"psnr_y", "mse_y"}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("names %v, want %v", got, want)
	}
	mse, _ := out.Get("mse_y", 0)
	psnr, _ := out.Get("psnr_y", 0)
	if math.Abs(psnr-10*math.Log10(255*255/mse)) > 1e-12 || mse <= 0 {
		t.Errorf("psnr_y %g does not follow mse_y %g", psnr, mse)
	}
}

// TestFeaturesRefuseMismatch: every extractor refuses pictures of different
// formats with an error wrapping ErrMismatch.
func TestFeaturesRefuseMismatch(t *testing.T) {
	a, b := toolboxPicture(256, 192, 8, 0, 1), toolboxPicture(256, 192, 10, 0, 1)
	for name, ext := range map[string]Extractor{
		"psnr": NewPSNR(PSNROptions{}), "float_ssim": NewSSIM(), "float_ms_ssim": NewMSSSIM(),
	} {
		if err := ext.Extract(a, b, 0, NewScores()); !errors.Is(err, ErrMismatch) {
			t.Errorf("%s: got %v, want ErrMismatch", name, err)
		}
	}
}

// TestSSIMIdentical: identical pictures score exactly 1 at every downscale
// factor, noisy ones less, and more noise scores lower.
func TestSSIMIdentical(t *testing.T) {
	for _, size := range [][2]int{{320, 192}, {640, 360}, {768, 432}, {1280, 720}} {
		w, h := size[0], size[1]
		ref := toolboxPicture(w, h, 8, 0, 1)
		prev := 1.0
		for _, noise := range []int{0, 4, 16} {
			dis := toolboxPicture(w, h, 8, noise, 2)
			for name, ext := range map[string]Extractor{"float_ssim": NewSSIM(), "float_ms_ssim": NewMSSSIM()} {
				out := NewScores()
				if err := ext.Extract(ref, dis, 0, out); err != nil {
					t.Fatalf("%dx%d %s: %v", w, h, name, err)
				}
				got, _ := out.Get(name, 0)
				switch {
				case noise == 0 && math.Abs(got-1) > 1e-6:
					t.Errorf("%dx%d %s identical = %.9g, want 1 within 1e-6", w, h, name, got)
				case noise > 0 && !(got < 1 && got > 0):
					t.Errorf("%dx%d %s noise %d = %.9g, want in (0, 1)", w, h, name, noise, got)
				}
				if name == "float_ssim" {
					if got > prev {
						t.Errorf("%dx%d float_ssim rose from %g to %g with noise %d", w, h, prev, got, noise)
					}
					prev = got
				}
			}
		}
	}
}

// TestSSIMScale checks the automatic downscale factor of compute_ssim.
func TestSSIMScale(t *testing.T) {
	tests := []struct{ w, h, want int }{
		{160, 90, 1}, {480, 270, 1}, {640, 360, 1}, {481, 321, 1}, {768, 432, 2},
		{1280, 720, 3}, {1920, 1080, 4}, {3840, 2160, 8}, {640, 384, 2}, {640, 383, 1},
	}
	for _, tc := range tests {
		if got := ssimScale(tc.w, tc.h); got != tc.want {
			t.Errorf("ssimScale(%d, %d) = %d, want %d", tc.w, tc.h, got, tc.want)
		}
	}
}

// TestSmallPictures: MS-SSIM refuses pictures whose fifth scale is below the
// window, naming the size; SSIM refuses pictures below the window.
func TestSmallPictures(t *testing.T) {
	a, b := toolboxPicture(160, 90, 8, 0, 1), toolboxPicture(160, 90, 8, 5, 2)
	err := NewMSSSIM().Extract(a, b, 7, NewScores())
	if !errors.Is(err, ErrTooSmall) {
		t.Fatalf("160x90 MS-SSIM: got %v, want ErrTooSmall", err)
	}
	t.Logf("160x90: %v", err)
	if msg := err.Error(); !strings.Contains(msg, "160x90") || !strings.Contains(msg, "frame 7") {
		t.Errorf("error %q does not name the size and frame", msg)
	}
	if err := NewMSSSIM().Extract(toolboxPicture(176, 176, 8, 0, 1), toolboxPicture(176, 176, 8, 5, 2), 0, NewScores()); err != nil {
		t.Errorf("176x176 MS-SSIM: %v", err)
	}
	if err := NewSSIM().Extract(toolboxPicture(10, 40, 8, 0, 1), toolboxPicture(10, 40, 8, 5, 2), 0, NewScores()); err == nil {
		t.Error("10x40 SSIM: no error")
	}
}

// benchmarkExtractor reports frames/s of ext on a 1080p 8-bit pair.
func benchmarkExtractor(b *testing.B, ext Extractor) {
	ref, dis := toolboxPicture(1920, 1080, 8, 0, 1), toolboxPicture(1920, 1080, 8, 6, 2)
	out := NewScores()
	b.SetBytes(int64(1920 * 1080 * 3 / 2 * 2))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := ext.Extract(ref, dis, 0, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

func BenchmarkPSNR(b *testing.B)   { benchmarkExtractor(b, NewPSNR(PSNROptions{})) }
func BenchmarkSSIM(b *testing.B)   { benchmarkExtractor(b, NewSSIM()) }
func BenchmarkMSSSIM(b *testing.B) { benchmarkExtractor(b, NewMSSSIM()) }
