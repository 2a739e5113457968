// Package mezzfs gives every part of rung random access to media stored as
// local files or as s3://bucket/key objects, fetching only what is read:
// a Source (io.ReaderAt plus Size) over a block cache with read-ahead and
// parallel ranged GETs pinned to the object's ETag, statistics and read
// traces, atomic outputs (local rename, S3 multipart upload completed only
// on success), and a read-only FUSE mount.
package mezzfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Source is random access to one version of one object: a local file or
// an S3 object. ReadAt is safe for concurrent use. An S3 Source reads
// through its Cache, pins the ETag seen when it was opened, and fails with
// ErrChanged if the object is replaced while it is read.
type Source struct {
	info  Info
	r     io.ReaderAt // *os.File or *blockReader
	stats *Stats
	trace *Trace
	close func() error
}

// Info identifies a Source's content.
type Info struct {
	URL     string    `json:"url"`
	Size    int64     `json:"size"`
	ETag    string    `json:"etag,omitempty"` // S3 ETag, quotes included; "" for local files
	ModTime time.Time `json:"mod_time"`
}

// Options configures Open and Create. The zero value reads S3 with the
// standard credential chain and the default cache geometry.
type Options struct {
	// S3 is the client for s3:// URLs; when nil one is built with
	// NewS3Client from S3Options.
	S3        *s3.Client
	S3Options S3Options
	// Cache holds fetched blocks; when nil each Source gets its own, made
	// from CacheOptions.
	Cache        *Cache
	CacheOptions CacheOptions
	// Parallel bounds the ranged GETs in flight per Source
	// (DefaultParallel when 0).
	Parallel int
	// ReadAheadBlocks bounds the read-ahead window in blocks (default:
	// min(Parallel, 8)); negative turns read-ahead off.
	ReadAheadBlocks int
	// Retries is the number of attempts after the first for each range
	// (DefaultRetries when 0, none when negative).
	Retries int
	// RequestTimeout bounds each attempt, body included
	// (DefaultRequestTimeout when 0).
	RequestTimeout time.Duration
	// Stats, when set, is added to by every Source opened with these
	// options; otherwise each Source counts on its own.
	Stats *Stats
	// Trace, when set, records every ReadAt.
	Trace *Trace

	backoff time.Duration // first retry delay; defaultBackoff when 0 (tests shorten it)
}

// Open opens name, an s3://bucket/key URL or a local path (file:// URLs
// included), for reading. For S3 it asks for the object's size and ETag
// once; bytes are fetched on demand. ctx bounds the Source's whole life:
// reads fail once it is done. Close releases the Source.
func Open(ctx context.Context, name string, o Options) (*Source, error) {
	stats := o.Stats
	if stats == nil {
		stats = new(Stats)
	}
	if !IsS3(name) {
		return openFile(name, stats, o.Trace)
	}
	u, err := objectURL("open", name)
	if err != nil {
		return nil, err
	}
	client, err := o.client(ctx)
	if err != nil {
		return nil, err
	}
	var head *s3.HeadObjectOutput
	err = withRetries(ctx, retriesOf(o), backoffOf(o), func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, timeoutOf(o))
		defer cancel()
		stats.addRequest()
		var err error
		head, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(u.Bucket), Key: aws.String(u.Key)})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mezzfs: open %s: %w", name, err)
	}
	info := Info{URL: name, Size: aws.ToInt64(head.ContentLength), ETag: aws.ToString(head.ETag), ModTime: aws.ToTime(head.LastModified)}
	if info.ETag == "" {
		return nil, fmt.Errorf("mezzfs: open %s: the server sent no ETag", name)
	}
	return openS3(ctx, client, u, info, o, stats)
}

