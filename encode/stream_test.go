package encode

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"rung/internal/vmafref"
)

// TestSceneStream feeds every frame's luma sums to sceneStream and checks
// that it finds the cuts of FrameDifferences (the strided pass for the
// intra-only source, every frame for the H.264 one), knowing each frame's
// difference at most sceneStride frames later.
func TestSceneStream(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	intra := mixedClip(t, dir)
	inter := filepath.Join(dir, "mixed.mp4")
	runFFmpeg(t, "-i", intra, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-g", "30", inter)
	for _, tt := range []struct {
		name, path string
		strided    bool
	}{{"intra-only", intra, true}, {"inter", inter, false}} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			src, closeSrc, err := OpenSource(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer closeSrc()
			info, err := Probe(ctx, src, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if stridedScenes(info.Video) != tt.strided {
				t.Fatalf("strided pass: %v, want %v", !tt.strided, tt.strided)
			}
			diffs, err := FrameDifferences(ctx, src, info, SceneOptions{})
			if err != nil {
				t.Fatal(err)
			}
			sums, err := lumaSums(ctx, src, info, func(int) bool { return true }, false)
			if err != nil {
				t.Fatal(err)
			}
			s := newSceneStream(info.Video, SceneOptions{})
			var cuts []int
			for i, sum := range sums {
				known := s.push(sum)
				if known < i+1-sceneStride || known > i+1 {
					t.Fatalf("after frame %d, %d differences known", i, known)
				}
				cuts = append(cuts, s.takeCuts()...)
			}
			if s.known != len(sums) {
				t.Errorf("%d of %d differences known at the end", s.known, len(sums))
			}
			if want := SceneCuts(diffs, SceneOptions{}); !slices.Equal(cuts, want) || !slices.Equal(cuts, []int{90, 140}) {
				t.Errorf("streamed cuts %v, FrameDifferences' %v, want [90 140]", cuts, want)
			}
		})
	}
}

