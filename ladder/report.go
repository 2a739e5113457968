package ladder

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"

	"rung/mezzfs"
)

// Report is the content of ladder.json.
type Report struct {
	Source       string          `json:"source"`
	Width        int             `json:"width"`
	Height       int             `json:"height"`
	FrameRate    string          `json:"frame_rate"` // "num/den"
	Frames       int             `json:"frames"`
	Codec        string          `json:"codec"`
	Model        string          `json:"model"`  // VMAF model the scores come from
	Search       string          `json:"search"` // "adaptive" or "exhaustive"
	TrialEncodes int             `json:"trial_encodes"`
	GridSize     int             `json:"grid_size"`           // trial encodes of the exhaustive search
	Optimize     string          `json:"optimize"`            // "per-shot" or "per-title"
	MinVMAF      float64         `json:"min_vmaf,omitempty"`  // the quality floor applied
	Saturated    string          `json:"saturated,omitempty"` // where the top stopped as quality saturates
	Rungs        []Rung          `json:"rungs"`
	Hull         []Point         `json:"hull"` // per-title hull of the trial encodes
	PerShot      *PerShotSummary `json:"per_shot,omitempty"`
	Candidates   []Point         `json:"candidates"` // every trial encode
	Reference    []Point         `json:"reference,omitempty"`
	BDRate       *BDRateEntry    `json:"bd_rate,omitempty"`
	Master       string          `json:"master,omitempty"` // HLS master playlist, relative to the report
	Plots        []string        `json:"plots,omitempty"`
	Warnings     []string        `json:"warnings"`
}

// Rung is one chosen rendition of the ladder.
type Rung struct {
	Point
	PeakKbps float64     `json:"peak_kbps,omitempty"` // highest segment bitrate (HLS BANDWIDTH)
	Playlist string      `json:"playlist,omitempty"`  // HLS variant playlist
	Worst    *WorstFrame `json:"worst_frame,omitempty"`
	// CAMBI is the rendition's mean banding index (libvmaf's cambi at the
	// rendition's size; 0 is no banding, above 5 is visible), when the
	// media can compute it.
	CAMBI *float64 `json:"cambi_mean,omitempty"`
}

// BDRateEntry is the Bjøntegaard delta rate of the ladder's hull against a
// fixed reference ladder, in percent (negative: the per-title hull needs
// that much less bitrate for the same VMAF). A refused computation leaves
// its percentage out and says why in Warning.
type BDRateEntry struct {
	Reference    string   `json:"reference"`
	Percent      *float64 `json:"percent"`                 // PCHIP (BDRate)
	PercentCubic *float64 `json:"percent_cubic,omitempty"` // JCTVC-E137 cubic fit (BDRatePoly)
	// CubicUnstable is set when the cubic fit is far (> 10 points) from
	// PCHIP: the fit swings on these curves, and its figure is no result.
	CubicUnstable bool     `json:"cubic_unstable,omitempty"`
	RungsPercent  *float64 `json:"rungs_percent,omitempty"` // the chosen rungs alone, PCHIP
	Warning       string   `json:"warning,omitempty"`
}

// CompareFixed computes the BD-rate entry of the hull and rungs against the
// encodes of a fixed ladder. The reference curve is the hull of its encodes,
// so rungs that gain nothing over a cheaper one (a saturated top, or a rung
// above the source's size) do not make it non-monotonic, as libvmaf's
// bd_rate.py does with use_convex_hull.
func CompareFixed(name string, reference, hull, rungs []Point) *BDRateEntry {
	e := &BDRateEntry{Reference: name}
	ref := Hull(reference)
	v, err := BDRate(ref, hull)
	if err != nil {
		e.Warning = fmt.Sprintf("no BD-rate against %s: %v", name, err)
		return e
	}
	e.Percent = percent(v)
	if v, err := BDRatePoly(ref, hull); err == nil {
		e.PercentCubic = percent(v)
		if math.Abs(*e.PercentCubic-*e.Percent) > 10 {
			e.CubicUnstable = true
			e.Warning = fmt.Sprintf("the cubic fit (JCTVC-E137) gives %+.1f%%, far from PCHIP's %+.1f%%: the fit is unstable on these curves (a saturated reference); trust PCHIP",
				*e.PercentCubic, *e.Percent)
		}
	}
	if v, err := BDRate(ref, rungs); err == nil {
		e.RungsPercent = percent(v)
	}
	return e
}

func percent(v float64) *float64 {
	p := 100 * v
	return &p
}

// WriteJSON writes v as indented JSON to path through a temporary file in
// the same directory, so a failed write leaves no partial file.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("ladder: encode %s: %w", path, err)
	}
	return writeAtomic(path, append(b, '\n'))
}

// writeAtomic writes data to path through a temporary file in the same
// directory (mezzfs.WriteFile), so a failed write leaves no partial file.
func writeAtomic(path string, data []byte) error {
	err := mezzfs.WriteFile(context.Background(), path, mezzfs.Options{}, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("ladder: write %s: %w", filepath.Base(path), err)
	}
	return nil
}
