package quality

import "math/bits"

// vifFilter is libvmaf's vif_filter1d_table: the Q16 Gaussian windows of
// scales 0..3 (17, 9, 5 and 3 taps, each summing to 65536, so no sum of
// 16-bit samples reaches 2³²). The kernels below unroll them as constants (vifConv17 ...).
var vifFilter = [4][]uint32{
	{489, 935, 1640, 2640, 3896, 5274, 6547, 7455, 7784, 7455, 6547, 5274, 3896, 2640, 1640, 935, 489},
	{1244, 3663, 7925, 12590, 14692, 12590, 7925, 3663, 1244},
	{3571, 16004, 26386, 16004, 3571},
	{10904, 43728, 10904},
}

// vifSigmaNsq is libvmaf's sigma_nsq, the noise variance 2 in Q16.
const vifSigmaNsq = 65536 << 1

// vifPad is the widest filter's half-width, the padding kept on both sides
// of a filtered row.
const vifPad = 8

// vifMirror pads row a (samples at [vifPad, vifPad+w)) by r samples on each
// side, reflecting about the first and last sample as PADDING_SQ_DATA does:
// a[-f] = a[f], a[w-1+f] = a[w-1-f].
func vifMirror(a []uint64, w, r int) {
	for f := 1; f <= r; f++ {
		a[vifPad-f] = a[vifPad+f]
		a[vifPad+w-1+f] = a[vifPad+w-1-f]
	}
}

// vifScratch is the per-size scratch of the kernels: one filtered row of
// each moment with vifPad samples of padding on each side (libvmaf's
// buf.tmp), their horizontal sums, and a ring of precomputed input rows
// for the 8-bit scale-0 pass.
type vifScratch struct {
	mu1, mu2, xx, yy, xy []uint64 // vertical sums of one row, padded
	hmu1, hmu2, hxx      []uint64 // horizontal sums of one row
	hyy, hxy             []uint64

	// ring[k] holds input row ringRow[k] (k = row % 17) as packed
	// moments: ringP = x | y<<32, ringS = x² | y²<<32, ringX = x·y.
	// Only the pure-Go pass uses it; it is allocated on first use.
	ringP, ringS, ringX [17][]uint64
	ringRow             [17]int
}

func newVIFScratch(w int) *vifScratch {
	n := w + 2*vifPad
	row := func(n int) []uint64 { return make([]uint64, n) }
	s := &vifScratch{
		mu1: row(n), mu2: row(n), xx: row(n), yy: row(n), xy: row(n),
		hmu1: row(w), hmu2: row(w), hxx: row(w), hyy: row(w), hxy: row(w),
	}
	return s
}

// vifSums accumulates one scale's statistics in libvmaf's integer widths
// (the accum_*_log and accum_*_non_log of vif_statistic_8/16).
type vifSums struct {
	numLog, denLog       int64
	numNonLog, denNonLog int64
}

// vifEps is the epsilon libvmaf adds to σ1² before dividing (eps in
// vif_statistic_8/16).
const vifEps = 65536 * 1.0e-10

