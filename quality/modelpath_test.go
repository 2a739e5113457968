package quality

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestResolveModel checks the lookup order and the error listing where the
// lookup looked.
func TestResolveModel(t *testing.T) {
	env, sys1, sys2 := t.TempDir(), t.TempDir(), t.TempDir()
	write := func(dir, name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	inEnv := write(env, "a.json")
	write(sys1, "a.json") // shadowed by $RUNG_MODEL_DIR
	inSys1 := write(sys1, "b.json")
	inSys2 := write(sys2, "c.json")
	local := write(t.TempDir(), "local.json")
	sys := []string{sys1, sys2}
	for _, c := range []struct {
		name, env, want, err string
	}{
		{name: local, env: env, want: local},
		{name: "a", env: env, want: inEnv},
		{name: "a.json", env: env, want: inEnv},
		{name: "b", env: env, want: inSys1},
		{name: "c", env: "", want: inSys2},
		{name: "d", env: env, err: `model "d": not found; looked in d, ` + filepath.Join(env, "d.json") + ", " + filepath.Join(sys1, "d.json") + ", " + filepath.Join(sys2, "d.json")},
		{name: "d", env: "", err: "$RUNG_MODEL_DIR (unset)"},
		{name: filepath.Join(env, "nope.json"), env: env, err: "nope.json: no such file"},
		{name: "", err: "empty model name"},
		{name: env, env: env, err: "not a regular file"},
	} {
		got, err := resolveModel(c.name, c.env, sys)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("resolveModel(%q, %q) = %q, %v; want error containing %q", c.name, c.env, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("resolveModel(%q, %q) = %q, %v; want %q", c.name, c.env, got, err, c.want)
		}
	}
	t.Setenv(ModelDirEnv, env)
	if got, err := ResolveModel("a"); err != nil || got != inEnv {
		t.Errorf("ResolveModel(a) with $%s = %q, %v", ModelDirEnv, got, err)
	}
}
