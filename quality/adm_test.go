package quality

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"rung/internal/vmafref"
)

// admFeatureNames are the features libvmaf's adm extractor writes with
// debug=true, in its order.
var admFeatureNames = []string{
	"integer_adm2", "integer_aim", "integer_adm3",
	"integer_adm_scale0", "integer_adm_scale1", "integer_adm_scale2", "integer_adm_scale3",
	"integer_adm", "integer_adm_num", "integer_adm_den",
	"integer_adm_num_scale0", "integer_adm_den_scale0", "integer_adm_num_scale1", "integer_adm_den_scale1",
	"integer_adm_num_scale2", "integer_adm_den_scale2", "integer_adm_num_scale3", "integer_adm_den_scale3",
}

// TestADMMatchesLibvmaf compares every ADM feature of every `_features` pair
// (every frame below 720p, every 5th above) with libvmaf's full-precision
// JSON. The values must be equal: the fixed-point pipeline is integer, and
// the float/double steps are evaluated in libvmaf's order and precision.
func TestADMMatchesLibvmaf(t *testing.T) {
	dir, entries := vmafref.Entries(t)
	var diffs maxDiffs
	for _, e := range entries {
		if !e.Features {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			want := vmafref.LoadResult(t, dir, e.JSONHP)
			adm := NewADM(ADMOptions{Debug: true})
			got := NewScores()
			frames := 0
			forEachFramePair(t, dir, e, featureStride(e), func(ref, dis *Picture, i int) {
				if err := adm.Extract(ref, dis, i, got); err != nil {
					t.Fatal(err)
				}
				frames++
				m := want.Frames[i].Metrics
				for _, name := range admFeatureNames {
					w, ok := m[name]
					if !ok {
						t.Fatalf("frame %d: libvmaf JSON has no %s", i, name)
					}
					g, _ := got.Get(name, i)
					d := math.Abs(g - w)
					diffs.add(name, fmt.Sprintf("%s frame %d", e.Name, i), d)
					if g != w {
						t.Errorf("frame %d: %s = %.17g, libvmaf %.17g (diff %.3g)", i, name, g, w, d)
					}
				}
			})
			if frames == 0 {
				t.Fatal("no frames compared")
			}
			if names := got.Names(); strings.Join(names, ",") != strings.Join(admFeatureNames, ",") {
				t.Errorf("feature order %v, want %v", names, admFeatureNames)
			}
		})
	}
	diffs.log(t)
}

// TestADMNegModelMatchesLibvmaf checks the enhancement-gain-limited ADM of
// the vmaf_v0.6.1neg runs (adm_enhn_gain_limit=1, names suffixed _egl_1)
// against libvmaf's JSON, which prints 6 decimals.
func TestADMNegModelMatchesLibvmaf(t *testing.T) {
	dir, entries := vmafref.Entries(t)
	names := []string{
		"integer_adm2_egl_1", "integer_aim_egl_1", "integer_adm3_egl_1",
		"integer_adm_scale0_egl_1", "integer_adm_scale1_egl_1", "integer_adm_scale2_egl_1", "integer_adm_scale3_egl_1",
	}
	var diffs maxDiffs
	n := 0
	for _, e := range entries {
		if e.Model != "vmaf_v0.6.1neg" {
			continue
		}
		n++
		t.Run(e.Name, func(t *testing.T) {
			want := vmafref.LoadResult(t, dir, e.JSON)
			adm := NewADM(ADMOptions{EnhnGainLimit: 1})
			got := NewScores()
			forEachFramePair(t, dir, e, featureStride(e), func(ref, dis *Picture, i int) {
				if err := adm.Extract(ref, dis, i, got); err != nil {
					t.Fatal(err)
				}
				for _, name := range names {
					w, ok := want.Frames[i].Metrics[name]
					if !ok {
						t.Fatalf("frame %d: libvmaf JSON has no %s", i, name)
					}
					g, ok := got.Get(name, i)
					if !ok {
						t.Fatalf("frame %d: no %s", i, name)
					}
					d := math.Abs(g - w)
					diffs.add(name, fmt.Sprintf("%s frame %d", e.Name, i), d)
					if d > 1e-6 {
						t.Errorf("frame %d: %s = %.9f, libvmaf %.6f", i, name, g, w)
					}
				}
			})
		})
	}
	if n == 0 {
		t.Fatal("pairs.json has no vmaf_v0.6.1neg entry")
	}
	diffs.log(t)
}

