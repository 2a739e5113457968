package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
	"rung/mezzfs"
)

// uploadParallel bounds the files of a directory uploaded at once.
const uploadParallel = 4

// s3Client returns opts with one S3 client set, so that the outputs of a
// command share it.
func s3Client(ctx context.Context, opts mezzfs.Options) (mezzfs.Options, error) {
	if opts.S3 != nil {
		return opts, nil
	}
	client, err := mezzfs.NewS3Client(ctx, opts.S3Options)
	if err != nil {
		return opts, err
	}
	opts.S3 = client
	return opts, nil
}

// uploadFile copies the local file at local to dst (a path or an s3://
// URL) through mezzfs.Create: dst appears, whole, only when every byte is
// written; on any failure, cancellation included, the upload is aborted.
// Reads of local are not counted in opts' statistics or trace: they are
// the command's own output, not its source.
func uploadFile(ctx context.Context, local, dst string, opts mezzfs.Options) error {
	src, err := mezzfs.Open(ctx, local, mezzfs.Options{})
	if err != nil {
		return err
	}
	defer src.Close()
	opts.Stats, opts.Trace = nil, nil
	out, err := mezzfs.Create(ctx, dst, opts)
	if err != nil {
		return err
	}
	defer out.Abort()
	if _, err := mezzfs.Copy(ctx, out, src, nil); err != nil {
		return fmt.Errorf("upload %s to %s: %w", local, dst, err)
	}
	return out.Commit()
}

// uploadDir uploads every regular file under dir, except those under the
// subdirectories named in skip, to prefix/RELATIVE/PATH, a few at a time.
// Files named in last are uploaded after all the others, so that a prefix
// holding them is complete. It stops at the first error; files already
// committed stay.
func uploadDir(ctx context.Context, dir, prefix string, skip, last []string, opts mezzfs.Options) error {
	var files, tail []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			if slices.Contains(skip, rel) {
				return filepath.SkipDir
			}
		case d.Type().IsRegular() && slices.Contains(last, rel):
			tail = append(tail, rel)
		case d.Type().IsRegular():
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("upload %s: %w", dir, err)
	}
	for _, batch := range [][]string{files, tail} {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(uploadParallel)
		for _, rel := range batch {
			g.Go(func() error {
				return uploadFile(gctx, filepath.Join(dir, filepath.FromSlash(rel)), joinURL(prefix, rel), opts)
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	return nil
}

// joinURL appends a slash-separated relative path to an s3:// prefix.
func joinURL(prefix, rel string) string {
	return strings.TrimSuffix(prefix, "/") + "/" + path.Clean(rel)
}

// s3WorkDir is the default local work directory of an encode to the s3://
// URL dst: the same for every run to dst, so that reruns resume from its
// finished chunks.
func s3WorkDir(dst string) string {
	sum := sha256.Sum256([]byte(dst))
	return filepath.Join(os.TempDir(), "rung-"+hex.EncodeToString(sum[:6])+".rung")
}
