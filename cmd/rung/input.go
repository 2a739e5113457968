package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"rung/encode"
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
// .yuv file (sized by raw), or anything FFmpeg decodes, local or s3://. like, when set, is the
// reference's format: a decoded distorted input is scaled to its size with
// bicubic, as Netflix scores.
func openVideo(ctx context.Context, path string, raw rawFormat, like *quality.VideoInfo) (*video, error) {
	if strings.Contains(path, "://") {
		return openDecoded(ctx, path, like) // s3:// and the like: read by range through mezzfs
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	br := bufio.NewReaderSize(f, 1<<20)
	head, _ := br.Peek(9)
	switch {
	case string(head) == "YUV4MPEG2":
		r, err := quality.NewY4MReader(br, path)
		if err != nil {
			f.Close()
			return nil, err
		}
		return &video{r, f.Close}, nil
	case strings.HasSuffix(strings.ToLower(path), ".yuv"):
		if raw.width == 0 || raw.height == 0 {
			f.Close()
			return nil, usagef("%s: raw .yuv input needs --width, --height and --pixfmt", path)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("stat %s: %w", path, err)
		}
		r, err := quality.NewRawReader(br, path, raw.width, raw.height, raw.pixfmt, st.Size())
		if err != nil {
			f.Close()
			return nil, err
		}
		return &video{r, f.Close}, nil
	}
	f.Close()
	return openDecoded(ctx, path, like)
}

// openDecoded opens path with FFmpeg. A distorted input (like set) is
// scaled to the reference's size and bit depth with bicubic swscale.
func openDecoded(ctx context.Context, path string, like *quality.VideoInfo) (*video, error) {
	var opts encode.DecodeOptions
	if like != nil {
		opts = encode.DecodeOptions{Width: like.Width, Height: like.Height, BitDepth: like.BitDepth, Chroma420: like.Chroma == quality.Chroma420}
	}
	d, err := encode.OpenFile(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	return &video{d, d.Close}, nil
}
