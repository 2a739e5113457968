package quality

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
)

// CAMBIOptions are the options of libvmaf's cambi extractor (cambi.c), every
// field set; DefaultCAMBIOptions gives libvmaf's defaults.
type CAMBIOptions struct {
	// EncWidth, EncHeight and EncBitDepth describe the encode (0: the
	// picture's size and bit depth). CAMBI is computed at the encode's
	// size (a nearest-neighbour decimation of larger pictures) and, below
	// 10 bits, after an anti-dithering 2×2 average.
	EncWidth, EncHeight, EncBitDepth int
	// SrcWidth and SrcHeight are the source's size in the full-reference
	// form (0: the picture's).
	SrcWidth, SrcHeight int
	// WindowSize is the window at 4K (65 ≈ 1 degree), scaled to the
	// encode's size.
	WindowSize int
	// TopK and CambiTopK are the fraction of pixels pooled per scale (topk
	// wins when it is not the default 0.6).
	TopK, CambiTopK float64
	// TVIThreshold is the visibility threshold ΔL < tvi·L; VisLumThreshold
	// the luminance (cd/m²) below which banding is invisible.
	TVIThreshold, VisLumThreshold float64
	// MaxLogContrast: contrasts up to 2^MaxLogContrast 10-bit levels.
	MaxLogContrast int
	// MaxVal clips the score.
	MaxVal float64
	// FullRef also scores the reference and writes cambi_source and
	// cambi_full_reference = max(0, cambi − cambi_source).
	FullRef bool
	// EOTF and CambiEOTF: "bt1886" or "pq" (cambi_eotf wins when not the
	// default).
	EOTF, CambiEOTF string
	// HighResSpeedup: 1080, 1440 or 2160 halves the pictures of at least
	// that size before the first scale (0: off).
	HighResSpeedup int
}

// DefaultCAMBIOptions returns libvmaf's defaults.
func DefaultCAMBIOptions() CAMBIOptions {
	return CAMBIOptions{WindowSize: 65, TopK: 0.6, CambiTopK: 0.6, TVIThreshold: 0.019, MaxLogContrast: 2,
		MaxVal: 1000, EOTF: "bt1886", CambiEOTF: "bt1886"}
}

// params returns the options as libvmaf option names and values, for
// naming (featureNameOf).
func (o CAMBIOptions) params() map[string]any {
	return map[string]any{
		"enc_width": float64(o.EncWidth), "enc_height": float64(o.EncHeight), "enc_bitdepth": float64(o.EncBitDepth),
		"src_width": float64(o.SrcWidth), "src_height": float64(o.SrcHeight), "window_size": float64(o.WindowSize),
		"topk": o.TopK, "cambi_topk": o.CambiTopK, "tvi_threshold": o.TVIThreshold,
		"cambi_vis_lum_threshold": o.VisLumThreshold, "max_log_contrast": float64(o.MaxLogContrast),
		"cambi_max_val": o.MaxVal, "full_ref": o.FullRef, "eotf": o.EOTF, "cambi_eotf": o.CambiEOTF,
		"cambi_high_res_speedup": float64(o.HighResSpeedup),
	}
}

// CAMBIMinSize is CAMBI_MIN_WIDTH_HEIGHT: libvmaf refuses an encode (or
// source) whose width and height are both below it.
const CAMBIMinSize = 216

// cambiScaleWeights and cambiContrastWeights are g_scale_weights and
// g_contrast_weights.
var (
	cambiScaleWeights    = [5]int{16, 8, 4, 2, 1}
	cambiContrastWeights = [32]int{1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}
)

// errCAMBI is wrapped by CAMBI's refusals of a picture or option set.
var errCAMBI = errors.New("cambi")

// ErrCAMBISize is wrapped by CAMBI's refusal of a source or encode whose
// width and height are both below libvmaf's minimum (216): callers that
// measure CAMBI by the way, as the ladder does, leave it out for such
// pictures instead of failing. It reads "cambi" and wraps errCAMBI.
var ErrCAMBISize = fmt.Errorf("%w", errCAMBI)

