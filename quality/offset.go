package quality

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
)

// OffsetOptions configures EstimateOffset.
type OffsetOptions struct {
	MaxOffset int // largest shift tried either way; 0 means 12
	Frames    int // reference frames compared at each shift; 0 means 60
}

// OffsetEstimate is EstimateOffset's answer.
type OffsetEstimate struct {
	// Offset is the most likely constant offset in ScoreOptions.FrameOffset's
	// sense: distorted frame i+Offset shows reference frame i.
	Offset int
	// PSNR is the mean luma PSNR (dB, on 4×4-averaged pictures) at each
	// shift tried, indexed by Offset+MaxOffset.
	PSNR []float64
	// Margin is how much better (dB) the best shift is than the runner-up:
	// near zero, the content is too static to tell.
	Margin float64
}

// EstimateOffset finds the constant frame offset that best aligns dis with
// ref: it reads the first Frames+MaxOffset pictures of each, reduces their
// luma to 4×4 block means (so the guess is not fooled by coding noise and
// holds only small pictures), and returns the shift with the highest mean
// PSNR over the frames both sides share. Use it when scores look misaligned.
func EstimateOffset(ctx context.Context, ref, dis VideoReader, opts OffsetOptions) (*OffsetEstimate, error) {
	maxOff := opts.MaxOffset
	if maxOff <= 0 {
		maxOff = 12
	}
	n := opts.Frames
	if n <= 0 {
		n = 60
	}
	r, err := thumbnails(ctx, ref, n+maxOff)
	if err != nil {
		return nil, err
	}
	d, err := thumbnails(ctx, dis, n+maxOff)
	if err != nil {
		return nil, err
	}
	if len(r) == 0 || len(d) == 0 {
		return nil, errors.New("quality: estimate offset: an input has no frames")
	}
	peak := float64(int(1)<<ref.Info().BitDepth - 1)
	est := &OffsetEstimate{PSNR: make([]float64, 2*maxOff+1)}
	best, second := math.Inf(-1), math.Inf(-1)
	for k := -maxOff; k <= maxOff; k++ {
		var sum float64
		pairs := 0
		for i := range r {
			j := i + k
			if i >= n || j < 0 || j >= len(d) {
				continue
			}
			sum += thumbPSNR(r[i], d[j], peak)
			pairs++
		}
		v := math.Inf(-1)
		if pairs > 0 && pairs >= min(len(r), len(d))/2 {
			v = sum / float64(pairs)
		}
		est.PSNR[k+maxOff] = v
		switch {
		case v > best:
			best, second, est.Offset = v, best, k
		case v > second:
			second = v
		}
	}
	if math.IsInf(best, -1) {
		return nil, errors.New("quality: estimate offset: too few frames to compare")
	}
	est.Margin = best - second
	return est, nil
}

// thumbnails reads up to n pictures of v and keeps their luma as 4×4 block
// means.
func thumbnails(ctx context.Context, v VideoReader, n int) ([][]float64, error) {
	p := v.Info().NewPicture()
	var out [][]float64
	for range n {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		err := v.ReadPicture(p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("quality: estimate offset: %w", err)
		}
		out = append(out, blockMeans(p, 4))
	}
	return out, nil
}

// blockMeans averages p's luma over b×b blocks (partial blocks dropped).
func blockMeans(p *Picture, b int) []float64 {
	w, h := p.Width/b, p.Height/b
	out := make([]float64, max(w*h, 1))
	if w == 0 || h == 0 {
		var s float64
		for _, v := range p.Planes[0] {
			s += float64(v)
		}
		out[0] = s / float64(len(p.Planes[0]))
		return out
	}
	for y := range h * b {
		row := p.Planes[0][y*p.Width : y*p.Width+w*b]
		o := out[(y/b)*w : (y/b+1)*w]
		for x, v := range row {
			o[x/b] += float64(v)
		}
	}
	for i := range out {
		out[i] /= float64(b * b)
	}
	return out
}

// thumbPSNR is the PSNR between two thumbnails, capped at 100 dB.
func thumbPSNR(a, b []float64, peak float64) float64 {
	var sse float64
	for i := range a {
		d := a[i] - b[i]
		sse += d * d
	}
	mse := sse / float64(len(a))
	if mse == 0 {
		return 100
	}
	return min(10*math.Log10(peak*peak/mse), 100)
}
