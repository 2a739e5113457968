package encode

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"rung/internal/vmafref"
)

// TestPlanChunksFunc checks that the plan found while chunks are handed
// over equals the plan of FrameDifferences' one-decoder sparse pass (cuts
// and chunks, sequentialPlan), that found gets every chunk
// once, in order, and that an error from found stops the search: on
// intra-only sources (the two-decoder sparse pass), an inter-coded one
// and a damaged one.
func TestPlanChunksFunc(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	shared := vmafref.Dir(t)
	mixed := mixedClip(t, dir)
	inter := filepath.Join(dir, "inter.mkv")
	runFFmpeg(t, "-i", mixed, "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", inter)
	damaged := filepath.Join(dir, "damaged.mkv")
	corruptCopy(t, mixed, damaged)
	tests := []struct {
		name string
		path string
		opts PlanOptions
	}{
		{"multishot", filepath.Join(shared, "clips", "multishot_768x432.mkv"), PlanOptions{}},
		{"multishot short chunks", filepath.Join(shared, "clips", "multishot_768x432.mkv"), PlanOptions{ChunkSeconds: 1, MinChunk: 0.3}},
		{"mixed", mixed, PlanOptions{ChunkSeconds: 2, MinChunk: 0.5}},
		{"inter", inter, PlanOptions{ChunkSeconds: 2, MinChunk: 0.5}},
		{"damaged", damaged, PlanOptions{ChunkSeconds: 2, MinChunk: 0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, info := probedSource(t, tt.path)
			want := sequentialPlan(t, src, info, tt.opts)
			var handed []Chunk
			got, err := PlanChunksFunc(t.Context(), src, info, tt.opts, func(c Chunk) error {
				handed = append(handed, c)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("plan %+v, the one-decoder pass gives %+v", got, want)
			}
			if !reflect.DeepEqual(handed, want.Chunks) {
				t.Errorf("handed %v, want %v", handed, want.Chunks)
			}
			if len(want.Chunks) < 2 {
				t.Fatalf("%d chunks: the case tests nothing", len(want.Chunks))
			}
			stop := errors.New("stop")
			n := 0
			_, err = PlanChunksFunc(t.Context(), src, info, tt.opts, func(Chunk) error {
				if n++; n == 2 {
					return stop
				}
				return nil
			})
			if !errors.Is(err, stop) || n != 2 {
				t.Errorf("found's error: got %v after %d chunks, want it after 2", err, n)
			}
			t.Logf("%d frames, cuts %v, %d chunks", info.Video.Frames, want.SceneCuts, len(want.Chunks))
		})
	}
}

// corruptCopy copies src to dst with 4 KiB of garbage written over the
// data at 30% and 60% of the file: frames there do not decode.
func corruptCopy(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{len(b) * 3 / 10, len(b) * 6 / 10} {
		for i := at; i < at+4096 && i < len(b); i++ {
			b[i] = byte(i*131 + 7)
		}
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sequentialPlan is the plan of FrameDifferences' differences: the scene
// cuts of every frame's difference, cut into chunks by CutChunks.
func sequentialPlan(t *testing.T, src Source, info *Info, opts PlanOptions) *Plan {
	t.Helper()
	v := info.Video
	p := &Plan{Source: info.Name, Frames: v.Frames, FrameRate: v.FrameRate, SceneCuts: []int{}}
	minLen, maxLen, detect := planLengths(info, opts)
	if detect {
		diffs, err := FrameDifferences(t.Context(), src, info, opts.Scene)
		if err != nil {
			t.Fatal(err)
		}
		p.SceneCuts = append(p.SceneCuts, SceneCuts(diffs, opts.Scene)...)
	}
	p.Chunks = CutChunks(v.Frames, p.SceneCuts, minLen, maxLen)
	return p
}

// probedSource opens and probes a file for a test, closed when it ends.
func probedSource(tb testing.TB, path string) (Source, *Info) {
	tb.Helper()
	src, closeSrc, err := OpenSource(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { closeSrc() })
	info, err := Probe(context.Background(), src, path)
	if err != nil {
		tb.Fatal(err)
	}
	return src, info
}