// CAMBI is libvmaf's cambi feature extractor (libvmaf/src/feature/cambi.c),
// the Contrast Aware Multiscale Banding Index of Tandon et al. (PCS 2021),
// on the distorted luma (and the reference's in the full-reference form).
// Per picture: the luma converted to 10 bits at the encode's size
// (decimate_generic_*, anti_dithering_filter below 10-bit encodes), a
// spatial mask of flat 7×7 neighbourhoods (get_spatial_mask), then at five
// scales (halving after the first) a 3×3 mode filter and per masked pixel
//
//	c = max over contrasts d of w_d · p0 · max(p(v+d), p(v−d)) / (p0 + that)
//
// from windowed histograms p of the values (calculate_c_values, its float
// arithmetic and 1/n table), pooled per scale as the mean of the top-k
// values (quick_select, a double sum), weighted 16, 8, 4, 2, 1 and divided
// by the window's pixel count, clipped at MaxVal. It writes libvmaf's
// name (cambi with its option suffixes). A CAMBI keeps only scratch
// buffers between frames; use one per goroutine.
type CAMBI struct {
	opt  CAMBIOptions
	name string
	st   *cambiState // per input size, made on the first frame
}

// cambiState is what cambi.c's init derives from the options and the
// input size, and the buffers.
type cambiState struct {
	w, h, bpc          int // input luma size and bit depth
	encW, encH, encBD  int
	srcW, srcH         int
	ws, srcWS          int // adjusted window sizes
	speedup            bool
	topk               float64
	numDiffs           int
	tvi                []int // tvi_for_diff + numDiffs
	vlt                int
	bandBase, bandSize int
	img, mask          []uint16 // stride = max(encW, srcW)
	stride             int
	cvals              []float32
	hist               []uint16
	fbuf               []uint16
	deriv              []uint8
	colSum             []int32
	recip              []float32
}

// NewCAMBI returns a CAMBI extractor with complete options
// (DefaultCAMBIOptions as a base).
func NewCAMBI(opt CAMBIOptions) *CAMBI {
	return &CAMBI{opt: opt, name: featureNameOf("cambi", "Cambi_feature_cambi_score", opt.params())}
}

// Extract computes CAMBI of frame i and records it (and with FullRef
// cambi_source and cambi_full_reference).
func (c *CAMBI) Extract(ref, dis *Picture, i int, out *Scores) error {
	if ref == nil || dis == nil {
		return fmt.Errorf("cambi: frame %d: missing picture", i)
	}
	if !ref.SameFormat(dis) {
		return fmt.Errorf("cambi: frame %d: reference %s, distorted %s: %w", i, ref.Format(), dis.Format(), ErrMismatch)
	}
	if c.st == nil || c.st.w != dis.Width || c.st.h != dis.Height || c.st.bpc != dis.BitDepth {
		st, err := newCAMBIState(c.opt, dis.Width, dis.Height, dis.BitDepth)
		if err != nil {
			return err // names cambi; Score adds the frame
		}
		c.st = st
	}
	s := c.st
	score, err := s.score(dis, false)
	if err != nil {
		return fmt.Errorf("cambi: frame %d: %w", i, err)
	}
	out.Set(c.name, i, min(score, c.opt.MaxVal))
	if c.opt.FullRef {
		src, err := s.score(ref, true)
		if err != nil {
			return fmt.Errorf("cambi: frame %d: reference: %w", i, err)
		}
		out.Set("cambi_source", i, min(src, c.opt.MaxVal))
		out.Set("cambi_full_reference", i, min(max(0, score-src), c.opt.MaxVal))
	}
	return nil
}

