package encode

import (
	"context"
	"errors"
	"io"

	"rung/quality"
)

// sceneWidth is the width of the luma the scene detector compares: like
// av-scenechange's fast mode, detection runs on a downscaled picture.
const sceneWidth = 256

// SceneOptions tunes the scene-change detector.
type SceneOptions struct {
	// Threshold is the mean absolute luma difference (8-bit scale) between
	// consecutive downscaled frames above which a cut may be declared;
	// 0 means 12.
	Threshold float64
	// Window is how many previous differences the adaptive test averages;
	// a cut also needs a difference of at least twice that average
	// (motion raises every difference, a cut only one). 0 means 5.
	Window int
}

func (o SceneOptions) withDefaults() SceneOptions {
	if o.Threshold == 0 {
		o.Threshold = 12
	}
	if o.Window == 0 {
		o.Window = 5
	}
	return o
}

// FrameDifferences decodes the source's luma at sceneWidth and returns,
// for every frame i > 0, the mean absolute difference to frame i-1 (d[0]
// is 0).
func FrameDifferences(ctx context.Context, src Source, info *Info) ([]float64, error) {
	v := info.Video
	w := min(sceneWidth, v.Width) &^ 1
	dec, err := OpenVideo(ctx, src, info.Name, DecodeOptions{Width: max(w, 2), BitDepth: 8, Chroma420: true, Info: info})
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	cur, prev := dec.Info().NewPicture(), dec.Info().NewPicture()
	diffs := make([]float64, 0, v.Frames)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		err := dec.ReadPicture(cur)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(diffs) == 0 {
			diffs = append(diffs, 0)
		} else {
			diffs = append(diffs, meanAbsDiff(cur, prev))
		}
		cur, prev = prev, cur
	}
	return diffs, nil
}

// meanAbsDiff returns the mean absolute difference of two pictures' luma.
func meanAbsDiff(a, b *quality.Picture) float64 {
	var sum int64
	for i, x := range a.Planes[0] {
		d := int64(x) - int64(b.Planes[0][i])
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return float64(sum) / float64(len(a.Planes[0]))
}

// SceneCuts returns the frames that begin a new scene: i such that
// diffs[i] >= Threshold and diffs[i] >= 2x the mean of the Window
// differences before it.
func SceneCuts(diffs []float64, opts SceneOptions) []int {
	opts = opts.withDefaults()
	var cuts []int
	for i := 1; i < len(diffs); i++ {
		if diffs[i] < opts.Threshold {
			continue
		}
		lo := max(1, i-opts.Window)
		var sum float64
		for _, d := range diffs[lo:i] {
			sum += d
		}
		if n := i - lo; n > 0 && diffs[i] < 2*sum/float64(n) {
			continue
		}
		cuts = append(cuts, i)
	}
	return cuts
}
