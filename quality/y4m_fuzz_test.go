package quality

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzY4M feeds arbitrary bytes to the y4m reader: it must return frames or
// an error, never panic, never loop forever, never allocate beyond the
// header's (bounded) frame size.
func FuzzY4M(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "y4m", "*.y4m"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(y4mStream("YUV4MPEG2 W4 H2 C420p10", 24, 2, 3))
	f.Add([]byte("YUV4MPEG2 W1 H1 Cmono\nFRAME\nx"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewY4MReader(bytes.NewReader(data), "fuzz.y4m")
		if err != nil {
			return
		}
		info := r.Info()
		if info.Width*info.Height > 1<<22 {
			return // a valid header for a picture too large to allocate per iteration
		}
		p := info.NewPicture()
		for range 1000 {
			if err := r.ReadPicture(p); err != nil {
				if !errors.Is(err, io.EOF) && err.Error() == "" {
					t.Fatal("empty error")
				}
				return
			}
		}
	})
}
