package media

import (
	"context"
	"fmt"

	"rung/encode"
	"rung/quality"
)

// CAMBI decodes the encode dist as Score does (scaled to the source's size)
// and returns its mean CAMBI computed at the encode's size (libvmaf's
// cambi with enc_width and enc_height; at the source's size when the
// encode is smaller than CAMBI's options take; an error wrapping
// quality.ErrCAMBISize when the source is under quality.CAMBIMinSize in
// both directions).
func (m *FFmpeg) CAMBI(ctx context.Context, src, dist string, width, height int) (float64, error) {
	s, err := m.source(ctx, src)
	if err != nil {
		return 0, err
	}
	ref, err := encode.OpenVideo(ctx, s.src, src, encode.DecodeOptions{Info: s.info, Threads: 1, Chroma420: true, Deinterlace: true})
	if err != nil {
		return 0, err
	}
	defer ref.Close()
	ri := ref.Info()
	dis, err := encode.OpenFile(ctx, dist, encode.DecodeOptions{Width: ri.Width, Height: ri.Height, BitDepth: ri.BitDepth,
		Chroma420: ri.Chroma == quality.Chroma420, Threads: 1})
	if err != nil {
		return 0, err
	}
	defer dis.Close()
	ex, err := quality.Extractors(nil, []string{cambiFeature(width, height)})
	if err != nil {
		return 0, err
	}
	res, err := quality.Score(ctx, ref, dis, quality.ScoreOptions{Extractors: ex, Threads: m.o.Threads, RefName: src, DisName: dist})
	if err != nil {
		return 0, err
	}
	g := quality.Gate{Metric: "cambi", Pool: "mean"}
	name, err := g.Resolve(res)
	if err != nil {
		return 0, err
	}
	return quality.Pool("mean", res.Values(name))
}

// cambiFeature is the --feature that measures CAMBI for an encode of
// width×height: at that size where libvmaf's options take it (enc_width at
// least 180, enc_height at least 150, one of them at least
// quality.CAMBIMinSize), else at the size it is scored at (the source's).
func cambiFeature(width, height int) string {
	if width >= 180 && height >= 150 && (width >= quality.CAMBIMinSize || height >= quality.CAMBIMinSize) {
		return fmt.Sprintf("cambi=enc_width=%d:enc_height=%d", width, height)
	}
	return "cambi"
}
