package mezzfs

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Trace records every ReadAt of the Sources it is given to (through
// Options.Trace) as one JSON object per line: which object, the offset and
// length asked for, when (seconds since the trace began) and how long the
// read took. `rung mezzfs replay` draws it. It is safe for concurrent use.
type Trace struct {
	// Write once.
	start time.Time
	f     *os.File
	path  string

	mu sync.Mutex
	// Guarded by mu.
	w   *bufio.Writer
	err error // the first write error
}

// TraceRecord is one line of a trace.
type TraceRecord struct {
	URL      string  `json:"url"`
	Offset   int64   `json:"off"`
	Length   int64   `json:"len"`
	Time     float64 `json:"t"`   // seconds since the trace began
	Duration float64 `json:"dur"` // seconds the read took
}

// CreateTrace starts a trace written to path.
func CreateTrace(path string) (*Trace, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("mezzfs: trace %s: %w", path, err)
	}
	return &Trace{start: time.Now(), f: f, path: path, w: bufio.NewWriter(f)}, nil
}

// record adds one read; a nil Trace records nothing.
func (t *Trace) record(url string, off, n int64, at time.Time, d time.Duration) {
	if t == nil {
		return
	}
	b, err := json.Marshal(TraceRecord{URL: url, Offset: off, Length: n, Time: at.Sub(t.start).Seconds(), Duration: d.Seconds()})
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return
	}
	if err == nil {
		_, err = t.w.Write(append(b, '\n'))
	}
	t.err = err
}

// Close flushes and closes the trace file, reporting the first write
// error.
func (t *Trace) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	err := t.err
	if ferr := t.w.Flush(); err == nil {
		err = ferr
	}
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("mezzfs: trace %s: %w", t.path, err)
	}
	return nil
}

// ReadTrace parses a trace written by Trace. name is used in errors.
func ReadTrace(r io.Reader, name string) ([]TraceRecord, error) {
	var recs []TraceRecord
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var rec TraceRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("mezzfs: trace %s line %d: %w", name, line, err)
		}
		if rec.Offset < 0 || rec.Length < 0 || rec.Time < 0 {
			return nil, fmt.Errorf("mezzfs: trace %s line %d: negative offset, length or time", name, line)
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("mezzfs: trace %s: %w", name, err)
	}
	return recs, nil
}
