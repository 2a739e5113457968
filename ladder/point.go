// Package ladder builds a per-title adaptive-bitrate ladder: it encodes a
// grid of candidate renditions (resolutions × quality settings), scores each
// at the source's display size, keeps the renditions on the rate–quality
// convex hull, selects the rungs, measures the Bjøntegaard delta rate against
// a fixed reference ladder and writes the report and playable HLS renditions.
// The encoding, scoring and packaging are a Media's (rung/ladder/media has
// the FFmpeg-backed one), so this package is pure Go and links no FFmpeg.
package ladder

import "fmt"

// Point is one rate–quality (R-D) measurement: a rendition encoded at a
// resolution and a quality setting, with its bitrate and its VMAF pooled over
// the frames.
type Point struct {
	Width  int       `json:"width"`
	Height int       `json:"height"`
	CRF    float64   `json:"crf,omitempty"`         // quality setting; 0 for bitrate-targeted encodes
	Target float64   `json:"target_kbps,omitempty"` // requested bitrate of a bitrate-targeted encode
	Kbps   float64   `json:"bitrate_kbps"`          // measured from the encoded stream
	VMAF   float64   `json:"vmaf_mean"`             // mean of the per-frame scores
	P5     float64   `json:"vmaf_p5"`               // 5th percentile of the per-frame scores
	Min    float64   `json:"vmaf_min"`              // lowest per-frame score
	File   string    `json:"file,omitempty"`        // encoded rendition, relative to the output directory
	Frames []float64 `json:"-"`                     // per-frame VMAF, for the plots
	// Shots is a per-shot rendition's choice for each shot (a CRF per
	// shot, its chunks taken from the trial encodes); nil for one setting
	// over the whole title.
	Shots []ShotChoice `json:"shots,omitempty"`
}

// Label names the point as "640x360 crf 27" or "640x360 365 kb/s".
func (p Point) Label() string {
	if len(p.Shots) > 1 {
		return fmt.Sprintf("%dx%d per-shot", p.Width, p.Height)
	}
	if len(p.Shots) == 1 {
		return fmt.Sprintf("%dx%d crf %g", p.Width, p.Height, p.Shots[0].CRF)
	}
	if p.Target > 0 {
		return fmt.Sprintf("%dx%d %.0f kb/s", p.Width, p.Height, p.Target)
	}
	return fmt.Sprintf("%dx%d crf %g", p.Width, p.Height, p.CRF)
}
