// Package plot draws rung's charts to SVG and PNG: the per-frame VMAF of a
// score (Frames) and the read pattern of a mezzfs trace (Reads). Chart is
// the one render and save helper, used by ladder's R-D plots too; a saved
// chart appears whole or not at all.
package plot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"rung/mezzfs"
)

// Chart is a gonum plot and the size it is drawn at.
type Chart struct {
	Plot          *gplot.Plot
	Width, Height vg.Length
}

// Format returns the render format for a chart file name: "svg" or "png"
// from its extension.
func Format(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".svg", ".png":
		return ext[1:], nil
	default:
		return "", fmt.Errorf("plot %s: want a .svg or .png file name", path)
	}
}

// Render draws c in format, "svg" or "png" (any format gonum/plot knows).
func (c Chart) Render(format string) ([]byte, error) {
	w, err := c.Plot.WriterTo(c.Width, c.Height, format)
	if err != nil {
		return nil, fmt.Errorf("plot: render %s: %w", format, err)
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("plot: render %s: %w", format, err)
	}
	return b.Bytes(), nil
}

// Save renders c in the format path's extension names (.svg or .png) and
// writes it to path, a local file (its directory made when missing) or an
// s3:// URL, through mezzfs.WriteFile: path shows all of it or is left as
// it was. It returns the rendered bytes, for pages that embed the chart.
func (c Chart) Save(ctx context.Context, path string) ([]byte, error) {
	format, err := Format(path)
	if err != nil {
		return nil, err
	}
	b, err := c.Render(format)
	if err != nil {
		return nil, err
	}
	if !mezzfs.IsS3(path) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("plot: save %s: %w", path, err)
		}
	}
	err = mezzfs.WriteFile(ctx, path, mezzfs.Options{}, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("plot: save %s: %w", path, err)
	}
	return b, nil
}
