package encode

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"rung/internal/vmafref"
	"rung/quality"
)

// TestDecodeMatchesFFmpeg decodes reference-pair inputs with Decoder and
// compares every sample with the y4m the ffmpeg CLI made for libvmaf
// (vmafref.Inputs): plain 8-bit H.264, the bicubic upscale of the half
// resolution pair, the 10-bit H.264 and the 8-bit FFV1 converted to 10 bits.
func TestDecodeMatchesFFmpeg(t *testing.T) {
	tests := []struct {
		entry string
		dist  bool // decode the distorted side (else the reference)
		opts  DecodeOptions
	}{
		{"cars_768x432_crf28.vmaf_v0.6.1", true, DecodeOptions{}},
		{"cars_768x432_crf28.vmaf_v0.6.1", false, DecodeOptions{}},
		{"bbb_1280x720_half_crf23.vmaf_v0.6.1", true, DecodeOptions{Width: 1280, Height: 720}},
		{"bbb_1280x720_10bit_crf28.vmaf_v0.6.1", true, DecodeOptions{BitDepth: 10}},
		{"bbb_1280x720_10bit_crf28.vmaf_v0.6.1", false, DecodeOptions{BitDepth: 10}},
	}
	for _, tt := range tests {
		side := "ref"
		if tt.dist {
			side = "dist"
		}
		t.Run(tt.entry+"/"+side, func(t *testing.T) {
			dir, e := vmafref.Find(t, tt.entry)
			refY4M, distY4M := vmafref.Inputs(t, dir, e)
			src, want := filepath.Join(dir, e.Ref), refY4M
			if tt.dist {
				src, want = filepath.Join(dir, e.Dist), distY4M
			}
			dec, err := OpenFile(context.Background(), src, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer dec.Close()
			f, err := os.Open(want)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			y4m, err := quality.NewY4MReader(bufio.NewReaderSize(f, 1<<20), want)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := dec.Info().Format(), y4m.Info().Format(); got != want {
				t.Fatalf("decoder yields %s, ffmpeg %s", got, want)
			}
			if dec.Info().Frames != e.Frames {
				t.Errorf("Info().Frames = %d, want %d", dec.Info().Frames, e.Frames)
			}
			n := comparePictures(t, dec, y4m)
			if n != e.Frames {
				t.Errorf("decoded %d frames, want %d", n, e.Frames)
			}
		})
	}
}

// comparePictures reads both videos to the end and fails on the first
// differing sample; it returns the number of frames compared.
func comparePictures(t *testing.T, got, want quality.VideoReader) int {
	t.Helper()
	pg, pw := got.Info().NewPicture(), want.Info().NewPicture()
	for n := 0; ; n++ {
		eg, ew := got.ReadPicture(pg), want.ReadPicture(pw)
		if errors.Is(eg, io.EOF) && errors.Is(ew, io.EOF) {
			return n
		}
		if eg != nil || ew != nil {
			t.Fatalf("frame %d: decoder: %v, ffmpeg: %v", n, eg, ew)
		}
		for p := range pg.Planes {
			for i := range pg.Planes[p] {
				if pg.Planes[p][i] != pw.Planes[p][i] {
					w := pg.PlaneWidth(p)
					t.Fatalf("frame %d plane %d (%d,%d): got %d, ffmpeg %d", n, p, i%w, i/w, pg.Planes[p][i], pw.Planes[p][i])
				}
			}
		}
	}
}

// TestDecodeDeinterlace checks that DecodeOptions.Deinterlace gives an
// interlaced source's frames as the encode sees them: byte for byte what
// `ffmpeg -vf bwdif=mode=send_frame:parity=auto:deint=all` decodes, one
// picture per source frame; without it, the fields stay woven.
func TestDecodeDeinterlace(t *testing.T) {
	needFFmpeg(t)
	const src = "testdata/tiny-interlaced.mxf"
	ctx := context.Background()
	read := func(deint bool) []byte {
		d, err := OpenFile(ctx, src, DecodeOptions{Deinterlace: deint})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var out []byte
		p := quality.NewPicture(d.Info().Width, d.Info().Height, d.Info().BitDepth, d.Info().Chroma)
		for {
			err := d.ReadPicture(p)
			if errors.Is(err, io.EOF) {
				return out
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, pl := range p.Planes {
				for _, v := range pl {
					out = append(out, byte(v))
				}
			}
		}
	}
	want, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", src, "-vf", deinterlaceFilter,
		"-pix_fmt", "yuv422p", "-f", "rawvideo", "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	got, woven := read(true), read(false)
	if len(got) != len(woven) || len(got) != len(want) {
		t.Fatalf("%d bytes deinterlaced, %d woven, ffmpeg %d", len(got), len(woven), len(want))
	}
	if !bytes.Equal(got, want) {
		t.Error("deinterlaced pictures differ from ffmpeg's bwdif")
	}
	if bytes.Equal(got, woven) {
		t.Error("Deinterlace changed nothing")
	}
}
