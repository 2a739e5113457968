package quality

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
)

// vifDefaultGainLimit is libvmaf's DEFAULT_VIF_ENHN_GAIN_LIMIT
// (libvmaf/src/feature/integer_vif.h), also the option's upper bound.
const vifDefaultGainLimit = 100.0

// vifMinSize is the smallest width and height VIF accepts. libvmaf mirrors
// each scale's rows and columns about its edges with filters of half-width
// 8, 4, 2 and 1 at scales 0..3 (w, w/2, w/4, w/8 samples wide); below 16
// samples the mirror of the coarsest scale leaves the picture and libvmaf
// reads whatever its scratch buffer holds, so there is no result to match.
const vifMinSize = 16

// errVIFTooSmall is wrapped by the error Extract returns for a picture
// below vifMinSize.
var errVIFTooSmall = errors.New("picture too small for vif")

// VIFOptions configures VIF; the zero value means libvmaf's defaults.
type VIFOptions struct {
	EnhnGainLimit float64 // vif_enhn_gain_limit; 0 means libvmaf's default (100.0). The neg model uses 1.0.
	Debug         bool    // also write integer_vif, integer_vif_num, integer_vif_den, integer_vif_num_scale0..3, integer_vif_den_scale0..3
}

// VIF is libvmaf's integer visual information fidelity feature, the
// "vif" extractor vmaf_fex_integer_vif (libvmaf/src/feature/integer_vif.c).
// On the luma plane it computes, at four scales s (the picture, then three
// times low-pass filtered and decimated by two, subsample_rd_8/16), with the
// scale's Gaussian window w_s (vif_filter1d_table, Q16):
//
//	μ1, μ2, σ1², σ2², σ12  local means, variances and covariance of ref and dis
//	g     = σ12 / σ1²,  sv² = σ2² - g·σ12,  σn² = 2 (Q16: 65536<<1)
//	num_s = Σ log2(1 + min(g, egl)²·σ1² / (sv² + σn²))   where σ1² ≥ σn²
//	      + Σ (1 - σ2² / (16384·65025))                  where σ1² < σn²
//	den_s = Σ log2(1 + σ1² / σn²)                        where σ1² ≥ σn²
//	      + #{σ1² < σn²}
//
// in libvmaf's fixed point (vif_statistic_8/16): integer filter sums with
// its rounding shifts, base-2 logarithms from its 2048-scaled log2 table
// (log_generate, log2_32, log2_64), the gain in double, and num_s, den_s
// rounded to float. It records integer_vif_scale<s> = num_s/den_s in float,
// as write_scores does.
//
// The kernels (vif_kernel.go, vif_amd64.s where the CPU has AVX2, and the
// generated gen_amd64.s where it also has AVX-512)
// regroup libvmaf's integer sums without changing them and skip the samples
// libvmaf computes but discards, so the results are libvmaf's bit for bit
// for every size from 16x16 and every bit depth from 8 to 16.
//
// A VIF holds only scratch buffers, sized on first use and reused while the
// picture size stays the same; give each goroutine its own.
type VIF struct {
	gain   float64 // vif_enhn_gain_limit in effect
	err    error   // invalid options, reported by Extract
	debug  bool
	asm    bool // use the AVX2 kernels (vifAVX2; tests turn it off)
	avx512 bool // also the generated AVX-512 ones (vifAVX512; tests turn it off)
	names  vifNames
	log2   *[65537]uint16

	w, h    int         // size the buffers below are allocated for
	ref     [3][]uint16 // decimated luma of scales 1..3, (w>>s)*(h>>s) each
	dis     [3][]uint16
	scratch *vifScratch // the kernels' row buffers
}

// vifNames are the feature names VIF writes, in write_scores order.
type vifNames struct {
	scale    [4]string // integer_vif_scale0..3
	vif      string    // integer_vif
	num, den string    // integer_vif_num, integer_vif_den
	numScale [4]string // integer_vif_num_scale0..3
	denScale [4]string // integer_vif_den_scale0..3
}

// NewVIF returns a VIF extractor. An EnhnGainLimit outside libvmaf's bounds
// [1, 100] makes every Extract fail, as libvmaf refuses the option.
func NewVIF(opts VIFOptions) *VIF {
	v := &VIF{gain: opts.EnhnGainLimit, debug: opts.Debug, asm: vifAVX2, avx512: vifAVX512, log2: vifLog2Table()}
	if v.gain == 0 {
		v.gain = vifDefaultGainLimit
	}
	if !(v.gain >= 1 && v.gain <= vifDefaultGainLimit) {
		v.err = fmt.Errorf("vif: vif_enhn_gain_limit %g outside [1, %g]", opts.EnhnGainLimit, vifDefaultGainLimit)
	}
	v.names = newVIFNames(v.gain)
	return v
}

