package ladder

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Errors of the Bjøntegaard delta: the refusals of libvmaf's
// python/vmaf/tools/bd_rate_calculator.py (BDrateCalculator.CalcBDRate).
var (
	ErrTooFewPoints = errors.New("ladder: bd-rate: too few R-D points")
	ErrNonMonotonic = errors.New("ladder: bd-rate: curve is not monotonic (bitrate and VMAF must both increase)")
	ErrZeroRate     = errors.New("ladder: bd-rate: zero bitrate")
	ErrNoOverlap    = errors.New("ladder: bd-rate: curves share no VMAF range")
)

// Minimum points per curve of BDRate and BDRatePoly.
const (
	MinPCHIPPoints = 3
	MinPolyPoints  = 4
)

// BDRate is the Bjøntegaard delta rate of test against ref with
// log10(bitrate) modelled as a monotone piecewise cubic Hermite (PCHIP,
// Fritsch–Carlson) function of VMAF, integrated exactly over the VMAF range
// both curves cover:
//
//	avg = (∫ log10 R_test(v) dv − ∫ log10 R_ref(v) dv) / (v_hi − v_lo)
//	BD-rate = 10^avg − 1
//
// so −0.2 means test needs 20% less bitrate than ref for the same VMAF. It
// mirrors BDrateCalculator.CalcBDRate and bdrint of libvmaf's
// bd_rate_calculator.py: points are deduplicated and sorted by bitrate, and a
// curve whose bitrate or VMAF does not strictly increase, a zero bitrate, or
// curves whose VMAF ranges do not overlap are refused. Unlike libvmaf, which
// asserts four points, three suffice (PCHIP is defined for them; ladders
// may have three rungs).
func BDRate(ref, test []Point) (float64, error) {
	return bdRate(ref, test, MinPCHIPPoints, pchipIntegral)
}

// BDRatePoly is the Bjøntegaard delta rate of JCTVC-E137 / VCEG-M33:
// log10(bitrate) fitted by least squares with a cubic polynomial of VMAF,
// integrated over the common VMAF range. Both curves need at least four
// points; the same curves are refused as by BDRate. The cubic fit can swing
// on ladders with few or unevenly spaced points; BDRate is the primary figure.
func BDRatePoly(ref, test []Point) (float64, error) {
	return bdRate(ref, test, MinPolyPoints, polyIntegral)
}

// integral returns ∫ log10 R(v) dv over [lo, hi] for a curve sorted by
// increasing bitrate and VMAF.
type integral func(curve [][2]float64, lo, hi float64) (float64, error)

func bdRate(ref, test []Point, minPoints int, integrate integral) (float64, error) {
	a, err := rdCurve(ref, minPoints, "reference")
	if err != nil {
		return 0, err
	}
	b, err := rdCurve(test, minPoints, "test")
	if err != nil {
		return 0, err
	}
	lo := math.Max(a[0][1], b[0][1])
	hi := math.Min(a[len(a)-1][1], b[len(b)-1][1])
	if lo >= hi {
		return 0, fmt.Errorf("%w: reference VMAF %.2f–%.2f, test %.2f–%.2f", ErrNoOverlap,
			a[0][1], a[len(a)-1][1], b[0][1], b[len(b)-1][1])
	}
	va, err := integrate(a, lo, hi)
	if err != nil {
		return 0, err
	}
	vb, err := integrate(b, lo, hi)
	if err != nil {
		return 0, err
	}
	return math.Pow(10, (vb-va)/(hi-lo)) - 1, nil
}

// rdCurve deduplicates the points, sorts them by bitrate and checks that
// bitrate and VMAF strictly increase, as CalcBDRate does. Each element is
// (kb/s, VMAF).
func rdCurve(ps []Point, minPoints int, name string) ([][2]float64, error) {
	seen := make(map[[2]float64]bool, len(ps))
	var c [][2]float64
	for _, p := range ps {
		k := [2]float64{p.Kbps, p.VMAF}
		if !seen[k] {
			seen[k] = true
			c = append(c, k)
		}
	}
	if len(c) < minPoints {
		return nil, fmt.Errorf("%w: the %s curve has %d, need %d", ErrTooFewPoints, name, len(c), minPoints)
	}
	sort.Slice(c, func(i, j int) bool { return c[i][0] < c[j][0] })
	for i := range c {
		if c[i][0] <= 0 || math.IsNaN(c[i][0]) {
			return nil, fmt.Errorf("%w in the %s curve", ErrZeroRate, name)
		}
		if i > 0 && (c[i][0] <= c[i-1][0] || c[i][1] <= c[i-1][1]) {
			return nil, fmt.Errorf("%w: the %s curve goes from %.1f kb/s VMAF %.2f to %.1f kb/s VMAF %.2f",
				ErrNonMonotonic, name, c[i-1][0], c[i-1][1], c[i][0], c[i][1])
		}
	}
	return c, nil
}

