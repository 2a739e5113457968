package mezzfs

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"rung/internal/s3test"
)

func TestMountS3(t *testing.T) {
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("mezzfs: /dev/fuse is missing: FUSE mounts cannot be tested here")
	}
	if _, err := exec.LookPath("fusermount3"); err != nil {
		if _, err := exec.LookPath("fusermount"); err != nil {
			t.Skip("mezzfs: no fusermount3 (Debian package fuse3): FUSE mounts cannot be tested here")
		}
	}
	srv := s3test.Start(t)
	bucket := srv.Bucket("studio")
	big := randomBytes(9<<20+11, 10)
	small := randomBytes(1000, 11)
	srv.Put(bucket, "titles/a/mezzanine.mov", big)
	srv.Put(bucket, "titles/a/notes.txt", small)
	srv.Put(bucket, "titles/b/other.mov", small)
	srv.Put(bucket, "elsewhere.bin", small)

	dir := t.TempDir()
	stats := new(Stats)
	m, err := MountS3(context.Background(), s3test.URL(bucket, "titles"), dir, Options{S3: srv.Client(), Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Unmount() })

	got, err := os.ReadFile(filepath.Join(dir, "a", "mezzanine.mov"))
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(got) != sha256.Sum256(big) {
		t.Fatal("mounted file's hash differs from the object's")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "b", "other.mov")); err != nil || sha256.Sum256(b) != sha256.Sum256(small) {
		t.Fatalf("b/other.mov: %v", err)
	}
	ents, err := os.ReadDir(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"mezzanine.mov", "notes.txt"}) {
		t.Fatalf("a/ lists %v", names)
	}
	st, err := os.Stat(filepath.Join(dir, "a", "mezzanine.mov"))
	if err != nil || st.Size() != int64(len(big)) || st.Mode().Perm() != 0o444 {
		t.Fatalf("stat: %v %v", st, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "elsewhere.bin")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an object outside the prefix is visible: %v", err)
	}
	_, err = os.OpenFile(filepath.Join(dir, "a", "notes.txt"), os.O_WRONLY, 0)
	if !errors.Is(err, syscall.EROFS) && !errors.Is(err, syscall.EACCES) && !errors.Is(err, syscall.EPERM) {
		t.Fatalf("open for writing: %v, want a refusal", err)
	}
	if s := stats.Snapshot(); s.BytesFetched < int64(len(big)) || s.BytesFetched > int64(len(big))+2*DefaultBlockSize {
		t.Fatalf("stats %+v: the mount should fetch about what is read", s)
	}
	if err := m.Unmount(); err != nil {
		t.Fatal(err)
	}
}
