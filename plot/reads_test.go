package plot

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"rung/mezzfs"
)

// TestReads reads mezzfs's trace fixture and saves its read pattern as SVG
// and PNG into a new directory; other formats and an empty trace are
// refused. (Recording a trace is mezzfs's own test.)
func TestReads(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Open(traceFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := mezzfs.ReadTrace(f, traceFixture)
	if err != nil {
		t.Fatal(err)
	}

	c, err := Reads(recs, "trace")
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".svg", ".png"} {
		out := filepath.Join(dir, "sub", "replay"+ext) // Save makes the directory
		if _, err := c.Save(context.Background(), out); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		switch ext {
		case ".svg":
			if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("offset (MiB)")) {
				t.Fatal("SVG lacks the plot")
			}
		case ".png":
			if _, err := png.Decode(bytes.NewReader(b)); err != nil {
				t.Fatalf("PNG: %v", err)
			}
		}
	}
	if _, err := c.Save(context.Background(), filepath.Join(dir, "replay.gif")); err == nil {
		t.Fatal("Save to .gif succeeded")
	}
	if _, err := Reads(nil, "trace"); err == nil {
		t.Fatal("Reads of no reads succeeded")
	}
}

// traceFixture is mezzfs's recorded trace, read in place.
var traceFixture = filepath.Join("..", "mezzfs", "testdata", "trace.jsonl")

// FuzzReads draws every trace mezzfs.ReadTrace accepts, seeded with
// mezzfs's trace fixture.
func FuzzReads(f *testing.F) {
	seed, err := os.ReadFile(traceFixture)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("{}\n\n{\"len\":3}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := mezzfs.ReadTrace(bytes.NewReader(b), "fuzz")
		if err != nil || len(recs) == 0 {
			return
		}
		if _, err := Reads(recs, "fuzz"); err != nil {
			t.Fatal(err)
		}
	})
}
