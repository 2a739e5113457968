package mezzfs

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"rung/internal/s3test"
)

func TestOutputLocal(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.mp4")
	os.WriteFile(path, []byte("old"), 0o644)
	ctx := context.Background()

	// Aborted: the old content stays, no temporary file is left.
	out, err := Create(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out.Write([]byte("half"))
	if err := out.Abort(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("after abort: %q, want the old content", b)
	}
	// Committed: the new content replaces it, all at once.
	out, err = Create(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Abort()
	out.Write([]byte("new content"))
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("before commit: %q, want the old content", b)
	}
	if err := out.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new content" {
		t.Fatalf("after commit: %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("%d files in the directory, want 1", len(ents))
	}
	if _, err := Create(ctx, filepath.Join(dir, "missing", "x"), Options{}); err == nil {
		t.Fatal("Create in a missing directory succeeded")
	}
}

func TestOutputS3(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket("out")
	client := srv.Client()
	ctx := context.Background()
	data := randomBytes(3*DefaultPartSize+12345, 6)
	tests := []struct {
		name string
		data []byte
	}{
		{"multipart", data},
		{"one short part", data[:1000]},
		{"empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := s3test.URL(bucket, tt.name+".bin")
			out, err := Create(ctx, url, Options{S3: client})
			if err != nil {
				t.Fatal(err)
			}
			defer out.Abort()
			for b := tt.data; len(b) > 0; b = b[min(len(b), 1<<20):] {
				if _, err := out.Write(b[:min(len(b), 1<<20)]); err != nil {
					t.Fatal(err)
				}
			}
			if objectExists(t, client, bucket, tt.name+".bin") {
				t.Fatal("object visible before Commit")
			}
			if err := out.Commit(); err != nil {
				t.Fatal(err)
			}
			src, err := Open(ctx, url, Options{S3: client})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var got bytes.Buffer
			if _, err := Copy(ctx, &got, src, nil); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), tt.data) {
				t.Fatalf("read back %d bytes, want %d equal ones", got.Len(), len(tt.data))
			}
		})
	}

	t.Run("parts retried through injected faults", func(t *testing.T) {
		proxy := s3test.NewProxy(t, srv.Endpoint, func(n int64, r *http.Request) s3test.Fault {
			if r.Method != http.MethodPut {
				return s3test.Pass
			}
			return []s3test.Fault{s3test.Status500, s3test.Pass, s3test.Reset, s3test.Status503, s3test.Pass}[n%5]
		})
		pc := s3test.Client(proxy.Endpoint)
		url := s3test.URL(bucket, "faults.bin")
		out, err := Create(ctx, url, Options{S3: pc})
		if err != nil {
			t.Fatal(err)
		}
		defer out.Abort()
		if _, err := out.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := out.Commit(); err != nil {
			t.Fatal(err)
		}
		if proxy.Injected() < 3 {
			t.Fatalf("%d faults injected", proxy.Injected())
		}
		src, err := Open(ctx, url, Options{S3: client})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		h := sha256.New()
		if _, err := Copy(ctx, h, src, nil); err != nil || !bytes.Equal(h.Sum(nil), sha256Sum(data)) {
			t.Fatalf("read back: %v, or the hash differs", err)
		}
	})

	t.Run("aborted and cancelled uploads leave nothing", func(t *testing.T) {
		out, err := Create(ctx, s3test.URL(bucket, "aborted.bin"), Options{S3: client})
		if err != nil {
			t.Fatal(err)
		}
		out.Write(data)
		if err := out.Abort(); err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		out, err = Create(cctx, s3test.URL(bucket, "cancelled.bin"), Options{S3: client})
		if err != nil {
			t.Fatal(err)
		}
		out.Write(data[:2*DefaultPartSize])
		cancel()
		if err := out.Commit(); err == nil {
			t.Fatal("Commit after cancel succeeded")
		}
		for _, k := range []string{"aborted.bin", "cancelled.bin"} {
			if objectExists(t, client, bucket, k) {
				t.Errorf("%s exists", k)
			}
		}
		if n := pendingUploads(t, client, bucket); n != 0 {
			t.Errorf("%d multipart uploads left pending, want 0", n)
		}
	})
}

// TestOutputKilledUpload kills a process in the middle of an upload (after
// some parts went up) and checks that no object appears.
func TestOutputKilledUpload(t *testing.T) {
	if os.Getenv("MEZZFS_UPLOAD_HELPER") != "" {
		uploadHelper()
		return
	}
	srv := s3test.Start(t)
	bucket := srv.Bucket("out")
	cmd := exec.Command(os.Args[0], "-test.run=^TestOutputKilledUpload$")
	cmd.Env = append(os.Environ(), "MEZZFS_UPLOAD_HELPER="+srv.Endpoint, "MEZZFS_UPLOAD_URL="+s3test.URL(bucket, "killed.bin"))
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool)
	go func() {
		sc := bufio.NewScanner(stdout)
		ok := false
		for sc.Scan() {
			if sc.Text() == "uploading" {
				ok = true
				break
			}
		}
		ready <- ok
		io.Copy(io.Discard, stdout)
	}()
	select {
	case ok := <-ready:
		if !ok {
			cmd.Wait()
			t.Fatal("the upload helper ended before uploading")
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the upload helper did not start uploading")
	}
	client := srv.Client()
	if pendingUploads(t, client, bucket) != 1 {
		t.Fatal("no multipart upload under way")
	}
	cmd.Process.Kill()
	cmd.Wait()
	if objectExists(t, client, bucket, "killed.bin") {
		t.Fatal("a killed upload left an object")
	}
}

// uploadHelper writes three parts to $MEZZFS_UPLOAD_URL, says so, and
// waits to be killed.
func uploadHelper() {
	ctx := context.Background()
	out, err := Create(ctx, os.Getenv("MEZZFS_UPLOAD_URL"), Options{S3: s3test.Client(os.Getenv("MEZZFS_UPLOAD_HELPER"))})
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	out.Write(randomBytes(3*DefaultPartSize+5, 7))
	time.Sleep(2 * time.Second) // let the parts go up
	os.Stdout.WriteString("uploading\n")
	time.Sleep(time.Hour)
}

func objectExists(t *testing.T, client *s3.Client, bucket, key string) bool {
	t.Helper()
	_, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		return true
	}
	if statusOf(err) != 404 {
		t.Fatalf("head %s: %v", key, err)
	}
	return false
}

func pendingUploads(t *testing.T, client *s3.Client, bucket string) int {
	t.Helper()
	out, err := client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("list uploads: %v", err)
	}
	return len(out.Uploads)
}

func TestCopyHash(t *testing.T) {
	dir := t.TempDir()
	data := randomBytes(5<<20+3, 8)
	src := filepath.Join(dir, "src.bin")
	os.WriteFile(src, data, 0o644)
	s, err := Open(context.Background(), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := sha256.New()
	var last int64
	n, err := Copy(context.Background(), h, s, func(done int64) { last = done })
	if err != nil || n != int64(len(data)) || last != n {
		t.Fatalf("Copy = %d, %v (progress %d)", n, err, last)
	}
	if !bytes.Equal(h.Sum(nil), sha256Sum(data)) {
		t.Fatal("hash differs")
	}
	if _, err := Open(context.Background(), dir, Options{}); err == nil || errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open(dir) = %v, want not a regular file", err)
	}
}

func sha256Sum(b []byte) []byte { h := sha256.Sum256(b); return h[:] }
