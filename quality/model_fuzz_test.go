package quality

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseModel feeds arbitrary bytes to the model parser: it must return
// a model or an error, never panic or hang, and a model it returns must
// predict (or fail cleanly) on any feature values.
func FuzzParseModel(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "models", "*.json"))
	// The shared single models (read in place, never copied) join the seeds
	// when the shared directory is there; the 400 KB bootstrap collection
	// would only slow the fuzzer (testdata/models/bootstrap.json stands in).
	dir := os.Getenv("RUNG_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared")
	}
	shared, _ := filepath.Glob(filepath.Join(dir, "vmaf", "model", "vmaf_*v0.6.1*.json"))
	seeds = append(seeds, shared...)
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"model_dict": {"model": "SV\n"}}`))
	f.Add([]byte(`{"0": {"model_dict": {}}, "1": 2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseModel(data, "fuzz.json")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		s := NewScores()
		for k, in := range m.Inputs() {
			s.Set(in.Name, 0, float64(k)*0.25)
		}
		if _, err := m.PredictAll(s, 0); err != nil {
			t.Fatalf("prediction with every input set: %v", err)
		}
	})
}
