package ladder

import (
	"fmt"
	"sort"
)

// DefaultHeights are the candidate heights in lines tried when
// --resolutions is not given; those above the source are skipped and the
// source's own height is added.
var DefaultHeights = []int{1080, 720, 540, 432, 360, 234}

// Size is a frame size in pixels.
type Size struct{ Width, Height int }

func (s Size) String() string { return fmt.Sprintf("%dx%d", s.Width, s.Height) }

// ScaledSize returns the size of the given height at the source's aspect
// ratio, the width rounded to the nearest even number (4:2:0 needs even
// sizes), and the height made even.
func ScaledSize(src Size, height int) Size {
	h := height &^ 1
	w := (src.Width*h + src.Height) / (2 * src.Height) * 2
	if h == src.Height {
		w = src.Width
	}
	return Size{w, h}
}

// Sizes returns the candidate sizes for a source, by decreasing height.
// Without explicit heights it is the source's height plus every default
// height below it; explicit heights above the source are refused.
func Sizes(src Size, heights []int) ([]Size, error) {
	if src.Width <= 0 || src.Height <= 0 {
		return nil, fmt.Errorf("ladder: source size %v", src)
	}
	var hs []int
	if len(heights) == 0 {
		hs = append(hs, src.Height)
		for _, h := range DefaultHeights {
			if h < src.Height {
				hs = append(hs, h)
			}
		}
	} else {
		for _, h := range heights {
			switch {
			case h > src.Height:
				return nil, fmt.Errorf("ladder: resolution %d lines is above the source's %v", h, src)
			case h < 16:
				return nil, fmt.Errorf("ladder: resolution %d lines is too small", h)
			}
			hs = append(hs, h)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(hs)))
	var out []Size
	for i, h := range hs {
		if i > 0 && h == hs[i-1] {
			continue
		}
		out = append(out, ScaledSize(src, h))
	}
	return out, nil
}

// CRFRange is the quality-setting grid of a codec: CRFs from Lo to Hi in
// steps of Step (lower is better quality).
type CRFRange struct{ Lo, Hi, Step float64 }

// Values lists the CRFs of the range, best quality first.
func (r CRFRange) Values() []float64 {
	var v []float64
	for c := r.Lo; c <= r.Hi+1e-9; c += r.Step {
		v = append(v, c)
	}
	return v
}

// CRFRangeFor returns the default CRF grid of a codec: x264 and x265 18–45
// in steps of 3; SVT-AV1, libaom and VP9, whose scales reach 63, 20–56 in
// steps of 4.
func CRFRangeFor(codec string) (CRFRange, error) {
	switch codec {
	case "x264", "x265":
		return CRFRange{18, 45, 3}, nil
	case "svtav1", "aom", "vp9":
		return CRFRange{20, 56, 4}, nil
	}
	return CRFRange{}, fmt.Errorf("ladder: unknown codec %q (want x264, x265, svtav1, vp9 or aom)", codec)
}

// Candidate is one trial encode of the grid: a size and a CRF.
type Candidate struct {
	Size Size
	CRF  float64
}

func (c Candidate) String() string { return fmt.Sprintf("%v crf %g", c.Size, c.CRF) }

// Grid is the full candidate grid: every size at every CRF.
func Grid(sizes []Size, crfs []float64) []Candidate {
	var g []Candidate
	for _, s := range sizes {
		for _, c := range crfs {
			g = append(g, Candidate{s, c})
		}
	}
	return g
}
