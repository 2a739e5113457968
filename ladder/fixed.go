package ladder

import (
	"fmt"
	"sort"
)

// FixedRung is one rendition of a fixed reference ladder.
type FixedRung struct {
	Size Size
	Kbps float64 // average video bitrate
}

// FixedLadders are the reference ladders of --fixed.
//
// "apple" is the H.264 column of the Apple HLS Authoring Specification for
// Apple Devices, item 1.25 (16:9 video average bit rates). "netflix2015" is
// the fixed ladder Netflix used for every title before per-title encoding
// (Netflix Technology Blog, "Per-Title Encode Optimization", December 2015).
func FixedLadders() map[string][]FixedRung {
	return map[string][]FixedRung{
		"apple": {
			{Size{416, 234}, 145},
			{Size{640, 360}, 365},
			{Size{768, 432}, 730},
			{Size{768, 432}, 1100},
			{Size{960, 540}, 2000},
			{Size{1280, 720}, 3000},
			{Size{1280, 720}, 4500},
			{Size{1920, 1080}, 6000},
			{Size{1920, 1080}, 7800},
		},
		"netflix2015": {
			{Size{320, 240}, 235},
			{Size{384, 288}, 375},
			{Size{512, 384}, 560},
			{Size{512, 384}, 750},
			{Size{640, 480}, 1050},
			{Size{720, 480}, 1750},
			{Size{1280, 720}, 2350},
			{Size{1280, 720}, 3000},
			{Size{1920, 1080}, 4300},
			{Size{1920, 1080}, 5800},
		},
	}
}

// FixedNames lists the names FixedFor accepts.
func FixedNames() []string {
	var n []string
	for k := range FixedLadders() {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// FixedFor returns the named reference ladder adapted to a source: every
// bitrate of the table is kept; a rung's height is capped at the source's,
// and its width follows the source's aspect ratio (the tables are 16:9 and
// 4:3), so the reference is encoded from the same pictures at the same
// display shape as the candidates.
func FixedFor(name string, src Size) ([]FixedRung, error) {
	table, ok := FixedLadders()[name]
	if !ok {
		return nil, fmt.Errorf("ladder: unknown fixed ladder %q (want one of %v)", name, FixedNames())
	}
	out := make([]FixedRung, len(table))
	for i, r := range table {
		out[i] = FixedRung{ScaledSize(src, min(r.Size.Height, src.Height)), r.Kbps}
	}
	return out, nil
}
