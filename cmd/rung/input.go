package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"rung/encode"
	"rung/mezzfs"
	"rung/quality"
)

// rawFormat is what the user states about headerless .yuv inputs.
type rawFormat struct {
	width, height int
	pixfmt        string
}

// video is an opened input: pictures plus the file to close.
type video struct {
	quality.VideoReader
	close func() error
}

func (v *video) Close() error { return v.close() }

// openVideo opens path as a y4m stream (sniffed by its signature), a raw
// .yuv file (sized by raw), or anything FFmpeg decodes, local or s3://.
// Local files are read through mezzfs too when opts asks for statistics or
// a trace (as encode.OpenSourceWith does), so --stats and --mezzfs-trace
// cover local and s3:// inputs alike. like, when set, is the reference's
// format: a decoded distorted input is scaled to its size with bicubic, as
// Netflix scores.
func openVideo(ctx context.Context, path string, raw rawFormat, like *quality.VideoInfo, opts mezzfs.Options) (*video, error) {
	if strings.Contains(path, "://") {
		return openDecoded(ctx, path, like, opts) // s3:// and the like: read by range through mezzfs
	}
	r, size, closeFile, err := openLocal(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(r, 1<<20)
	head, _ := br.Peek(9)
	switch {
	case string(head) == "YUV4MPEG2":
		r, err := quality.NewY4MReader(br, path)
		if err != nil {
			closeFile()
			return nil, err
		}
		return &video{r, closeFile}, nil
	case strings.HasSuffix(strings.ToLower(path), ".yuv"):
		if raw.width == 0 || raw.height == 0 {
			closeFile()
			return nil, usagef("%s: raw .yuv input needs --width, --height and --pixfmt", path)
		}
		r, err := quality.NewRawReader(br, path, raw.width, raw.height, raw.pixfmt, size)
		if err != nil {
			closeFile()
			return nil, err
		}
		return &video{r, closeFile}, nil
	}
	closeFile()
	return openDecoded(ctx, path, like, opts)
}

// openLocal opens a local file for reading from the start: through mezzfs
// when opts counts or traces reads, else directly (pipes included).
func openLocal(ctx context.Context, path string, opts mezzfs.Options) (r io.Reader, size int64, closeFile func() error, err error) {
	if opts.Stats != nil || opts.Trace != nil {
		src, err := mezzfs.Open(ctx, path, opts)
		if err != nil {
			return nil, 0, nil, err
		}
		return io.NewSectionReader(src, 0, src.Size()), src.Size(), src.Close, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("open %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, nil, fmt.Errorf("stat %s: %w", path, err)
	}
	return f, st.Size(), f.Close, nil
}

// openDecoded opens path with FFmpeg over a Source opened with opts,
// probed first so that Info().Frames is exact. A distorted input (like
// set) is scaled to the reference's size and bit depth with bicubic
// swscale.
func openDecoded(ctx context.Context, path string, like *quality.VideoInfo, opts mezzfs.Options) (*video, error) {
	var dopts encode.DecodeOptions
	if like != nil {
		dopts = encode.DecodeOptions{Width: like.Width, Height: like.Height, BitDepth: like.BitDepth, Chroma420: like.Chroma == quality.Chroma420}
	}
	src, closeSrc, err := encode.OpenSourceWith(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	if dopts.Info, err = encode.Probe(ctx, src, path); err != nil {
		closeSrc()
		return nil, err
	}
	d, err := encode.OpenVideo(ctx, src, path, dopts)
	if err != nil {
		closeSrc()
		return nil, err
	}
	return &video{d, func() error {
		err := d.Close()
		if cerr := closeSrc(); err == nil {
			err = cerr
		}
		return err
	}}, nil
}
