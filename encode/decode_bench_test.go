package encode

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/asticode/go-astiav"

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

// BenchmarkSceneDetection compares, on the intra-only multi-shot clip,
// the two ways of finding its scene cuts: the sparse pass of PlanChunks
// (FrameDifferences: every fourth frame decoded, then the spans that may
// hold a cut), a decode of its own before any chunk is encoded; and what
// the streaming encode adds to the decode it does anyway (the luma block
// sums of every frame and sceneStream), measured as the time over a plain
// decode, which it also reports. Each reports ms per pass over the clip.
func BenchmarkSceneDetection(b *testing.B) {
	path := filepath.Join(vmafref.Dir(b), "clips", "multishot_768x432.mkv")
	src, closeSrc, err := OpenSource(path)
	if err != nil {
		b.Fatal(err)
	}
	defer closeSrc()
	ctx := context.Background()
	info, err := Probe(ctx, src, path)
	if err != nil {
		b.Fatal(err)
	}
	// decode decodes every frame, calling each on it.
	decode := func(b *testing.B, each func(*astiav.Frame)) {
		fd, err := openFrameDecoder(src, path, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer fd.Close()
		f := astiav.AllocFrame()
		defer f.Free()
		for {
			err := fd.next(f)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				b.Fatal(err)
			}
			each(f)
		}
	}
	perPass := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/pass")
	}
	b.Run("sparse-pass", func(b *testing.B) {
		for b.Loop() {
			if _, err := FrameDifferences(ctx, src, info, SceneOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		perPass(b)
	})
	b.Run("sparse-pass-two-decoders", func(b *testing.B) {
		for b.Loop() {
			if _, err := PlanChunksFunc(ctx, src, info, PlanOptions{}, func(Chunk) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
		perPass(b)
	})
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			decode(b, func(*astiav.Frame) {})
		}
		perPass(b)
	})
	b.Run("decode+stream-detection", func(b *testing.B) {
		for b.Loop() {
			luma := newLumaSampler(info.Video)
			s := newSceneStream(info.Video, SceneOptions{})
			decode(b, func(f *astiav.Frame) {
				sums, err := luma.sums(f)
				if err != nil {
					b.Fatal(err)
				}
				s.push(sums)
			})
			luma.free()
		}
		perPass(b)
	})
}