// newCAMBIState is cambi.c's init for a w×h picture of bpc bits.
func newCAMBIState(o CAMBIOptions, w, h, bpc int) (*cambiState, error) {
	if bpc < 6 || bpc > 16 {
		return nil, fmt.Errorf("%w: unsupported bit depth %d", errCAMBI, bpc)
	}
	s := &cambiState{w: w, h: h, bpc: bpc, encW: o.EncWidth, encH: o.EncHeight, encBD: o.EncBitDepth, srcW: o.SrcWidth, srcH: o.SrcHeight}
	if s.encBD == 0 {
		s.encBD = bpc
	}
	if s.encW == 0 || s.encH == 0 {
		s.encW, s.encH = w, h
	}
	if s.srcW == 0 || s.srcH == 0 {
		s.srcW, s.srcH = w, h
	}
	if s.encH > h || s.encW > w { // no need to upscale a downscaled encode back
		s.encW, s.encH = w, h
	}
	switch {
	case s.encW < CAMBIMinSize && s.encH < CAMBIMinSize:
		return nil, fmt.Errorf("%w: %dx%d is too small: CAMBI needs an encode at least %d wide or high (libvmaf refuses it too)", ErrCAMBISize, s.encW, s.encH, CAMBIMinSize)
	case s.srcW < CAMBIMinSize && s.srcH < CAMBIMinSize:
		return nil, fmt.Errorf("%w: source %dx%d is too small: CAMBI needs at least %d wide or high", ErrCAMBISize, s.srcW, s.srcH, CAMBIMinSize)
	case s.srcW > s.encW && s.srcH < s.encH, s.srcW < s.encW && s.srcH > s.encH:
		return nil, fmt.Errorf("%w: source %dx%d and encode %dx%d do not scale the same way in both directions", errCAMBI, s.srcW, s.srcH, s.encW, s.encH)
	}
	thresholds := map[int]int{1080: 1920 * 1080, 1440: 2560 * 1440, 2160: 3840 * 2160}
	if t, ok := thresholds[o.HighResSpeedup]; ok && s.encW*s.encH >= t {
		s.speedup = true
	}
	allocW, allocH := s.encW, s.encH
	if o.FullRef {
		allocW, allocH = max(s.srcW, s.encW), max(s.srcH, s.encH)
	}
	s.numDiffs = 1 << o.MaxLogContrast
	eotfName := o.EOTF
	if o.CambiEOTF != "bt1886" {
		eotfName = o.CambiEOTF
	}
	eotf, err := cambiEOTF(eotfName)
	if err != nil {
		return nil, err
	}
	s.tvi = make([]int, s.numDiffs)
	for d := range s.tvi {
		s.tvi[d] = cambiTVIForDiff(d+1, o.TVIThreshold, eotf) + s.numDiffs
	}
	s.vlt = cambiVLTLuma(o.VisLumThreshold, eotf)
	s.ws = cambiWindow(o.WindowSize, s.encW, s.encH, s.speedup)
	s.srcWS = cambiWindow(o.WindowSize, s.srcW, s.srcH, s.speedup)
	if mw := max(s.ws, s.srcWS); mw*mw >= cambiRecipSize {
		return nil, fmt.Errorf("%w: window_size %d too large", errCAMBI, mw)
	}
	s.topk = o.CambiTopK
	if o.TopK != 0.6 {
		s.topk = o.TopK
	}
	s.bandBase = max(s.vlt-3*s.numDiffs+1, 0)
	s.bandSize = s.tvi[s.numDiffs-1] + 1 - s.bandBase
	s.stride = allocW
	s.img = make([]uint16, allocW*allocH)
	s.mask = make([]uint16, allocW*allocH)
	s.cvals = make([]float32, allocW*allocH)
	s.hist = make([]uint16, allocW*max(s.bandSize, 0))
	s.fbuf = make([]uint16, 3*allocW)
	s.deriv = make([]uint8, allocW*allocH)
	s.colSum = make([]int32, allocW)
	s.recip = cambiRecipTable()
	return s, nil
}

// cambiRecipTable is cambiRecip, built once and only read.
var cambiRecipTable = sync.OnceValue(cambiRecip)

// cambiRecipSize is CAMBI_RECIPROCAL_LUT_SIZE.
const cambiRecipSize = 4226

