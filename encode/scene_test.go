package encode

import (
	"context"
	"slices"
	"testing"
)

// TestStridedSceneDetection checks that the coarse-then-fine pass over an
// intra-only source finds the cuts that comparing every frame finds, and
// the same differences at and around them.
func TestStridedSceneDetection(t *testing.T) {
	needFFmpeg(t)
	path := mixedClip(t, t.TempDir())
	src, closeSrc, err := OpenSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer closeSrc()
	ctx := context.Background()
	info, err := Probe(ctx, src, path)
	if err != nil {
		t.Fatal(err)
	}
	strided, err := FrameDifferences(ctx, src, info, SceneOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sums, err := lumaSums(ctx, src, info, func(int) bool { return true }, false)
	if err != nil {
		t.Fatal(err)
	}
	area := float64(sceneBlock(info.Video) * sceneBlock(info.Video))
	full := make([]float64, len(sums))
	for i := 1; i < len(sums); i++ {
		full[i] = meanAbsDiff(sums[i], sums[i-1]) / area
	}
	got, want := SceneCuts(strided, SceneOptions{}), SceneCuts(full, SceneOptions{})
	if !slices.Equal(got, want) || !slices.Equal(got, []int{90, 140}) {
		t.Errorf("strided cuts %v, every-frame cuts %v, want [90 140]", got, want)
	}
	for _, c := range want {
		if strided[c] != full[c] {
			t.Errorf("frame %d: strided difference %.3f, every-frame %.3f", c, strided[c], full[c])
		}
	}
}
