package quality

import (
	"cmp"
	"errors"
	"fmt"
)

// ADMOptions configures ADM; the zero value means libvmaf's defaults.
type ADMOptions struct {
	EnhnGainLimit float64 // adm_enhn_gain_limit; 0 means libvmaf's default (100.0). The neg model uses 1.0.
	Debug         bool    // also write integer_adm, integer_adm_num, integer_adm_den, integer_adm_num_scale0..3, integer_adm_den_scale0..3
	// CSFMode is adm_csf_mode: 0 Watson (default), 2 the Barten–Watson
	// blend of the v1 models, 3 its MAE-corrected tables (1, Barten, is
	// not implemented).
	CSFMode int
	// NormViewDist and RefDisplayHeight are adm_norm_view_dist (in
	// picture heights; 0 means 3) and adm_ref_display_height (0 means
	// 1080). Their product must be at least 3·1080, as libvmaf requires.
	NormViewDist     float64
	RefDisplayHeight int
	// NoiseWeight, DLMWeight and MinVal are adm_noise_weight (nil means
	// 0.03125), adm_dlm_weight (nil means 0.5: adm3 = w·adm2 + (1−w)·(1−aim))
	// and adm_min_val (adm3's floor, default 0).
	NoiseWeight, DLMWeight *float64
	MinVal                 float64
	// CSFScale and CSFDiagScale are adm_csf_scale and adm_csf_diag_scale
	// (nil means 1); they only weight the Barten CSF, so they only rename
	// the features here.
	CSFScale, CSFDiagScale *float64
	// SkipAIM skips the AIM pass (adm_skip_aim): integer_aim is 0.
	SkipAIM bool
}

// params returns the options as libvmaf option names and values, for
// naming.
func (o ADMOptions) params() map[string]any {
	return map[string]any{
		"adm_enhn_gain_limit":    cmp.Or(o.EnhnGainLimit, admDefaultEGL),
		"adm_csf_mode":           float64(o.CSFMode),
		"adm_norm_view_dist":     cmp.Or(o.NormViewDist, admNormViewDist),
		"adm_ref_display_height": float64(cmp.Or(o.RefDisplayHeight, admRefDisplayHeight)),
		"adm_noise_weight":       optValue(o.NoiseWeight, admNoiseWeight),
		"adm_dlm_weight":         optValue(o.DLMWeight, admDLMWeight),
		"adm_min_val":            o.MinVal,
		"adm_csf_scale":          optValue(o.CSFScale, 1),
		"adm_csf_diag_scale":     optValue(o.CSFDiagScale, 1),
	}
}

// admDefaultEGL is libvmaf's DEFAULT_ADM_ENHN_GAIN_LIMIT, also the option's
// maximum; its minimum is 1.
const admDefaultEGL = 100.0

// admMinSize is the smallest luma width and height ADM accepts. libvmaf's
// DWT index tables (dwt2_src_indices_filt) need at least 5 samples in each
// direction at the input of scale 3, that is ceil(n/8) ≥ 5; below that
// libvmaf reads outside its buffers.
const admMinSize = 33