// newVIFNames builds the names libvmaf's feature_name.c gives the provided
// features: the alias (integer_vif_scale0 for
// VMAF_integer_feature_vif_scale0_score) followed, when the gain limit is
// not the default, by "_egl_" and the value printed with C's %g.
func newVIFNames(gain float64) vifNames {
	suffix := ""
	if gain != vifDefaultGainLimit {
		suffix = "_egl_" + formatG(gain)
	}
	var n vifNames
	for s := range 4 {
		n.scale[s] = "integer_vif_scale" + strconv.Itoa(s) + suffix
		n.numScale[s] = "integer_vif_num_scale" + strconv.Itoa(s) + suffix
		n.denScale[s] = "integer_vif_den_scale" + strconv.Itoa(s) + suffix
	}
	n.vif = "integer_vif" + suffix
	n.num = "integer_vif_num" + suffix
	n.den = "integer_vif_den" + suffix
	return n
}

// vifLog2Table is libvmaf's log_generate: entry i, for 32767 <= i < 65536,
// is round(log2f(i) * 2048); the others are 0 and never read. Go's
// float32(math.Log2(i)) equals glibc's log2f on that whole range (checked
// against glibc 2.36), so the table is libvmaf's bit for bit. It is built
// once and only read.
var vifLog2Table = sync.OnceValue(func() *[65537]uint16 {
	var t [65537]uint16
	for i := 32767; i < 65536; i++ {
		t[i] = uint16(math.Round(float64(float32(math.Log2(float64(i))) * 2048)))
	}
	return &t
})

// Extract records integer_vif_scale0..3 of frame i (and the debug values
// when asked), mirroring integer_vif.c's extract and write_scores. ref and
// dis must have the same format, 8 to 16 bits, at least 16x16.
func (v *VIF) Extract(ref, dis *Picture, i int, out *Scores) error {
	if v.err != nil {
		return v.err
	}
	if !ref.SameFormat(dis) {
		return fmt.Errorf("vif: frame %d: reference %s, distorted %s: %w", i, ref.Format(), dis.Format(), ErrMismatch)
	}
	w, h, bpc := ref.Width, ref.Height, ref.BitDepth
	if bpc < 8 || bpc > 16 {
		return fmt.Errorf("vif: frame %d: unsupported bit depth %d", i, bpc)
	}
	if w < vifMinSize || h < vifMinSize {
		return fmt.Errorf("vif: frame %d: %dx%d is below the %dx%d minimum: %w", i, w, h, vifMinSize, vifMinSize, errVIFTooSmall)
	}
	if len(ref.Planes[0]) < w*h || len(dis.Planes[0]) < w*h {
		return fmt.Errorf("vif: frame %d: luma plane shorter than %dx%d", i, w, h)
	}
	v.alloc(w, h)

	var num, den [4]float32
	rp, dp := ref.Planes[0][:w*h], dis.Planes[0][:w*h]
	for s := range 4 {
		if s > 0 {
			nr, nd := v.ref[s-1], v.dis[s-1]
			v.subsample(rp, dp, nr, nd, w, h, s-1, bpc)
			rp, dp = nr, nd
			w, h = w/2, h/2
		}
		num[s], den[s] = v.statistic(rp, dp, w, h, s, bpc)
	}
	v.write(out, i, num, den)
	return nil
}

// write records the scores as write_scores does: each scale's ratio in
// float, and in debug mode the double sums over scales and their ratio.
func (v *VIF) write(out *Scores, i int, num, den [4]float32) {
	for s := range 4 {
		out.Set(v.names.scale[s], i, float64(num[s]/den[s]))
	}
	if !v.debug {
		return
	}
	sumNum := float64(num[0]) + float64(num[1]) + float64(num[2]) + float64(num[3])
	sumDen := float64(den[0]) + float64(den[1]) + float64(den[2]) + float64(den[3])
	score := 1.0
	if sumDen != 0 {
		score = sumNum / sumDen
	}
	out.Set(v.names.vif, i, score)
	out.Set(v.names.num, i, sumNum)
	out.Set(v.names.den, i, sumDen)
	for s := range 4 {
		out.Set(v.names.numScale[s], i, float64(num[s]))
		out.Set(v.names.denScale[s], i, float64(den[s]))
	}
}

// alloc sizes the scratch buffers for a w x h picture, reusing them while
// the size stays the same.
func (v *VIF) alloc(w, h int) {
	if v.w == w && v.h == h {
		return
	}
	v.w, v.h = w, h
	for s := range 3 {
		n := (w >> (s + 1)) * (h >> (s + 1))
		v.ref[s] = make([]uint16, n)
		v.dis[s] = make([]uint16, n)
	}
	v.scratch = newVIFScratch(w)
}