// cambiRecip is cambi.h's reciprocal_lut, 0 at 0. Its comment says
// 1.0f/(float)i, but the table holds 1/i printed to nine significant
// digits, and 42 of those literals round to the float next to 1.0f/i
// (1/82 among them): the table is rebuilt from the same decimal text.
func cambiRecip() []float32 {
	t := make([]float32, cambiRecipSize)
	for i := 1; i < len(t); i++ {
		v, _ := strconv.ParseFloat(strconv.FormatFloat(1/float64(i), 'g', 9, 64), 32)
		t[i] = float32(v)
	}
	return t
}

// cambiWindow is adjust_window_size: the window scaled by (w+h)/(3840+2160)
// (as ((ws·(w+h))/375) >> 4), halved with the speed-up, made odd.
func cambiWindow(ws, w, h int, speedup bool) int {
	ws = ((ws * (w + h)) / 375) >> 4
	if speedup {
		ws = (ws + 1) >> 1
	}
	return ws | 1
}

// cambiLumaFoot and cambiLumaHead are the 10-bit limited range.
const (
	cambiLumaFoot = 64
	cambiLumaHead = 940
)

// cambiEOTF returns luminance_tools.c's EOTF called name.
func cambiEOTF(name string) (func(float64) float64, error) {
	switch name {
	case "bt1886":
		return func(v float64) float64 {
			const gamma, lw, lb = 2.4, 300.0, 0.01
			a := math.Pow(math.Pow(lw, 1.0/gamma)-math.Pow(lb, 1.0/gamma), gamma)
			b := math.Pow(lb, 1.0/gamma) / (math.Pow(lw, 1.0/gamma) - math.Pow(lb, 1.0/gamma))
			return a * math.Pow(max(v+b, 0), gamma)
		}, nil
	case "pq":
		return func(v float64) float64 {
			const m1, m2, c1, c2, c3 = 0.1593017578125, 78.84375, 0.8359375, 18.8515625, 18.6875
			num := max(math.Pow(v, 1.0/m2)-c1, 0)
			den := c2 - c3*math.Pow(v, 1.0/m2)
			return 10000 * math.Pow(num/den, 1.0/m1)
		}, nil
	}
	return nil, fmt.Errorf("%w: unknown eotf %q (want bt1886 or pq)", errCAMBI, name)
}

// cambiLuminance is vmaf_luminance_get_luminance on the 10-bit limited
// range.
func cambiLuminance(sample int, eotf func(float64) float64) float64 {
	c := min(max(sample, cambiLumaFoot), cambiLumaHead)
	return eotf(float64(c-cambiLumaFoot) / float64(cambiLumaHead-cambiLumaFoot))
}

// cambiTVI is tvi_condition.
func cambiTVI(sample, diff int, tvi float64, eotf func(float64) float64) bool {
	mean := cambiLuminance(sample, eotf)
	delta := cambiLuminance(sample+diff, eotf) - mean
	return delta > tvi*mean
}

// cambiTVIForDiff is get_tvi_for_diff at 10 bits: the largest sample whose
// step of diff is still visible, by bisection.
func cambiTVIForDiff(diff int, tvi float64, eotf func(float64) float64) int {
	const tooSmall, correct, tooBig = 0, 1, 2
	cond := func(sample int) int {
		if !cambiTVI(sample, diff, tvi, eotf) {
			return tooBig
		}
		if cambiTVI(sample+1, diff, tvi, eotf) {
			return tooSmall
		}
		return correct
	}
	foot, head := cambiLumaFoot, cambiLumaHead-diff-1
	switch cond(foot) {
	case tooBig:
		return 0
	case correct:
		return foot
	}
	switch cond(head) {
	case tooSmall:
		return 1<<10 - 1
	case correct:
		return head
	}
	for {
		mid := foot + (head-foot)/2
		switch cond(mid) {
		case tooBig:
			head = mid
		case tooSmall:
			foot = mid
		default:
			return mid
		}
	}
}

