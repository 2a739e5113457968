package quality

import (
	"errors"
	"fmt"
	"math"
)

// SpeedOptions are the options of libvmaf's speed_chroma extractor
// (speed.c, options_chroma), every field set; DefaultSpeedOptions gives
// libvmaf's defaults.
type SpeedOptions struct {
	KernelScale    float64 // speed_kernelscale (only 1 is implemented)
	Prescale       float64 // speed_prescale: the chroma planes are resized by it first
	PrescaleMethod string  // speed_prescale_method: nearest or bilinear
	SigmaNN        float64 // speed_sigma_nn, the neural noise's deviation
	NNFloor        float64 // speed_nn_floor, as a fraction of SigmaNN
	MaxVal         float64 // speed_max_val clips the scores
	WeightVarMode  int     // speed_weight_var_mode, 0..6: how variances weight the entropies
}

// DefaultSpeedOptions returns libvmaf's defaults.
func DefaultSpeedOptions() SpeedOptions {
	return SpeedOptions{KernelScale: 1, Prescale: 1, PrescaleMethod: "nearest", SigmaNN: 0.29, MaxVal: 1000}
}

// params returns the options as libvmaf option names and values, for
// naming (featureNameOf).
func (o SpeedOptions) params() map[string]any {
	return map[string]any{
		"speed_kernelscale": o.KernelScale, "speed_prescale": o.Prescale, "speed_prescale_method": o.PrescaleMethod,
		"speed_sigma_nn": o.SigmaNN, "speed_nn_floor": o.NNFloor, "speed_max_val": o.MaxVal,
		"speed_weight_var_mode": float64(o.WeightVarMode),
	}
}

// Dimensions of SpEED's block model (speed.c).
const (
	speedScales    = 4    // NUM_SCALES: the planes are analysed at 1/16 size
	speedBlock     = 5    // DEFAULT_BLOCK_SIZE
	speedEigenEps  = 1e-6 // EIGENVALUE_EPS
	speedEigenIter = 500  // EIGENVALUE_MAX_ITERS
)

// errSpeed is wrapped by speed_chroma's refusals.
var errSpeed = errors.New("speed_chroma")

// SpeedChroma is libvmaf's speed_chroma feature extractor (speed.c with
// vif_tools.c), SpEED-QA's spatial term on the chroma planes. Each plane,
// as floats offset by −128 (picture_copy), optionally prescaled, is
// low-passed (a 9-tap Gaussian of σ 3.6), decimated by 16, and its local
// mean (a 3-tap Gaussian) removed. On 5×5 blocks of the result a Gaussian
// scale mixture is fitted: the 25×25 covariance of the block positions,
// its eigenvalues (Householder tridiagonalisation and implicit QR, as GSL),
// and each block's variance s from the linear system K x = y (a Householder
// QR solve). A block's entropy is Σ_λ log2(λ·s + σ_nn) + log2(2πe); the
// score is the mean over blocks of |e_ref·log2(1+v_ref) − e_dis·log2(1+v)|,
// v the variance weighting of speed_weight_var_mode, over blocks where
// either entropy reaches the noise floor. It records speed_chroma_u, _v and
// their mean _uv (a plane whose covariance is singular takes the other's
// score), in float arithmetic as libvmaf's, under libvmaf's names. A
// SpeedChroma keeps only scratch buffers between frames; use one per
// goroutine.
type SpeedChroma struct {
	opt   SpeedOptions
	names [3]string
	st    *speedState
}

// NewSpeedChroma returns a speed_chroma extractor with complete options.
func NewSpeedChroma(opt SpeedOptions) *SpeedChroma {
	s := &SpeedChroma{opt: opt}
	for k, f := range []string{"Speed_chroma_feature_speed_chroma_u_score", "Speed_chroma_feature_speed_chroma_v_score", "Speed_chroma_feature_speed_chroma_uv_score"} {
		s.names[k] = featureNameOf("speed_chroma", f, opt.params())
	}
	return s
}