// TestStreamEncode encodes a three-scene source decoding it once: the
// chunks are those PlanChunks plans, every frame is decoded once, the
// output is frame-exact; a rerun takes every chunk from the work dir and
// writes the same file, and a rerun missing one chunk encodes only that
// one. A rerun with other chunk lengths finds a cached chunk with its
// start but another end, and encodes it on its own.
func TestStreamEncode(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	path := mixedClip(t, dir)
	opts := PlanOptions{ChunkSeconds: 2, MinChunk: 0.5}
	job := Job{Settings: Settings{Codec: "x264", CRF: 30, Preset: "ultrafast"}, Output: filepath.Join(dir, "out.mp4"),
		PlanOptions: opts, Workers: 1}
	first := encodeFile(t, path, job)
	if th := first.Plan.Threads; th == nil || !th.Stream || th.Encoder < 1 {
		t.Fatalf("threads %+v: want a streaming encode", th)
	}
	if first.Decoded != 180 {
		t.Errorf("decoded %d frames, want the source's 180", first.Decoded)
	}
	// Frames held: those awaiting the detector (a span), a queue per open
	// encoder and the frame each is encoding; not the chunk's length.
	limit := int64(sceneStride + 1 + streamOpen*(streamQueue+1))
	if first.maxHeld > limit || first.maxHeld < 2 {
		t.Errorf("held up to %d decoded frames at once, want 2 to %d", first.maxHeld, limit)
	}
	t.Logf("held up to %d decoded frames at once (bound %d) for 180 frames in %d chunks", first.maxHeld, limit, first.Chunks)
	src, closeSrc, err := OpenSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer closeSrc()
	info, err := Probe(context.Background(), src, path)
	if err != nil {
		t.Fatal(err)
	}
	planned, err := PlanChunks(context.Background(), src, info, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(first.Plan.Chunks, planned.Chunks) || !slices.Equal(first.Plan.SceneCuts, planned.SceneCuts) {
		t.Errorf("streamed plan %v (cuts %v), PlanChunks %v (cuts %v)", first.Plan.Chunks, first.Plan.SceneCuts, planned.Chunks, planned.SceneCuts)
	}
	if first.Chunks != 4 || first.Encoded != 4 {
		t.Errorf("%d chunks, %d encoded; want 4 and 4", first.Chunks, first.Encoded)
	}
	want := ffprobeFrames(t, path)
	if got := ffprobeFrames(t, first.Output); !sameTimes(got, want) {
		t.Fatalf("output has %d frames, the source %d, or other times", len(got), len(want))
	}
	out1, err := os.ReadFile(first.Output)
	if err != nil {
		t.Fatal(err)
	}

	again := encodeFile(t, path, job)
	if again.Encoded != 0 || again.Cached != 4 {
		t.Errorf("rerun: %d encoded, %d cached; want 0 and 4", again.Encoded, again.Cached)
	}
	sameFile(t, again.Output, out1)

	chunks, _ := filepath.Glob(filepath.Join(job.Output+".rung", "00002-*.nut"))
	if len(chunks) != 1 {
		t.Fatalf("chunk 2 files: %v", chunks)
	}
	os.Remove(chunks[0])
	resumed := encodeFile(t, path, job)
	if resumed.Encoded != 1 || resumed.Cached != 3 {
		t.Errorf("resume: %d encoded, %d cached; want 1 and 3", resumed.Encoded, resumed.Cached)
	}
	sameFile(t, resumed.Output, out1)

	job.PlanOptions.ChunkSeconds = 1.6 // chunk 0 is 0:40, and 0:50 is cached
	other := encodeFile(t, path, job)
	if other.Plan.Chunks[0].End != 40 || other.Encoded+other.Cached != other.Chunks || other.Decoded != 180 {
		t.Errorf("other lengths: chunks %v, %d encoded, %d cached, %d decoded", other.Plan.Chunks, other.Encoded, other.Cached, other.Decoded)
	}
	if got := ffprobeFrames(t, other.Output); !sameTimes(got, want) {
		t.Fatalf("output has %d frames, the source %d, or other times", len(got), len(want))
	}
}

// TestStreamEncoderError checks that a streaming encode whose encoder
// refuses its options fails with that error, promptly, and leaves no
// output.
func TestStreamEncoderError(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "src.mkv")
	runFFmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-frames:v", "60", "-c:v", "ffv1", path)
	src, closeSrc, err := OpenSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer closeSrc()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := filepath.Join(dir, "out.mp4")
	_, err = Encode(ctx, Job{Source: src, Name: path, Output: out, Workers: 1,
		Settings:    Settings{Codec: "x264", CRF: 30, Preset: "no-such-preset"},
		PlanOptions: PlanOptions{ChunkSeconds: 0.8, MinChunk: 0.4, NoScenes: true}})
	if err == nil || ctx.Err() != nil {
		t.Fatalf("err %v, context %v: want the encoder's error before the timeout", err, ctx.Err())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s exists after a failed encode", out)
	}
}

// TestStreamSharedPlan checks on the shared multi-shot clip that the
// streaming encode cuts the chunks the planner cut before it existed (at
// the clip's shot changes, 50, 125 and 215) and decodes each frame once;
// the 720p clip, shorter than a chunk, stays one chunk.
func TestStreamSharedPlan(t *testing.T) {
	needFFmpeg(t)
	clips := filepath.Join(vmafref.Dir(t), "clips")
	dir := t.TempDir()
	res := encodeFile(t, filepath.Join(clips, "multishot_768x432.mkv"), Job{Settings: Settings{Codec: "x264", CRF: 35, Preset: "ultrafast"},
		Output: filepath.Join(dir, "multishot.mkv"), Workers: 1, NoAudio: true})
	want := []Chunk{{0, 0, 50}, {1, 50, 125}, {2, 125, 215}, {3, 215, 255}}
	if !slices.Equal(res.Plan.Chunks, want) || res.Decoded != 255 {
		t.Errorf("multishot: chunks %v, %d frames decoded; want %v and 255", res.Plan.Chunks, res.Decoded, want)
	}
	path := filepath.Join(clips, "bbb_1280x720.mkv")
	src, closeSrc, err := OpenSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer closeSrc()
	info, err := Probe(context.Background(), src, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, detect := planLengths(info, PlanOptions{}); detect || len(CutChunks(75, nil, 25, 250)) != 1 {
		t.Errorf("bbb: detect %v; want one chunk with no scene detection", detect)
	}
}

// sameTimes reports whether two frame lists have the same presentation
// times.
func sameTimes(a, b []probedFrame) bool {
	return slices.EqualFunc(a, b, func(x, y probedFrame) bool { return x.PTSTime == y.PTSTime })
}

func sameFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the first encode (%d bytes, want %d)", path, len(got), len(want))
	}
}
