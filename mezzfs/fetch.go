package mezzfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrChanged reports that an object's content changed (its ETag no longer
// matches) while it was being read. A Source never mixes bytes of two
// versions: reads fail instead.
var ErrChanged = errors.New("object changed while being read")

// Defaults of the ranged fetcher.
const (
	DefaultParallel       = 16               // ranged GETs in flight per Source
	DefaultRetries        = 8                // attempts after the first, per range
	DefaultRequestTimeout = 60 * time.Second // per attempt, body included
	defaultBackoff        = 100 * time.Millisecond
	maxBackoff            = 3 * time.Second
)

// rangeFetcher reads byte ranges of one version of one S3 object: each a
// GET with a Range header and the object's ETag in If-Match, retried with
// exponential backoff on 5xx answers, connection resets, timeouts and
// short bodies. Parallelism is bounded by sem, shared by all fetches of a
// Source.
type rangeFetcher struct {
	api     objectAPI
	url     S3URL
	etag    string
	retries int
	timeout time.Duration
	backoff time.Duration
	sem     chan struct{}
	stats   *Stats
	alloc   func(n int64) []byte // buffers to fill entirely
}

// fetch returns the n bytes at off.
func (f *rangeFetcher) fetch(ctx context.Context, off, n int64) ([]byte, error) {
	select {
	case f.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-f.sem }()
	buf := f.alloc(n)
	err := withRetries(ctx, f.retries, f.backoff, func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, f.timeout)
		defer cancel()
		return f.once(ctx, buf, off)
	})
	if err != nil {
		return nil, fmt.Errorf("mezzfs: read %s bytes %d-%d: %w", f.url, off, off+n-1, err)
	}
	return buf, nil
}

// withRetries calls attempt until it succeeds, fails in a way that another
// try cannot fix (see retryable; ErrChanged), or retries more attempts
// have failed, waiting backoff before the first retry and twice as long
// before each next one (at most maxBackoff).
func withRetries(ctx context.Context, retries int, backoff time.Duration, attempt func(context.Context) error) error {
	var err error
	for i := 0; i <= retries; i++ {
		if i > 0 {
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
			}
			backoff = min(2*backoff, maxBackoff)
		}
		if err = attempt(ctx); err == nil || errors.Is(err, ErrChanged) || !retryable(ctx, err) {
			return err
		}
	}
	return err
}

// once makes one ranged GET into buf.
func (f *rangeFetcher) once(ctx context.Context, buf []byte, off int64) error {
	f.stats.addRequest()
	out, err := f.api.GetObject(ctx, &s3.GetObjectInput{
		Bucket:  aws.String(f.url.Bucket),
		Key:     aws.String(f.url.Key),
		Range:   aws.String("bytes=" + strconv.FormatInt(off, 10) + "-" + strconv.FormatInt(off+int64(len(buf))-1, 10)),
		IfMatch: aws.String(f.etag),
	})
	if err != nil {
		if statusOf(err) == http.StatusPreconditionFailed {
			return fmt.Errorf("%w: %s no longer has ETag %s", ErrChanged, f.url, f.etag)
		}
		return err
	}
	defer out.Body.Close()
	if out.ETag != nil && *out.ETag != f.etag {
		return fmt.Errorf("%w: %s answered ETag %s, want %s", ErrChanged, f.url, *out.ETag, f.etag)
	}
	got, err := io.ReadFull(out.Body, buf)
	f.stats.addFetched(int64(got))
	if err != nil {
		return fmt.Errorf("body after %d of %d bytes: %w", got, len(buf), bodyError{err})
	}
	return nil
}

// bodyError marks a failure while reading a response body: always worth
// another attempt.
type bodyError struct{ err error }

func (e bodyError) Error() string { return e.err.Error() }
func (e bodyError) Unwrap() error { return e.err }

// statusOf returns the HTTP status of a failed S3 call, or 0.
func statusOf(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// retryable reports whether a failed attempt is worth repeating: server
// errors (5xx), throttling (429), broken connections, timeouts and short
// bodies; not client errors, and not once ctx itself is done.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if s := statusOf(err); s != 0 {
		return s >= 500 || s == http.StatusTooManyRequests
	}
	var be bodyError
	var ne net.Error
	switch {
	case errors.As(err, &be),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE), errors.As(err, &ne):
		return true
	}
	return false
}
