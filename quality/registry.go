package quality

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// extractorSpec is one row of the fixed extractor table: a libvmaf extractor
// family and how to build ours from that family's options.
type extractorSpec struct {
	name  string
	build func(opts map[string]any) (func() Extractor, error)
}

// extractorTable lists every extractor rung has, under libvmaf's names, as
// libvmaf's feature_extractor_list does. Options not listed for a family
// are refused when they differ from libvmaf's default.
func extractorTable() []extractorSpec {
	return []extractorSpec{
		{"integer_adm", func(o map[string]any) (func() Extractor, error) {
			opts := ADMOptions{EnhnGainLimit: numOpt(o, "adm_enhn_gain_limit"), Debug: boolOpt(o, "debug")}
			return func() Extractor { return NewADM(opts) }, only(o, "adm_enhn_gain_limit", "debug")
		}},
		{"integer_vif", func(o map[string]any) (func() Extractor, error) {
			opts := VIFOptions{EnhnGainLimit: numOpt(o, "vif_enhn_gain_limit"), Debug: boolOpt(o, "debug")}
			return func() Extractor { return NewVIF(opts) }, only(o, "vif_enhn_gain_limit", "debug")
		}},
		{"integer_motion", func(o map[string]any) (func() Extractor, error) {
			opts, err := MotionOptionsFromMap(o)
			return func() Extractor { return NewMotion(opts) }, err
		}},
		{"float_adm", func(o map[string]any) (func() Extractor, error) {
			return func() Extractor { return NewFloatADM() }, only(o)
		}},
		{"float_vif", func(o map[string]any) (func() Extractor, error) {
			return func() Extractor { return NewFloatVIF() }, only(o)
		}},
		{"float_motion", func(o map[string]any) (func() Extractor, error) {
			return func() Extractor { return NewFloatMotion() }, only(o)
		}},
		{"psnr", func(o map[string]any) (func() Extractor, error) {
			return func() Extractor { return NewPSNR(PSNROptions{}) }, only(o)
		}},
		{"float_ssim", func(o map[string]any) (func() Extractor, error) {
			return func() Extractor { return NewSSIM() }, only(o)
		}},
		{"float_ms_ssim", func(o map[string]any) (func() Extractor, error) {
			return func() Extractor { return NewMSSSIM() }, only(o)
		}},
	}
}

// ExtraFeatures lists the names --feature accepts.
func ExtraFeatures() []string { return []string{"psnr", "float_ssim", "float_ms_ssim"} }

// Extractors returns the extractor factories the scorer needs for model m
// (nil: none) and the extra features named (psnr, float_ssim,
// float_ms_ssim), one per distinct extractor and option set, in the order
// first needed.
func Extractors(m *Model, features []string) ([]func() Extractor, error) {
	type want struct {
		family string
		opts   map[string]any
	}
	var wants []want
	if m != nil {
		for _, in := range m.Inputs() {
			wants = append(wants, want{in.Extractor, in.Options})
		}
	}
	for _, f := range features {
		if !slices.Contains(ExtraFeatures(), f) {
			return nil, fmt.Errorf("unknown feature %q (want one of %s)", f, strings.Join(ExtraFeatures(), ", "))
		}
		wants = append(wants, want{f, nil})
	}
	table := extractorTable()
	seen := map[string]bool{}
	var out []func() Extractor
	for _, w := range wants {
		key := w.family + "|" + optionKey(w.opts)
		if seen[key] {
			continue
		}
		seen[key] = true
		var spec *extractorSpec
		for k := range table {
			if table[k].name == w.family {
				spec = &table[k]
			}
		}
		if spec == nil {
			return nil, fmt.Errorf("no extractor %q", w.family)
		}
		f, err := spec.build(w.opts)
		if err != nil {
			return nil, fmt.Errorf("extractor %s: %w", w.family, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// optionKey is a canonical text of an option set, for de-duplication.
func optionKey(o map[string]any) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(o)) {
		fmt.Fprintf(&b, "%s=%v;", k, o[k])
	}
	return b.String()
}

func numOpt(o map[string]any, k string) float64 {
	v, _ := o[k].(float64)
	return v
}

func boolOpt(o map[string]any, k string) bool {
	v, _ := o[k].(bool)
	return v
}

// only refuses options other than the supported ones.
func only(o map[string]any, supported ...string) error {
	for k := range o {
		if !slices.Contains(supported, k) {
			return fmt.Errorf("option %s is not supported", k)
		}
	}
	return nil
}