// row adds a row of pixels from the horizontal sums in s (the body of
// vif_statistic_16's horizontal loop, identical in vif_statistic_8 and
// vif_compute_line_residuals), after the AVX2 kernel (and the AVX-512
// one, avx512) did what it could when asm is set. hmu1, hmu2 hold the Q32 means (uint32 sums as in
// C), hxx, hyy, hxy the second moments' full sums before the Q16
// rounding; with packed set, hmu1 holds both means (mu1 | mu2<<32) and
// hmu2 is scratch. g = σ12/(σ1² + 65536e-10) is computed in double, sv² = σ2² -
// g·σ12 is truncated to int32 and clamped at 0, g is limited to gain, and
// the logarithms come from libvmaf's table (log2_32, log2_64); explicit
// float64 conversions keep Go from fusing a multiply and a subtract that C
// rounds separately.
func (a *vifSums) row(s *vifScratch, w int, log2 *[65537]uint16, gain float64, asm, avx512, packed bool) {
	const eps = vifEps
	j0 := 0
	if asm {
		j0 = vifRowAsm(a, s, w, log2, gain, packed, avx512)
	}
	if packed {
		hmu, hmu2 := s.hmu1[j0:w], s.hmu2[j0:w]
		for j := range hmu {
			hmu2[j] = hmu[j] >> 32
		}
	}
	hmu1, hmu2 := s.hmu1[j0:w], s.hmu2[j0:w]
	hxx, hyy, hxy := s.hxx[j0:w], s.hyy[j0:w], s.hxy[j0:w]
	numLog, denLog, numNonLog, denNonLog := a.numLog, a.denLog, a.numNonLog, a.denNonLog
	for j := range hmu1 {
		mu1, mu2 := uint64(uint32(hmu1[j])), uint64(uint32(hmu2[j]))
		mu1sq := uint32((mu1*mu1 + 1<<31) >> 32)
		mu2sq := uint32((mu2*mu2 + 1<<31) >> 32)
		mu1mu2 := uint32((mu1*mu2 + 1<<31) >> 32)
		sigma1sq := int32(uint32((hxx[j]+32768)>>16) - mu1sq)
		sigma2sq := max(int32(uint32((hyy[j]+32768)>>16)-mu2sq), 0)
		sigma12 := int32(uint32((hxy[j]+32768)>>16) - mu1mu2)
		if sigma1sq < vifSigmaNsq {
			numNonLog += int64(sigma2sq)
			denNonLog++
			continue
		}
		d := uint32(vifSigmaNsq + sigma1sq)
		k := 16 - bits.LeadingZeros32(d)
		denLog += int64(log2[(d>>k)&0xffff]) + 2048*int64(k) - 2048*17
		if sigma12 <= 0 || sigma2sq <= 0 {
			continue
		}
		g := float64(sigma12) / (float64(sigma1sq) + eps)
		svsq := max(int32(float64(sigma2sq)-float64(g*float64(sigma12))), 0)
		if !(g < gain) {
			g = gain
		}
		numer1 := uint64(uint32(svsq + vifSigmaNsq))
		numer1tmp := uint64(int64(float64(g*g)*float64(sigma1sq)) + int64(numer1))
		k1 := 48 - bits.LeadingZeros64(numer1tmp)
		k2 := 48 - bits.LeadingZeros64(numer1)
		numLog += int64(log2[(numer1tmp>>k1)&0xffff]) - int64(log2[(numer1>>k2)&0xffff]) + 2048*int64(k1-k2)
	}
	a.numLog, a.denLog, a.numNonLog, a.denNonLog = numLog, denLog, numNonLog, denNonLog
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
// shifted by bpc and its squares by 2(bpc-8) (none at 8 bits, as in
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
// (scale 0 of 8-bit input) and vif_statistic_16 (everything else). Per
// output row it runs the vertical pass into the scratch rows, pads them as
// libvmaf does, runs the horizontal pass and feeds every pixel to vifSums.
//
// The sums are libvmaf's, reordered: integer addition is associative (also
// modulo 2³², for C's uint32 accumulators), so symmetric taps are folded
// (f·a + f·b = f·(a+b)) and sums that cannot exceed 32 bits share one
// uint64 (see statistic8).
func (v *VIF) statistic(ref, dis []uint16, w, h, scale, bpc int) (num, den float32) {
	if scale == 0 && bpc == 8 {
		return v.statistic8(ref, dis, w, h)
	}
	s := v.scratch
	r := len(vifFilter[scale]) / 2
	shMu, shSq := vifShifts(scale, bpc)
	rnd := [4]uint64{uint64(shMu), vifRound(shMu), uint64(shSq), vifRound(shSq)}
	var sums vifSums
	for i := range h {
		vifVertical(s, ref, dis, w, h, i, scale, &rnd, v.asm, v.avx512)
		for _, a := range [...][]uint64{s.mu1, s.mu2, s.xx, s.yy, s.xy} {
			vifMirror(a, w, r)
		}
		for m, src := range [...][]uint64{s.mu1, s.mu2, s.xx, s.yy, s.xy} {
			dst, src := [...][]uint64{s.hmu1, s.hmu2, s.hxx, s.hyy, s.hxy}[m][:w], src[vifPad-r:]
			j0 := 0
			if v.avx512 {
				j0 = vifConvAsm512(dst, src, vifFilter[scale])
			}
			if v.asm {
				j0 += vifConvAsm(dst[j0:], src[j0:], vifFilter[scale])
			}
			vifConv[scale](dst[j0:], src[j0:])
		}
		sums.row(s, w, v.log2, v.gain, v.asm, v.avx512, false)
	}
	return sums.result()
}

// vifRows sets rr[k], dr[k] for k < taps to the rows of ref and dis the
// vertical window centred on row c reads, mirrored at the picture's edges.
func vifRows(rr, dr *[17][]uint16, ref, dis []uint16, w, h, c, taps int) {
	r := taps / 2
	for k := range taps {
		row := mirrorIndex(c-r+k, h) * w
		rr[k], dr[k] = ref[row:row+w], dis[row:row+w]
	}
}

// vifVertical sets the scratch rows mu1, mu2, xx, yy, xy (at vifPad) to the
// vertical sums Σ f·x, Σ f·y, Σ f·x², Σ f·y², Σ f·x·y of output row i,
// rounded as vif_statistic_16 stores them with rnd = {shift_VP,
// add_shift_round_VP, shift_VP_sq, add_shift_round_VP_sq}: the means in
// uint32 arithmetic (as libvmaf's accum_mu1) and cast to
// uint16, the squares from exact sums and cast to uint32. The AVX2 kernel
// does what it can when asm is set, with the AVX-512 one's help when
// avx512 is.
func vifVertical(s *vifScratch, ref, dis []uint16, w, h, i, scale int, rnd *[4]uint64, asm, avx512 bool) {
	filt := vifFilter[scale]
	r := len(filt) / 2
	var rr, dr [17][]uint16
	vifRows(&rr, &dr, ref, dis, w, h, i, len(filt))
	mu1, mu2 := s.mu1[vifPad:vifPad+w], s.mu2[vifPad:vifPad+w]
	xx, yy, xy := s.xx[vifPad:vifPad+w], s.yy[vifPad:vifPad+w], s.xy[vifPad:vifPad+w]
	j0 := 0
	if asm {
		j0 = vifVertical64Asm(&rr, &dr, filt, &[5][]uint64{mu1, mu2, xx, yy, xy}, rnd, avx512)
	}
	mu1, mu2, xx, yy, xy = mu1[j0:], mu2[j0:], xx[j0:], yy[j0:], xy[j0:]
	rc, dc := rr[r][j0:], dr[r][j0:]
	f := uint64(filt[r])
	for j := range mu1 {
		x, y := uint64(rc[j]), uint64(dc[j])
		mu1[j], mu2[j] = f*x, f*y
		xx[j], yy[j], xy[j] = f*x*x, f*y*y, f*x*y
	}
	for k := range r {
		f := uint64(filt[k])
		ra, rb, da, db := rr[k][j0:], rr[2*r-k][j0:], dr[k][j0:], dr[2*r-k][j0:]
		for j := range mu1 {
			xa, xb, ya, yb := uint64(ra[j]), uint64(rb[j]), uint64(da[j]), uint64(db[j])
			mu1[j] += f * (xa + xb)
			mu2[j] += f * (ya + yb)
			xx[j] += f * (xa*xa + xb*xb)
			yy[j] += f * (ya*ya + yb*yb)
			xy[j] += f * (xa*ya + xb*yb)
		}
	}
	shMu, rndMu, shSq, rndSq := rnd[0], uint32(rnd[1]), rnd[2], rnd[3]
	for j := range mu1 {
		mu1[j] = uint64(uint16((uint32(mu1[j]) + rndMu) >> shMu))
		mu2[j] = uint64(uint16((uint32(mu2[j]) + rndMu) >> shMu))
		xx[j] = uint64(uint32((xx[j] + rndSq) >> shSq))
		yy[j] = uint64(uint32((yy[j] + rndSq) >> shSq))
		xy[j] = uint64(uint32((xy[j] + rndSq) >> shSq))
	}
}

// statistic8 is statistic for scale 0 of 8-bit input (vif_statistic_8).
// There every vertical sum fits in 32 bits (Σf = 65536, 65536·255² <
// 2³²), so ref and dis travel together in one uint64: x | y<<32 for the
// means, x² | y²<<32 for the squares; the horizontal means (< 65536·65280
// < 2³²) stay packed too. The pure-Go vertical pass computes each input
// row's packed moments once into a ring of 17 rows; the AVX2 one reads the
// samples directly.
func (v *VIF) statistic8(ref, dis []uint16, w, h int) (num, den float32) {
	s := v.scratch
	for k := range s.ringRow {
		s.ringRow[k] = -1
	}
	var sums vifSums
	mu, xx := s.mu1[vifPad:vifPad+w], s.xx[vifPad:vifPad+w]
	yy, xy := s.yy[vifPad:vifPad+w], s.xy[vifPad:vifPad+w]
	for i := range h {
		if v.asm {
			var rr, dr [17][]uint16
			vifRows(&rr, &dr, ref, dis, w, h, i, 17)
			j0 := vifVertical8Asm(&rr, &dr, mu, xx, yy, xy, v.avx512)
			vifVertical8Columns(&rr, &dr, j0, mu, xx, yy, xy)
		} else {
			v.vertical8Ring(ref, dis, w, h, i)
		}
		vifMirror(s.mu1, w, 8)
		vifMirror(s.xx, w, 8)
		vifMirror(s.yy, w, 8)
		vifMirror(s.xy, w, 8)
		vifConv17Packed(s.hmu1[:w], s.mu1, v.asm, v.avx512)
		vifConv17Wide(s.hxx[:w], s.xx, v.asm, v.avx512)
		vifConv17Wide(s.hyy[:w], s.yy, v.asm, v.avx512)
		vifConv17Wide(s.hxy[:w], s.xy, v.asm, v.avx512)
		sums.row(s, w, v.log2, v.gain, v.asm, v.avx512, true)
	}
	return sums.result()
}

// vertical8Ring is statistic8's pure-Go vertical pass for output row i: it
// sets the scratch rows mu1 (packed rounded means), xx, yy and xy.
func (v *VIF) vertical8Ring(ref, dis []uint16, w, h, i int) {
	s := v.scratch
	if s.ringP[0] == nil {
		for k := range s.ringP {
			s.ringP[k], s.ringS[k], s.ringX[k] = make([]uint64, w), make([]uint64, w), make([]uint64, w)
		}
	}
	var rowsP, rowsS, rowsX [17][]uint64
	for k := range 17 {
		row := mirrorIndex(i-8+k, h)
		slot := row % 17
		if s.ringRow[slot] != row {
			vifPackRow(s, slot, ref[row*w:row*w+w], dis[row*w:row*w+w])
			s.ringRow[slot] = row
		}
		rowsP[k], rowsS[k], rowsX[k] = s.ringP[slot], s.ringS[slot], s.ringX[slot]
	}
	mu, xx := s.mu1[vifPad:vifPad+w], s.xx[vifPad:vifPad+w]
	sq, xy := s.yy[vifPad:vifPad+w], s.xy[vifPad:vifPad+w]
	vifVertical17(mu, &rowsP)
	vifVertical17(sq, &rowsS)
	vifVertical17(xy, &rowsX)
	for j := range mu {
		p := mu[j]
		mu[j] = (p&0xffffffff+128)>>8 | ((p>>32+128)>>8)<<32
		q := sq[j]
		xx[j], sq[j] = q&0xffffffff, q>>32
	}
}

// vifVertical8Columns is the vertical pass of statistic8 for columns j0
// and up, tap by tap (the few columns the AVX2 kernel leaves).
func vifVertical8Columns(ref, dis *[17][]uint16, j0 int, mu, xx, yy, xy []uint64) {
	filt := vifFilter[0]
	for j := j0; j < len(mu); j++ {
		var m1, m2, s11, s22, s12 uint64
		for k, f := range filt {
			x, y := uint64(ref[k][j]), uint64(dis[k][j])
			f := uint64(f)
			m1 += f * x
			m2 += f * y
			s11 += f * x * x
			s22 += f * y * y
			s12 += f * x * y
		}
		mu[j] = (m1+128)>>8 | ((m2+128)>>8)<<32
		xx[j], yy[j], xy[j] = s11, s22, s12
	}
}

// vifPackRow fills ring slot k with the packed moments of one input row.
func vifPackRow(s *vifScratch, k int, ref, dis []uint16) {
	p, q, x := s.ringP[k][:len(ref)], s.ringS[k][:len(ref)], s.ringX[k][:len(ref)]
	dis = dis[:len(ref)]
	for j, a := range ref {
		a, b := uint64(a), uint64(dis[j])
		p[j] = a | b<<32
		q[j] = a*a | (b*b)<<32
		x[j] = a * b
	}
}

// vifVertical17 sets acc[j] to the 17-tap vertical sum of rows[0..16] at
// column j, in two passes of at most nine rows each.
func vifVertical17(acc []uint64, rows *[17][]uint64) {
	n := len(acc)
	r0, r1, r2, r3, r8 := rows[0][:n], rows[1][:n], rows[2][:n], rows[3][:n], rows[8][:n]
	r13, r14, r15, r16 := rows[13][:n], rows[14][:n], rows[15][:n], rows[16][:n]
	for j := range acc {
		acc[j] = 7784*r8[j] + 489*(r0[j]+r16[j]) + 935*(r1[j]+r15[j]) + 1640*(r2[j]+r14[j]) + 2640*(r3[j]+r13[j])
	}
	r4, r5, r6, r7 := rows[4][:n], rows[5][:n], rows[6][:n], rows[7][:n]
	r9, r10, r11, r12 := rows[9][:n], rows[10][:n], rows[11][:n], rows[12][:n]
	for j := range acc {
		acc[j] += 3896*(r4[j]+r12[j]) + 5274*(r5[j]+r11[j]) + 6547*(r6[j]+r10[j]) + 7455*(r7[j]+r9[j])
	}
}

// vifConv17Packed is vifConv17 for packed pairs whose 32-bit lane sums stay
// below 2³², with the AVX-512 kernel's help when avx512 is set (16
// columns at a time) and the AVX2 kernel's when asm is (8).
func vifConv17Packed(dst, src []uint64, asm, avx512 bool) {
	j0 := 0
	if avx512 {
		j0 = vifConv17x32Asm512(dst, src)
	}
	if asm {
		j0 += vifConv17x32Asm(dst[j0:], src[j0:])
	}
	vifConv17(dst[j0:], src[j0:])
}

// vifConv17Wide is vifConv17 for values below 2³², with the AVX-512
// kernel's help when avx512 is set and the AVX2 kernel's when asm is.
func vifConv17Wide(dst, src []uint64, asm, avx512 bool) {
	j0 := 0
	if avx512 {
		j0 = vifConv17x64Asm512(dst, src)
	}
	if asm {
		j0 += vifConv17x64Asm(dst[j0:], src[j0:])
	}
	vifConv17(dst[j0:], src[j0:])
}

// vifConv holds the horizontal filters of scales 0..3: dst[j] = Σ_k
// f_k·src[j+k] over the scale's taps, for j < len(dst).
var vifConv = [4]func(dst, src []uint64){vifConv17, vifConv9, vifConv5, vifConv3}

func vifConv17(dst, src []uint64) {
	src = src[:len(dst)+16]
	for j := range dst {
		a := src[j : j+17 : j+17]
		dst[j] = 7784*a[8] + 489*(a[0]+a[16]) + 935*(a[1]+a[15]) + 1640*(a[2]+a[14]) + 2640*(a[3]+a[13]) +
			3896*(a[4]+a[12]) + 5274*(a[5]+a[11]) + 6547*(a[6]+a[10]) + 7455*(a[7]+a[9])
	}
}

func vifConv9(dst, src []uint64) {
	src = src[:len(dst)+8]
	for j := range dst {
		a := src[j : j+9 : j+9]
		dst[j] = 14692*a[4] + 1244*(a[0]+a[8]) + 3663*(a[1]+a[7]) + 7925*(a[2]+a[6]) + 12590*(a[3]+a[5])
	}
}

func vifConv5(dst, src []uint64) {
	src = src[:len(dst)+4]
	for j := range dst {
		a := src[j : j+5 : j+5]
		dst[j] = 26386*a[2] + 3571*(a[0]+a[4]) + 16004*(a[1]+a[3])
	}
}

func vifConv3(dst, src []uint64) {
	src = src[:len(dst)+2]
	for j := range dst {
		a := src[j : j+3 : j+3]
		dst[j] = 43728*a[1] + 10904*(a[0]+a[2])
	}
}

// subsample low-pass filters the scale's ref and dis with the next scale's
// window and keeps every other row and column, mirroring subsample_rd_8/16
// and decimate_and_pad: the vertical pass is rounded by bpc bits at scale 0
// (8 in subsample_rd_8) and by 16 bits after, the horizontal pass by 16
// bits, both stored as uint16. Only the even rows and columns libvmaf keeps
// are computed. All sums stay below 65536·65535 < 2³², so ref and dis
// travel packed in one uint64 (x | y<<32). The AVX2 kernel does what it can
// of the vertical pass when asm is set, with the AVX-512 one's help when
// avx512 is, which also runs the horizontal pass (vifConvEvenAsm512).
func (v *VIF) subsample(ref, dis, outRef, outDis []uint16, w, h, scale, bpc int) {
	filt := vifFilter[scale+1]
	r := len(filt) / 2
	sh := uint64(16)
	if scale == 0 {
		sh = uint64(bpc)
	}
	rnd := uint64(1) << (sh - 1)
	s := v.scratch
	acc := s.mu1[vifPad : vifPad+w]
	ow := w / 2
	for i := range h / 2 {
		var rr, dr [17][]uint16
		vifRows(&rr, &dr, ref, dis, w, h, 2*i, len(filt))
		j0 := 0
		if v.asm {
			j0 = vifVerticalMuAsm(&rr, &dr, filt, sh, acc, v.avx512)
		}
		acc := acc[j0:]
		rc, dc := rr[r][j0:], dr[r][j0:]
		f := uint64(filt[r])
		for j := range acc {
			acc[j] = f * (uint64(rc[j]) | uint64(dc[j])<<32)
		}
		for k := range r {
			f := uint64(filt[k])
			ra, rb, da, db := rr[k][j0:], rr[2*r-k][j0:], dr[k][j0:], dr[2*r-k][j0:]
			for j := range acc {
				acc[j] += f * ((uint64(ra[j]) + uint64(rb[j])) | (uint64(da[j])+uint64(db[j]))<<32)
			}
		}
		for j, p := range acc {
			acc[j] = (p&0xffffffff+rnd)>>sh | ((p>>32+rnd)>>sh)<<32
		}
		vifMirror(s.mu1, w, r)
		out, src := s.hmu1[:ow], s.mu1[vifPad-r:]
		j0 = 0
		if v.avx512 {
			j0 = vifConvEvenAsm512(out, src, scale+1)
		}
		vifConvEven[scale+1](out[j0:], src[2*j0:])
		or, od := outRef[i*ow:i*ow+ow], outDis[i*ow:i*ow+ow]
		for j, p := range out {
			or[j] = uint16((p&0xffffffff + 32768) >> 16)
			od[j] = uint16((p>>32 + 32768) >> 16)
		}
	}
}

// vifConvEven holds the horizontal filters of scales 1..3 evaluated at
// every other sample: dst[j] = Σ_k f_k·src[2j+k].
var vifConvEven = [4]func(dst, src []uint64){nil, vifConvEven9, vifConvEven5, vifConvEven3}

func vifConvEven9(dst, src []uint64) {
	src = src[:2*len(dst)+7]
	for j := range dst {
		a := src[2*j:]
		a = a[:9:9]
		dst[j] = 14692*a[4] + 1244*(a[0]+a[8]) + 3663*(a[1]+a[7]) + 7925*(a[2]+a[6]) + 12590*(a[3]+a[5])
	}
}

func vifConvEven5(dst, src []uint64) {
	src = src[:2*len(dst)+3]
	for j := range dst {
		a := src[2*j:]
		a = a[:5:5]
		dst[j] = 26386*a[2] + 3571*(a[0]+a[4]) + 16004*(a[1]+a[3])
	}
}

func vifConvEven3(dst, src []uint64) {
	src = src[:2*len(dst)+1]
	for j := range dst {
		a := src[2*j:]
		a = a[:3:3]
		dst[j] = 43728*a[1] + 10904*(a[0]+a[2])
	}
}