// speedState is speed_init's SpeedState for one plane size, with the
// buffers.
type speedState struct {
	w, h, bpc        int // picture luma size, bit depth
	ow, oh           int // the plane size analysed (speed_init's w, h)
	sw, sh           int // after the prescale
	dw, dh           int // operating size: sw>>4, sh>>4
	tw, th           int // truncated to whole blocks
	nbh, nbv, nb     int
	subW, subH       int
	bilinear         bool
	x1a, x2a         []int
	dxa              []float32
	aa, f4           []float32 // antialias and scale-4 filters
	ref, dis         []float32 // the plane, prescaled
	tmp, cur         []float32
	down, blur       []float32
	cov              [speedBlock * speedBlock * speedBlock * speedBlock]float32
	means            [speedBlock * speedBlock]float32
	eig              [speedBlock * speedBlock]float32
	indep, sol       []float32 // 25 × nb
	rect             []float32 // 25 × nb
	ent, vr          [2][]float32
	qa, q, r, t1, t2 [speedBlock * speedBlock * speedBlock * speedBlock]float32
}

// Extract computes speed_chroma of frame i.
func (s *SpeedChroma) Extract(ref, dis *Picture, i int, out *Scores) error {
	if ref == nil || dis == nil {
		return fmt.Errorf("speed_chroma: frame %d: missing picture", i)
	}
	if !ref.SameFormat(dis) {
		return fmt.Errorf("speed_chroma: frame %d: reference %s, distorted %s: %w", i, ref.Format(), dis.Format(), ErrMismatch)
	}
	if s.st == nil || s.st.w != ref.Width || s.st.h != ref.Height || s.st.bpc != ref.BitDepth {
		st, err := newSpeedState(s.opt, ref)
		if err != nil {
			return err // names speed_chroma; Score adds the frame
		}
		s.st = st
	}
	st := s.st
	var score [2]float32
	var bad [2]bool
	for c := 1; c <= 2; c++ {
		st.load(st.ref, ref, c)
		st.load(st.dis, dis, c)
		score[c-1], bad[c-1] = st.extract(s.opt)
	}
	var uv float32
	switch {
	case bad[0] && !bad[1]:
		uv = score[1]
	case bad[1] && !bad[0]:
		uv = score[0]
	default:
		uv = float32(float64(score[0]+score[1]) / 2.0)
	}
	out.Set(s.names[0], i, min(float64(score[0]), s.opt.MaxVal))
	out.Set(s.names[1], i, min(float64(score[1]), s.opt.MaxVal))
	out.Set(s.names[2], i, min(float64(uv), s.opt.MaxVal))
	return nil
}

// newSpeedState is init_chroma and speed_init for pictures like p.
func newSpeedState(o SpeedOptions, p *Picture) (*speedState, error) {
	st := &speedState{w: p.Width, h: p.Height, bpc: p.BitDepth, ow: p.Width, oh: p.Height}
	switch p.Chroma {
	case Chroma420:
		st.ow, st.oh = p.Width/2, p.Height/2
	case Chroma422:
		st.ow = p.Width / 2
	case Chroma444:
	default:
		return nil, fmt.Errorf("%w: %s pictures have no chroma", errSpeed, p.Format())
	}
	switch p.BitDepth {
	case 8, 10, 12, 16:
	default:
		return nil, fmt.Errorf("%w: unsupported bit depth %d", errSpeed, p.BitDepth)
	}
	if math.Abs(o.KernelScale-1) >= 1e-3 {
		return nil, fmt.Errorf("%w: speed_kernelscale %g is not implemented (only 1)", errSpeed, o.KernelScale)
	}
	st.sh = int(float64(st.oh)*o.Prescale + 0.5)
	st.sw = int(float64(st.ow)*o.Prescale + 0.5)
	st.dw, st.dh = st.sw>>speedScales, st.sh>>speedScales
	st.tw, st.th = st.dw/speedBlock*speedBlock, st.dh/speedBlock*speedBlock
	if st.tw == 0 || st.th == 0 || st.sw < 9 || st.sh < 9 {
		return nil, fmt.Errorf("%w: chroma planes of %dx%d are too small: SpEED needs them at least %d×%d after its 16× decimation", errSpeed, st.ow, st.oh, speedBlock, speedBlock)
	}
	st.nbh, st.nbv = st.tw/speedBlock, st.th/speedBlock
	st.nb = st.nbh * st.nbv
	st.subW, st.subH = st.tw-speedBlock+1, st.th-speedBlock+1
	prescaled := math.Abs(o.Prescale-1) >= 1e-3
	switch o.PrescaleMethod {
	case "nearest":
	case "bilinear":
		st.bilinear = true
	default:
		return nil, fmt.Errorf("%w: speed_prescale_method %q is not implemented (nearest, bilinear)", errSpeed, o.PrescaleMethod)
	}
	if prescaled && st.bilinear {
		st.x1a, st.x2a, st.dxa = speedBilinearColumns(st.ow, st.sw)
	}
	// speed_get_antialias_filter(·, 4, 1) and vif_get_filter(·, 4, 1).
	st.aa = speedGaussian(9, float32(math.Sqrt(speedScales)*9/float64(float32(5.0))))
	st.f4 = speedGaussian(3, float32(3)/5.0)
	aw, ah := max(st.ow, st.sw), max(st.oh, st.sh)
	st.ref, st.dis = make([]float32, aw*ah), make([]float32, aw*ah)
	st.tmp, st.cur = make([]float32, aw*ah), make([]float32, aw*ah)
	st.down, st.blur = make([]float32, st.dw*st.dh), make([]float32, st.dw*st.dh)
	n := speedBlock * speedBlock * st.nb
	st.indep, st.sol, st.rect = make([]float32, n), make([]float32, n), make([]float32, n)
	for k := range 2 {
		st.ent[k], st.vr[k] = make([]float32, st.nb), make([]float32, st.nb)
	}
	return st, nil
}