// ADM is libvmaf's integer "adm" feature extractor
// (libvmaf/src/feature/integer_adm.c, integer_compute_adm), the Additive
// Detail Measure of Li et al. on the luma plane. Over four scales of a db2
// DWT (adm_dwt2_8/16, adm_dwt2_s123_combined) the distorted detail bands
// are decoupled into a part restored from the reference and an additive
// impairment (adm_decouple), weighted by the Watson contrast sensitivity
// (adm_csf) and masked by the impairment (adm_cm); per scale
//
//	num_s = cm(restored), den_s = csf_den(reference)
//	integer_adm2 = Σ num_s / Σ den_s
//	integer_aim  = Σ cm(impairment masked by restored) / Σ den_s
//	integer_adm3 = max(0.5·adm2 + 0.5·(1 − aim), 0)
//	integer_adm_scale_s = num_s / den_s
//
// in libvmaf's fixed-point arithmetic (int16 at scale 0, int32 at scales
// 1..3, its rounding shifts and reciprocal table) and float/double
// accumulation order, so values equal libvmaf's bit for bit. Two details of
// the reference build are reproduced too: glibc's powf for the cube roots
// (admPowf), and the unmirrored reads of libvmaf's AVX-512 DWT at the right
// edge of some widths (admSIMDLast). Where those reads reach memory that
// libvmaf's current frame has not written (the last column of the h and d
// bands, at scale 0 when (w+1)/2 ≡ 1 mod 32 at 8 bit or mod 64 above, and
// at scale 1 when (w1+1)/2 ≡ 1 mod 8 for w1 = (w+1)/2), we read zeros; such
// a column is inside the scored region only for widths below about 100.
//
// On amd64 with AVX2 the hot loops run as vector kernels (adm_amd64.s, and
// the generated gen_amd64.s where the CPU also has AVX-512); the pure-Go
// loops (build tag purego, other architectures) give the same values,
// which adm_ref_test.go checks. An ADM holds only scratch buffers,
// sized on first use and reused, so Extract does not allocate; use one per
// goroutine.
type ADM struct {
	opt    ADMOptions
	asm    bool // use the AVX2 kernels (admAVX2; tests turn it off)
	avx512 bool // also the generated AVX-512 ones (admAVX512; tests turn it off)
	egl    float64
	nw     float64 // adm_noise_weight
	dlm    float64 // adm_dlm_weight
	err    error   // options libvmaf refuses, reported by Extract
	names  admNames
	div    *[65537]int32
	rf     [4][3]float32 // csf weights 1/Q per scale
	rf0    [3]int32      // Q21/Q21/Q23 csf weights of scale 0
	rf123  [4][3]uint32  // Q32 csf weights of scales 1..3

	w, h     int      // luma size the buffers are for
	iy, ix   [4][]int // DWT source rows/columns of the current scale
	tmp16    []int16  // vertical-pass rows, scale 0 (libvmaf's tmp_ref)
	tmp32    []int32  // vertical-pass rows, scales 1..3 (libvmaf's tmp_ref)
	s0       admBands16
	s1       admBands32
	aRef     []int32 // approximation band fed to the next scale (reference)
	aDis     []int32 // approximation band fed to the next scale (distorted)
	vsum     []int32 // cm scratch row: vertical 3-sums
	thr      []int32 // cm scratch row: masking thresholds
	angle    []byte  // decouple scratch row: 1 where orientations are within 1°
	angleSet []int32 // decouple scratch: indices of the 1s in angle
}

// admBands16 holds the int16 scale-0 bands (libvmaf's adm_dwt_band_t):
// ref and dis are indexed {a, h, v, d}, the decoupled bands (restored
// decR, additive impairment decA) {h, v, d}. fR, cR, fA, cA are the csf
// sums admCSFSums0 makes of decR and decA for the masking thresholds.
type admBands16 struct {
	ref, dis       [4][]int16
	decR, decA     [3][]int16
	fR, cR, fA, cA []int32
}

// admBands32 is admBands16 for the int32 bands of scales 1..3.
type admBands32 struct {
	ref, dis       [4][]int32
	decR, decA     [3][]int32
	fR, cR, fA, cA []int32
}

// admNames are the output names, with libvmaf's option suffix.
type admNames struct {
	adm2, aim, adm3   string
	scale             [4]string
	adm, num, den     string
	numScale, denScal [4]string
}

// NewADM returns an ADM extractor with the given options.
func NewADM(opts ADMOptions) *ADM {
	a := &ADM{opt: opts, asm: admAVX2, avx512: admAVX512, egl: cmp.Or(opts.EnhnGainLimit, admDefaultEGL), div: admDivLookup(),
		nw: optValue(opts.NoiseWeight, admNoiseWeight), dlm: optValue(opts.DLMWeight, admDLMWeight)}
	a.names = newADMNames(opts.params())
	view := admView{mode: opts.CSFMode, nvd: cmp.Or(opts.NormViewDist, admNormViewDist), rdh: cmp.Or(opts.RefDisplayHeight, admRefDisplayHeight)}
	if err := view.check(); err != nil {
		a.err = err
		return a
	}
	for s := range a.rf {
		a.rf[s] = view.rfactor(s)
		a.rf123[s] = admQ32(a.rf[s])
	}
	a.rf0 = view.rfactor0(a.rf[0])
	return a
}

// newADMNames builds libvmaf's feature names from the extractor table
// (featureNameOf): the alias followed by each non-default option's suffix.
func newADMNames(params map[string]any) admNames {
	n := func(feature string) string { return featureNameOf("adm", feature, params) }
	var out admNames
	out.adm2 = n("VMAF_integer_feature_adm2_score")
	out.aim = n("VMAF_integer_feature_aim_score")
	out.adm3 = n("VMAF_integer_feature_adm3_score")
	out.adm, out.num, out.den = n("integer_adm"), n("integer_adm_num"), n("integer_adm_den")
	for s := 0; s < 4; s++ {
		out.scale[s] = n(fmt.Sprintf("integer_adm_scale%d", s))
		out.numScale[s] = n(fmt.Sprintf("integer_adm_num_scale%d", s))
		out.denScal[s] = n(fmt.Sprintf("integer_adm_den_scale%d", s))
	}
	return out
}

