package ladder

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"rung/quality"
)

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
