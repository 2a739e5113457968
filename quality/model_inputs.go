package quality

import (
	"fmt"
	"maps"
	"strconv"
)

// ModelInput is one feature a model reads: which libvmaf extractor computes
// it, with which options, and the collector name its values are stored
// under. It is plain data; the scorer maps Extractor and Options onto our
// extractors.
type ModelInput struct {
	// Feature is the model's feature name ("VMAF_integer_feature_adm2_score").
	Feature string
	// Extractor is the name of the libvmaf extractor that provides the
	// feature ("adm", "vif", "motion", "float_adm", ...; extractorTable).
	Extractor string
	// Options are the model's options for that extractor (its
	// feature_opts_dicts entry) keyed by libvmaf option name, with numbers
	// as float64, booleans as bool and strings as string; nil when none.
	Options map[string]any
	// Name is the collector name to read ("integer_adm2_egl_1"): libvmaf's
	// feature name from vmaf_feature_name_from_options, as its writers
	// print it (aliased).
	Name string
}

// featureAliases is libvmaf's alias.c: the names its writers print for the
// internal feature names (the ones rung's collector uses).
var featureAliases = map[string]string{
	"VMAF_feature_adm2_score":                     "adm2",
	"VMAF_feature_aim_score":                      "aim",
	"VMAF_feature_adm3_score":                     "adm3",
	"VMAF_feature_adm_scale0_score":               "adm_scale0",
	"VMAF_feature_adm_scale1_score":               "adm_scale1",
	"VMAF_feature_adm_scale2_score":               "adm_scale2",
	"VMAF_feature_adm_scale3_score":               "adm_scale3",
	"VMAF_feature_motion_score":                   "motion",
	"VMAF_feature_motion2_score":                  "motion2",
	"VMAF_feature_motion3_score":                  "motion3",
	"VMAF_feature_vif_scale0_score":               "vif_scale0",
	"VMAF_feature_vif_scale1_score":               "vif_scale1",
	"VMAF_feature_vif_scale2_score":               "vif_scale2",
	"VMAF_feature_vif_scale3_score":               "vif_scale3",
	"VMAF_integer_feature_adm2_score":             "integer_adm2",
	"VMAF_integer_feature_aim_score":              "integer_aim",
	"VMAF_integer_feature_adm3_score":             "integer_adm3",
	"VMAF_integer_feature_motion_score":           "integer_motion",
	"VMAF_integer_feature_motion2_score":          "integer_motion2",
	"VMAF_integer_feature_motion3_score":          "integer_motion3",
	"VMAF_integer_feature_vif_scale0_score":       "integer_vif_scale0",
	"VMAF_integer_feature_vif_scale1_score":       "integer_vif_scale1",
	"VMAF_integer_feature_vif_scale2_score":       "integer_vif_scale2",
	"VMAF_integer_feature_vif_scale3_score":       "integer_vif_scale3",
	"Cambi_feature_cambi_score":                   "cambi",
	"Speed_chroma_feature_speed_chroma_u_score":   "speed_chroma_u",
	"Speed_chroma_feature_speed_chroma_v_score":   "speed_chroma_v",
	"Speed_chroma_feature_speed_chroma_uv_score":  "speed_chroma_uv",
	"Speed_temporal_feature_speed_temporal_score": "speed_temporal",
}

// featureAlias returns the printed name of an internal feature name
// (vmaf_feature_name_alias).
func featureAlias(name string) string {
	if a, ok := featureAliases[name]; ok {
		return a
	}
	return name
}

// modelInput resolves a model feature and its options dictionary into a
// ModelInput, as vmaf_predict_score_at_index does with
// vmaf_get_feature_extractor_by_feature_name and
// vmaf_feature_name_from_options: the first extractor of the table providing
// the feature, its options checked against the extractor's table row, and
// the collector name featureName gives.
func modelInput(feature string, opts map[string]any) (ModelInput, error) {
	spec := providerOf(feature)
	if spec == nil {
		return ModelInput{}, fmt.Errorf("feature %q: no supported extractor provides it", feature)
	}
	set, err := spec.newOptionSet(opts)
	if err != nil {
		return ModelInput{}, fmt.Errorf("feature %q: %w", feature, err)
	}
	in := ModelInput{Feature: feature, Extractor: spec.name, Name: set.featureName(feature)}
	if len(opts) > 0 {
		in.Options = maps.Clone(set.vals)
	}
	return in, nil
}

// formatG formats v as C's printf("%g").
func formatG(v float64) string {
	return strconv.FormatFloat(v, 'g', 6, 64)
}