// TestADMRFactor checks the csf weights against the float bits and Q32
// integers printed by libvmaf's own formula (dwt_quant_step compiled with
// gcc at the default viewing distance 3 and display height 1080).
func TestADMRFactor(t *testing.T) {
	tests := []struct {
		lambda      int
		hv, d       uint32 // float bits of 1/Q
		hv32, d32   uint32 // (uint32)(1/Q · 2^32)
		hv21, d23   uint16 // what (uint16)(1/Q · 2^21|23) would give
		hardcoded21 bool
	}{
		{0, 0x3c8e63ba, 0x3bc106aa, 74653136, 25300308, 36451, 49414, true},
		{1, 0x3d030286, 0x3c6a46a3, 137373792, 61414028, 0, 0, false},
		{2, 0x3d31a788, 0x3cc7dc06, 186284160, 104783920, 0, 0, false},
		{3, 0x3d3b140b, 0x3d0041c9, 196165808, 134487184, 0, 0, false},
	}
	for _, tc := range tests {
		rf := admRFactor(tc.lambda)
		if math.Float32bits(rf[0]) != tc.hv || math.Float32bits(rf[1]) != tc.hv || math.Float32bits(rf[2]) != tc.d {
			t.Errorf("lambda %d: rfactor %08x %08x %08x, libvmaf %08x %08x %08x", tc.lambda,
				math.Float32bits(rf[0]), math.Float32bits(rf[1]), math.Float32bits(rf[2]), tc.hv, tc.hv, tc.d)
		}
		q := admRFactor123(tc.lambda)
		if q != [3]uint32{tc.hv32, tc.hv32, tc.d32} {
			t.Errorf("lambda %d: Q32 rfactor %v, libvmaf %v", tc.lambda, q, [3]uint32{tc.hv32, tc.hv32, tc.d32})
		}
		if tc.hardcoded21 {
			// libvmaf hard-codes 36453/49417 for the default model rather
			// than the 36451/49414 its formula gives; we use its constants.
			if got := [2]uint16{uint16(float64(rf[0]) * (1 << 21)), uint16(float64(rf[2]) * (1 << 23))}; got != [2]uint16{tc.hv21, tc.d23} {
				t.Errorf("scale 0 formula gives %v, libvmaf %v", got, [2]uint16{tc.hv21, tc.d23})
			}
		}
	}
	if got := math.Float32bits(float32(admCos1DegSq)); got != 0x3f7fec0a {
		t.Errorf("cos²(1°) = %08x, libvmaf 3f7fec0a", got)
	}
}

// TestADMDWTIndices checks libvmaf's mirrored source indices at both ends.
func TestADMDWTIndices(t *testing.T) {
	tests := []struct {
		n    int
		want [4][]int
	}{
		{5, [4][]int{{1, 1, 3}, {0, 2, 4}, {1, 3, 4}, {2, 4, 3}}},
		{8, [4][]int{{1, 1, 3, 5}, {0, 2, 4, 6}, {1, 3, 5, 7}, {2, 4, 6, 7}}},
		{9, [4][]int{{1, 1, 3, 5, 7}, {0, 2, 4, 6, 8}, {1, 3, 5, 7, 8}, {2, 4, 6, 8, 7}}},
	}
	for _, tc := range tests {
		var idx [4][]int
		for k := range idx {
			idx[k] = make([]int, (tc.n+1)/2)
		}
		admDWTIndices(&idx, tc.n)
		if fmt.Sprint(idx) != fmt.Sprint(tc.want) {
			t.Errorf("n=%d: %v, want %v", tc.n, idx, tc.want)
		}
	}
}

// TestADMErrors checks that bad input is an error, not a panic.
func TestADMErrors(t *testing.T) {
	tests := []struct {
		name     string
		opt      ADMOptions
		ref, dis *Picture
		is       error
		substr   string
	}{
		{"size mismatch", ADMOptions{}, NewPicture(64, 64, 8, Chroma420), NewPicture(64, 48, 8, Chroma420), ErrMismatch, "64x48"},
		{"depth mismatch", ADMOptions{}, NewPicture(64, 64, 8, Chroma420), NewPicture(64, 64, 10, Chroma420), ErrMismatch, "10-bit"},
		{"chroma mismatch", ADMOptions{}, NewPicture(64, 64, 8, Chroma420), NewPicture(64, 64, 8, Chroma444), ErrMismatch, "444"},
		{"nil picture", ADMOptions{}, NewPicture(64, 64, 8, Chroma420), nil, nil, "missing picture"},
		{"too narrow", ADMOptions{}, NewPicture(32, 64, 8, Chroma420), NewPicture(32, 64, 8, Chroma420), nil, "too small"},
		{"too short", ADMOptions{}, NewPicture(64, 32, 8, Chroma420), NewPicture(64, 32, 8, Chroma420), nil, "too small"},
		{"tiny", ADMOptions{}, NewPicture(1, 1, 8, Chroma400), NewPicture(1, 1, 8, Chroma400), nil, "too small"},
		{"bit depth", ADMOptions{}, NewPicture(64, 64, 7, Chroma420), NewPicture(64, 64, 7, Chroma420), nil, "bit depth"},
		{"gain below 1", ADMOptions{EnhnGainLimit: 0.5}, NewPicture(64, 64, 8, Chroma420), NewPicture(64, 64, 8, Chroma420), errADMOptions, "0.5"},
		{"gain above 100", ADMOptions{EnhnGainLimit: 101}, NewPicture(64, 64, 8, Chroma420), NewPicture(64, 64, 8, Chroma420), errADMOptions, "101"},
		{"short plane", ADMOptions{}, &Picture{Width: 64, Height: 64, BitDepth: 8, Chroma: Chroma400, Planes: [3][]uint16{make([]uint16, 10)}},
			&Picture{Width: 64, Height: 64, BitDepth: 8, Chroma: Chroma400, Planes: [3][]uint16{make([]uint16, 10)}}, nil, "shorter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewScores()
			err := NewADM(tc.opt).Extract(tc.ref, tc.dis, 3, s)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q does not wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.substr) || !strings.HasPrefix(err.Error(), "adm: ") {
				t.Errorf("error %q: want prefix \"adm: \" and %q", err, tc.substr)
			}
			if len(s.Names()) != 0 {
				t.Errorf("recorded %v on error", s.Names())
			}
		})
	}
}

