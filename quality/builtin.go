package quality

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// builtinModels holds libvmaf's model files (BSD+Patent, licence beside
// them in models/), built into the binary as libvmaf's built_in_models are.
//
//go:embed models/*.json
var builtinModels embed.FS

// builtinModel returns the model file built in under name ("vmaf_v0.6.1",
// with or without ".json").
func builtinModel(name string) ([]byte, bool) {
	if strings.ContainsAny(name, `/\`) {
		return nil, false
	}
	name = strings.TrimSuffix(name, ".json")
	data, err := builtinModels.ReadFile("models/" + name + ".json")
	return data, err == nil
}

// BuiltinModels lists the names of the models built into the binary.
func BuiltinModels() []string {
	entries, _ := fs.ReadDir(builtinModels, "models") // the embedded directory exists
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	slices.Sort(names)
	return names
}

// FindModel loads the model nameOrPath names: a file (ResolveModel: the
// path, $RUNG_MODEL_DIR, /usr/local/share/vmaf/model, /usr/share/vmaf/model
// and their subdirectories), else the model of that name built into the
// binary. The error lists every place it looked.
func FindModel(nameOrPath string) (*Model, error) {
	path, err := ResolveModel(nameOrPath)
	if err == nil {
		return LoadModel(path)
	}
	if data, ok := builtinModel(nameOrPath); ok {
		return ParseModel(data, "built-in "+strings.TrimSuffix(nameOrPath, ".json"))
	}
	return nil, fmt.Errorf("%w, nor among the built-in models (%s)", err, strings.Join(BuiltinModels(), ", "))
}
