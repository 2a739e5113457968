package mezzfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// fakeObject is an objectAPI over one in-memory object, for the cache and
// range logic only: every S3 behaviour is tested against a real server.
type fakeObject struct {
	data []byte
	etag string

	mu sync.Mutex
	// Guarded by mu.
	gets   int
	ranges []string
	fail   func(n int) error // error for the n-th GET (from 0), or nil
	short  func(n int) bool  // cut the n-th GET's body short
}

func (f *fakeObject) HeadObject(ctx context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	return &s3.HeadObjectOutput{ContentLength: aws.Int64(int64(len(f.data))), ETag: aws.String(f.etag)}, nil
}

func (f *fakeObject) GetObject(ctx context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.mu.Lock()
	n := f.gets
	f.gets++
	f.ranges = append(f.ranges, aws.ToString(in.Range))
	fail, short, etag := f.fail, f.short, f.etag
	f.mu.Unlock()
	if fail != nil {
		if err := fail(n); err != nil {
			return nil, err
		}
	}
	if in.IfMatch != nil && *in.IfMatch != etag {
		return nil, httpError(http.StatusPreconditionFailed)
	}
	var lo, hi int64
	if _, err := fmt.Sscanf(aws.ToString(in.Range), "bytes=%d-%d", &lo, &hi); err != nil {
		return nil, err
	}
	hi = min(hi, int64(len(f.data))-1)
	body := f.data[lo : hi+1]
	if short != nil && short(n) {
		body = body[:len(body)/2]
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(body)), ETag: aws.String(etag)}, nil
}

func (f *fakeObject) getCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gets
}

func httpError(status int) error {
	return &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: http.Header{}}},
		Err:      errors.New(strconv.Itoa(status) + " " + http.StatusText(status)),
	}
}

// pattern returns n bytes that differ at every offset (within 2^32).
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		x := uint32(i)*2654435761 + uint32(i>>8)
		b[i] = byte(x >> 24)
	}
	return b
}

func openFake(t *testing.T, f *fakeObject, o Options) *Source {
	t.Helper()
	stats := o.Stats
	if stats == nil {
		stats = new(Stats)
	}
	info := Info{URL: "s3://fake/obj", Size: int64(len(f.data)), ETag: f.etag}
	s, err := openS3(context.Background(), f, S3URL{"fake", "obj"}, info, o, stats)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSourceReadAtFake(t *testing.T) {
	const bs = 64 << 10
	data := pattern(10*bs + 123)
	tests := []struct {
		name string
		off  int64
		n    int
		want int // bytes read
		eof  bool
	}{
		{"inside a block", 10, 100, 100, false},
		{"across blocks", bs - 5, 3 * bs, 3 * bs, false},
		{"last partial block", 10 * bs, 123, 123, false},
		{"past the end", 10*bs + 100, 100, 23, true},
		{"at the end", int64(len(data)), 10, 0, true},
		{"whole", 0, len(data), len(data), false},
		{"empty", 5, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeObject{data: data, etag: `"v1"`}
			s := openFake(t, f, Options{CacheOptions: CacheOptions{BlockSize: bs}, ReadAheadBlocks: -1})
			p := make([]byte, tt.n)
			n, err := s.ReadAt(p, tt.off)
			if n != tt.want || (err == io.EOF) != tt.eof || (err != nil && err != io.EOF) {
				t.Fatalf("ReadAt(%d, %d) = %d, %v; want %d, eof %v", tt.n, tt.off, n, err, tt.want, tt.eof)
			}
			if !bytes.Equal(p[:n], data[tt.off:tt.off+int64(n)]) {
				t.Fatal("bytes differ")
			}
		})
	}
}