// speedGaussian is get_1d_gaussian_kernel: a normalised Gaussian of size
// taps and deviation stdev, in libvmaf's float/double mix.
func speedGaussian(size int, stdev float32) []float32 {
	out := make([]float32, size)
	var sum float32
	k := (size - 1) / 2
	for i := range out {
		x := float32(i - k)
		num := float32(math.Exp(-0.5 * float64(x) / float64(stdev) * float64(x) / float64(stdev)))
		den := float32(1 / (float64(stdev) * math.Sqrt(2*math.Pi)))
		out[i] = num / den
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// speedBilinearColumns is vif_scale_frame_bilinear_precompute_columns_s.
func speedBilinearColumns(srcW, dstW int) (x1a, x2a []int, dxa []float32) {
	x1a, x2a, dxa = make([]int, dstW), make([]int, dstW), make([]float32, dstW)
	ratio := float32(srcW) / float32(dstW)
	for x := range dstW {
		xx := float32((float64(x)+0.5)*float64(ratio) - 0.5)
		x1a[x] = speedMirror(float32(math.Floor(float64(xx))), float32(srcW-1))
		x2a[x] = speedMirror(float32(math.Ceil(float64(xx))), float32(srcW-1))
		dxa[x] = xx - float32(x1a[x])
	}
	return x1a, x2a, dxa
}

// speedMirror is vif_tools.c's mirror(i, 0, right), truncated to int.
func speedMirror(i, right float32) int {
	switch {
	case i < 0:
		return int(-i)
	case i > right:
		return int(2*right - i)
	}
	return int(i)
}

// load is picture_copy of chroma plane c (its top-left ow×oh) with the
// −128 offset: v − 128 at 8 bit, v/2^(bpc−8) − 128 above.
func (st *speedState) load(dst []float32, p *Picture, c int) {
	pw := p.PlaneWidth(c)
	plane := p.Planes[c]
	scaler := float32(int(1) << (p.BitDepth - 8))
	for i := range st.oh {
		row := plane[i*pw : i*pw+st.ow]
		d := dst[i*st.ow : i*st.ow+st.ow]
		if p.BitDepth == 8 {
			for j, v := range row {
				d[j] = float32(v) - 128
			}
			continue
		}
		for j, v := range row {
			d[j] = float32(v)/scaler - 128
		}
	}
}

// extract is speed_extract_score on the loaded planes: the score and
// whether libvmaf reports an error for it (one covariance singular).
func (st *speedState) extract(o SpeedOptions) (float32, bool) {
	sigma := float32(o.SigmaNN)
	st.filterAndDownscale(st.ref, o)
	errRef := st.estParams(sigma, 0)
	st.filterAndDownscale(st.dis, o)
	errDis := st.estParams(sigma, 1)
	if errRef != errDis {
		return 0, true
	}
	return st.score(sigma, float32(o.NNFloor), o.WeightVarMode), errRef || errDis
}

// filterAndDownscale is filter_and_downscale: prescale, anti-alias,
// decimate by 16, subtract the local mean, into st.down.
func (st *speedState) filterAndDownscale(frame []float32, o SpeedOptions) {
	src := frame[:st.ow*st.oh]
	if math.Abs(o.Prescale-1) >= 1e-3 {
		copy(st.tmp, src)
		st.prescale(st.tmp[:st.ow*st.oh], frame[:st.sw*st.sh], st.bilinear)
		src = frame[:st.sw*st.sh]
	}
	fconvolve(st.cur[:st.sw*st.sh], src, nil, st.tmp[:st.sw*st.sh], st.sw, st.sh, st.aa, fconvPlain)
	for i := range st.dh {
		for j := range st.dw {
			st.down[i*st.dw+j] = st.cur[(i*16)*st.sw+j*16]
		}
	}
	fconvolve(st.blur, st.down, nil, st.tmp[:st.dw*st.dh], st.dw, st.dh, st.f4, fconvPlain)
	for k := range st.down {
		st.down[k] -= st.blur[k]
	}
}

// prescale is vif_scale_frame_s for the nearest and bilinear methods.
func (st *speedState) prescale(src, dst []float32, bilinear bool) {
	sw, sh, dw, dh := st.ow, st.oh, st.sw, st.sh
	if sw == dw && sh == dh {
		copy(dst, src)
		return
	}
	ry := float32(sh) / float32(dh)
	if !bilinear {
		rx := float32(sw) / float32(dw)
		for y := range dh {
			for x := range dw {
				dst[y*dw+x] = src[int(float32(y)*ry)*sw+int(float32(x)*rx)]
			}
		}
		return
	}
	for y := range dh {
		yy := float32((float64(y)+0.5)*float64(ry) - 0.5)
		y1 := speedMirror(float32(math.Floor(float64(yy))), float32(sh-1))
		y2 := speedMirror(float32(math.Ceil(float64(yy))), float32(sh-1))
		dy := yy - float32(y1)
		r1, r2 := src[y1*sw:], src[y2*sw:]
		for x := range dw {
			x1, x2, dx := st.x1a[x], st.x2a[x], st.dxa[x]
			a := float32(float32((1-dy)*(1-dx)) * r1[x1])
			b := float32(float32((1-dy)*dx) * r1[x2])
			c := float32(float32(dy*(1-dx)) * r2[x1])
			d := float32(float32(dy*dx) * r2[x2])
			dst[y*dw+x] = a + b + c + d
		}
	}
}

// estParams is est_params on st.down into ent[k] and vr[k]; it reports
// whether the covariance could not be inverted.
func (st *speedState) estParams(sigma float32, k int) bool {
	const n = speedBlock * speedBlock
	data, stride := st.down, st.dw
	// Step 1: the covariance of the 25 block positions.
	area := st.subW * st.subH
	for r := range speedBlock {
		for c := range speedBlock {
			var sum float32
			for i := range st.subH {
				for j := range st.subW {
					sum += data[(r+i)*stride+c+j]
				}
			}
			st.means[r*speedBlock+c] = sum / float32(area)
		}
	}
	for x := range n {
		for y := 0; y <= x; y++ {
			rx, cx, ry, cy := x/speedBlock, x%speedBlock, y/speedBlock, y%speedBlock
			mx, my := float64(st.means[rx*speedBlock+cx]), float64(st.means[ry*speedBlock+cy])
			var sum float64
			for i := range st.subH {
				dx := data[(rx+i)*stride+cx : (rx+i)*stride+cx+st.subW]
				dy := data[(ry+i)*stride+cy : (ry+i)*stride+cy+st.subW]
				for j := range dx {
					sum += float64((float64(dx[j]) - mx) * (float64(dy[j]) - my))
				}
			}
			v := float32(sum / float64(area))
			st.cov[x*n+y], st.cov[y*n+x] = v, v
		}
	}
	// Step 2: its eigenvalues.
	speedEigenvalues(&st.cov, &st.eig)
	// Step 3: the independent term, block positions × blocks.
	for si := range speedBlock {
		for sj := range speedBlock {
			row := si*speedBlock + sj
			for i := si; i < st.th; i += speedBlock {
				for j := sj; j < st.tw; j += speedBlock {
					col := ((i-si)/speedBlock)*st.nbh + (j-sj)/speedBlock
					st.indep[row*st.nb+col] = data[i*stride+j]
				}
			}
		}
	}
	// Step 4: solve K X = Y when K is regular.
	regular := true
	for _, e := range st.eig {
		if float64(e) < speedEigenEps {
			regular = false
		}
	}
	bad := !regular
	if regular {
		bad = !st.solve()
	}
	if bad {
		clear(st.sol)
	}
	// Steps 5-6: S = column sums of X·Y/25.
	for i := range n {
		for j := range st.nb {
			st.sol[i*st.nb+j] = float32(st.sol[i*st.nb+j]*st.indep[i*st.nb+j]) / float32(n)
		}
	}
	for i := 1; i < n; i++ {
		for j := range st.nb {
			st.sol[j] += st.sol[i*st.nb+j]
		}
	}
	// Steps 8-9: entropies.
	ent := st.ent[k]
	clear(ent)
	l2pe := speedLog2PiE()
	for _, e := range st.eig {
		l := e
		if e < 0 {
			l = 0
		}
		for j := range st.nb {
			x := float32(l*st.sol[j]) + sigma
			ent[j] = float32(float64(ent[j]) + (math.Log2(float64(x)) + l2pe))
		}
	}
	copy(st.vr[k], st.sol[:st.nb])
	return bad
}

// solve is solve_linear_system(cov, 25, indep, nb, sol): the Householder
// QR of matrix_qr_decomposition, Qᵀ Y, and back substitution; false when a
// diagonal element of R is below the epsilon.
func (st *speedState) solve() bool {
	const n = speedBlock * speedBlock
	a, q, r, tq, tz := &st.qa, &st.q, &st.r, &st.t1, &st.t2
	*a = st.cov
	*tz = *a
	speedIdentity(q)
	vec := r[:n] // libvmaf borrows R's storage for the vector
	for k := 0; k < n-1; k++ {
		for i := range n { // matrix_minor
			for j := range n {
				if i < k || j < k {
					tz[i*n+j] = 0
					if i == j {
						tz[i*n+j] = 1
					}
				}
			}
		}
		for i := range n {
			vec[i] = tz[i*n+k]
		}
		norm := speedNorm(vec)
		sign := float32(1)
		if a[k*n+k] < 0 {
			sign = -1
		}
		vec[k] += float32(sign * norm)
		d := speedNorm(vec)
		for i := range vec {
			vec[i] /= d
		}
		for i := range n { // I − 2 v vᵀ
			for j := range n {
				tq[i*n+j] = float32(float32(-2*vec[i]) * vec[j])
			}
		}
		for i := range n {
			tq[i*n+i]++
		}
		speedMul(r, tq, tz)
		*tz = *r
		speedMul(r, tq, q)
		*q = *r
	}
	speedMul(r, q, a)
	// Q was transposed by the decomposition and back by the solver: use
	// it as is for Qᵀ·B.
	nb := st.nb
	rect := st.rect
	clear(rect)
	for i := range n {
		for kk := range n {
			qik := q[i*n+kk]
			row := st.indep[kk*nb : kk*nb+nb]
			out := rect[i*nb : i*nb+nb]
			for j, y := range row {
				out[j] += float32(qik * y)
			}
		}
	}
	for i := n - 1; i >= 0; i-- {
		den := r[i*n+i]
		if float64(abs32f(den)) < speedEigenEps {
			return false
		}
		for j := range nb {
			t := rect[i*nb+j]
			for kk := i + 1; kk < n; kk++ {
				t -= float32(st.sol[kk*nb+j] * r[i*n+kk])
			}
			st.sol[i*nb+j] = t / den
		}
	}
	return true
}

// speedLog2PiE is log2(2·M_PI·M_E) with the double products C rounds (a
// Go constant expression would be rounded once, from exact π and e).
func speedLog2PiE() float64 {
	pi, e := math.Pi, math.E
	return math.Log2(2 * pi * e)
}

func abs32f(x float32) float32 { return float32(math.Abs(float64(x))) }

// speedIdentity sets m to the 25×25 identity.
func speedIdentity(m *[speedBlock * speedBlock * speedBlock * speedBlock]float32) {
	const n = speedBlock * speedBlock
	clear(m[:])
	for i := range n {
		m[i*n+i] = 1
	}
}

// speedMul is matrix_mul: dst = x·y, accumulated in i, k, j order.
func speedMul(dst, x, y *[speedBlock * speedBlock * speedBlock * speedBlock]float32) {
	const n = speedBlock * speedBlock
	clear(dst[:])
	for i := range n {
		for k := range n {
			xik := x[i*n+k]
			yr := y[k*n : k*n+n]
			dr := dst[i*n : i*n+n]
			for j, v := range yr {
				dr[j] += float32(xik * v)
			}
		}
	}
}

// speedNorm is vector_norm: sqrt of a float sum of squares.
func speedNorm(x []float32) float32 {
	var sum float32
	for _, v := range x {
		sum += float32(v * v)
	}
	return float32(math.Sqrt(float64(sum)))
}

// score is get_speed_score over the blocks.
func (st *speedState) score(sigma, floor float32, mode int) float32 {
	l2pe := speedLog2PiE()
	base := float32(float64(speedBlock*speedBlock) * (math.Log2(float64((1+floor)*sigma)) + l2pe))
	er, ed, vr, vd := st.ent[0], st.ent[1], st.vr[0], st.vr[1]
	var score float32
	for i := range st.nb {
		if er[i] < base && ed[i] < base {
			continue
		}
		r64, d64 := float64(vr[i]), float64(vd[i])
		var wr, wd float64
		switch mode {
		case 0:
			wr, wd = math.Log2(float64(1+vr[i])), math.Log2(float64(1+vd[i]))
		case 1:
			wr = math.Log2(float64(1 + vr[i]))
			wd = wr
		case 2:
			wr = math.Log2(float64(1 + vd[i]))
			wd = wr
		case 3:
			wr = math.Log2(1 + float64(vr[i]+vd[i])/2.0)
			wd = wr
		case 4:
			wr, wd = math.Log2(float64(1+vr[i])), math.Log2(1+float64(vr[i]+vd[i])/2.0)
		case 5:
			wr, wd = math.Log2(float64(1+vr[i])), math.Log2(1+(0.75*r64+0.25*d64))
		case 6:
			wr, wd = math.Log2(float64(1+vr[i])), math.Log2(1+(0.25*r64+0.75*d64))
		}
		sr := float32(float64(er[i]) * wr)
		sd := float32(float64(ed[i]) * wd)
		score += abs32f(sr - sd)
	}
	return score / float32(st.nb)
}

// speedEigenvalues is compute_eigenvalues for the 25×25 symmetric a:
// tridiagonalised by Householder reflections (gsl_linalg_symmtd_decomp),
// then reduced by implicit symmetric QR steps (gsl_eigen_symm), in float.
func speedEigenvalues(a *[speedBlock * speedBlock * speedBlock * speedBlock]float32, eig *[speedBlock * speedBlock]float32) {
	const n = speedBlock * speedBlock
	m := *a
	var d, sd, v, x [n]float32
	for i := 0; i < n-2; i++ {
		tau := speedHouseholder(&m, i, i+1)
		for j := i + 1; j < n; j++ {
			v[j] = m[j*n+i]
		}
		if tau == 0 {
			continue
		}
		m[(i+1)*n+i] = v[i+1]
		v[i+1] = 1
		for r := i + 1; r < n; r++ { // x = tau·A·v
			x[r] = 0
			for c := i + 1; c < n; c++ {
				x[r] += float32(float32(tau*m[r*n+c]) * v[c])
			}
		}
		var xv float32
		for r := i + 1; r < n; r++ {
			xv += float32(x[r] * v[r])
		}
		alpha := float32(-0.5 * float64(tau) * float64(xv))
		for r := i + 1; r < n; r++ {
			x[r] += float32(alpha * v[r])
		}
		for r := i + 1; r < n; r++ { // A −= x vᵀ + v xᵀ
			for c := i + 1; c < n; c++ {
				m[r*n+c] -= float32(x[r]*v[c]) + float32(v[r]*x[c])
			}
		}
	}
	for i := range n {
		d[i] = m[i*n+i]
	}
	for i := 0; i < n-1; i++ {
		sd[i] = m[(i+1)*n+i]
	}
	speedChop(d[:], sd[:])
	b, iter := n-1, 0
	for b > 0 && iter < speedEigenIter {
		if sd[b-1] == 0 {
			b--
			continue
		}
		a := b - 1
		for a > 0 && sd[a-1] != 0 {
			a--
		}
		speedQRStep(d[a:b+1], sd[a:b+1])
		speedChop(d[a:b+1], sd[a:b+1])
		iter++
	}
	*eig = d
}

// speedHouseholder is compute_householder_transform on column col of m from
// row start: the reflection's tau, column scaled in place.
func speedHouseholder(m *[speedBlock * speedBlock * speedBlock * speedBlock]float32, col, start int) float32 {
	const n = speedBlock * speedBlock
	if n-start == 1 {
		return 0
	}
	var xs float32
	for i := start + 1; i < n; i++ {
		xs += float32(m[i*n+col] * m[i*n+col])
	}
	xnorm := float32(math.Sqrt(float64(xs)))
	if xnorm == 0 {
		return 0
	}
	alpha := m[start*n+col]
	sign := float32(1)
	if alpha < 0 {
		sign = -1
	}
	beta := -sign * speedHypot(alpha, xnorm)
	tau := (beta - alpha) / beta
	s := alpha - beta
	if s != 0 {
		for i := start; i < n; i++ {
			m[i*n+col] /= s
		}
		m[start*n+col] = beta
	}
	return tau
}

// speedHypot is pythagoras: sqrt(x² + y²) with a float sum.
func speedHypot(x, y float32) float32 {
	return float32(math.Sqrt(float64(float32(x*x) + float32(y*y))))
}

// speedChop is chop_small_elements.
func speedChop(d, sd []float32) {
	for i := 0; i < len(d)-1; i++ {
		if float64(abs32f(sd[i])) < speedEigenEps*float64(abs32f(d[i])+abs32f(d[i+1])) {
			sd[i] = 0
		}
	}
}

// speedGivens is create_givens.
func speedGivens(a, b float32) (c, s float32) {
	switch {
	case b == 0:
		return 1, 0
	case abs32f(b) > abs32f(a):
		t := -a / b
		s1 := float32(1.0 / math.Sqrt(float64(1+float32(t*t))))
		return float32(s1 * t), s1
	}
	t := -b / a
	c1 := float32(1.0 / math.Sqrt(float64(1+float32(t*t))))
	return c1, float32(c1 * t)
}

// speedQRStep is qr_step on the unreduced block d (n values), sd (n−1).
func speedQRStep(d, sd []float32) {
	n := len(d)
	// trailing_eigenvalue
	ta, tb, tab := d[n-2], d[n-1], sd[n-2]
	dt := float32(float64(ta-tb) / 2.0)
	var mu float32
	switch {
	case dt > 0:
		mu = tb - float32(tab*(tab/(dt+speedHypot(dt, tab))))
	case dt == 0:
		mu = tb - abs32f(tab)
	default:
		mu = tb + float32(tab*(tab/(-dt+speedHypot(dt, tab))))
	}
	if speedEigenEps*float64(abs32f(mu)) > float64(abs32f(d[0])+abs32f(sd[0])) {
		mu = 0
	}
	x, z := d[0]-mu, sd[0]
	var ak, bk, zk float32
	ap, bp, aq := d[0], sd[0], d[1]
	mul := func(a, b float32) float32 { return float32(a * b) }
	if n == 2 {
		c, s := speedGivens(x, z)
		ap1 := mul(c, mul(c, ap)-mul(s, bp)) + mul(s, mul(s, aq)-mul(c, bp))
		bp1 := mul(c, mul(s, ap)+mul(c, bp)) - mul(s, mul(s, bp)+mul(c, aq))
		aq1 := mul(s, mul(s, ap)+mul(c, bp)) + mul(c, mul(s, bp)+mul(c, aq))
		d[0], sd[0], d[1] = ap1, bp1, aq1
		return
	}
	bq := sd[1]
	for k := 0; k < n-1; k++ {
		c, s := speedGivens(x, z)
		bk1 := mul(c, bk) - mul(s, zk)
		ap1 := mul(c, mul(c, ap)-mul(s, bp)) + mul(s, mul(s, aq)-mul(c, bp))
		bp1 := mul(c, mul(s, ap)+mul(c, bp)) - mul(s, mul(s, bp)+mul(c, aq))
		zp1 := mul(-s, bq)
		aq1 := mul(s, mul(s, ap)+mul(c, bp)) + mul(c, mul(s, bp)+mul(c, aq))
		bq1 := mul(c, bq)
		ak, bk, zk = ap1, bp1, zp1
		ap, bp = aq1, bq1
		if k < n-2 {
			aq = d[k+2]
		}
		if k < n-3 {
			bq = sd[k+2]
		}
		d[k] = ak
		if k > 0 {
			sd[k-1] = bk1
		}
		if k < n-2 {
			sd[k+1] = bp
		}
		x, z = bk, zk
	}
	d[n-1] = ap
	sd[n-2] = bk
}
