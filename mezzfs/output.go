package mezzfs

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// DefaultPartSize is the size of the parts of an S3 output (S3 wants at
// least 5 MiB for every part but the last).
const DefaultPartSize = 8 << 20

// uploadParallel bounds the parts of one output in flight.
const uploadParallel = 4

// multipartAPI is what an S3 Output needs. *s3.Client implements it.
type multipartAPI interface {
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(ctx context.Context, in *s3.UploadPartInput, optFns ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

// Output is a file being written to a local path or an s3:// URL. Its
// name shows the new content only once Commit succeeds, all of it: a local
// output is written to a temporary file in the same directory and renamed;
// an S3 output is a multipart upload completed by Commit. Abort (or a
// cancelled context, or a crash) leaves the name as it was; the usual
// pattern is
//
//	out, err := mezzfs.Create(ctx, url, opts)
//	...
//	defer out.Abort()
//	... write ...
//	return out.Commit()
type Output struct {
	name string
	w    io.Writer
	// commit and abort end the output; done is set by the first to run.
	commit func() error
	abort  func() error
	done   bool
}

// Create starts an output to name, a local path or an s3://bucket/key URL.
func Create(ctx context.Context, name string, o Options) (*Output, error) {
	if !IsS3(name) {
		return createFile(name)
	}
	u, err := objectURL("create", name)
	if err != nil {
		return nil, err
	}
	client, err := o.client(ctx)
	if err != nil {
		return nil, err
	}
	return createS3(ctx, client, u, name, DefaultPartSize)
}

// WriteFile writes name (a local path or an s3:// URL) whole through
// Create: write fills it, and name appears only when write succeeds (with
// mode 0644 for a local file); on any error it is left as it was.
func WriteFile(ctx context.Context, name string, o Options, write func(io.Writer) error) error {
	out, err := Create(ctx, name, o)
	if err != nil {
		return err
	}
	defer out.Abort()
	if err := write(out); err != nil {
		return fmt.Errorf("mezzfs: write %s: %w", name, err)
	}
	return out.Commit()
}

// Write appends p to the output.
func (o *Output) Write(p []byte) (int, error) {
	if o.done {
		return 0, fmt.Errorf("mezzfs: write %s: output already ended", o.name)
	}
	return o.w.Write(p)
}

// Commit makes everything written visible under the output's name.
func (o *Output) Commit() error {
	if o.done {
		return fmt.Errorf("mezzfs: commit %s: output already ended", o.name)
	}
	o.done = true
	if err := o.commit(); err != nil {
		o.abort()
		return err
	}
	return nil
}

// Abort discards what was written; the name is left untouched. It does
// nothing after Commit or a previous Abort, so it can be deferred.
func (o *Output) Abort() error {
	if o.done {
		return nil
	}
	o.done = true
	return o.abort()
}

// createFile starts a local output: a temporary file beside path.
func createFile(name string) (*Output, error) {
	path := strings.TrimPrefix(name, "file://")
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".part*")
	if err != nil {
		return nil, fmt.Errorf("mezzfs: create %s: %w", name, err)
	}
	tmp := f.Name()
	out := &Output{name: name, w: f}
	out.abort = func() error {
		f.Close()
		if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("mezzfs: abort %s: %w", name, err)
		}
		return nil
	}
	out.commit = func() error {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("mezzfs: commit %s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("mezzfs: commit %s: %w", name, err)
		}
		if err := os.Chmod(tmp, 0o644); err != nil {
			return fmt.Errorf("mezzfs: commit %s: %w", name, err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("mezzfs: commit %s: %w", name, err)
		}
		return nil
	}
	return out, nil
}

// s3Writer cuts what is written into parts and uploads them in the
// background, a few at a time.
type s3Writer struct {
	// Write once.
	ctx      context.Context // cancelled by abort
	api      multipartAPI
	u        S3URL
	name     string
	uploadID string
	partSize int
	g        *errgroup.Group

	buf  []byte // the part being filled
	next int32  // number of the next part

	mu sync.Mutex
	// Guarded by mu.
	parts []types.CompletedPart
}

// createS3 starts a multipart upload to u.
func createS3(ctx context.Context, api multipartAPI, u S3URL, name string, partSize int) (*Output, error) {
	mp, err := api.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(u.Bucket), Key: aws.String(u.Key), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	})
	if err != nil {
		return nil, fmt.Errorf("mezzfs: create %s: %w", name, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(uploadParallel)
	w := &s3Writer{ctx: gctx, api: api, u: u, name: name, uploadID: aws.ToString(mp.UploadId), partSize: partSize, g: g, next: 1}
	out := &Output{name: name, w: w}
	// abortUpload runs even when ctx is cancelled: a cancelled command must
	// still not leave parts behind.
	abortUpload := func() error {
		cancel()
		g.Wait()
		actx, acancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer acancel()
		_, err := api.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: aws.String(u.Bucket), Key: aws.String(u.Key), UploadId: mp.UploadId})
		if err != nil {
			return fmt.Errorf("mezzfs: abort %s: %w", name, err)
		}
		return nil
	}
	out.abort = abortUpload
	out.commit = func() error {
		defer cancel()
		if len(w.buf) > 0 || w.next == 1 {
			w.flush() // the last part, possibly short; an empty object is one empty part
		}
		if err := g.Wait(); err != nil {
			return fmt.Errorf("mezzfs: upload %s: %w", name, err)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("mezzfs: upload %s: %w", name, err)
		}
		w.mu.Lock()
		parts := append([]types.CompletedPart(nil), w.parts...)
		w.mu.Unlock()
		sortParts(parts)
		_, err := api.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(u.Bucket), Key: aws.String(u.Key), UploadId: mp.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
		if err != nil {
			return fmt.Errorf("mezzfs: complete %s: %w", name, err)
		}
		return nil
	}
	return out, nil
}