// TestADMSmallest runs the smallest accepted size, both bit depths, and
// checks that identical pictures score 1 and that buffers are reused across
// sizes without stale state.
func TestADMSmallest(t *testing.T) {
	for _, bpc := range []int{8, 10} {
		for _, sz := range [][2]int{{33, 33}, {34, 35}, {64, 48}} {
			ref := admTestPicture(sz[0], sz[1], bpc, 1)
			dis := admTestPicture(sz[0], sz[1], bpc, 2)
			a := NewADM(ADMOptions{})
			s := NewScores()
			if err := a.Extract(ref, ref, 0, s); err != nil {
				t.Fatal(err)
			}
			// num and den take different fixed-point paths, so identical
			// pictures score 1 only to about 1e-5, in libvmaf too, and
			// much less closely when the coarsest bands are a few
			// coefficients wide.
			if v, _ := s.Get("integer_adm2", 0); sz[0] >= 64 && math.Abs(v-1) > 1e-4 {
				t.Errorf("%dx%d %d-bit: identical pictures: adm2 %v, want 1", sz[0], sz[1], bpc, v)
			}
			if err := a.Extract(ref, dis, 1, s); err != nil {
				t.Fatal(err)
			}
			v1, _ := s.Get("integer_adm2", 1)
			if !(v1 > 0 && v1 < 1) {
				t.Errorf("%dx%d %d-bit: adm2 %v, want in (0, 1)", sz[0], sz[1], bpc, v1)
			}
			// A fresh extractor and one that saw another size agree.
			b := NewADM(ADMOptions{})
			if err := b.Extract(admTestPicture(100, 90, bpc, 3), admTestPicture(100, 90, bpc, 4), 0, NewScores()); err != nil {
				t.Fatal(err)
			}
			s2 := NewScores()
			if err := b.Extract(ref, dis, 1, s2); err != nil {
				t.Fatal(err)
			}
			for _, name := range s.Names() {
				x, _ := s.Get(name, 1)
				y, _ := s2.Get(name, 1)
				if x != y {
					t.Errorf("%dx%d %d-bit: %s %v after another size, %v fresh", sz[0], sz[1], bpc, name, y, x)
				}
			}
		}
	}
}

// admTestPicture is a deterministic textured picture.
func admTestPicture(w, h, bpc int, seed uint32) *Picture {
	p := NewPicture(w, h, bpc, Chroma400)
	x := seed*2654435761 + 1
	maxv := uint32(1)<<bpc - 1
	for i := range p.Planes[0] {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		r, c := uint32(i/w), uint32(i%w)
		v := (r*7+c*3)%(maxv+1)/2 + x%(maxv/4+1)
		p.Planes[0][i] = uint16(min(v, maxv))
	}
	return p
}

// TestADMPowf checks admPowf against glibc 2.36's powf(x, 1.0f/3.0f) on the
// reference machine type (x86-64 with FMA), including a value where
// float32(math.Pow) is one ulp off (it changed integer_aim of
// bottles_640x360_crf38 frame 73) and subnormals. (It was also checked
// equal on 20 million random floats.)
func TestADMPowf(t *testing.T) {
	tests := [][2]uint32{
		{0x4141f6e9, 0x4013057f},
		{0x00000001, 0x26a1450d},
		{0x00012345, 0x29541ead},
		{0x3f800000, 0x3f800000},
		{0x4b000000, 0x434b2ff7},
		{0x3eaaaaab, 0x3f318020},
		{0x7f7fffff, 0x54cb3001},
		{0x41c80000, 0x403b231c},
		{0x48f42400, 0x429ebd79},
		{0x00000000, 0x00000000},
	}
	for _, tc := range tests {
		if got := math.Float32bits(admPowf(math.Float32frombits(tc[0]))); got != tc[1] {
			t.Errorf("powf(%08x, 1/3) = %08x, glibc %08x", tc[0], got, tc[1])
		}
	}
}
