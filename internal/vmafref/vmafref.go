// Package vmafref gives tests access to the libvmaf reference data in the
// shared directory (RUNG_SHARED, default ../shared relative to the module
// root): the pairs listed in vmaf-ref/pairs.json, their inputs decoded to y4m
// exactly as libvmaf was fed (with Debian's ffmpeg CLI, cached between runs),
// and libvmaf's JSON output. It is test support; no command imports it.
package vmafref

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Entry is one line of vmaf-ref/pairs.json: one libvmaf run over one pair.
type Entry struct {
	Name       string `json:"name"`
	Pair       string `json:"pair"`
	Ref        string `json:"ref"`
	Dist       string `json:"dist"`
	DecodeArgs struct {
		Ref  []string `json:"ref"`
		Dist []string `json:"dist"`
	} `json:"decode_args"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	PixFmt   string `json:"pix_fmt"`
	BitDepth int    `json:"bitdepth"`
	Frames   int    `json:"frames"`
	Model    string `json:"model"`
	Features bool   `json:"features"`
	JSON     string `json:"json"`
	JSONHP   string `json:"json_hp"`
	// VmafArgs are the vmaf CLI arguments after -r/-d (model paths
	// relative to the shared directory).
	VmafArgs []string `json:"vmaf_args"`
	Raw      *struct {
		Width  int    `json:"width"`
		Height int    `json:"height"`
		PixFmt string `json:"pix_fmt"`
	} `json:"raw"`
}

// Result is libvmaf's JSON output.
type Result struct {
	Version string `json:"version"`
	Frames  []struct {
		FrameNum int                `json:"frameNum"`
		Metrics  map[string]float64 `json:"metrics"`
	} `json:"frames"`
	PooledMetrics map[string]map[string]float64 `json:"pooled_metrics"`
}

// Dir returns the shared directory, or skips the test when it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("RUNG_SHARED")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		dir = abs
	}
	if _, err := os.Stat(filepath.Join(dir, "vmaf-ref", "pairs.json")); err != nil {
		t.Skipf("shared reference data not found at %s (set RUNG_SHARED): %v", dir, err)
	}
	return dir
}

// Entries returns every entry of pairs.json, or skips the test when the
// shared directory is absent.
func Entries(t testing.TB) (string, []Entry) {
	t.Helper()
	return entries(t, "pairs.json")
}

// EntriesV1 returns every entry of pairs-v1.json (the VMAF v1 models and
// CAMBI runs, same schema), or skips the test when the shared directory is
// absent.
func EntriesV1(t testing.TB) (string, []Entry) {
	t.Helper()
	return entries(t, "pairs-v1.json")
}

func entries(t testing.TB, index string) (string, []Entry) {
	t.Helper()
	dir := Dir(t)
	b, err := os.ReadFile(filepath.Join(dir, "vmaf-ref", index))
	if err != nil {
		t.Skipf("%s not in the shared directory %s: %v", index, dir, err)
	}
	var doc struct {
		Entries []Entry `json:"entries"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", index, err)
	}
	return dir, doc.Entries
}

// Find returns the entry called name ("<pair>.<run>").
func Find(t testing.TB, name string) (string, Entry) {
	t.Helper()
	dir, all := Entries(t)
	for _, e := range all {
		if e.Name == name {
			return dir, e
		}
	}
	t.Fatalf("pairs.json has no entry %q", name)
	return "", Entry{}
}

// LoadResult reads a libvmaf JSON file (path relative to the shared dir).
func LoadResult(t testing.TB, dir, rel string) *Result {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return &r
}

var decodeMu sync.Mutex // serialises decodes of the same cache file across parallel tests

// Inputs returns the paths of the reference and distorted inputs exactly as
// libvmaf read them: a y4m decoded with the entry's ffmpeg arguments (cached
// under the user cache dir), the y4m itself, or the raw .yuv for peer
// vectors (then Entry.Raw is set).
func Inputs(t testing.TB, dir string, e Entry) (ref, dist string) {
	t.Helper()
	return input(t, dir, e.Ref, e.DecodeArgs.Ref, e.Pair+".ref"), input(t, dir, e.Dist, e.DecodeArgs.Dist, e.Pair+".dist")
}

func input(t testing.TB, dir, rel string, args []string, key string) string {
	t.Helper()
	src := filepath.Join(dir, rel)
	if args == nil {
		return src
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	cache = filepath.Join(cache, "rung-vmafref")
	out := filepath.Join(cache, key+".y4m")
	decodeMu.Lock()
	defer decodeMu.Unlock()
	if st, err := os.Stat(out); err == nil && st.Size() > 0 {
		return out
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg CLI not installed (make test installs it): needed to decode the reference pairs")
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := out + ".tmp"
	argv := []string{"-hide_banner", "-v", "error", "-y"}
	for _, a := range args {
		a = strings.ReplaceAll(a, "{in}", src)
		a = strings.ReplaceAll(a, "{out}", tmp)
		argv = append(argv, a)
	}
	// {out} has no y4m extension; the args carry -f yuv4mpegpipe.
	cmd := exec.Command("ffmpeg", argv...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("decode %s: ffmpeg %s: %v\n%s", rel, strings.Join(argv, " "), err, b)
	}
	if err := os.Rename(tmp, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Name of an entry's pair and run, for subtests.
func (e Entry) String() string { return fmt.Sprintf("%s (%s)", e.Name, e.PixFmt) }
