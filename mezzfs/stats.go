package mezzfs

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
)

// Stats counts what the readers of one or more Sources asked for and what
// that cost in storage requests. It is safe for concurrent use; a command
// shares one Stats among every Source it opens and writes it with
// WriteFile at the end.
type Stats struct {
	bytesRead    atomic.Int64
	bytesFetched atomic.Int64
	requests     atomic.Int64
	cacheHits    atomic.Int64
}

// StatsSnapshot is a point-in-time copy of Stats, in the JSON layout of
// `--stats FILE`.
type StatsSnapshot struct {
	// BytesRead is the number of bytes returned to readers by ReadAt.
	BytesRead int64 `json:"bytes_read"`
	// BytesFetched is the number of bytes received from storage (S3
	// response bodies, or local file reads).
	BytesFetched int64 `json:"bytes_fetched"`
	// Requests is the number of storage requests sent, retries included.
	Requests int64 `json:"requests"`
	// CacheHits is the number of blocks a read needed that were served
	// without a new request: from memory, from the disk cache, or by a
	// fetch already under way.
	CacheHits int64 `json:"cache_hits"`
}

// Snapshot returns the current counts. A nil Stats reads as zero.
func (s *Stats) Snapshot() StatsSnapshot {
	if s == nil {
		return StatsSnapshot{}
	}
	return StatsSnapshot{
		BytesRead:    s.bytesRead.Load(),
		BytesFetched: s.bytesFetched.Load(),
		Requests:     s.requests.Load(),
		CacheHits:    s.cacheHits.Load(),
	}
}

// FetchedRatio returns BytesFetched / size, the share of an object of that
// size that was transferred; 0 when size is not positive.
func (s StatsSnapshot) FetchedRatio(size int64) float64 {
	if size <= 0 {
		return 0
	}
	return float64(s.BytesFetched) / float64(size)
}

// WriteFile writes the current counts to path as indented JSON, atomically
// (a temporary file renamed into place).
func (s *Stats) WriteFile(path string) error {
	b, err := json.MarshalIndent(s.Snapshot(), "", "  ")
	if err != nil {
		return fmt.Errorf("mezzfs: stats %s: %w", path, err)
	}
	if err := writeFileAtomic(path, append(b, '\n')); err != nil {
		return fmt.Errorf("mezzfs: stats %s: %w", path, err)
	}
	return nil
}

// ReadStatsFile parses a file written by WriteFile.
func ReadStatsFile(data []byte) (StatsSnapshot, error) {
	var s StatsSnapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return StatsSnapshot{}, fmt.Errorf("mezzfs: stats: %w", err)
	}
	return s, nil
}

func (s *Stats) addRead(n int64) {
	if s != nil {
		s.bytesRead.Add(n)
	}
}

func (s *Stats) addFetched(n int64) {
	if s != nil {
		s.bytesFetched.Add(n)
	}
}

func (s *Stats) addRequest() {
	if s != nil {
		s.requests.Add(1)
	}
}

func (s *Stats) addHit() {
	if s != nil {
		s.cacheHits.Add(1)
	}
}