// cambiVLTLuma is get_vlt_luma: the smallest sample at or above the
// visibility threshold, 0 when that is the foot.
func cambiVLTLuma(threshold float64, eotf func(float64) float64) int {
	sample := cambiLumaFoot
	for cambiLuminance(sample, eotf) < threshold {
		sample++
	}
	if sample == cambiLumaFoot {
		return 0
	}
	return sample
}

// score is preprocess_and_extract_cambi for one picture: the encode's (or
// with src the source's) size and window.
func (s *cambiState) score(p *Picture, src bool) (float64, error) {
	w, h, ws := s.encW, s.encH, s.ws
	if src {
		w, h, ws = s.srcW, s.srcH, s.srcWS
	}
	if err := s.preprocess(p, w, h); err != nil {
		return 0, err
	}
	s.spatialMask(w, h)
	var perScale [5]float64
	sw, sh := w, h
	for scale := range perScale {
		if scale > 0 || s.speedup {
			sw, sh = (sw+1)>>1, (sh+1)>>1
			s.decimate(s.img, sw, sh)
			s.decimate(s.mask, sw, sh)
		}
		s.filterMode(sw, sh)
		s.cValues(ws, sw, sh)
		perScale[scale] = cambiPool(s.cvals[:sw*sh], s.topk)
	}
	var score float64
	for k, v := range perScale {
		score += v * float64(cambiScaleWeights[k])
	}
	odd := 2*(ws>>1) + 1
	return score / float64(uint16(odd*odd)), nil
}

// preprocess is cambi_preprocessing: check the samples fit the bit depth,
// decimate (nearest neighbour, float steps) to w×h in 10 bits, and average
// 2×2 below 10-bit encodes.
func (s *cambiState) preprocess(p *Picture, w, h int) error {
	inW, inH, bpc := p.Width, p.Height, p.BitDepth
	luma := p.Planes[0]
	if len(luma) < inW*inH {
		return fmt.Errorf("%w: luma plane shorter than %dx%d", errCAMBI, inW, inH)
	}
	if bpc != 16 && bpc != 8 {
		maxV := uint16(1<<bpc - 1)
		for _, v := range luma[:inW*inH] {
			if v > maxV {
				return fmt.Errorf("%w: a luma sample is %d, above the %d-bit maximum %d", errCAMBI, v, bpc, maxV)
			}
		}
	}
	conv := func(v uint16) uint16 {
		switch {
		case bpc <= 8:
			return v << (10 - bpc)
		case bpc == 9:
			return v << 1
		case bpc == 10:
			return v
		}
		sh := bpc - 10
		return (v + 1<<(sh-1)) >> sh
	}
	st := s.stride
	if inW == w && inH == h {
		for i := range h {
			row, dst := luma[i*inW:i*inW+w], s.img[i*st:i*st+w]
			for j, v := range row {
				dst[j] = conv(v)
			}
		}
	} else {
		rx, ry := float32(inW)/float32(w), float32(inH)/float32(h)
		y := ry/2 - 0.5
		for i := range h {
			oy := int(y + 0.5)
			x := rx/2 - 0.5
			for j := range w {
				ox := int(x + 0.5)
				s.img[i*st+j] = conv(luma[oy*inW+ox])
				x += rx
			}
			y += ry
		}
	}
	if s.encBD < 10 {
		d := s.img
		for i := 0; i < h-1; i++ {
			for j := 0; j < w-1; j++ {
				d[i*st+j] = uint16((uint32(d[i*st+j]) + uint32(d[i*st+j+1]) + uint32(d[(i+1)*st+j]) + uint32(d[(i+1)*st+j+1])) >> 2)
			}
			j := w - 1
			d[i*st+j] = uint16((uint32(d[i*st+j]) + uint32(d[(i+1)*st+j])) >> 1)
		}
		i := h - 1
		for j := 0; j < w-1; j++ {
			d[i*st+j] = uint16((uint32(d[i*st+j]) + uint32(d[i*st+j+1])) >> 1)
		}
	}
	return nil
}

