package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progressLine prints one self-rewriting status line (frames, frames/s, ETA)
// on a terminal and nothing otherwise.
type progressLine struct {
	w     io.Writer
	label string
	on    bool
	start time.Time
	last  time.Time
}

// newProgressLine returns a progress line on w, silent when quiet is set or
// w is not a terminal.
func newProgressLine(w *os.File, label string, quiet bool) *progressLine {
	on := !quiet && isTerminal(w)
	return &progressLine{w: w, label: label, on: on, start: time.Now()}
}

// update reports done of total frames (total < 0: unknown).
func (p *progressLine) update(done, total int) {
	if !p.on {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond && done != total {
		return
	}
	p.last = now
	el := now.Sub(p.start).Seconds()
	fps := float64(done) / max(el, 1e-9)
	if total > 0 {
		eta := time.Duration(float64(total-done) / max(fps, 1e-9) * float64(time.Second)).Round(time.Second)
		fmt.Fprintf(p.w, "\r%s: %d/%d frames (%.0f%%) %.1f frames/s ETA %s   ", p.label, done, total, 100*float64(done)/float64(total), fps, eta)
	} else {
		fmt.Fprintf(p.w, "\r%s: %d frames %.1f frames/s   ", p.label, done, fps)
	}
}

// done ends the line.
func (p *progressLine) done() {
	if p.on && !p.last.IsZero() {
		fmt.Fprintln(p.w)
	}
}