func TestSourceCachesBlocks(t *testing.T) {
	const bs = 64 << 10
	f := &fakeObject{data: pattern(8 * bs), etag: `"v1"`}
	s := openFake(t, f, Options{CacheOptions: CacheOptions{BlockSize: bs}, ReadAheadBlocks: -1})
	p := make([]byte, 100)
	for range 5 {
		if _, err := s.ReadAt(p, bs+7); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Stats()
	if f.getCount() != 1 || st.Requests != 1 || st.CacheHits != 4 || st.BytesFetched != bs/pagesPerBlock || st.BytesRead != 500 {
		t.Fatalf("gets %d, stats %+v; want 1 GET of one page and 4 hits", f.getCount(), st)
	}
}

func TestSourceConcurrentReadersShareFetches(t *testing.T) {
	const bs = 64 << 10
	data := pattern(16 * bs)
	f := &fakeObject{data: data, etag: `"v1"`}
	s := openFake(t, f, Options{CacheOptions: CacheOptions{BlockSize: bs}, ReadAheadBlocks: -1})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := make([]byte, 3000)
			for off := int64(w * 17); off < int64(len(data)); off += 3000 {
				n, err := s.ReadAt(p, off)
				if err != nil && err != io.EOF {
					errs <- err
					return
				}
				if !bytes.Equal(p[:n], data[off:off+int64(n)]) {
					errs <- fmt.Errorf("worker %d: bytes at %d differ", w, off)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if g := f.getCount(); g != 16*pagesPerBlock {
		t.Fatalf("%d GETs for %d pages read by 8 readers, want one each", g, 16*pagesPerBlock)
	}
}

func TestSourceMemoryBudget(t *testing.T) {
	const bs = 64 << 10
	f := &fakeObject{data: pattern(32 * bs), etag: `"v1"`}
	cache, err := NewCache(CacheOptions{BlockSize: bs, MemoryBudget: 4 * bs})
	if err != nil {
		t.Fatal(err)
	}
	s := openFake(t, f, Options{Cache: cache})
	p := make([]byte, bs)
	for off := int64(0); off < 32*bs; off += bs {
		if _, err := s.ReadAt(p, off); err != nil {
			t.Fatal(err)
		}
	}
	if u := cache.memoryUsed(); u > 4*bs {
		t.Fatalf("cache holds %d bytes, budget %d", u, 4*bs)
	}
}

func TestSourceDiskCacheShared(t *testing.T) {
	const bs = 64 << 10
	dir := t.TempDir()
	data := pattern(4*bs + 5)
	f := &fakeObject{data: data, etag: `"v1"`}
	for i, wantGets := range []int{5, 5} { // the second Source finds every block on disk
		c, err := NewCache(CacheOptions{BlockSize: bs, Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		s := openFake(t, f, Options{Cache: c, ReadAheadBlocks: -1})
		p := make([]byte, len(data))
		if n, err := s.ReadAt(p, 0); err != nil || n != len(data) || !bytes.Equal(p, data) {
			t.Fatalf("source %d: read %d, %v", i, n, err)
		}
		if g := f.getCount(); g != wantGets {
			t.Fatalf("source %d: %d GETs in all, want %d", i, g, wantGets)
		}
	}
	// Another version of the object does not see the old blocks.
	f2 := &fakeObject{data: pattern(4*bs + 5), etag: `"v2"`}
	c, _ := NewCache(CacheOptions{BlockSize: bs, Dir: dir})
	s := openFake(t, f2, Options{Cache: c, ReadAheadBlocks: -1})
	if _, err := s.ReadAt(make([]byte, 10), 0); err != nil || f2.getCount() != 1 {
		t.Fatalf("new ETag: %v, %d GETs, want a fetch", err, f2.getCount())
	}
}

func TestSourceReadAhead(t *testing.T) {
	const bs = 64 << 10
	data := pattern(64 * bs)
	f := &fakeObject{data: data, etag: `"v1"`}
	s := openFake(t, f, Options{CacheOptions: CacheOptions{BlockSize: bs}, ReadAheadBlocks: 4})
	p := make([]byte, 16<<10)
	for off := int64(0); off < int64(len(data)); off += int64(len(p)) {
		if _, err := s.ReadAt(p, off); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p, data[off:off+int64(len(p))]) {
			t.Fatalf("bytes at %d differ", off)
		}
	}
	st := s.Stats()
	// The first block is read in pages (the stream may have begun
	// anywhere in it), the others are fetched whole ahead of the reader;
	// no byte twice.
	if st.Requests != pagesPerBlock+63 || st.BytesFetched != int64(len(data)) {
		t.Fatalf("stats %+v: want the first block's pages and every other block fetched once", st)
	}
	if st.CacheHits < 64*3 {
		t.Fatalf("stats %+v: read-ahead should have served most reads", st)
	}
}

func TestFetchRetries(t *testing.T) {
	const bs = 64 << 10
	data := pattern(4 * bs)
	tests := []struct {
		name    string
		fail    func(n int) error
		short   func(n int) bool
		wantErr string
		wantIs  error
		gets    int
	}{
		{"500 then ok", func(n int) error {
			if n < 2 {
				return httpError(500)
			}
			return nil
		}, nil, "", nil, 3},
		{"503 then ok", func(n int) error {
			if n == 0 {
				return httpError(503)
			}
			return nil
		}, nil, "", nil, 2},
		{"short body then ok", nil, func(n int) bool { return n == 0 }, "", nil, 2},
		{"timeout then ok", func(n int) error {
			if n == 0 {
				return fmt.Errorf("get: %w", context.DeadlineExceeded)
			}
			return nil
		}, nil, "", nil, 2},
		{"403 is final", func(int) error { return httpError(403) }, nil, "403", nil, 1},
		{"500 forever gives up", func(int) error { return httpError(500) }, nil, "500", nil, 4},
		{"412 is a changed object", func(int) error { return httpError(412) }, nil, "changed", ErrChanged, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeObject{data: data, etag: `"v1"`, fail: tt.fail, short: tt.short}
			s := openFake(t, f, Options{CacheOptions: CacheOptions{BlockSize: bs}, ReadAheadBlocks: -1, Retries: 3, backoff: time.Millisecond})
			p := make([]byte, 100)
			_, err := s.ReadAt(p, 0)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("ReadAt: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("ReadAt error %v, want one containing %q", err, tt.wantErr)
			case tt.wantIs != nil && !errors.Is(err, tt.wantIs):
				t.Fatalf("ReadAt error %v, want errors.Is %v", err, tt.wantIs)
			case err == nil && !bytes.Equal(p, data[:100]):
				t.Fatal("bytes differ")
			}
			if g := f.getCount(); g != tt.gets {
				t.Fatalf("%d GETs, want %d", g, tt.gets)
			}
		})
	}
}

// TestSourceRecycledBlocks reads with many readers through a cache of two
// blocks, so that block buffers are evicted and reused all the time, and
// checks every byte.
func TestSourceRecycledBlocks(t *testing.T) {
	const bs = 16 << 10
	data := pattern(64*bs + 100)
	f := &fakeObject{data: data, etag: `"v1"`}
	cache, err := NewCache(CacheOptions{BlockSize: bs, MemoryBudget: 2 * bs})
	if err != nil {
		t.Fatal(err)
	}
	s := openFake(t, f, Options{Cache: cache, ReadAheadBlocks: 4})
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := make([]byte, 5000+w*777)
			for off := int64(w * 4099); off < int64(len(data)); off += int64(len(p)) / 2 {
				n, err := s.ReadAt(p, off)
				if err != nil && err != io.EOF {
					errs <- err
					return
				}
				if !bytes.Equal(p[:n], data[off:off+int64(n)]) {
					errs <- fmt.Errorf("reader %d: bytes at %d differ", w, off)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	cache.mu.Lock()
	recycled := len(cache.free) + len(cache.evicted)
	cache.mu.Unlock()
	if recycled == 0 && f.getCount() < 100 {
		t.Fatalf("no buffer was recycled (%d GETs)", f.getCount())
	}
}

// TestCopyDropsBehind checks that Copy leaves no block it has passed in the
// memory cache (their buffers go to the blocks ahead) and copies every byte.
func TestCopyDropsBehind(t *testing.T) {
	const bs = 1 << 20
	data := pattern(24*bs + 123)
	f := &fakeObject{data: data, etag: `"v1"`}
	cache, err := NewCache(CacheOptions{BlockSize: bs, MemoryBudget: 16 * bs})
	if err != nil {
		t.Fatal(err)
	}
	s := openFake(t, f, Options{Cache: cache, ReadAheadBlocks: 2})
	var out bytes.Buffer
	if n, err := Copy(context.Background(), &out, s, nil); err != nil || n != int64(len(data)) {
		t.Fatalf("copy: %d bytes, %v", n, err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatal("copied bytes differ")
	}
	if u := cache.memoryUsed(); u > 123 {
		t.Fatalf("the cache still holds %d bytes after the copy, want only the last partial block", u)
	}
	cache.mu.Lock()
	recycled := len(cache.free) + len(cache.evicted)
	cache.mu.Unlock()
	if recycled == 0 {
		t.Fatal("no buffer was recycled")
	}
}
