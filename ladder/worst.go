package ladder

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"path/filepath"

	"rung/quality"
)

// FrameMedia is what the report's worst-frame pictures need of the Media:
// one frame of the source and the same frame of an encode, decoded at the
// source's size (the encode upscaled with bicubic, as it is scored).
type FrameMedia interface {
	FramePair(ctx context.Context, src, dist string, frame int) (ref, dis *quality.Picture, err error)
}

// WorstFrame is a rung's lowest-scoring frame, shown in the report.
type WorstFrame struct {
	Frame   int     `json:"frame"`
	VMAF    float64 `json:"vmaf"`
	Picture string  `json:"picture"` // PNG, reference crop left, rung crop right; relative to the report
	X       int     `json:"x"`       // the crop's place in the source frame
	Y       int     `json:"y"`
	Width   int     `json:"width"`
	Height  int     `json:"height"`
}

// worstIndex is the index of the lowest score (the first of equals).
func worstIndex(v []float64) int {
	w := 0
	for i, s := range v {
		if s < v[w] {
			w = i
		}
	}
	return w
}

// Crop limits of the worst-frame pictures: half the frame, at most this.
const (
	maxCropWidth  = 480
	maxCropHeight = 270
)

// worstCrop returns the crop of ref's size that holds the largest luma
// squared error between ref and dis, searched on a grid of 16 samples:
// where the rung differs most is what a viewer should look at.
func worstCrop(ref, dis *quality.Picture) image.Rectangle {
	w, h := min(ref.Width/2, maxCropWidth)&^1, min(ref.Height/2, maxCropHeight)&^1
	w, h = max(w, min(ref.Width, 2)), max(h, min(ref.Height, 2))
	const cell = 16
	cw, ch := (ref.Width+cell-1)/cell, (ref.Height+cell-1)/cell
	// Summed-area table of the squared error per cell.
	sat := make([]float64, (cw+1)*(ch+1))
	for cy := 0; cy < ch; cy++ {
		for cx := 0; cx < cw; cx++ {
			var e float64
			for y := cy * cell; y < min((cy+1)*cell, ref.Height); y++ {
				for x := cx * cell; x < min((cx+1)*cell, ref.Width); x++ {
					d := float64(ref.Planes[0][y*ref.Width+x]) - float64(dis.Planes[0][y*dis.Width+x])
					e += d * d
				}
			}
			sat[(cy+1)*(cw+1)+cx+1] = e + sat[cy*(cw+1)+cx+1] + sat[(cy+1)*(cw+1)+cx] - sat[cy*(cw+1)+cx]
		}
	}
	best, bx, by := -1.0, 0, 0
	nw, nh := max(w/cell, 1), max(h/cell, 1)
	for cy := 0; cy+nh <= ch; cy++ {
		for cx := 0; cx+nw <= cw; cx++ {
			e := sat[(cy+nh)*(cw+1)+cx+nw] - sat[cy*(cw+1)+cx+nw] - sat[(cy+nh)*(cw+1)+cx] + sat[cy*(cw+1)+cx]
			if e > best {
				best, bx, by = e, cx*cell, cy*cell
			}
		}
	}
	bx, by = min(bx, ref.Width-w)&^1, min(by, ref.Height-h)&^1
	return image.Rect(bx, by, bx+w, by+h)
}

// toRGBA converts the rectangle r of a planar YCbCr picture (BT.601
// limited range, as image/color's YCbCr; samples above 8 bits are
// shifted down) to RGBA.
func toRGBA(p *quality.Picture, r image.Rectangle) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	shift := max(p.BitDepth-8, 0)
	sx, sy := p.Chroma.Shifts()
	cw := p.PlaneWidth(1)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			yy := uint8(p.Planes[0][y*p.Width+x] >> shift)
			cb, cr := uint8(128), uint8(128)
			if p.Chroma != quality.Chroma400 {
				i := (y>>sy)*cw + x>>sx
				cb, cr = uint8(p.Planes[1][i]>>shift), uint8(p.Planes[2][i]>>shift)
			}
			R, G, B := color.YCbCrToRGB(yy, cb, cr)
			out.SetRGBA(x-r.Min.X, y-r.Min.Y, color.RGBA{R, G, B, 255})
		}
	}
	return out
}

// sideBySide draws the crop of ref left and of dis right, 8 pixels apart,
// and encodes the picture as PNG.
func sideBySide(ref, dis *quality.Picture, crop image.Rectangle) ([]byte, error) {
	const gap = 8
	a, b := toRGBA(ref, crop), toRGBA(dis, crop)
	img := image.NewRGBA(image.Rect(0, 0, 2*crop.Dx()+gap, crop.Dy()))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(img, a.Bounds(), a, image.Point{}, draw.Src)
	draw.Draw(img, a.Bounds().Add(image.Pt(crop.Dx()+gap, 0)), b, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("ladder: worst-frame picture: %w", err)
	}
	return buf.Bytes(), nil
}

// worstFrames writes, for each rung, its worst frame as a side-by-side
// PNG (worst_rungN.png in the output directory). A Media without
// FramePair gets none.
func (j *job) worstFrames(ctx context.Context, rungs []Rung) error {
	fm, ok := j.o.Media.(FrameMedia)
	if !ok {
		return nil
	}
	for i := range rungs {
		g := &rungs[i]
		if len(g.Frames) == 0 {
			continue
		}
		f := worstIndex(g.Frames)
		ref, dis, err := fm.FramePair(ctx, j.o.Input, filepath.Join(j.o.OutDir, g.File), f)
		if err != nil {
			return fmt.Errorf("ladder: worst frame of rung %d: %w", i, err)
		}
		crop := worstCrop(ref, dis)
		b, err := sideBySide(ref, dis, crop)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("worst_rung%d.png", i)
		if err := writeAtomic(filepath.Join(j.o.OutDir, name), b); err != nil {
			return err
		}
		g.Worst = &WorstFrame{Frame: f, VMAF: g.Frames[f], Picture: name, X: crop.Min.X, Y: crop.Min.Y, Width: crop.Dx(), Height: crop.Dy()}
	}
	return nil
}
