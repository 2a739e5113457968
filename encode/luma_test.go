package encode

import (
	"errors"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/asticode/go-astiav"

	"rung/internal/vmafref"
)

// TestLumaSamplerTable checks that the block sums taken through the
// learnt gray table equal those of swscale's gray picture, frame by
// frame, for sources of every kind of 8-bit luma (limited and full range,
// planar and semi-planar) and for those it must leave to swscale.
func TestLumaSamplerTable(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	tests := []struct {
		name, pixFmt string
		direct       bool
	}{
		{"yuv420p.mkv", "yuv420p", true},
		{"yuvj420p.mkv", "yuvj420p", true},
		{"yuv422p.mkv", "yuv422p", true},
		{"nv12.nut", "nv12", true},
		{"yuv420p10le.mkv", "yuv420p10le", false},
		{"rgb24.mkv", "rgb24", false},
	}
	for _, tt := range tests {
		t.Run(tt.pixFmt, func(t *testing.T) {
			codec := "ffv1"
			if tt.pixFmt == "nv12" {
				codec = "rawvideo"
			}
			clip := makeClip(t, dir, tt.name, "-an", "-c:v", codec, "-pix_fmt", tt.pixFmt)
			checkLumaTable(t, clip, tt.direct)
		})
	}
	t.Run("multishot", func(t *testing.T) {
		checkLumaTable(t, filepath.Join(vmafref.Dir(t), "clips", "multishot_768x432.mkv"), true)
	})
}

func checkLumaTable(t *testing.T, clip string, direct bool) {
	t.Helper()
	src, info := probedSource(t, clip)
	fd, err := openFrameDecoder(src, clip, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	table, plain := newLumaSampler(info.Video), newLumaSampler(info.Video)
	defer table.free()
	defer plain.free()
	plain.direct = false
	f := astiav.AllocFrame()
	defer f.Free()
	n, fromTable := 0, 0
	for ; ; n++ {
		if err := fd.next(f); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		want, err := plain.sums(f)
		if err != nil {
			t.Fatal(err)
		}
		if table.direct && table.planar {
			table.y, table.stride = firstPlane(f)
			if _, ok := table.tableSums(f.Width(), f.Height()); ok {
				fromTable++
			}
		}
		got, err := table.sums(f)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("frame %d: block sums through the table differ from swscale's", n)
		}
	}
	if direct && (!table.direct || fromTable < n/2) {
		t.Errorf("%d of %d frames summed through the table (table kept: %v)", fromTable, n, table.direct)
	}
	if !direct && fromTable > 0 {
		t.Errorf("%d frames of a format without 8-bit luma summed through the table", fromTable)
	}
	t.Logf("%s: %d frames, %d through the table", filepath.Base(clip), n, fromTable)
}

// BenchmarkLumaSums times the scene detector's block sums of one 768x432
// frame of the multi-shot clip through the learnt table and through
// swscale's gray picture.
func BenchmarkLumaSums(b *testing.B) {
	clip := filepath.Join(vmafref.Dir(b), "clips", "multishot_768x432.mkv")
	src, info := probedSource(b, clip)
	fd, err := openFrameDecoder(src, clip, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer fd.Close()
	f := astiav.AllocFrame()
	defer f.Free()
	if err := fd.next(f); err != nil {
		b.Fatal(err)
	}
	for _, table := range []bool{true, false} {
		name := map[bool]string{true: "table", false: "swscale"}[table]
		b.Run(name, func(b *testing.B) {
			l := newLumaSampler(info.Video)
			defer l.free()
			l.direct = table
			if _, err := l.sums(f); err != nil { // learns the frame's values
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := l.sums(f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
		})
	}
}
