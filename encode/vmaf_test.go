package encode

import (
	"context"
	"path/filepath"
	"testing"

	"rung/internal/vmafref"
	"rung/quality"
)

// pooledVMAF scores dist against ref (both decoded with Decoder, dist
// scaled to ref's size) with vmaf_v0.6.1 and returns the mean.
func pooledVMAF(t *testing.T, ref, dist string) float64 {
	t.Helper()
	model, err := quality.LoadModel(filepath.Join(vmafref.Dir(t), "vmaf", "model", "vmaf_v0.6.1.json"))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := quality.Extractors(model, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := OpenFile(ctx, ref, DecodeOptions{Chroma420: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ri := r.Info()
	d, err := OpenFile(ctx, dist, DecodeOptions{Width: ri.Width, Height: ri.Height, BitDepth: ri.BitDepth, Chroma420: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	res, err := quality.Score(ctx, r, d, quality.ScoreOptions{Extractors: ex, Model: model, RefName: ref, DisName: dist})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	col := res.Scores.Column("vmaf")
	for _, v := range col {
		sum += v
	}
	return sum / float64(len(col))
}
