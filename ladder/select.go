package ladder

import (
	"errors"
	"fmt"
	"math"
)

// Rung-count bounds of --rungs.
const (
	MinRungs = 3
	MaxRungs = 15
)

// ErrNoRungs is wrapped by Select when no hull point satisfies the
// constraints.
var ErrNoRungs = errors.New("ladder: no rung satisfies the constraints")

// SelectOptions constrains the rungs picked from a hull. Zero values mean no
// constraint, except Rungs (default 6) and the step ratios (default 1.5–2).
type SelectOptions struct {
	Rungs      int     // wanted number of rungs, MinRungs..MaxRungs
	MinKbps    float64 // no rung below this bitrate
	MaxKbps    float64 // no rung above this bitrate
	MaxVMAF    float64 // hull points above this VMAF are dropped (e.g. 95)
	MinStep    float64 // smallest bitrate ratio between neighbours (default 1.5)
	MaxStep    float64 // largest wanted bitrate ratio between neighbours (default 2)
	MinTopVMAF float64 // the top rung should reach this VMAF, else a warning
	// MinVMAF is the quality floor: no rung below this VMAF (`rung
	// ladder` passes the higher of --min-vmaf and the VMAF of the fixed
	// reference ladder's lowest rung). When no hull point reaches it, the
	// best point is the only rung and a warning says so.
	MinVMAF float64
	// Saturation stops the top where quality saturates: the top rung is
	// the first hull point from which a step of MinStep more bitrate gains
	// less than Saturation VMAF (the hull read linearly in log bitrate).
	Saturation float64
}

// withDefaults fills the zero fields and checks the options.
func (o SelectOptions) withDefaults() (SelectOptions, error) {
	if o.Rungs == 0 {
		o.Rungs = 6
	}
	if o.MinStep == 0 {
		o.MinStep = 1.5
	}
	if o.MaxStep == 0 {
		o.MaxStep = 2
	}
	switch {
	case o.Rungs < MinRungs || o.Rungs > MaxRungs:
		return o, fmt.Errorf("ladder: --rungs %d: want %d to %d", o.Rungs, MinRungs, MaxRungs)
	case o.MinKbps < 0 || o.MaxKbps < 0:
		return o, fmt.Errorf("ladder: negative bitrate limit (min %g, max %g kb/s)", o.MinKbps, o.MaxKbps)
	case o.MaxKbps > 0 && o.MinKbps > o.MaxKbps:
		return o, fmt.Errorf("ladder: --min-kbps %g is above --max-kbps %g", o.MinKbps, o.MaxKbps)
	case o.MinVMAF < 0 || o.MinVMAF > 100 || o.Saturation < 0:
		return o, fmt.Errorf("ladder: quality floor %g or saturation gain %g: want 0–100 and ≥ 0", o.MinVMAF, o.Saturation)
	case o.MinStep <= 1 || o.MaxStep < o.MinStep:
		return o, fmt.Errorf("ladder: step ratio %g–%g: want 1 < min ≤ max", o.MinStep, o.MaxStep)
	}
	return o, nil
}

// Selection is the outcome of Select: the rungs by increasing bitrate and
// the warnings a report should show.
type Selection struct {
	Rungs    []Point
	Warnings []string
	// Saturated says where and why the top was cut below the best
	// eligible point (Saturation); "" when it was not.
	Saturated string
}

