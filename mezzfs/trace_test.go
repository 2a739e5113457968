package mezzfs

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTraceAndStats records reads through a Source into a trace and
// statistics and reads both back (plot.TestReads draws such a trace).
func TestTraceAndStats(t *testing.T) {
	dir := t.TempDir()
	data := randomBytes(1<<20, 12)
	path := filepath.Join(dir, "in.bin")
	os.WriteFile(path, data, 0o644)
	tr, err := CreateTrace(filepath.Join(dir, "trace.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	stats := new(Stats)
	src, err := Open(context.Background(), path, Options{Trace: tr, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	reads := []struct{ off, n int64 }{{0, 4096}, {4096, 4096}, {900000, 1000}, {1<<20 - 10, 100}}
	for _, r := range reads {
		src.ReadAt(make([]byte, r.n), r.off)
	}
	src.Close()
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "trace.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := ReadTrace(f, "trace.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(reads) {
		t.Fatalf("%d records, want %d", len(recs), len(reads))
	}
	for i, r := range reads {
		if recs[i].Offset != r.off || recs[i].Length != r.n || recs[i].URL != path || recs[i].Time < 0 {
			t.Errorf("record %d = %+v, want offset %d length %d", i, recs[i], r.off, r.n)
		}
	}
	// Stats as JSON with the contract's keys.
	statsPath := filepath.Join(dir, "stats.json")
	if err := stats.WriteFile(statsPath); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(statsPath)
	var m map[string]int64
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"bytes_read": 4096 + 4096 + 1000 + 10, "bytes_fetched": 4096 + 4096 + 1000 + 10, "requests": 4, "cache_hits": 0}
	for k, v := range want {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("stats %s = %d (present %v), want %d", k, got, ok, v)
		}
	}
}

func TestReadTraceErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"not json", "{\"off\":1}\nnope\n", "line 2"},
		{"negative", `{"off":-1,"len":1,"t":0}`, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadTrace(strings.NewReader(tt.in), "x.jsonl")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "x.jsonl") {
				t.Fatalf("error %v, want one naming the file and %q", err, tt.want)
			}
		})
	}
}

// FuzzReadTrace checks that every trace ReadTrace accepts is valid
// (plot.FuzzReads draws what it accepts).
func FuzzReadTrace(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "trace.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("{}\n\n{\"len\":3}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := ReadTrace(bytes.NewReader(b), "fuzz")
		if err != nil {
			return
		}
		for _, r := range recs {
			if r.Offset < 0 || r.Length < 0 || r.Time < 0 {
				t.Fatalf("accepted %+v", r)
			}
		}
	})
}
