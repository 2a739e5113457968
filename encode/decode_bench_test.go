package encode

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"rung/internal/vmafref"
)

// BenchmarkDecode decodes the 720p FFV1 clip into quality pictures, as
// rung score does for a reference, and reports frames/s.
func BenchmarkDecode(b *testing.B) {
	src := filepath.Join(vmafref.Dir(b), "clips", "bbb_1280x720.mkv")
	ctx := context.Background()
	frames := 0
	for b.Loop() {
		dec, err := OpenFile(ctx, src, DecodeOptions{})
		if err != nil {
			b.Fatal(err)
		}
		p := dec.Info().NewPicture()
		for {
			err := dec.ReadPicture(p)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			frames++
		}
		dec.Close()
	}
	b.SetBytes(1280 * 720 * 3 / 2 * 75)
	b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "frames/s")
}

// BenchmarkFrameDifferences measures the scene detector's pass over the
// 720p clip.
func BenchmarkFrameDifferences(b *testing.B) {
	path := filepath.Join(vmafref.Dir(b), "clips", "bbb_1280x720.mkv")
	src, closeSrc, err := OpenSource(path)
	if err != nil {
		b.Fatal(err)
	}
	defer closeSrc()
	info, err := Probe(context.Background(), src, path)
	if err != nil {
		b.Fatal(err)
	}
	frames := 0
	for b.Loop() {
		d, err := FrameDifferences(context.Background(), src, info, SceneOptions{})
		if err != nil {
			b.Fatal(err)
		}
		frames += len(d)
	}
	b.SetBytes(1280 * 720 * 75)
	b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "frames/s")
}
