package ladder

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"rung/encode"
	"rung/quality"
)

// v1Models2160 are the VMAF v1 models with a 4K twin: a source above
// 2560x1440 scored with NAME is scored with NAME_2160, as with the v0.6
// 4K model.
var v1Models2160 = []string{"vmaf_v1.0.16_3d0h_2160", "vmaf_v1.0.16_hfr_3d0h_2160"}

// CAMBIMedia is implemented by media that can measure a rendition's
// banding: the mean CAMBI of dist (an encode of src at width×height).
type CAMBIMedia interface {
	CAMBI(ctx context.Context, src, dist string, width, height int) (float64, error)
}

// rungCAMBI records each rung's mean CAMBI when the media can measure it.
// Rungs too small for CAMBI (under 216 in both directions, with a source as
// small) are left without one and named in the returned warning.
func (j *job) rungCAMBI(ctx context.Context, rungs []Rung) (warning string, err error) {
	cm, ok := j.o.Media.(CAMBIMedia)
	if !ok {
		return "", nil
	}
	var small []string
	for i := range rungs {
		g := &rungs[i]
		if g.File == "" {
			continue
		}
		j.progress("cambi", i, len(rungs), g.Label())
		v, err := cm.CAMBI(ctx, j.o.Input, filepath.Join(j.o.OutDir, g.File), g.Width, g.Height)
		if errors.Is(err, quality.ErrCAMBISize) {
			small = append(small, g.Label())
			continue
		}
		if err != nil {
			return "", fmt.Errorf("ladder: cambi of rung %d: %w", i, err)
		}
		g.CAMBI = &v
	}
	if len(small) > 0 {
		warning = fmt.Sprintf("no CAMBI for %s: CAMBI needs a picture at least %d wide or high", strings.Join(small, ", "), quality.CAMBIMinSize)
	}
	return warning, nil
}

// CAMBI decodes the encode dist as Score does (scaled to the source's size)
// and returns its mean CAMBI computed at the encode's size (libvmaf's
// cambi with enc_width and enc_height; at the source's size when the
// encode is smaller than CAMBI's options take; an error wrapping
// quality.ErrCAMBISize when the source is under quality.CAMBIMinSize in
// both directions).
func (m *EncodeMedia) CAMBI(ctx context.Context, src, dist string, width, height int) (float64, error) {
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
