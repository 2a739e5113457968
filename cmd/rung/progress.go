package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"rung/encode"
)

// progressOutput returns the progress callback of an encode and a function
// to call once it ends: JSON lines on stdout with --json, progress bars on
// a terminal stderr, nothing otherwise.
func progressOutput(jsonLines bool) (encode.ProgressFunc, func()) {
	if jsonLines {
		enc := json.NewEncoder(os.Stdout)
		return func(e encode.Event) { enc.Encode(e) }, func() {}
	}
	if !isTerminal(os.Stderr) {
		return nil, func() {}
	}
	b := newBars(os.Stderr)
	return b.event, b.wait
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// bars draws one bar for the whole encode (frames/s, ETA, projected
// size) and one per running chunk.
type bars struct {
	p *mpb.Progress

	mu     sync.Mutex // guards total and chunks; never held by a decorator
	total  *mpb.Bar
	chunks map[int]*mpb.Bar

	lastMu sync.Mutex // guards last, which the decorators read
	last   encode.Event
}

func newBars(w io.Writer) *bars {
	return &bars{p: mpb.New(mpb.WithOutput(w), mpb.WithRefreshRate(200*time.Millisecond)), chunks: map[int]*mpb.Bar{}}
}

func (b *bars) event(e encode.Event) {
	b.lastMu.Lock()
	b.last = e
	b.lastMu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.total == nil && e.Total > 0 {
		b.total = b.p.AddBar(int64(e.Total),
			mpb.PrependDecorators(decor.Name("total "), decor.CountersNoUnit("%d/%d frames")),
			mpb.AppendDecorators(decor.Any(b.rate, decor.WCSyncSpace), decor.Any(b.eta, decor.WCSyncSpace), decor.Any(b.projected, decor.WCSyncSpace)),
		)
	}
	switch e.Kind {
	case encode.EventChunkStart:
		b.chunks[e.Chunk] = b.p.AddBar(int64(e.ChunkFrames), mpb.BarRemoveOnComplete(),
			mpb.PrependDecorators(decor.Name(fmt.Sprintf("chunk %d ", e.Chunk)), decor.CountersNoUnit("%d/%d")),
			mpb.AppendDecorators(decor.AverageSpeed(nil, "%.1f frames/s")))
	case encode.EventFrames, encode.EventChunkDone:
		if bar := b.chunks[e.Chunk]; bar != nil {
			bar.SetCurrent(int64(e.Frames))
			if e.Kind == encode.EventChunkDone {
				bar.SetTotal(int64(e.ChunkFrames), true)
				delete(b.chunks, e.Chunk)
			}
		}
	}
	if b.total != nil {
		b.total.SetCurrent(int64(e.Done))
		if e.Kind == encode.EventDone {
			b.total.SetTotal(int64(e.Total), true)
		}
	}
}

// rate, eta and projected are decorators of the total bar.
func (b *bars) rate(decor.Statistics) string {
	b.lastMu.Lock()
	defer b.lastMu.Unlock()
	if s := b.last.Elapsed.Seconds(); s > 0 {
		return fmt.Sprintf("%.1f frames/s", float64(b.last.Done)/s)
	}
	return ""
}

func (b *bars) eta(decor.Statistics) string {
	b.lastMu.Lock()
	defer b.lastMu.Unlock()
	if b.last.Done == 0 {
		return "ETA -"
	}
	left := time.Duration(float64(b.last.Elapsed) * float64(b.last.Total-b.last.Done) / float64(b.last.Done))
	return "ETA " + left.Round(time.Second).String()
}

func (b *bars) projected(decor.Statistics) string {
	b.lastMu.Lock()
	defer b.lastMu.Unlock()
	if b.last.Done == 0 {
		return ""
	}
	size := float64(b.last.Bytes) * float64(b.last.Total) / float64(b.last.Done)
	if size < 1e6 {
		return fmt.Sprintf("~%.0f kB", size/1e3)
	}
	return fmt.Sprintf("~%.1f MB", size/1e6)
}

func (b *bars) wait() {
	b.mu.Lock()
	for _, bar := range b.chunks {
		bar.Abort(true)
	}
	if b.total != nil && !b.total.Completed() {
		b.total.Abort(false)
	}
	b.mu.Unlock()
	b.p.Wait()
}
