package main

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"rung/encode"
	"rung/internal/s3test"
	"rung/mezzfs"
)

// sharedClip returns the path of a shared clip, or skips the test.
func sharedClip(t *testing.T, name string) string {
	t.Helper()
	clip := filepath.Join(sharedDir(), "clips", name)
	if _, err := os.Stat(clip); err != nil {
		t.Skipf("shared clips not found (%v): set RUNG_SHARED", err)
	}
	return clip
}

// readStats reads a --stats file.
func readStats(t *testing.T, path string) mezzfs.StatsSnapshot {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := mezzfs.ReadStatsFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// pooledVMAF reads the pooled mean VMAF of libvmaf-layout JSON.
func pooledVMAF(t *testing.T, b []byte) float64 {
	t.Helper()
	var r struct {
		Pooled map[string]map[string]float64 `json:"pooled_metrics"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("score JSON: %v\n%s", err, b)
	}
	v, ok := r.Pooled["vmaf"]["mean"]
	if !ok {
		t.Fatalf("score JSON has no pooled vmaf mean:\n%s", b)
	}
	return v
}

// objectExists reports whether bucket/key exists on the server.
func objectExists(t *testing.T, client *s3.Client, bucket, key string) bool {
	t.Helper()
	_, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var nf interface{ ErrorCode() string }
	switch {
	case err == nil:
		return true
	case errors.As(err, &nf) && (nf.ErrorCode() == "NotFound" || nf.ErrorCode() == "NoSuchKey"):
		return false
	}
	t.Fatalf("head s3://%s/%s: %v", bucket, key, err)
	return false
}

// pendingUploadCount is the number of multipart uploads under way in bucket.
func pendingUploadCount(t *testing.T, client *s3.Client, bucket string) int {
	t.Helper()
	out, err := client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("list uploads of %s: %v", bucket, err)
	}
	return len(out.Uploads)
}

// download fetches bucket/key into a local file.
func download(t *testing.T, client *s3.Client, bucket, key, path string) {
	t.Helper()
	out, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get s3://%s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ReadFrom(out.Body); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestS3Score scores s3:// inputs and checks the pooled VMAF against the
// same files scored locally, and the statistics of both runs.
func TestS3Score(t *testing.T) {
	modelDir(t)
	srv := s3test.Start(t)
	s3Env(t, srv)
	bucket := srv.Bucket("scores")
	ref, dis := fixturePair(t, 8)
	srv.PutFile(bucket, "ref.y4m", ref)
	srv.PutFile(bucket, "dis.y4m", dis)
	dir := t.TempDir()

	localStats := filepath.Join(dir, "local-stats.json")
	local, errOut, code := runRung(t, "score", "-r", ref, "-d", dis, "--json", "-", "--stats", localStats)
	if code != 0 {
		t.Fatalf("rung score (local): exit %d: %s", code, errOut)
	}
	stats, trace := filepath.Join(dir, "stats.json"), filepath.Join(dir, "trace.jsonl")
	remote, errOut, code := runRung(t, "score", "-r", s3test.URL(bucket, "ref.y4m"), "-d", s3test.URL(bucket, "dis.y4m"),
		"--json", "-", "--stats", stats, "--mezzfs-trace", trace)
	if code != 0 {
		t.Fatalf("rung score (s3://): exit %d: %s", code, errOut)
	}
	want, got := pooledVMAF(t, []byte(local)), pooledVMAF(t, []byte(remote))
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("pooled VMAF of the s3:// inputs %.9f, of the local files %.9f", got, want)
	}

	fi, _ := os.Stat(ref)
	size := 2 * fi.Size() // two inputs of the same size
	ls, rs := readStats(t, localStats), readStats(t, stats)
	t.Logf("local: %+v; s3://: %+v (inputs %d bytes)", ls, rs, size)
	if ls.BytesRead < size || ls.Requests == 0 {
		t.Errorf("local stats %+v: want bytes_read >= %d and requests > 0", ls, size)
	}
	if rs.BytesRead < size || rs.BytesFetched < size || rs.Requests < 2 {
		t.Errorf("s3:// stats %+v: want bytes_read and bytes_fetched >= %d, requests >= 2", rs, size)
	}
	tb, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"ref.y4m", "dis.y4m"} {
		if !strings.Contains(string(tb), key) {
			t.Errorf("trace has no read of %s", key)
		}
	}
}

// TestS3EncodeOutput encodes an s3:// source to an s3:// output and checks
// that the object is a readable video, and that failures leave neither an
// object nor a multipart upload behind.
func TestS3EncodeOutput(t *testing.T) {
	clip := sharedClip(t, "bottles_640x360.mkv")
	srv := s3test.Start(t)
	s3Env(t, srv)
	bucket := srv.Bucket("encodes")
	srv.PutFile(bucket, "in/bottles.mkv", clip)
	in := s3test.URL(bucket, "in/bottles.mkv")
	client := srv.Client()
	dir := t.TempDir()
	encodeArgs := func(input, output string) []string {
		return []string{"encode", input, "-o", output, "--codec", "x264", "--preset", "ultrafast", "--crf", "30",
			"--frames", "0:24", "--no-audio", "--work-dir", filepath.Join(dir, "work-"+filepath.Base(output))}
	}

	t.Run("success", func(t *testing.T) {
		stats := filepath.Join(dir, "stats.json")
		_, errOut, code := runRung(t, append(encodeArgs(in, s3test.URL(bucket, "out/bottles.mp4")), "--stats", stats)...)
		if code != 0 {
			t.Fatalf("rung encode: exit %d: %s", code, errOut)
		}
		if !strings.Contains(errOut, "s3://encodes/out/bottles.mp4") {
			t.Errorf("summary does not name the object: %q", errOut)
		}
		local := filepath.Join(dir, "bottles.mp4")
		download(t, client, bucket, "out/bottles.mp4", local)
		out, errOut, code := runRung(t, "probe", local, "--json")
		var info encode.Info
		if code != 0 || json.Unmarshal([]byte(out), &info) != nil || info.Video == nil || info.Video.Frames != 24 {
			t.Fatalf("rung probe of the uploaded encode: exit %d, %s %s; want 24 frames", code, out, errOut)
		}
		if n := pendingUploadCount(t, client, bucket); n != 0 {
			t.Errorf("%d multipart uploads left after a successful encode", n)
		}
		if _, err := os.Stat(filepath.Join(dir, "work-bottles.mp4", "bottles.mp4")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the local copy of the output stays in the work dir: %v", err)
		}
		st := readStats(t, stats)
		t.Logf("stats: %+v", st)
		if st.BytesRead == 0 || st.Requests == 0 {
			t.Errorf("stats %+v: want bytes_read > 0 and requests > 0", st)
		}
	})

	t.Run("truncated input", func(t *testing.T) {
		b, err := os.ReadFile(clip)
		if err != nil {
			t.Fatal(err)
		}
		srv.Put(bucket, "in/truncated.mkv", b[:len(b)/2])
		_, errOut, code := runRung(t, encodeArgs(s3test.URL(bucket, "in/truncated.mkv"), s3test.URL(bucket, "out/truncated.mp4"))...)
		if code != 1 || !strings.Contains(errOut, "truncated.mkv") {
			t.Fatalf("exit %d, stderr %q; want 1 and an error naming the input", code, errOut)
		}
		if objectExists(t, client, bucket, "out/truncated.mp4") {
			t.Error("a failed encode left an object")
		}
		if n := pendingUploadCount(t, client, bucket); n != 0 {
			t.Errorf("a failed encode left %d multipart uploads", n)
		}
	})

	t.Run("interrupted upload", func(t *testing.T) {
		// Parts stall at the proxy; SIGINT then must abort the upload.
		proxy := s3test.NewProxy(t, srv.Endpoint, func(_ int64, r *http.Request) s3test.Fault {
			if r.Method == http.MethodPut && r.URL.Query().Has("partNumber") {
				return s3test.Slow
			}
			return s3test.Pass
		})
		proxy.Delay = time.Minute
		cmd := exec.Command(rungBin, append(encodeArgs(in, s3test.URL(bucket, "out/interrupted.mp4")), "--s3-endpoint", proxy.Endpoint)...)
		var errOut strings.Builder
		cmd.Stderr = &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for proxy.Injected() == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if proxy.Injected() == 0 {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no part upload within 60 s: %s", errOut.String())
		}
		if n := pendingUploadCount(t, client, bucket); n != 1 {
			t.Errorf("%d multipart uploads under way while a part stalls, want 1", n)
		}
		cmd.Process.Signal(syscall.SIGINT)
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("interrupted encode: %v, want exit 1 (%s)", err, errOut.String())
		}
		if objectExists(t, client, bucket, "out/interrupted.mp4") {
			t.Error("an interrupted upload left an object")
		}
		if n := pendingUploadCount(t, client, bucket); n != 0 {
			t.Errorf("an interrupted upload left %d multipart uploads", n)
		}
	})
}

// TestS3Ladder builds a ladder from an s3:// source into an s3:// prefix
// and checks the uploaded master playlist, report and renditions.
func TestS3Ladder(t *testing.T) {
	modelDir(t)
	srv := s3test.Start(t)
	s3Env(t, srv)
	bucket := srv.Bucket("ladders")
	src := filepath.Join(t.TempDir(), "src.y4m")
	writeY4M(t, src, 160, 96, 30, 0)
	srv.PutFile(bucket, "in/src.y4m", src)
	stats := filepath.Join(t.TempDir(), "stats.json")
	tmp := t.TempDir() // the local build directory goes here, and must go away
	t.Setenv("TMPDIR", tmp)
	stdout, errOut, code := runRung(t, "ladder", s3test.URL(bucket, "in/src.y4m"), "-o", "s3://ladders/title/", "--rungs", "3",
		"--fixed", "none", "--json", "--stats", stats)
	if code != 0 {
		t.Fatalf("rung ladder: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var done struct {
		Event, Master, Report, Ladder string
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &done); err != nil || done.Event != "done" {
		t.Fatalf("last event %q: %v", lines[len(lines)-1], err)
	}
	if done.Master != "s3://ladders/title/master.m3u8" || done.Report != "s3://ladders/title/report.html" {
		t.Errorf("done event names %q and %q, want the uploaded objects", done.Master, done.Report)
	}
	client := srv.Client()
	for _, key := range []string{"title/master.m3u8", "title/report.html", "title/ladder.json", "title/rate_quality.svg"} {
		if !objectExists(t, client, bucket, key) {
			t.Errorf("s3://%s/%s is missing", bucket, key)
		}
	}
	// Every rendition the master playlist names was uploaded; the work
	// directory was not.
	local := filepath.Join(t.TempDir(), "master.m3u8")
	download(t, client, bucket, "title/master.m3u8", local)
	b, err := os.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	variants := 0
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			variants++
			if !objectExists(t, client, bucket, "title/"+line) {
				t.Errorf("variant playlist %s is missing", line)
			}
		}
	}
	if variants == 0 {
		t.Errorf("master playlist names no variant:\n%s", b)
	}
	list, err := client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("title/work/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 0 {
		t.Errorf("%d objects of the work directory were uploaded", len(list.Contents))
	}
	st := readStats(t, stats)
	t.Logf("stats: %+v", st)
	fi, _ := os.Stat(src)
	if st.BytesRead < fi.Size() || st.Requests == 0 {
		t.Errorf("stats %+v: want bytes_read >= %d and requests > 0", st, fi.Size())
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the local build directory stays: %v", left)
	}

	// A ladder that fails (a source shorter than one chunk) uploads nothing.
	short := filepath.Join(t.TempDir(), "short.y4m")
	writeY4M(t, short, 160, 96, 10, 0)
	srv.PutFile(bucket, "in/short.y4m", short)
	_, errOut, code = runRung(t, "ladder", s3test.URL(bucket, "in/short.y4m"), "-o", "s3://ladders/short", "--rungs", "3", "--fixed", "none")
	if code != 1 || !strings.Contains(errOut, "short.y4m") {
		t.Errorf("ladder of a short source: exit %d, stderr %q; want 1 and an error naming it", code, errOut)
	}
	list, err = client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("short")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 0 {
		t.Errorf("a failed ladder uploaded %d objects", len(list.Contents))
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the local build directory of a failed ladder stays: %v", left)
	}
}
