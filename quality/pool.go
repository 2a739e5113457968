package quality

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ErrPoolMethod is wrapped by Pool's error for a method name it does not
// know.
var ErrPoolMethod = errors.New("unknown pooling method")

// PoolMethods lists the pooling method names Pool accepts, in the order a
// help text shows them. Besides these, Pool accepts any percentile "pN" and
// any "lowN" with 0 < N ≤ 100.
func PoolMethods() []string {
	return []string{"mean", "harmonic_mean", "min", "max", "p1", "p5", "p10", "p50", "low1"}
}

// Pool summarises per-frame values with the named method:
//
//	mean           Σx/n, summed in frame order (libvmaf's VMAF_POOL_METHOD_MEAN)
//	harmonic_mean  n / Σ 1/(x+1) − 1 (libvmaf's definition, which shifts by one
//	               so that scores of 0 are allowed; vmaf_feature_score_pooled)
//	min, max       the smallest and largest value
//	pN             the N-th percentile, 0 ≤ N ≤ 100, linearly interpolated
//	               between the closest ranks: with the values sorted
//	               ascending, rank r = N·(n−1)/100 and the result
//	               x[⌊r⌋] + (r−⌊r⌋)·(x[⌈r⌉] − x[⌊r⌋]) (NumPy's default
//	               "linear" method, and the percentile libvmaf uses for its
//	               bootstrap interval). p0 is min, p50 the median, p100 max.
//	lowN           "N% low": the mean of the worst (lowest) ⌈N·n/100⌉ values,
//	               at least one, 0 < N ≤ 100; low1 is the "1% low".
//
// vals must be non-empty and free of NaN.
func Pool(method string, vals []float64) (float64, error) {
	if len(vals) == 0 {
		return 0, fmt.Errorf("pool %s: no values", method)
	}
	for i, v := range vals {
		if math.IsNaN(v) {
			return 0, fmt.Errorf("pool %s: value %d is NaN", method, i)
		}
	}
	switch method {
	case "mean":
		return poolMean(vals), nil
	case "harmonic_mean":
		var isum float64
		for _, v := range vals {
			isum += 1 / (v + 1)
		}
		return float64(len(vals))/isum - 1, nil
	case "min":
		return slices.Min(vals), nil
	case "max":
		return slices.Max(vals), nil
	}
	if n, ok := strings.CutPrefix(method, "p"); ok {
		perc, err := poolArg(method, n, true)
		if err != nil {
			return 0, err
		}
		return percentile(sortedCopy(vals), perc), nil
	}
	if n, ok := strings.CutPrefix(method, "low"); ok {
		perc, err := poolArg(method, n, false)
		if err != nil {
			return 0, err
		}
		k := max(1, int(math.Ceil(perc*float64(len(vals))/100)))
		return poolMean(sortedCopy(vals)[:min(k, len(vals))]), nil
	}
	return 0, fmt.Errorf("pool %q: %w (want one of %s, pN or lowN)", method, ErrPoolMethod, strings.Join(PoolMethods(), ", "))
}

// poolArg parses the N of "pN" or "lowN": a number in [0, 100], or
// (0, 100] when zero is not allowed.
func poolArg(method, n string, zeroOK bool) (float64, error) {
	v, err := strconv.ParseFloat(n, 64)
	if err != nil || math.IsNaN(v) || v > 100 || v < 0 || (v == 0 && !zeroOK) {
		return 0, fmt.Errorf("pool %q: %w (N in %q must be a number from 0 to 100)", method, ErrPoolMethod, n)
	}
	return v, nil
}

func poolMean(vals []float64) float64 {
	var sum float64
	for _, v := range vals {
		sum += v
	}
	return sum / float64(len(vals))
}

func sortedCopy(vals []float64) []float64 {
	s := slices.Clone(vals)
	slices.Sort(s)
	return s
}

// percentile interpolates linearly between the closest ranks of sorted
// values (see Pool).
func percentile(sorted []float64, perc float64) float64 {
	r := perc * float64(len(sorted)-1) / 100
	lo, hi := int(math.Floor(r)), int(math.Ceil(r))
	if lo == hi {
		return sorted[lo]
	}
	return sorted[lo] + (r-float64(lo))*(sorted[hi]-sorted[lo])
}