// spatialMask is get_spatial_mask: mask = 1 where more than mask_index of
// the 7×7 neighbourhood (clipped to the picture) have zero derivative,
// equal to their right and lower neighbours (the picture's last column and
// row count as equal).
func (s *cambiState) spatialMask(w, h int) {
	st := s.stride
	img, der := s.img, s.deriv
	for r := range h {
		for c := range w {
			v := img[r*st+c]
			hz := c == w-1 || v == img[r*st+c+1]
			vt := r == h-1 || v == img[(r+1)*st+c]
			der[r*w+c] = 0
			if hz && vt {
				der[r*w+c] = 1
			}
		}
	}
	// mask_index = (7·7 + 3·(ceil_log2((w>>6)·(h>>6)) − 11) − 1) >> 1
	idx := uint16((49 + 3*(cambiCeilLog2(uint32((w>>6)*(h>>6)))-11) - 1) >> 1)
	const pad = 3
	cs := s.colSum[:w]
	clear(cs)
	for r := 0; r < min(pad, h); r++ { // rows -3..3 around row 0
		for c := range w {
			cs[c] += int32(der[r*w+c])
		}
	}
	for r := range h {
		if add := r + pad; add < h {
			for c := range w {
				cs[c] += int32(der[add*w+c])
			}
		}
		if sub := r - pad - 1; sub >= 0 {
			for c := range w {
				cs[c] -= int32(der[sub*w+c])
			}
		}
		var sum int32
		for c := 0; c < min(pad, w); c++ {
			sum += cs[c]
		}
		for c := range w {
			if add := c + pad; add < w {
				sum += cs[add]
			}
			if sub := c - pad - 1; sub >= 0 {
				sum -= cs[sub]
			}
			s.mask[r*st+c] = 0
			if uint32(sum) > uint32(idx) {
				s.mask[r*st+c] = 1
			}
		}
	}
}

// cambiCeilLog2 is ceil_log2.
func cambiCeilLog2(n uint32) int {
	if n == 0 {
		return 0
	}
	shift := 0
	for t := n - 1; t > 0; t >>= 1 {
		shift++
	}
	return shift
}

// decimate is cambi.c's decimate: keep every other sample, in place.
func (s *cambiState) decimate(d []uint16, w, h int) {
	st := s.stride
	for i := range h {
		for j := range w {
			d[i*st+j] = d[(i<<1)*st+(j<<1)]
		}
	}
}

// cambiMode3 is mode3: the value two of the three share, else the least.
func cambiMode3(a, b, c uint16) uint16 {
	if a == b || a == c {
		return a
	}
	if b == c {
		return b
	}
	return min(a, b, c)
}

// filterMode is filter_mode: a horizontal then vertical 3-tap mode filter,
// in place, leaving the first and last rows and columns as they are.
func (s *cambiState) filterMode(w, h int) {
	st, d, buf := s.stride, s.img, s.fbuf
	line := 0
	for i := range h {
		b := buf[line*w : line*w+w]
		b[0] = d[i*st]
		for j := 1; j < w-1; j++ {
			b[j] = cambiMode3(d[i*st+j-1], d[i*st+j], d[i*st+j+1])
		}
		b[w-1] = d[i*st+w-1]
		if i > 1 {
			for j := range w {
				d[(i-1)*st+j] = cambiMode3(buf[j], buf[w+j], buf[2*w+j])
			}
		}
		line++
		if line == 3 {
			line = 0
		}
	}
}

