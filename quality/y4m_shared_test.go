package quality

import (
	"errors"
	"io"
	"os"
	"testing"

	"rung/internal/vmafref"
)

// TestReadReferenceInputs reads every reference input of the shared pairs
// to its end and checks the frame counts pairs.json records.
func TestReadReferenceInputs(t *testing.T) {
	dir, entries := vmafref.Entries(t)
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.Pair] {
			continue
		}
		seen[e.Pair] = true
		t.Run(e.Pair, func(t *testing.T) {
			ref, dist := vmafref.Inputs(t, dir, e)
			for _, path := range []string{ref, dist} {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				var r VideoReader
				if e.Raw != nil {
					st, _ := f.Stat()
					r, err = NewRawReader(f, path, e.Raw.Width, e.Raw.Height, e.Raw.PixFmt, st.Size())
				} else {
					r, err = NewY4MReader(f, path)
				}
				if err != nil {
					t.Fatal(err)
				}
				info := r.Info()
				if info.Width != e.Width || info.Height != e.Height {
					t.Fatalf("%s: size %dx%d, want %dx%d", path, info.Width, info.Height, e.Width, e.Height)
				}
				p := info.NewPicture()
				n := 0
				for {
					err := r.ReadPicture(p)
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					n++
				}
				if n != e.Frames {
					t.Errorf("%s: %d frames, want %d", path, n, e.Frames)
				}
			}
		})
	}
}