// pchip holds a monotone piecewise cubic Hermite interpolant of y over x:
// on [x_i, x_{i+1}], y = y_i + s·d_i + s²·c_i + s³·b_i with s = x − x_i.
type pchip struct {
	x, y, d, c, b []float64
}

// newPCHIP builds the interpolant of libvmaf's
// InterpolationUtils.computeParamsForSegments (Moler, "Numerical Computing
// with MATLAB" §3.4): interior slopes are the weighted harmonic mean of the
// neighbouring secants, end slopes the one-sided three-point formula of
// pchipend. x must strictly increase and len(x) ≥ 2 (two points give a line).
func newPCHIP(x, y []float64) pchip {
	n := len(x)
	h := make([]float64, n-1)
	delta := make([]float64, n-1)
	for i := range h {
		h[i] = x[i+1] - x[i]
		delta[i] = (y[i+1] - y[i]) / h[i]
	}
	d := make([]float64, n)
	if n == 2 {
		d[0], d[1] = delta[0], delta[0]
	} else {
		d[0] = pchipEnd(h[0], h[1], delta[0], delta[1])
		for i := 1; i < n-1; i++ {
			if delta[i-1]*delta[i] <= 0 {
				d[i] = 0 // a local extremum (cannot happen on a checked curve)
				continue
			}
			d[i] = (3*h[i-1] + 3*h[i]) / ((2*h[i]+h[i-1])/delta[i-1] + (h[i]+2*h[i-1])/delta[i])
		}
		d[n-1] = pchipEnd(h[n-2], h[n-3], delta[n-2], delta[n-3])
	}
	p := pchip{x: x, y: y, d: d, c: make([]float64, n-1), b: make([]float64, n-1)}
	for i := range h {
		p.c[i] = (3*delta[i] - 2*d[i] - d[i+1]) / h[i]
		p.b[i] = (d[i] - 2*delta[i] + d[i+1]) / (h[i] * h[i])
	}
	return p
}

// pchipEnd is the non-centred, shape-preserving three-point end slope
// (libvmaf's pchipend): zero when its sign differs from the first secant's,
// capped at three times that secant when the secants change sign.
func pchipEnd(h1, h2, delta1, delta2 float64) float64 {
	d := ((2*h1+h2)*delta1 - h1*delta2) / (h1 + h2)
	switch {
	case d*delta1 < 0:
		d = 0
	case delta1*delta2 < 0 && math.Abs(d) > math.Abs(3*delta1):
		d = 3 * delta1
	}
	return d
}

// integrate returns ∫ y dx over [lo, hi] ∩ [x_0, x_{n−1}], summing each
// segment's exact primitive s·y_i + s²·d_i/2 + s³·c_i/3 + s⁴·b_i/4 (bdrint).
func (p pchip) integrate(lo, hi float64) float64 {
	sum := 0.0
	for i := 0; i+1 < len(p.x); i++ {
		s0 := math.Min(math.Max(p.x[i], lo), hi) - p.x[i]
		s1 := math.Min(math.Max(p.x[i+1], lo), hi) - p.x[i]
		if s1 <= s0 {
			continue
		}
		prim := func(s float64) float64 {
			return s * (p.y[i] + s*(p.d[i]/2+s*(p.c[i]/3+s*p.b[i]/4)))
		}
		sum += prim(s1) - prim(s0)
	}
	return sum
}

// pchipIntegral integrates log10 rate as a PCHIP function of VMAF.
func pchipIntegral(curve [][2]float64, lo, hi float64) (float64, error) {
	x := make([]float64, len(curve))
	y := make([]float64, len(curve))
	for i, c := range curve {
		x[i], y[i] = c[1], math.Log10(c[0])
	}
	return newPCHIP(x, y).integrate(lo, hi), nil
}

// polyIntegral fits log10 rate = k0 + k1·s + k2·s² + k3·s³, s = VMAF − m
// (m the mean VMAF, for conditioning), by least squares and integrates it.
func polyIntegral(curve [][2]float64, lo, hi float64) (float64, error) {
	n := len(curve)
	m := 0.0
	for _, c := range curve {
		m += c[1]
	}
	m /= float64(n)
	a := mat.NewDense(n, 4, nil)
	y := mat.NewVecDense(n, nil)
	for i, c := range curve {
		s := c[1] - m
		a.SetRow(i, []float64{1, s, s * s, s * s * s})
		y.SetVec(i, math.Log10(c[0]))
	}
	var k mat.VecDense
	if err := k.SolveVec(a, y); err != nil {
		return 0, fmt.Errorf("ladder: bd-rate: cubic fit: %w", err)
	}
	prim := func(v float64) float64 {
		s := v - m
		return s * (k.AtVec(0) + s*(k.AtVec(1)/2+s*(k.AtVec(2)/3+s*k.AtVec(3)/4)))
	}
	return prim(hi) - prim(lo), nil
}
