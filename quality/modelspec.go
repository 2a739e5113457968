package quality

import (
	"errors"
	"fmt"
	"maps"
	"strings"
)

// ModelSpec is a --model argument: rung's own NAME or PATH, or libvmaf's
// colon-separated key=value syntax (tools/cli_parse.c, parse_model_config):
//
//	version=NAME | path=FILE   the built-in model or a model file
//	name=KEY                   the name predictions are written under ("vmaf")
//	disable_clip, enable_transform (bare or =true)
//	EXTRACTOR.OPTION=VALUE     a feature overload: the option set on every
//	                           feature of the model that EXTRACTOR computes
//	                           ("cambi.enc_width=768", "adm.debug=true")
type ModelSpec struct {
	Version, Path   string // exactly one is set
	Name            string // "" means "vmaf"
	DisableClip     bool
	EnableTransform bool
	Overloads       []Overload // in command-line order; a later one wins
}

// Overload is one EXTRACTOR.OPTION=VALUE of a ModelSpec, with VALUE parsed
// to the option's type.
type Overload struct {
	Extractor, Option string
	Value             any
}

// ParseModelSpec parses a --model argument. Text without '=' is rung's
// NAME or PATH (a path when it names a file or has a directory part,
// ResolveModel). Errors are one line naming the bad part.
func ParseModelSpec(s string) (ModelSpec, error) {
	if s == "" {
		return ModelSpec{}, errors.New("model: empty --model")
	}
	if !strings.Contains(s, "=") {
		return ModelSpec{Version: s}, nil
	}
	var spec ModelSpec
	for _, kv := range strings.Split(s, ":") {
		key, val, hasVal := strings.Cut(kv, "=")
		if !hasVal {
			if key != "disable_clip" && key != "enable_transform" {
				return ModelSpec{}, fmt.Errorf("model %q: bad option string %q (want key=value)", s, kv)
			}
			val = "true"
		}
		if strings.Contains(val, "=") {
			return ModelSpec{}, fmt.Errorf("model %q: bad option string %q (one = per option)", s, kv)
		}
		switch key {
		case "path", "version", "name":
			if val == "" {
				return ModelSpec{}, fmt.Errorf("model %q: empty %s", s, key)
			}
			switch key {
			case "path":
				spec.Path = val
			case "version":
				spec.Version = val
			default:
				spec.Name = val
			}
		case "disable_clip", "enable_transform":
			if val != "true" && val != "false" {
				return ModelSpec{}, fmt.Errorf("model %q: %s=%q: want true or false", s, key, val)
			}
			if key == "disable_clip" {
				spec.DisableClip = val == "true"
			} else {
				spec.EnableTransform = val == "true"
			}
		default:
			ext, opt, ok := strings.Cut(key, ".")
			if !ok || strings.Contains(opt, ".") {
				return ModelSpec{}, fmt.Errorf("model %q: unknown key %q (want path, version, name, disable_clip, enable_transform or EXTRACTOR.OPTION)", s, key)
			}
			row := lookupExtractor(ext)
			if row == nil {
				return ModelSpec{}, fmt.Errorf("model %q: %s: unknown feature extractor %q (want one of %s)", s, key, ext, strings.Join(ExtraFeatures(), ", "))
			}
			o := row.option(opt)
			if o == nil {
				return ModelSpec{}, fmt.Errorf("model %q: %s: extractor %s has no option %q (it has %s)", s, key, ext, opt, row.optionNames())
			}
			v, err := o.parse(val)
			if err == nil {
				err = o.check(v)
			}
			if err != nil {
				return ModelSpec{}, fmt.Errorf("model %q: %s: %w", s, key, err)
			}
			spec.Overloads = append(spec.Overloads, Overload{ext, opt, v})
		}
	}
	switch {
	case spec.Path == "" && spec.Version == "":
		return ModelSpec{}, fmt.Errorf("model %q: needs path=FILE or version=NAME", s)
	case spec.Path != "" && spec.Version != "":
		return ModelSpec{}, fmt.Errorf("model %q: path= and version= both given", s)
	}
	return spec, nil
}

// OpenModel parses a --model argument (ParseModelSpec), finds the model
// (FindModel: a path, the model directories, then the models built into
// the binary) and applies the spec's name, flags and feature overloads.
func OpenModel(arg string) (*Model, error) {
	spec, err := ParseModelSpec(arg)
	if err != nil {
		return nil, err
	}
	var m *Model
	if spec.Path != "" {
		m, err = LoadModel(spec.Path)
	} else {
		m, err = FindModel(spec.Version)
	}
	if err != nil {
		return nil, err
	}
	if err := m.apply(spec); err != nil {
		return nil, err
	}
	return m, nil
}

// apply sets spec's name and flags and applies its overloads to m and to
// its bootstrap sub-models.
func (m *Model) apply(spec ModelSpec) error {
	if spec.Name != "" {
		m.Name = spec.Name
	}
	m.DisableClip, m.EnableTransform = spec.DisableClip, spec.EnableTransform
	for _, o := range spec.Overloads {
		for _, mm := range append([]*Model{m}, m.bootstrap...) {
			if err := mm.Overload(o.Extractor, map[string]any{o.Option: o.Value}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Overload sets options on every feature of m that extractor ext computes,
// as libvmaf's vmaf_model_feature_overload merges a dictionary into the
// feature's options (the overload's values win). The features' collector
// names change with the options. A model without such a feature is left
// unchanged, as in libvmaf.
func (m *Model) Overload(ext string, opts map[string]any) error {
	for k := range m.features {
		f := &m.features[k]
		if f.input.Extractor != ext {
			continue
		}
		merged := maps.Clone(f.input.Options)
		if merged == nil {
			merged = map[string]any{}
		}
		maps.Copy(merged, opts)
		in, err := modelInput(f.input.Feature, merged)
		if err != nil {
			return fmt.Errorf("model %s: overload %s: %w", m.file, ext, err)
		}
		f.input = in
	}
	return nil
}
