package quality

import "math/bits"

// vifFilter is libvmaf's vif_filter1d_table: the Q16 Gaussian windows of
// scales 0..3 (17, 9, 5 and 3 taps; scale 0 sums to 65556, the others to
// 65536).
var vifFilter = [4][]uint32{
	{489, 935, 1640, 2640, 3896, 5274, 6547, 7455, 7784, 7455, 6547, 5274, 3896, 2640, 1640, 935, 489},
	{1244, 3663, 7925, 12590, 14692, 12590, 7925, 3663, 1244},
	{3571, 16004, 26386, 16004, 3571},
	{10904, 43728, 10904},
}

// vifSigmaNsq is libvmaf's sigma_nsq, the noise variance 2 in Q16.
const vifSigmaNsq = 65536 << 1

// vifRow holds one vertically filtered row of the five moments with
// vifPad samples of mirror padding on each side (libvmaf's buf.tmp).
type vifRow struct {
	mu1, mu2, xx, yy, xy []uint32
}

const vifPad = 8 // the widest filter's half-width

func newVIFRow(w int) vifRow {
	n := w + 2*vifPad
	return vifRow{
		mu1: make([]uint32, n), mu2: make([]uint32, n),
		xx: make([]uint32, n), yy: make([]uint32, n), xy: make([]uint32, n),
	}
}

// vifMirror pads row a (samples at [vifPad, vifPad+w)) by r samples on each
// side, reflecting about the first and last sample as libvmaf's
// PADDING_SQ_DATA does: a[-f] = a[f], a[w-1+f] = a[w-1-f].
func vifMirror(a []uint32, w, r int) {
	for f := 1; f <= r; f++ {
		a[vifPad-f] = a[vifPad+f]
		a[vifPad+w-1+f] = a[vifPad+w-1-f]
	}
}

// vifReflect maps row or column index i of a length-n axis into [0, n) the way
// libvmaf pads its buffers: -i for i < 0, 2(n-1)-i for i >= n.
func vifReflect(i, n int) int {
	if i < 0 {
		return -i
	}
	if i >= n {
		return 2*(n-1) - i
	}
	return i
}

// vifSums accumulates one scale's statistics in libvmaf's integer widths
// (the accum_*_log and accum_*_non_log of vif_statistic_8/16).
type vifSums struct {
	numLog, denLog       int64
	numNonLog, denNonLog int64
}

// pixel adds one pixel from its horizontally filtered moments: mu1, mu2 the
// Q32 means (uint32 sums, wrapping as in C), xx, yy, xy the Q16-rounded
// second moments' full sums. It is the body of vif_statistic_16's
// horizontal loop (identical in vif_statistic_8 and
// vif_compute_line_residuals).
func (a *vifSums) pixel(mu1, mu2 uint32, xx, yy, xy uint64, log2 *[65537]uint16, gain float64) {
	mu1sq := uint32((uint64(mu1)*uint64(mu1) + 1<<31) >> 32)
	mu2sq := uint32((uint64(mu2)*uint64(mu2) + 1<<31) >> 32)
	mu1mu2 := uint32((uint64(mu1)*uint64(mu2) + 1<<31) >> 32)
	sigma1sq := int32(uint32((xx+32768)>>16) - mu1sq)
	sigma2sq := max(int32(uint32((yy+32768)>>16)-mu2sq), 0)
	sigma12 := int32(uint32((xy+32768)>>16) - mu1mu2)
	if sigma1sq < vifSigmaNsq {
		a.numNonLog += int64(sigma2sq)
		a.denNonLog++
		return
	}
	a.denLog += int64(vifLog2_32(log2, uint32(vifSigmaNsq+sigma1sq)) - 2048*17)
	if sigma12 <= 0 || sigma2sq <= 0 {
		return
	}
	a.numLog += vifLogNum(sigma1sq, sigma2sq, sigma12, log2, gain)
}

// vifLogNum is log2(sv² + σn² + g²·σ1²) - log2(sv² + σn²) in libvmaf's
// 2048-scaled fixed point, with g = σ12/(σ1² + 65536e-10) in double, sv²
// = σ2² - g·σ12 truncated to int32 and clamped at 0, and g limited to gain.
// Explicit float64 conversions keep Go from fusing a multiply and a
// subtract that C rounds separately.
func vifLogNum(sigma1sq, sigma2sq, sigma12 int32, log2 *[65537]uint16, gain float64) int64 {
	const eps = 65536 * 1.0e-10
	g := float64(sigma12) / (float64(sigma1sq) + eps)
	svsq := int32(float64(sigma2sq) - float64(g*float64(sigma12)))
	svsq = max(svsq, 0)
	g = min(g, gain)
	numer1 := uint32(svsq + vifSigmaNsq)
	numer1tmp := int64(float64(g*g)*float64(sigma1sq)) + int64(numer1)
	return int64(vifLog2_64(log2, uint64(numer1tmp)) - vifLog2_64(log2, uint64(numer1)))
}

// vifLog2_32 is libvmaf's log2_32: 2048·log2(v) from the table entry of v's
// top 16 bits. v must be at least 1<<15.
func vifLog2_32(log2 *[65537]uint16, v uint32) int32 {
	k := 16 - bits.LeadingZeros32(v)
	return int32(log2[v>>k]) + 2048*int32(k)
}

// vifLog2_64 is libvmaf's log2_64, the same for a 64-bit v >= 0x20000.
func vifLog2_64(log2 *[65537]uint16, v uint64) int32 {
	k := 48 - bits.LeadingZeros64(v)
	return int32(log2[v>>k]) + 2048*int32(k)
}

