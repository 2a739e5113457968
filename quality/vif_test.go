package quality

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"rung/internal/vmafref"
)

// vifEveryNth is the frame stride the libvmaf comparison uses for a pair of
// the given size: every frame up to 768x432, every 3rd above, to keep the
// test time moderate.
func vifEveryNth(w, h int) int {
	if w*h > 768*432 {
		return 3
	}
	return 1
}

// vifEachFrame calls fn with every nth frame pair of the entry's inputs.
func vifEachFrame(t testing.TB, dir string, e vmafref.Entry, nth int, fn func(i int, ref, dis *Picture)) {
	t.Helper()
	rr, dr := openPairReaders(t, dir, e)
	ref, dis := rr.Info().NewPicture(), dr.Info().NewPicture()
	for i := 0; ; i++ {
		err := rr.ReadPicture(ref)
		if errors.Is(err, io.EOF) {
			if i != e.Frames {
				t.Fatalf("read %d frames, pairs.json says %d", i, e.Frames)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := dr.ReadPicture(dis); err != nil {
			t.Fatalf("distorted frame %d: %v", i, err)
		}
		if i%nth == 0 {
			fn(i, ref, dis)
		}
	}
}

// TestVIFMatchesLibvmaf computes VIF on every pair libvmaf scored with
// vif.debug=true and requires every per-frame value libvmaf printed with
// %.17g (json-hp) to be equal, bit for bit: the scales are float ratios
// and the sums float or double in libvmaf, and the %.17g text parses back
// to the same double. The neg-model runs (enhancement gain limit 1, names
// with _egl_1) were printed with %.6f only, so they are checked within
// 1e-6 absolute or 5e-7 relative (the printing's rounding).
func TestVIFMatchesLibvmaf(t *testing.T) {
	dir, entries := vmafref.Entries(t)
	for _, e := range entries {
		neg := e.Model == "vmaf_v0.6.1neg"
		if !e.Features && !neg {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			opts, file, absTol, relTol := VIFOptions{Debug: true}, e.JSONHP, 0.0, 0.0
			if neg {
				opts, file, absTol, relTol = VIFOptions{EnhnGainLimit: 1}, e.JSON, 1e-6, 5e-7
			}
			want := vmafref.LoadResult(t, dir, file)
			vif := NewVIF(opts)
			var names []string
			for _, n := range vifAllNames(vif.names) {
				if _, ok := want.Frames[0].Metrics[n]; ok {
					names = append(names, n)
				}
			}
			if len(names) != 4 && len(names) != 15 {
				t.Fatalf("%s has %d of VIF's names (%v), want 4 or 15", file, len(names), names)
			}
			maxDiff := map[string]float64{}
			frames := 0
			vifEachFrame(t, dir, e, vifEveryNth(e.Width, e.Height), func(i int, ref, dis *Picture) {
				got := NewScores()
				if err := vif.Extract(ref, dis, i, got); err != nil {
					t.Fatal(err)
				}
				frames++
				for _, n := range names {
					g, _ := got.Get(n, i)
					w := want.Frames[i].Metrics[n]
					d := math.Abs(g - w)
					maxDiff[n] = max(maxDiff[n], d)
					if d > absTol && d > relTol*math.Abs(w) {
						t.Errorf("frame %d %s = %.17g, libvmaf %.17g (diff %.3g)", i, n, g, w, d)
					}
				}
			})
			var b strings.Builder
			for _, n := range names {
				fmt.Fprintf(&b, " %s=%.3g", n, maxDiff[n])
			}
			t.Logf("%d frames; max |diff|:%s", frames, b.String())
		})
	}
}

// vifAllNames lists the names in write_scores order.
func vifAllNames(n vifNames) []string {
	out := append([]string(nil), n.scale[:]...)
	out = append(out, n.vif, n.num, n.den)
	for s := range 4 {
		out = append(out, n.numScale[s], n.denScale[s])
	}
	return out
}

// TestVIFErrors checks that bad input is refused with an error, not a
// panic, and that the smallest picture libvmaf handles consistently works.
func TestVIFErrors(t *testing.T) {
	pic := func(w, h, bpc int, c ChromaFormat) *Picture { return NewPicture(w, h, bpc, c) }
	short := pic(32, 32, 8, Chroma420)
	short.Planes[0] = short.Planes[0][:100]
	tests := []struct {
		name     string
		opts     VIFOptions
		ref, dis *Picture
		want     string // substring of the error; "" for success
		is       error
	}{
		{"ok 16x16", VIFOptions{}, pic(16, 16, 8, Chroma420), pic(16, 16, 8, Chroma420), "", nil},
		{"ok 16x16 12-bit 4:4:4", VIFOptions{Debug: true}, pic(16, 16, 12, Chroma444), pic(16, 16, 12, Chroma444), "", nil},
		{"size mismatch", VIFOptions{}, pic(64, 48, 8, Chroma420), pic(64, 32, 8, Chroma420), "64x48 420 8-bit", ErrMismatch},
		{"depth mismatch", VIFOptions{}, pic(64, 48, 8, Chroma420), pic(64, 48, 10, Chroma420), "10-bit", ErrMismatch},
		{"chroma mismatch", VIFOptions{}, pic(64, 48, 8, Chroma420), pic(64, 48, 8, Chroma444), "444", ErrMismatch},
		{"too narrow", VIFOptions{}, pic(15, 64, 8, Chroma420), pic(15, 64, 8, Chroma420), "15x64 is below", errVIFTooSmall},
		{"too short", VIFOptions{}, pic(64, 8, 8, Chroma420), pic(64, 8, 8, Chroma420), "64x8 is below", errVIFTooSmall},
		{"empty", VIFOptions{}, pic(0, 0, 8, Chroma420), pic(0, 0, 8, Chroma420), "0x0 is below", errVIFTooSmall},
		{"7-bit", VIFOptions{}, pic(32, 32, 7, Chroma420), pic(32, 32, 7, Chroma420), "bit depth 7", nil},
		{"17-bit", VIFOptions{}, pic(32, 32, 17, Chroma420), pic(32, 32, 17, Chroma420), "bit depth 17", nil},
		{"short plane", VIFOptions{}, short, pic(32, 32, 8, Chroma420), "luma plane shorter", nil},
		{"gain below 1", VIFOptions{EnhnGainLimit: 0.5}, pic(32, 32, 8, Chroma420), pic(32, 32, 8, Chroma420), "vif_enhn_gain_limit 0.5 outside [1, 100]", nil},
		{"gain above 100", VIFOptions{EnhnGainLimit: 101}, pic(32, 32, 8, Chroma420), pic(32, 32, 8, Chroma420), "outside", nil},
		{"gain NaN", VIFOptions{EnhnGainLimit: math.NaN()}, pic(32, 32, 8, Chroma420), pic(32, 32, 8, Chroma420), "outside", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := NewScores()
			err := NewVIF(tt.opts).Extract(tt.ref, tt.dis, 3, out)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Extract: %v", err)
				}
				for s := range 4 {
					// Flat pictures: no variance anywhere, num = den = w*h at each scale.
					if v, ok := out.Get("integer_vif_scale"+string(rune('0'+s)), 3); !ok || v != 1 {
						t.Errorf("scale %d = %v, %v; want 1", s, v, ok)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("Extract succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "vif: ") {
				t.Errorf("error %q, want it to start with \"vif: \" and contain %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q does not wrap %v", err, tt.is)
			}
			if n := len(out.Names()); n != 0 {
				t.Errorf("wrote %d features on error", n)
			}
		})
	}
}

// TestVIFNames checks the feature names against libvmaf's
// feature_name.c: aliases, and the _egl_<%g> suffix for a non-default gain.
func TestVIFNames(t *testing.T) {
	tests := []struct {
		gain      float64
		scale0    string
		denScale3 string
		vif       string
	}{
		{0, "integer_vif_scale0", "integer_vif_den_scale3", "integer_vif"},
		{100, "integer_vif_scale0", "integer_vif_den_scale3", "integer_vif"},
		{1, "integer_vif_scale0_egl_1", "integer_vif_den_scale3_egl_1", "integer_vif_egl_1"},
		{1.5, "integer_vif_scale0_egl_1.5", "integer_vif_den_scale3_egl_1.5", "integer_vif_egl_1.5"},
		{1.23456789, "integer_vif_scale0_egl_1.23457", "integer_vif_den_scale3_egl_1.23457", "integer_vif_egl_1.23457"},
		{99.99999, "integer_vif_scale0_egl_100", "integer_vif_den_scale3_egl_100", "integer_vif_egl_100"},
	}
	for _, tt := range tests {
		n := NewVIF(VIFOptions{EnhnGainLimit: tt.gain}).names
		if n.scale[0] != tt.scale0 || n.denScale[3] != tt.denScale3 || n.vif != tt.vif {
			t.Errorf("gain %g: names %q %q %q, want %q %q %q", tt.gain, n.scale[0], n.denScale[3], n.vif, tt.scale0, tt.denScale3, tt.vif)
		}
	}
}