// cValues is calculate_c_values: windowed histograms of the masked values
// (one per column, the window's rows added and removed as it slides down,
// in libvmaf's order) and each masked pixel's c value.
func (s *cambiState) cValues(ws, w, h int) {
	pad := ws >> 1
	st := s.stride
	base, size := s.bandBase, s.bandSize
	cv := s.cvals[:w*h]
	clear(cv)
	hist := s.hist[:w*size]
	clear(hist)
	update := func(r, j int, delta int) {
		if s.mask[r*st+j] == 0 {
			return
		}
		v := int(s.img[r*st+j]) - base
		if v < 0 || v >= size {
			return
		}
		row := hist[v*w : v*w+w]
		lo, hi := max(j-pad, 0), min(j+pad+1, w)
		if delta > 0 {
			for k := lo; k < hi; k++ {
				row[k]++
			}
		} else {
			for k := lo; k < hi; k++ {
				row[k]--
			}
		}
	}
	addRow := func(r int) {
		for j := range w {
			update(r, j, 1)
		}
	}
	for i := 0; i < pad; i++ { // first pass: rows 0..pad-1
		if i < h {
			addRow(i)
		}
	}
	for i := 0; i < pad+1; i++ {
		if i+pad < h {
			addRow(i + pad)
		}
		if i < h {
			s.cRow(cv, hist, i, w)
		}
	}
	inBand := func(r, j int) (int, bool) {
		if s.mask[r*st+j] == 0 {
			return 0, false
		}
		v := int(s.img[r*st+j]) - base
		return v, v >= 0 && v < size
	}
	for i := pad + 1; i < h-pad; i++ {
		for j := range w {
			// uh_slide: a removal and an addition of the same value
			// cancel, and flat areas (where banding is) are full of them.
			vs, subIn := inBand(i-pad-1, j)
			va, addIn := inBand(i+pad, j)
			if subIn && addIn && vs == va {
				continue
			}
			lo, hi := max(j-pad, 0), min(j+pad+1, w)
			if subIn {
				row := hist[vs*w+lo : vs*w+hi]
				for k := range row {
					row[k]--
				}
			}
			if addIn {
				row := hist[va*w+lo : va*w+hi]
				for k := range row {
					row[k]++
				}
			}
		}
		s.cRow(cv, hist, i, w)
	}
	for i := max(h-pad, 0); i < h; i++ {
		if i-pad-1 >= 0 {
			for j := range w {
				update(i-pad-1, j, -1)
			}
		}
		s.cRow(cv, hist, i, w)
	}
}

// cRow is calculate_c_values_row with c_value_pixel.
func (s *cambiState) cRow(cv []float32, hist []uint16, row, w int) {
	st, nd := s.stride, s.numDiffs
	for col := range w {
		if s.mask[row*st+col] == 0 {
			continue
		}
		value := int(s.img[row*st+col]) + nd
		cmp := value - (s.bandBase + nd)
		if cmp < 0 || cmp >= s.bandSize {
			cv[row*w+col] = 0
			continue
		}
		p0 := int(hist[cmp*w+col])
		var best float32
		for d := 0; d < nd; d++ {
			if value <= s.tvi[d] && value+d+1 > s.vlt {
				p1 := int(hist[(cmp+d+1)*w+col])
				p2 := 0
				if i2 := cmp - d - 1; i2 >= 0 {
					p2 = int(hist[i2*w+col])
				}
				wd := cambiContrastWeights[d]
				var val float32
				if p1 > p2 {
					val = float32(wd*p0*p1) * s.recip[p1+p0]
				} else {
					val = float32(wd*p0*p2) * s.recip[p2+p0]
				}
				if val > best {
					best = val
				}
			}
		}
		cv[row*w+col] = best
	}
}

// cambiPool is spatial_pooling: quick_select the top k = clip(topk·n, 1,
// n) values to the front, and their mean summed in double in that order.
func cambiPool(c []float32, topk float64) float64 {
	n := len(c)
	k := min(max(int(topk*float64(n)), 1), n)
	cambiQuickSelect(c, k)
	var sum float64
	for _, v := range c[:k] {
		sum += float64(v)
	}
	return sum / float64(k)
}

// cambiQuickSelect is cambi.c's quick_select (Hoare partition, largest
// first), kept step for step: the order it leaves fixes the summation
// order.
func cambiQuickSelect(a []float32, k int) {
	n := len(a)
	if n == k {
		return
	}
	left, right := 0, n-1
	for left < right {
		pivot := a[k]
		i, j := left, right
		for {
			for a[i] > pivot {
				i++
			}
			for a[j] < pivot {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
			if i > j {
				break
			}
		}
		if j < k {
			left = i
		}
		if k < i {
			right = j
		}
	}
}