// result converts the sums to num and den as vif_statistic_8/16 end: in
// double, then rounded to float.
func (a *vifSums) result() (num, den float32) {
	num = float32(float64(a.numLog)/2048.0 + (float64(a.denNonLog) - (float64(a.numNonLog)/16384.0)/65025.0))
	den = float32(float64(a.denLog)/2048.0 + float64(a.denNonLog))
	return num, den
}

// vifShifts returns the rounding of the vertical pass at a scale: the mean's
// shift and the second moments' shift (vif_statistic_16's shift_VP and
// shift_VP_sq). Scale 0 keeps the input's bit depth, so its means are
// shifted by bpc and its squares by 2(bpc-8) (none at 8 bits, as
// vif_statistic_8); the decimated scales hold 16-bit samples and shift
// both by 16.
func vifShifts(scale, bpc int) (shMu, shSq uint) {
	if scale == 0 {
		return uint(bpc), uint(2 * (bpc - 8))
	}
	return 16, 16
}

// vifRound is the rounding constant added before a right shift by sh.
func vifRound(sh uint) uint64 {
	if sh == 0 {
		return 0
	}
	return 1 << (sh - 1)
}

// statistic returns num and den of one scale, mirroring vif_statistic_8
// (scale 0 of 8-bit input) and vif_statistic_16 (everything else): per row
// a vertical pass into v.tmp, libvmaf's mirror padding, and a horizontal
// pass whose per-pixel moments feed vifSums.
func (v *VIF) statistic(ref, dis []uint16, w, h, scale, bpc int) (num, den float32) {
	filt := vifFilter[scale]
	fw := len(filt)
	r := fw / 2
	shMu, shSq := vifShifts(scale, bpc)
	rndMu, rndSq := uint32(vifRound(shMu)), vifRound(shSq)
	t := &v.tmp
	var rows [17]int
	var sums vifSums
	for i := range h {
		for k := range fw {
			rows[k] = vifReflect(i-r+k, h) * w
		}
		for j := range w {
			var m1, m2 uint32
			var s11, s22, s12 uint64
			for k, f := range filt {
				x, y := uint32(ref[rows[k]+j]), uint32(dis[rows[k]+j])
				fx, fy := f*x, f*y
				m1 += fx
				m2 += fy
				s11 += uint64(fx) * uint64(x)
				s22 += uint64(fy) * uint64(y)
				s12 += uint64(fx) * uint64(y)
			}
			t.mu1[vifPad+j] = uint32(uint16((m1 + rndMu) >> shMu))
			t.mu2[vifPad+j] = uint32(uint16((m2 + rndMu) >> shMu))
			t.xx[vifPad+j] = uint32((s11 + rndSq) >> shSq)
			t.yy[vifPad+j] = uint32((s22 + rndSq) >> shSq)
			t.xy[vifPad+j] = uint32((s12 + rndSq) >> shSq)
		}
		vifMirror(t.mu1, w, r)
		vifMirror(t.mu2, w, r)
		vifMirror(t.xx, w, r)
		vifMirror(t.yy, w, r)
		vifMirror(t.xy, w, r)
		for j := range w {
			var m1, m2 uint32
			var s11, s22, s12 uint64
			o := vifPad - r + j
			for k, f := range filt {
				m1 += f * t.mu1[o+k]
				m2 += f * t.mu2[o+k]
				s11 += uint64(f) * uint64(t.xx[o+k])
				s22 += uint64(f) * uint64(t.yy[o+k])
				s12 += uint64(f) * uint64(t.xy[o+k])
			}
			sums.pixel(m1, m2, s11, s22, s12, v.log2, v.gain)
		}
	}
	return sums.result()
}

// subsample low-pass filters the scale's ref and dis with the next scale's
// window and keeps every other row and column, mirroring subsample_rd_8/16
// and decimate_and_pad: the vertical pass is rounded by bpc bits at scale 0
// (the input's depth, 8 in subsample_rd_8) and by 16 bits after, the
// horizontal pass by 16 bits, both stored as uint16. Only the even rows and
// columns libvmaf keeps are computed; the others do not change the result.
func (v *VIF) subsample(ref, dis, outRef, outDis []uint16, w, h, scale, bpc int) {
	filt := vifFilter[scale+1]
	fw := len(filt)
	r := fw / 2
	sh := uint(16)
	if scale == 0 {
		sh = uint(bpc)
	}
	rnd := uint32(vifRound(sh))
	t := &v.tmp
	var rows [17]int
	ow := w / 2
	for i := range h / 2 {
		for k := range fw {
			rows[k] = vifReflect(2*i-r+k, h) * w
		}
		for j := range w {
			var a, b uint32
			for k, f := range filt {
				a += f * uint32(ref[rows[k]+j])
				b += f * uint32(dis[rows[k]+j])
			}
			t.mu1[vifPad+j] = uint32(uint16((a + rnd) >> sh))
			t.mu2[vifPad+j] = uint32(uint16((b + rnd) >> sh))
		}
		vifMirror(t.mu1, w, r)
		vifMirror(t.mu2, w, r)
		for j := range ow {
			var a, b uint32
			o := vifPad - r + 2*j
			for k, f := range filt {
				a += f * t.mu1[o+k]
				b += f * t.mu2[o+k]
			}
			outRef[i*ow+j] = uint16((a + 32768) >> 16)
			outDis[i*ow+j] = uint16((b + 32768) >> 16)
		}
	}
}