// errADMOptions is wrapped by errors about out-of-range options.
var errADMOptions = errors.New("adm: option out of range")

// Extract computes ADM of frame i on the luma planes of ref and dis, which
// must have the same format, 8 to 16 bit, at least 33×33, and records
// integer_adm2, integer_aim, integer_adm3, integer_adm_scale0..3 (and with
// Debug integer_adm, integer_adm_num, integer_adm_den,
// integer_adm_num_scale0..3, integer_adm_den_scale0..3) in out, in
// libvmaf's order. With a non-default EnhnGainLimit every name carries
// libvmaf's option suffix, e.g. integer_adm2_egl_1.
func (a *ADM) Extract(ref, dis *Picture, i int, out *Scores) error {
	if ref == nil || dis == nil {
		return fmt.Errorf("adm: frame %d: missing picture", i)
	}
	if !ref.SameFormat(dis) {
		return fmt.Errorf("adm: frame %d: reference %s, distorted %s: %w", i, ref.Format(), dis.Format(), ErrMismatch)
	}
	if a.egl < 1 || a.egl > admDefaultEGL {
		return fmt.Errorf("%w: enhancement gain limit %g not in [1, 100]", errADMOptions, a.egl)
	}
	if a.err != nil {
		return a.err
	}
	if ref.BitDepth < 8 || ref.BitDepth > 16 {
		return fmt.Errorf("adm: frame %d: unsupported bit depth %d", i, ref.BitDepth)
	}
	w, h := ref.Width, ref.Height
	if w < admMinSize || h < admMinSize {
		return fmt.Errorf("adm: frame %d: picture %dx%d is too small: ADM needs at least %dx%d luma samples", i, w, h, admMinSize, admMinSize)
	}
	if len(ref.Planes[0]) < w*h || len(dis.Planes[0]) < w*h {
		return fmt.Errorf("adm: frame %d: luma plane shorter than %dx%d", i, w, h)
	}
	a.alloc(w, h)
	r := a.compute(ref.Planes[0][:w*h], dis.Planes[0][:w*h], w, h, ref.BitDepth)

	n := &a.names
	out.Set(n.adm2, i, r.score)
	out.Set(n.aim, i, r.aim)
	out.Set(n.adm3, i, max(float64(r.score*a.dlm)+float64((1-r.aim)*(1-a.dlm)), a.opt.MinVal))
	for s := 0; s < 4; s++ {
		out.Set(n.scale[s], i, float64(r.num[s])/float64(r.den[s]))
	}
	if !a.opt.Debug {
		return nil
	}
	out.Set(n.adm, i, r.score)
	out.Set(n.num, i, r.numSum)
	out.Set(n.den, i, r.denSum)
	for s := 0; s < 4; s++ {
		out.Set(n.numScale[s], i, float64(r.num[s]))
		out.Set(n.denScal[s], i, float64(r.den[s]))
	}
	return nil
}

// admResult is what integer_compute_adm returns.
type admResult struct {
	score, aim, numSum, denSum float64
	num, den                   [4]float32
}

// alloc sizes the scratch buffers for a w×h luma plane, once per size.
func (a *ADM) alloc(w, h int) {
	if a.w == w && a.h == h {
		return
	}
	a.w, a.h = w, h
	w0, h0 := (w+1)/2, (h+1)/2
	n0 := w0 * h0
	w1, h1 := (w0+1)/2, (h0+1)/2
	n1 := w1 * h1
	for k := range a.iy {
		a.iy[k] = make([]int, h0)
		a.ix[k] = make([]int, w0)
	}
	a.tmp16 = make([]int16, 2*w+2)
	a.tmp32 = make([]int32, 4*w0+2)
	for k := 0; k < 4; k++ {
		a.s0.ref[k] = make([]int16, n0)
		a.s0.dis[k] = make([]int16, n0)
		a.s1.ref[k] = make([]int32, n1)
		a.s1.dis[k] = make([]int32, n1)
	}
	for k := 0; k < 3; k++ {
		a.s0.decR[k] = make([]int16, n0)
		a.s0.decA[k] = make([]int16, n0)
		a.s1.decR[k] = make([]int32, n1)
		a.s1.decA[k] = make([]int32, n1)
	}
	a.s0.fR, a.s0.cR, a.s0.fA, a.s0.cA = make([]int32, n0), make([]int32, n0), make([]int32, n0), make([]int32, n0)
	a.s1.fR, a.s1.cR, a.s1.fA, a.s1.cA = make([]int32, n1), make([]int32, n1), make([]int32, n1), make([]int32, n1)
	a.vsum, a.thr, a.angle, a.angleSet = make([]int32, w0), make([]int32, w0), make([]byte, w0), make([]int32, 0, w0)
	a.aRef = make([]int32, n0)
	a.aDis = make([]int32, n0)
}

