package quality

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"rung/internal/vmafref"
)

// loopReader plays a y4m file n times over, reopening it at each end: a
// long input without a long file.
type loopReader struct {
	path string
	left int
	f    *os.File
	r    *Y4MReader
}

func newLoopReader(tb testing.TB, path string, n int) *loopReader {
	l := &loopReader{path: path, left: n}
	if err := l.open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.f.Close() })
	return l
}

func (l *loopReader) open() error {
	if l.f != nil {
		l.f.Close()
	}
	f, err := os.Open(l.path)
	if err != nil {
		return err
	}
	r, err := NewY4MReader(f, l.path)
	if err != nil {
		f.Close()
		return err
	}
	l.f, l.r, l.left = f, r, l.left-1
	return nil
}

func (l *loopReader) Info() VideoInfo { return l.r.Info() }

func (l *loopReader) ReadPicture(p *Picture) error {
	err := l.r.ReadPicture(p)
	if errors.Is(err, io.EOF) && l.left > 0 {
		if err := l.open(); err != nil {
			return err
		}
		return l.r.ReadPicture(p)
	}
	return err
}

// BenchmarkScore measures whole-VMAF throughput (vmaf_v0.6.1: integer VIF,
// ADM and motion, and the model) on the 1080p and a small reference pair at
// 1 and 2 threads, in frames/s, to set beside libvmaf's figures in
// ../shared/vmaf-ref/README.md (17.9 frames/s at 1 thread, 32.1 at 2, 1080p).
// The loop10 cases score the same pair ten times over and report peak heap:
// it must not grow with the length of the video.
//
// The +psnr+ssim+ms_ssim cases add the toolbox features in the same pass;
// divide their frames/s by the plain case's for the cost ratio.
func BenchmarkScore(b *testing.B) {
	toolbox := []string{"psnr", "float_ssim", "float_ms_ssim"}
	cases := []struct {
		name    string
		pair    string
		threads int
		loops   int
		extra   []string // --feature psnr, float_ssim, float_ms_ssim
	}{
		{"1080p/threads=1", "bbb_1920x1080_crf28.vmaf_v0.6.1", 1, 1, nil},
		{"1080p/threads=2", "bbb_1920x1080_crf28.vmaf_v0.6.1", 2, 1, nil},
		{"360p/threads=1", "bottles_640x360_48f_crf38.vmaf_v0.6.1", 1, 1, nil},
		{"360p/threads=2", "bottles_640x360_48f_crf38.vmaf_v0.6.1", 2, 1, nil},
		{"1080p-loop1/threads=2", "bbb_1920x1080_crf28.vmaf_v0.6.1", 2, 1, nil},
		{"1080p-loop10/threads=2", "bbb_1920x1080_crf28.vmaf_v0.6.1", 2, 10, nil},
		{"1080p+psnr+ssim+ms_ssim/threads=2", "bbb_1920x1080_crf28.vmaf_v0.6.1", 2, 1, toolbox},
		{"360p+psnr+ssim+ms_ssim/threads=2", "bottles_640x360_48f_crf38.vmaf_v0.6.1", 2, 1, toolbox},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dir, e := vmafref.Find(b, c.pair)
			refPath, disPath := vmafref.Inputs(b, dir, e)
			model, err := LoadModel(filepath.Join(dir, "vmaf", "model", "vmaf_v0.6.1.json"))
			if err != nil {
				b.Fatal(err)
			}
			ex, err := Extractors(model, c.extra)
			if err != nil {
				b.Fatal(err)
			}
			frameBytes := int64(e.Width * e.Height * 3) // ref + dis luma and chroma, 8-bit 4:2:0
			b.SetBytes(frameBytes * int64(e.Frames*c.loops))
			runtime.GC()
			// Peak heap in use (garbage included) and peak live heap (what
			// the last GC kept): the second must not grow with the video.
			var peak, peakLive atomic.Uint64
			stop := make(chan struct{})
			go func() {
				var ms runtime.MemStats
				live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
				for {
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peak.Load() {
						peak.Store(ms.HeapInuse)
					}
					metrics.Read(live)
					if v := live[0].Value.Uint64(); v > peakLive.Load() {
						peakLive.Store(v)
					}
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			}()
			b.ResetTimer()
			start := time.Now()
			frames := 0
			for range b.N {
				res, err := Score(context.Background(), newLoopReader(b, refPath, c.loops), newLoopReader(b, disPath, c.loops), ScoreOptions{
					Extractors: ex, Model: model, Threads: c.threads,
				})
				if err != nil {
					b.Fatal(err)
				}
				frames += res.Frames
			}
			el := time.Since(start).Seconds()
			close(stop)
			b.ReportMetric(float64(frames)/el, "frames/s")
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(peakLive.Load())/(1<<20), "peak-live-MB")
			if c.loops > 1 {
				b.Logf("%s: %d frames, peak heap %.1f MB, peak live heap %.1f MB", c.name, frames/b.N, float64(peak.Load())/(1<<20), float64(peakLive.Load())/(1<<20))
			}
		})
	}
}
