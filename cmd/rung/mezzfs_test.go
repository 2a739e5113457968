package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rung/internal/s3test"
)

// s3Env points the standard AWS variables at srv, as a user would.
func s3Env(t *testing.T, srv *s3test.Server) {
	t.Setenv("AWS_ACCESS_KEY_ID", s3test.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3test.SecretKey)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_ENDPOINT_URL", srv.Endpoint)
}

func TestMezzfsCLI(t *testing.T) {
	srv := s3test.Start(t)
	s3Env(t, srv)
	bucket := srv.Bucket("studio")
	data := make([]byte, 20<<20+5)
	rand.NewChaCha8([32]byte{1}).Read(data)
	etag := srv.Put(bucket, "in/mezz.bin", data)
	dir := t.TempDir()
	url := s3test.URL(bucket, "in/mezz.bin")

	out, errOut, code := runRung(t, "mezzfs", "stat", url, "--json")
	var info struct {
		URL  string `json:"url"`
		Size int64  `json:"size"`
		ETag string `json:"etag"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil || info.Size != int64(len(data)) || info.ETag != etag {
		t.Fatalf("stat: exit %d, %q %s", code, out, errOut)
	}

	// cat with statistics and a trace, then replay the trace.
	stats, trace := filepath.Join(dir, "stats.json"), filepath.Join(dir, "trace.jsonl")
	out, errOut, code = runRung(t, "mezzfs", "cat", url, "--stats", stats, "--mezzfs-trace", trace)
	if code != 0 || !bytes.Equal([]byte(out), data) {
		t.Fatalf("cat: exit %d, %d bytes, %s", code, len(out), errOut)
	}
	var st map[string]int64
	b, _ := os.ReadFile(stats)
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("stats: %v: %s", err, b)
	}
	if st["bytes_read"] != int64(len(data)) || st["bytes_fetched"] < int64(len(data)) || st["requests"] < 3 {
		t.Fatalf("stats %v", st)
	}
	if _, errOut, code = runRung(t, "mezzfs", "replay", trace, "-o", filepath.Join(dir, "reads.png")); code != 0 {
		t.Fatalf("replay: exit %d: %s", code, errOut)
	}
	if fi, err := os.Stat(filepath.Join(dir, "reads.png")); err != nil || fi.Size() == 0 {
		t.Fatalf("replay wrote no picture: %v", err)
	}

	// cp S3 → local → S3, hashed at every step.
	local := filepath.Join(dir, "copy.bin")
	if _, errOut, code = runRung(t, "mezzfs", "cp", url, local); code != 0 {
		t.Fatalf("cp down: exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(local); sha256.Sum256(b) != sha256.Sum256(data) {
		t.Fatal("cp down: content differs")
	}
	up := s3test.URL(bucket, "out/copy.bin")
	if _, errOut, code = runRung(t, "mezzfs", "cp", local, up); code != 0 {
		t.Fatalf("cp up: exit %d: %s", code, errOut)
	}
	out, _, code = runRung(t, "mezzfs", "cat", up)
	if code != 0 || sha256.Sum256([]byte(out)) != sha256.Sum256(data) {
		t.Fatal("cp up: content differs")
	}

	// Errors: one line naming the URL, exit 1; bad usage, exit 2.
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"mezzfs", "stat", s3test.URL(bucket, "missing.bin")}, 1, "missing.bin"},
		{[]string{"mezzfs", "cp", s3test.URL(bucket, "missing.bin"), filepath.Join(dir, "x")}, 1, "missing.bin"},
		{[]string{"mezzfs", "cat", filepath.Join(dir, "nope")}, 1, "nope"},
		{[]string{"mezzfs", "cp", url}, 2, "SRC and DST"},
		{[]string{"mezzfs", "mount", filepath.Join(dir, "x"), dir}, 2, "s3://"},
		{[]string{"mezzfs", "replay", trace, "-o", filepath.Join(dir, "x.gif")}, 2, ".svg or .png"},
	}
	for _, tt := range tests {
		_, errOut, code := runRung(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("rung %s: exit %d, stderr %q; want exit %d and one line with %q", strings.Join(tt.args, " "), code, errOut, tt.code, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Error("a failed cp left its destination")
	}

	// --s3-endpoint instead of AWS_ENDPOINT_URL (last: nothing else may
	// run without an endpoint on loopback).
	t.Setenv("AWS_ENDPOINT_URL", "")
	if out, errOut, code := runRung(t, "mezzfs", "stat", url, "--s3-endpoint", srv.Endpoint); code != 0 || !strings.Contains(out, etag) {
		t.Fatalf("stat --s3-endpoint: exit %d, %q %s", code, out, errOut)
	}
}

func TestMezzfsMountCLI(t *testing.T) {
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("/dev/fuse is missing: FUSE mounts cannot be tested here")
	}
	srv := s3test.Start(t)
	s3Env(t, srv)
	bucket := srv.Bucket("studio")
	data := make([]byte, 3<<20+1)
	rand.NewChaCha8([32]byte{2}).Read(data)
	srv.Put(bucket, "titles/x/mezz.mov", data)
	dir := t.TempDir()
	stats := filepath.Join(t.TempDir(), "stats.json")
	cmd := exec.Command(rungBin, "mezzfs", "mount", s3test.URL(bucket, "titles"), dir, "--stats", stats)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	path := filepath.Join(dir, "x", "mezz.mov")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear: %s", path, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, err := os.ReadFile(path)
	if err != nil || sha256.Sum256(b) != sha256.Sum256(data) {
		t.Fatalf("read through the mount: %v (or the hash differs)", err)
	}
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("mount exited with %v: %s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("mount did not end on interrupt")
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("still mounted after interrupt")
	}
	var st map[string]int64
	if b, err := os.ReadFile(stats); err != nil || json.Unmarshal(b, &st) != nil || st["bytes_read"] < int64(len(data)) {
		t.Fatalf("stats after unmount: %v %s", err, b)
	}
}