// Write buffers p and starts an upload for every full part.
func (w *s3Writer) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if err := w.ctx.Err(); err != nil {
			return n, fmt.Errorf("mezzfs: upload %s: %w", w.name, context.Cause(w.ctx))
		}
		if w.buf == nil {
			w.buf = make([]byte, 0, w.partSize)
		}
		k := min(len(p), w.partSize-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p, n = p[k:], n+k
		if len(w.buf) == w.partSize {
			w.flush()
		}
	}
	return n, nil
}

// flush starts the upload of the buffered part (waiting for a free slot).
// A part is retried as a ranged read is: on 5xx, resets and timeouts.
func (w *s3Writer) flush() {
	body, num := w.buf, w.next
	w.buf, w.next = nil, w.next+1
	w.g.Go(func() error {
		var out *s3.UploadPartOutput
		err := withRetries(w.ctx, DefaultRetries, defaultBackoff, func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, DefaultRequestTimeout)
			defer cancel()
			var err error
			out, err = w.api.UploadPart(ctx, &s3.UploadPartInput{
				Bucket: aws.String(w.u.Bucket), Key: aws.String(w.u.Key), UploadId: aws.String(w.uploadID),
				PartNumber: aws.Int32(num), Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body))),
				ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			})
			return err
		})
		if err != nil {
			return fmt.Errorf("part %d: %w", num, err)
		}
		w.mu.Lock()
		w.parts = append(w.parts, types.CompletedPart{PartNumber: aws.Int32(num), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
		w.mu.Unlock()
		return nil
	})
}

// sortParts orders parts by number, as CompleteMultipartUpload requires.
func sortParts(parts []types.CompletedPart) {
	slices.SortFunc(parts, func(a, b types.CompletedPart) int {
		return cmp.Compare(aws.ToInt32(a.PartNumber), aws.ToInt32(b.PartNumber))
	})
}
