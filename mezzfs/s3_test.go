package mezzfs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"rung/internal/s3test"
)

// randomBytes returns n reproducible random bytes.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	r.Read(b)
	return b
}

// readAllAt reads src with ReadAt in pieces of size step from nworkers
// goroutines, each taking every nworkers-th piece, and returns the bytes.
func readAllAt(t *testing.T, src io.ReaderAt, size int64, step int64, nworkers int) []byte {
	t.Helper()
	out := make([]byte, size)
	var wg sync.WaitGroup
	errs := make(chan error, nworkers)
	for w := range nworkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for off := int64(w) * step; off < size; off += int64(nworkers) * step {
				end := min(off+step, size)
				n, err := src.ReadAt(out[off:end], off)
				if err != nil && !(err == io.EOF && off+int64(n) == size) {
					errs <- err
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
	return out
}

func TestS3Open(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket("media")
	data := randomBytes(20<<20+777, 1)
	etag := srv.Put(bucket, "clip.bin", data)

	// The standard credential chain and the endpoint variable, as a user
	// of `rung ... s3://` would set them.
	t.Setenv("AWS_ACCESS_KEY_ID", s3test.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3test.SecretKey)
	t.Setenv("AWS_ENDPOINT_URL", srv.Endpoint)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	ctx := context.Background()
	stats := new(Stats)
	src, err := Open(ctx, s3test.URL(bucket, "clip.bin"), Options{Stats: stats, CacheOptions: CacheOptions{BlockSize: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if src.Size() != int64(len(data)) || src.Info().ETag != etag {
		t.Fatalf("info %+v, want size %d etag %s", src.Info(), len(data), etag)
	}
	// A small read far into the object fetches one page only.
	p := make([]byte, 1000)
	if _, err := src.ReadAt(p, 15<<20+5); err != nil || !bytes.Equal(p, data[15<<20+5:15<<20+1005]) {
		t.Fatalf("small read: %v", err)
	}
	if st := stats.Snapshot(); st.BytesFetched != 1<<20/pagesPerBlock || st.Requests != 2 { // HEAD + one GET
		t.Fatalf("after one small read: %+v, want one page fetched by 2 requests", st)
	}
	got := readAllAt(t, src, src.Size(), 300<<10, 4)
	if sha256.Sum256(got) != sha256.Sum256(data) {
		t.Fatal("content differs")
	}
	st := stats.Snapshot()
	// Four interleaved readers look random one by one (pages) and
	// sequential together (blocks): some bytes come twice, as a page and
	// in a block, never more.
	if st.BytesFetched < int64(len(data)) || st.BytesFetched > 2*int64(len(data)) || st.BytesRead != int64(len(data))+1000 {
		t.Fatalf("stats %+v: want every byte fetched once or twice", st)
	}

	for _, bad := range []string{s3test.URL(bucket, "missing.bin"), s3test.URL("nobucket", "x"), "s3://" + bucket + "/"} {
		if _, err := Open(ctx, bad, Options{}); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("Open(%s) error %v, want one naming the URL", bad, err)
		}
	}
}

func TestS3Faults(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket("media")
	data := randomBytes(12<<20+3, 2)
	srv.Put(bucket, "clip.bin", data)
	faults := []s3test.Fault{s3test.Status500, s3test.Pass, s3test.Reset, s3test.Pass, s3test.Status503, s3test.Pass, s3test.CutBody, s3test.Pass, s3test.Slow, s3test.Pass}
	proxy := s3test.NewProxy(t, srv.Endpoint, func(n int64, r *http.Request) s3test.Fault {
		if r.Method != http.MethodGet {
			return s3test.Pass
		}
		return faults[n%int64(len(faults))]
	})
	proxy.Delay = 2 * time.Second
	stats := new(Stats)
	src, err := Open(context.Background(), s3test.URL(bucket, "clip.bin"), Options{
		S3: s3test.Client(proxy.Endpoint), Stats: stats, RequestTimeout: 500 * time.Millisecond,
		CacheOptions: CacheOptions{BlockSize: 512 << 10}, Parallel: 4, backoff: 5 * time.Millisecond, Retries: 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got := readAllAt(t, src, src.Size(), 200<<10, 3)
	if sha256.Sum256(got) != sha256.Sum256(data) {
		t.Fatal("content differs across injected faults")
	}
	if proxy.Injected() < 10 {
		t.Fatalf("only %d faults injected", proxy.Injected())
	}
	t.Logf("%d requests through the proxy, %d faults; stats %+v", proxy.Requests(), proxy.Injected(), stats.Snapshot())
}

func TestS3ServerRestart(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket("media")
	data := randomBytes(16<<20, 3)
	srv.Put(bucket, "clip.bin", data)
	src, err := Open(context.Background(), s3test.URL(bucket, "clip.bin"), Options{
		S3: srv.Client(), CacheOptions: CacheOptions{BlockSize: 256 << 10}, ReadAheadBlocks: -1,
		RequestTimeout: 2 * time.Second, backoff: 50 * time.Millisecond, Retries: 12,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got := make([]byte, len(data))
	restarted := make(chan struct{})
	for off := int64(0); off < int64(len(data)); off += 128 << 10 {
		if off == 4<<20 {
			srv.Stop()
			go func() {
				time.Sleep(time.Second)
				srv.Restart()
				close(restarted)
			}()
		}
		if _, err := src.ReadAt(got[off:off+128<<10], off); err != nil {
			t.Fatalf("read at %d across a restart: %v", off, err)
		}
	}
	<-restarted
	if sha256.Sum256(got) != sha256.Sum256(data) {
		t.Fatal("content differs across a server restart")
	}
}

func TestS3ObjectChanged(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket("media")
	data := randomBytes(4<<20, 4)
	srv.Put(bucket, "clip.bin", data)
	src, err := Open(context.Background(), s3test.URL(bucket, "clip.bin"), Options{
		S3: srv.Client(), CacheOptions: CacheOptions{BlockSize: 1 << 20}, ReadAheadBlocks: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	p := make([]byte, 1<<20)
	if _, err := src.ReadAt(p, 0); err != nil {
		t.Fatal(err)
	}
	srv.Put(bucket, "clip.bin", randomBytes(4<<20, 5))
	// Cached bytes of the old version are still served; new fetches fail.
	if _, err := src.ReadAt(p[:10], 0); err != nil {
		t.Fatalf("cached block: %v", err)
	}
	_, err = src.ReadAt(p, 2<<20)
	if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), "changed") || !strings.Contains(err.Error(), "s3://media/clip.bin") {
		t.Fatalf("read of an overwritten object: %v, want ErrChanged naming the URL", err)
	}
	t.Logf("error: %v", err)
}
