package quality

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ModelDirEnv is the environment variable naming a directory of libvmaf
// model files searched by ResolveModel.
const ModelDirEnv = "RUNG_MODEL_DIR"

// systemModelDirs are where libvmaf's install puts its model files.
func systemModelDirs() []string {
	return []string{"/usr/local/share/vmaf/model", "/usr/share/vmaf/model"}
}

// ResolveModel returns the path of the model file nameOrPath names, trying
// in order (DESIGN.md): nameOrPath itself as a path; then, for a bare name
// (no directory part), NAME.json (or NAME when it already ends in .json) in
// $RUNG_MODEL_DIR, /usr/local/share/vmaf/model and /usr/share/vmaf/model.
// The error lists every place it looked.
func ResolveModel(nameOrPath string) (string, error) {
	return resolveModel(nameOrPath, os.Getenv(ModelDirEnv), systemModelDirs())
}

func resolveModel(nameOrPath, envDir string, dirs []string) (string, error) {
	if nameOrPath == "" {
		return "", fmt.Errorf("model: empty model name")
	}
	looked := []string{nameOrPath}
	if isFile(nameOrPath) {
		return nameOrPath, nil
	}
	if strings.ContainsRune(nameOrPath, '/') || strings.ContainsRune(nameOrPath, filepath.Separator) {
		if _, err := os.Stat(nameOrPath); err == nil {
			return "", fmt.Errorf("model %s: not a regular file", nameOrPath)
		}
		return "", fmt.Errorf("model %s: no such file", nameOrPath)
	}
	file := nameOrPath
	if !strings.HasSuffix(file, ".json") {
		file += ".json"
	}
	if envDir != "" {
		dirs = append([]string{envDir}, dirs...)
	} else {
		looked = append(looked, "$"+ModelDirEnv+" (unset)")
	}
	for _, d := range dirs {
		p := filepath.Join(d, file)
		if isFile(p) {
			return p, nil
		}
		looked = append(looked, p)
		// libvmaf's source tree keeps the v1 models one level down
		// (model/vmaf_v1.0.16/vmaf_v1.0.16_3d0h.json).
		if sub, _ := filepath.Glob(filepath.Join(d, "*", file)); len(sub) > 0 && isFile(sub[0]) {
			return sub[0], nil
		}
	}
	return "", fmt.Errorf("model %q: not found; looked in %s", nameOrPath, strings.Join(looked, ", "))
}

// isFile reports whether path names an existing regular file (or a link
// to one).
func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