// Select picks at most o.Rungs rungs from hull (as returned by Hull) within
// the bitrate and quality limits. The top rung is the best eligible hull
// point; the others follow downwards, aiming at an even bitrate ratio
// r = (top/bottom)^(1/(n−1)) clamped to [MinStep, MaxStep], each the hull point
// nearest (in log bitrate) to the previous rung's bitrate divided by r, never
// closer than MinStep to it. So rungs are hull points, bitrate and VMAF
// increase strictly along the ladder, and neighbours differ by at least
// MinStep. Gaps wider than MaxStep that the hull cannot fill, fewer rungs than
// asked and a top rung below MinTopVMAF are reported as warnings.
func Select(hull []Point, o SelectOptions) (Selection, error) {
	o, err := o.withDefaults()
	if err != nil {
		return Selection{}, err
	}
	var elig []Point
	for _, p := range hull {
		if o.MinKbps > 0 && p.Kbps < o.MinKbps || o.MaxKbps > 0 && p.Kbps > o.MaxKbps {
			continue
		}
		if o.MaxVMAF > 0 && p.VMAF > o.MaxVMAF {
			continue
		}
		elig = append(elig, p)
	}
	if len(elig) == 0 {
		return Selection{}, fmt.Errorf("%w: none of the %d hull points lies within %s", ErrNoRungs, len(hull), o.limits())
	}
	var s Selection
	if o.MinVMAF > 0 {
		floor := elig[:0:0]
		for _, p := range elig {
			if p.VMAF >= o.MinVMAF {
				floor = append(floor, p)
			}
		}
		if len(floor) == 0 {
			best := elig[len(elig)-1]
			s.Warnings = append(s.Warnings, fmt.Sprintf("no hull point reaches the quality floor VMAF %.4g: one rung, %s at VMAF %.2f", o.MinVMAF, best.Label(), best.VMAF))
			floor = []Point{best}
		}
		elig = floor
	}
	if o.Saturation > 0 {
		for i, p := range elig {
			if next := hullVMAFAt(elig, p.Kbps*o.MinStep); next-p.VMAF < o.Saturation {
				if i < len(elig)-1 {
					s.Saturated = fmt.Sprintf("the top stops at %s (%.0f kb/s, VMAF %.2f): %.2gx more bitrate gains %.2f VMAF, less than %g",
						p.Label(), p.Kbps, p.VMAF, o.MinStep, next-p.VMAF, o.Saturation)
				}
				elig = elig[:i+1]
				break
			}
		}
	}
	top, bottom := elig[len(elig)-1], elig[0]
	ratio := o.MinStep
	if o.Rungs > 1 && top.Kbps > bottom.Kbps {
		ratio = math.Pow(top.Kbps/bottom.Kbps, 1/float64(o.Rungs-1))
		ratio = math.Min(math.Max(ratio, o.MinStep), o.MaxStep)
	}
	picked := []Point{top}
	for len(picked) < o.Rungs {
		prev := picked[len(picked)-1]
		want := prev.Kbps / ratio
		best, bestDist := -1, math.Inf(1)
		for i, p := range elig {
			if p.Kbps*o.MinStep > prev.Kbps*(1+1e-9) {
				break // elig is sorted by bitrate: the rest are too close
			}
			if d := math.Abs(math.Log(p.Kbps / want)); d < bestDist {
				best, bestDist = i, d
			}
		}
		if best < 0 {
			break
		}
		picked = append(picked, elig[best])
	}
	for i, j := 0, len(picked)-1; i < j; i, j = i+1, j-1 {
		picked[i], picked[j] = picked[j], picked[i]
	}
	s.Rungs = picked
	if len(picked) < o.Rungs {
		s.Warnings = append(s.Warnings, fmt.Sprintf("only %d of %d rungs: the hull has no more points %.2gx apart within %s", len(picked), o.Rungs, o.MinStep, o.limits()))
	}
	for i := 1; i < len(picked); i++ {
		if r := picked[i].Kbps / picked[i-1].Kbps; r > o.MaxStep*stepSlack {
			s.Warnings = append(s.Warnings, fmt.Sprintf("step %.0f → %.0f kb/s is %.2fx, above %.2gx: the hull has no point between", picked[i-1].Kbps, picked[i].Kbps, r, o.MaxStep))
		}
	}
	if o.MinTopVMAF > 0 && top.VMAF < o.MinTopVMAF {
		s.Warnings = append(s.Warnings, fmt.Sprintf("top rung %s reaches VMAF %.2f, below the wanted %.4g", top.Label(), top.VMAF, o.MinTopVMAF))
	}
	return s, nil
}

// hullVMAFAt is the hull's VMAF at kbps read linearly in log bitrate,
// its last VMAF beyond its top and its first below its bottom.
func hullVMAFAt(hull []Point, kbps float64) float64 {
	switch {
	case kbps >= hull[len(hull)-1].Kbps:
		return hull[len(hull)-1].VMAF
	case kbps <= hull[0].Kbps:
		return hull[0].VMAF
	}
	return logVMAF(hull, kbps)
}

// limits describes the bitrate and quality limits for messages.
func (o SelectOptions) limits() string {
	lo, hi := "0", "∞"
	if o.MinKbps > 0 {
		lo = fmt.Sprintf("%g", o.MinKbps)
	}
	if o.MaxKbps > 0 {
		hi = fmt.Sprintf("%g", o.MaxKbps)
	}
	s := fmt.Sprintf("%s–%s kb/s", lo, hi)
	if o.MaxVMAF > 0 {
		s += fmt.Sprintf(" at VMAF ≤ %g", o.MaxVMAF)
	}
	if o.MinVMAF > 0 {
		s += fmt.Sprintf(" at VMAF ≥ %.4g", o.MinVMAF)
	}
	return s
}

// stepSlack is how far past MaxStep a step may go before Select warns: a
// CRF grid whose step halves the bitrate lands a hair either side of 2x.
const stepSlack = 1.05