// compute is libvmaf's integer_compute_adm with the default options (no
// skipped scale or AIM, Watson CSF, noise weight 0.03125).
func (a *ADM) compute(ref, dis []uint16, w, h, bpc int) admResult {
	var r admResult
	numdenLimit := 1e-10 * float64(w*h) / (1920.0 * 1080.0)
	var num, den, aimNum float64

	// Scale 0: int16 bands.
	admDWTIndices(&a.iy, h)
	admDWTIndices(&a.ix, w)
	b := &a.s0
	admDWT0(ref, w, h, bpc, b.ref[0], b.ref[2], b.ref[1], b.ref[3], a.tmp16, &a.iy, &a.ix, a.asm, a.avx512)
	admDWT0(dis, w, h, bpc, b.dis[0], b.dis[2], b.dis[1], b.dis[3], a.tmp16, &a.iy, &a.ix, a.asm, a.avx512)
	w, h = (w+1)/2, (h+1)/2
	admWiden(b.ref[0][:w*h], a.aRef, a.asm)
	admWiden(b.dis[0][:w*h], a.aDis, a.asm)
	a.admDecouple0(w, h)
	den0 := admCSFDen0(&b.ref, w, h, a.rf[0], a.nw, a.asm)
	num0 := admCM0(&b.decR, b.fA, b.cA, w, h, &a.rf0, a.nw, a.vsum, a.thr, a.asm, a.avx512)
	var aim0 float32
	if !a.opt.SkipAIM {
		aim0 = admCM0(&b.decA, b.fR, b.cR, w, h, &a.rf0, 0, a.vsum, a.thr, a.asm, a.avx512)
	}
	num += float64(num0)
	den += float64(den0)
	aimNum += float64(aim0)
	r.num[0], r.den[0] = num0, den0

	// Scales 1..3: int32 bands.
	c := &a.s1
	for s := 1; s < 4; s++ {
		admDWTIndices(&a.iy, h)
		admDWTIndices(&a.ix, w)
		admDWT123(a.aRef[:w*h], a.aDis[:w*h], w, h, s, &c.ref, &c.dis, a.tmp32, &a.iy, &a.ix, a.asm, a.avx512)
		w, h = (w+1)/2, (h+1)/2
		copy(a.aRef, c.ref[0][:w*h])
		copy(a.aDis, c.dis[0][:w*h])
		a.admDecouple123(w, h, a.rf123[s])
		dn := admCSFDen123(&c.ref, s, w, h, a.rf[s], a.nw, a.asm)
		nm := admCM123(&c.decR, c.fA, c.cA, s, w, h, a.rf123[s], a.nw, a.vsum, a.thr, a.asm)
		var am float32
		if !a.opt.SkipAIM {
			am = admCM123(&c.decA, c.fR, c.cR, s, w, h, a.rf123[s], 0, a.vsum, a.thr, a.asm)
		}
		num += float64(nm)
		den += float64(dn)
		aimNum += float64(am)
		r.num[s], r.den[s] = nm, dn
	}

	if num < numdenLimit {
		num = 0
	}
	if den < numdenLimit {
		den = 0
	}
	if den == 0 {
		// libvmaf leaves the AIM score unset here; 0 makes adm3 = 1.
		r.score = 1
	} else {
		r.aim = aimNum / den
		r.score = num / den
	}
	r.numSum, r.denSum = num, den
	return r
}

// admWiden is libvmaf's i16_to_i32: dst = int32(src).
func admWiden(src []int16, dst []int32, asm bool) {
	dst = dst[:len(src)]
	done := 0
	if asm {
		done = admWidenAsm(src, dst)
	}
	for k := done; k < len(src); k++ {
		dst[k] = int32(src[k])
	}
}