// openS3 builds a Source over an object whose Info is known (from a HEAD or
// a listing).
func openS3(ctx context.Context, api objectAPI, u S3URL, info Info, o Options, stats *Stats) (*Source, error) {
	cache := o.Cache
	if cache == nil {
		var err error
		if cache, err = NewCache(o.CacheOptions); err != nil {
			return nil, err
		}
	}
	parallel := o.Parallel
	if parallel <= 0 {
		parallel = DefaultParallel
	}
	ra := int64(o.ReadAheadBlocks)
	if ra == 0 {
		ra = int64(min(parallel, 8))
	}
	// Read-ahead beyond half the memory budget would evict itself.
	if cache.budget > 0 {
		ra = min(ra, max(cache.budget/(2*cache.blockSize), 0))
	}
	f := &rangeFetcher{
		api: api, url: u, etag: info.ETag,
		retries: retriesOf(o), timeout: timeoutOf(o), backoff: backoffOf(o),
		sem: make(chan struct{}, parallel), stats: stats, alloc: cache.alloc,
	}
	ctx, cancel := context.WithCancel(ctx)
	br := newBlockReader(ctx, info.URL+"\x00"+info.ETag, info.Size, cache, f.fetch, ra, stats)
	return &Source{info: info, r: br, stats: stats, trace: o.Trace, close: func() error { cancel(); return nil }}, nil
}

// openFile opens a local file as a Source.
func openFile(name string, stats *Stats, trace *Trace) (*Source, error) {
	path := strings.TrimPrefix(name, "file://")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mezzfs: open %s: %w", name, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("mezzfs: open %s: %w", name, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("mezzfs: open %s: not a regular file", name)
	}
	info := Info{URL: name, Size: st.Size(), ModTime: st.ModTime()}
	return &Source{info: info, r: countingReaderAt{f, stats}, stats: stats, trace: trace, close: f.Close}, nil
}

// countingReaderAt counts local file reads as fetches.
type countingReaderAt struct {
	r     io.ReaderAt
	stats *Stats
}

func (c countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.stats.addRequest()
	n, err := c.r.ReadAt(p, off)
	c.stats.addFetched(int64(n))
	return n, err
}

// ReadAt reads len(p) bytes at off, as io.ReaderAt does: fewer only with
// an error, io.EOF at the end of the object.
func (s *Source) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("mezzfs: read %s: negative offset %d", s.info.URL, off)
	}
	start := time.Now()
	n, err := s.r.ReadAt(p, off)
	s.stats.addRead(int64(n))
	s.trace.record(s.info.URL, off, int64(len(p)), start, time.Since(start))
	return n, err
}

// writeRange writes the n bytes at off to w, as a ReadAt into buf and a
// Write would, but S3 bytes go to w straight from the cache, without the
// copy through buf. It reports reads and traces them as ReadAt does.
func (s *Source) writeRange(w io.Writer, off, n int64, buf []byte) (int64, error) {
	br, ok := s.r.(*blockReader)
	if !ok {
		k, err := s.ReadAt(buf[:n], off)
		if k > 0 {
			if _, werr := w.Write(buf[:k]); werr != nil {
				return 0, werr
			}
		}
		return int64(k), err
	}
	start := time.Now()
	var done int64
	err := br.visit(off, n, func(b []byte) error {
		if _, err := w.Write(b); err != nil {
			return err
		}
		done += int64(len(b))
		return nil
	})
	s.stats.addRead(done)
	s.trace.record(s.info.URL, off, n, start, time.Since(start))
	return done, err
}

// dropBehind tells the cache that the blocks wholly before off will not
// be read again (see Copy).
func (s *Source) dropBehind(off int64) {
	if br, ok := s.r.(*blockReader); ok {
		br.dropBefore(off)
	}
}

// Size returns the object's size in bytes.
func (s *Source) Size() int64 { return s.info.Size }

// Info returns what identifies the Source's content.
func (s *Source) Info() Info { return s.info }

// Stats returns the counts of this Source (shared with others opened with
// the same Options.Stats).
func (s *Source) Stats() StatsSnapshot { return s.stats.Snapshot() }

// Close releases the Source; reads after Close fail.
func (s *Source) Close() error {
	if s.close == nil {
		return nil
	}
	c := s.close
	s.close = nil
	if err := c(); err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("mezzfs: close %s: %w", s.info.URL, err)
	}
	return nil
}

// retriesOf returns the retries after a first attempt that o asks for.
func retriesOf(o Options) int {
	switch {
	case o.Retries == 0:
		return DefaultRetries
	case o.Retries < 0:
		return 0
	}
	return o.Retries
}

// timeoutOf returns the time bound of one attempt.
func timeoutOf(o Options) time.Duration {
	if o.RequestTimeout <= 0 {
		return DefaultRequestTimeout
	}
	return o.RequestTimeout
}

// backoffOf returns the wait before the first retry.
func backoffOf(o Options) time.Duration {
	if o.backoff <= 0 {
		return defaultBackoff
	}
	return o.backoff
}
