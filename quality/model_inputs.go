package quality

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ModelInput is one feature a model reads: which libvmaf extractor computes
// it, with which options, and the collector name its values are stored
// under. It is plain data; the scorer maps Extractor and Options onto our
// extractors.
type ModelInput struct {
	// Feature is the model's feature name ("VMAF_integer_feature_adm2_score").
	Feature string
	// Extractor is the libvmaf extractor family that provides the feature:
	// "integer_adm", "integer_vif", "integer_motion", "float_adm",
	// "float_vif" or "float_motion".
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

// optKind is the type of an extractor option (VmafOptionType).
type optKind int

const (
	optBool optKind = iota
	optInt
	optDouble
	optString
)

// extractorOption is one entry of a libvmaf extractor's options table.
type extractorOption struct {
	name, alias string
	kind        optKind
	def         any  // default: bool, float64 (int and double) or string
	param       bool // VMAF_OPT_FLAG_FEATURE_PARAM: a non-default value renames the features
}

// extractorFamily is what rung needs to know of one libvmaf feature
// extractor: its provided_features and its options.
type extractorFamily struct {
	name     string
	features []string
	options  []extractorOption
}

// extractorFamilies mirrors the provided_features and options tables of
// libvmaf's integer_adm.c, integer_vif.c, integer_motion.c, float_adm.c,
// float_vif.c and float_motion.c (commit f85a853).
var extractorFamilies = []extractorFamily{
	{
		name: "integer_adm",
		features: []string{
			"VMAF_integer_feature_adm2_score", "VMAF_integer_feature_aim_score", "VMAF_integer_feature_adm3_score",
			"integer_adm_scale0", "integer_adm_scale1", "integer_adm_scale2", "integer_adm_scale3",
			"integer_adm", "integer_adm_num", "integer_adm_den",
			"integer_adm_num_scale0", "integer_adm_den_scale0", "integer_adm_num_scale1",
			"integer_adm_den_scale1", "integer_adm_num_scale2", "integer_adm_den_scale2",
			"integer_adm_num_scale3", "integer_adm_den_scale3",
		},
		options: []extractorOption{
			{"debug", "", optBool, false, false},
			{"adm_csf_scale", "scf", optDouble, 1.0, true},
			{"adm_csf_diag_scale", "scfd", optDouble, 1.0, true},
			{"adm_dlm_weight", "dlmw", optDouble, 0.5, true},
			{"adm_enhn_gain_limit", "egl", optDouble, 100.0, true},
			{"adm_norm_view_dist", "nvd", optDouble, 3.0, true},
			{"adm_ref_display_height", "rdh", optInt, 1080.0, true},
			{"adm_csf_mode", "csf", optInt, 0.0, true},
			{"adm_noise_weight", "nw", optDouble, 0.03125, true},
			{"adm_skip_aim", "", optBool, false, false},
			{"adm_skip_scale0", "ssz", optBool, false, true},
			{"adm_min_val", "min", optDouble, 0.0, true},
		},
	},
	{
		name: "integer_vif",
		features: []string{
			"VMAF_integer_feature_vif_scale0_score", "VMAF_integer_feature_vif_scale1_score",
			"VMAF_integer_feature_vif_scale2_score", "VMAF_integer_feature_vif_scale3_score",
			"integer_vif", "integer_vif_num", "integer_vif_den", "integer_vif_num_scale0",
			"integer_vif_den_scale0", "integer_vif_num_scale1", "integer_vif_den_scale1",
			"integer_vif_num_scale2", "integer_vif_den_scale2", "integer_vif_num_scale3",
			"integer_vif_den_scale3",
		},
		options: []extractorOption{
			{"debug", "", optBool, false, false},
			{"vif_enhn_gain_limit", "egl", optDouble, 100.0, true},
			{"vif_skip_scale0", "ssclz", optBool, false, true},
		},
	},
	{
		name: "integer_motion",
		features: []string{
			"VMAF_integer_feature_motion_sad_score", "VMAF_integer_feature_motion_score",
			"VMAF_integer_feature_motion2_score", "VMAF_integer_feature_motion3_score",
		},
		options: []extractorOption{
			{"motion_force_zero", "force_0", optBool, false, true},
			{"motion_blend_factor", "mbf", optDouble, 1.0, true},
			{"motion_blend_offset", "mbo", optDouble, 40.0, true},
			{"motion_fps_weight", "mfw", optDouble, 1.0, true},
			{"motion_max_val", "mmxv", optDouble, 10000.0, true},
			{"motion_five_frame_window", "mffw", optBool, false, true},
			{"motion_moving_average", "mma", optBool, false, true},
			{"debug", "", optBool, false, false},
		},
	},
	{
		name: "float_adm",
		features: []string{
			"VMAF_feature_adm2_score", "VMAF_feature_aim_score", "VMAF_feature_adm3_score",
			"VMAF_feature_adm_scale0_score", "VMAF_feature_adm_scale1_score",
			"VMAF_feature_adm_scale2_score", "VMAF_feature_adm_scale3_score",
			"adm_num", "adm_den", "adm_scale0", "adm_num_scale0", "adm_den_scale0",
			"adm_num_scale1", "adm_den_scale1", "adm_num_scale2", "adm_den_scale2",
			"adm_num_scale3", "adm_den_scale3",
		},
		options: []extractorOption{
			{"debug", "", optBool, false, false},
			{"adm_enhn_gain_limit", "egl", optDouble, 100.0, true},
			{"adm_norm_view_dist", "nvd", optDouble, 3.0, true},
			{"adm_noise_weight", "nw", optDouble, 0.03125, true},
			{"adm_csf_scale", "scf", optDouble, 1.0, true},
			{"adm_csf_diag_scale", "scfd", optDouble, 1.0, true},
			{"adm_ref_display_height", "rdf", optInt, 1080.0, true},
			{"adm_csf_mode", "csf", optInt, 0.0, true},
			{"adm_bypass_cm", "bcm", optInt, 0.0, true},
			{"adm_adm3_apply_hm", "aah", optBool, false, true},
			{"adm_p_norm", "apn", optDouble, 3.0, true},
			{"adm_dlm_weight", "dlmw", optDouble, 0.5, true},
			{"adm_min_val", "min", optDouble, 0.0, true},
			{"adm_f1s0", "f1s0", optDouble, -1.0, true},
			{"adm_f1s1", "f1s1", optDouble, -1.0, true},
			{"adm_f1s2", "f1s2", optDouble, -1.0, true},
			{"adm_f1s3", "f1s3", optDouble, -1.0, true},
			{"adm_f2s0", "f2s0", optDouble, -1.0, true},
			{"adm_f2s1", "f2s1", optDouble, -1.0, true},
			{"adm_f2s2", "f2s2", optDouble, -1.0, true},
			{"adm_f2s3", "f2s3", optDouble, -1.0, true},
			{"adm_skip_aim_scale", "sasc", optInt, -1.0, true},
			{"adm_skip_scale0", "ssz", optBool, false, true},
		},
	},
	{
		name: "float_vif",
		features: []string{
			"VMAF_feature_vif_scale0_score", "VMAF_feature_vif_scale1_score",
			"VMAF_feature_vif_scale2_score", "VMAF_feature_vif_scale3_score",
			"vif", "vif_num", "vif_den", "vif_num_scale0", "vif_den_scale0",
			"vif_num_scale1", "vif_den_scale1", "vif_num_scale2", "vif_den_scale2",
			"vif_num_scale3", "vif_den_scale3",
		},
		options: []extractorOption{
			{"debug", "", optBool, false, false},
			{"vif_enhn_gain_limit", "egl", optDouble, 100.0, true},
			{"vif_kernelscale", "ks", optDouble, 1.0, true},
			{"vif_prescale", "ps", optDouble, 1.0, true},
			{"vif_scale1_min_val", "s1miv", optDouble, 0.0, true},
			{"vif_scale2_min_val", "s2miv", optDouble, 0.0, true},
			{"vif_scale3_min_val", "s3miv", optDouble, 0.0, true},
			{"vif_prescale_method", "pm", optString, "nearest", true},
			{"vif_sigma_nsq", "snsq", optDouble, 2.0, true},
			{"vif_skip_scale0", "ssclz", optBool, false, true},
		},
	},
	{
		name: "float_motion",
		features: []string{
			"VMAF_feature_motion_score", "VMAF_feature_motion2_score", "VMAF_feature_motion3_score",
		},
		options: []extractorOption{
			{"debug", "", optBool, true, false},
			{"motion_force_zero", "force_0", optBool, false, true},
			{"motion_fps_weight", "mfw", optDouble, 1.0, true},
			{"motion_blend_factor", "mbf", optDouble, 1.0, true},
			{"motion_blend_offset", "mbo", optDouble, 40.0, true},
			{"motion_add_scale1", "mdc", optBool, false, true},
			{"motion_filter_size", "mfs", optInt, 5.0, true},
			{"motion_add_uv", "mau", optBool, false, true},
			{"motion_max_val", "mmxv", optDouble, 10000.0, true},
		},
	},
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
// vmaf_feature_name_from_options: the first extractor providing the feature,
// and the feature's alias followed by "_<alias>_<value>" (or "_<alias>" for a
// true boolean) for each feature-param option whose value is not the
// default, in alphabetical order of option name. Doubles print as C's %g,
// integers as %d.
func modelInput(feature string, opts map[string]any) (ModelInput, error) {
	var fam *extractorFamily
	for k := range extractorFamilies {
		if slices.Contains(extractorFamilies[k].features, feature) {
			fam = &extractorFamilies[k]
			break
		}
	}
	if fam == nil {
		return ModelInput{}, fmt.Errorf("feature %q: no supported extractor provides it", feature)
	}
	in := ModelInput{Feature: feature, Extractor: fam.name}
	var suffixes []string
	for _, key := range slices.Sorted(maps.Keys(opts)) {
		val := opts[key]
		var opt *extractorOption
		for k := range fam.options {
			if fam.options[k].name == key {
				opt = &fam.options[k]
			}
		}
		if opt == nil {
			return ModelInput{}, fmt.Errorf("feature %q: extractor %s has no option %q", feature, fam.name, key)
		}
		text, err := optionText(opt, val)
		if err != nil {
			return ModelInput{}, fmt.Errorf("feature %q: option %s: %w", feature, key, err)
		}
		if in.Options == nil {
			in.Options = make(map[string]any, len(opts))
		}
		in.Options[key] = val
		if !opt.param || val == opt.def {
			continue
		}
		alias := opt.alias
		if alias == "" {
			alias = opt.name
		}
		if opt.kind == optBool {
			suffixes = append(suffixes, "_"+alias)
		} else {
			suffixes = append(suffixes, "_"+alias+"_"+text)
		}
	}
	var b strings.Builder
	b.WriteString(featureAlias(feature))
	for _, s := range suffixes { // in sorted key order
		b.WriteString(s)
	}
	in.Name = b.String()
	return in, nil
}

// optionText checks val against the option's type and formats it as libvmaf
// does when it builds feature names.
func optionText(opt *extractorOption, val any) (string, error) {
	switch opt.kind {
	case optBool:
		if v, ok := val.(bool); ok {
			return strconv.FormatBool(v), nil
		}
		return "", fmt.Errorf("want true or false, got %v", val)
	case optString:
		if v, ok := val.(string); ok {
			return v, nil
		}
		return "", fmt.Errorf("want a string, got %v", val)
	}
	v, ok := val.(float64)
	if !ok {
		return "", fmt.Errorf("want a number, got %v", val)
	}
	if opt.kind == optInt {
		if v != math.Trunc(v) || math.Abs(v) > math.MaxInt32 {
			return "", fmt.Errorf("want an integer, got %v", v)
		}
		return strconv.Itoa(int(v)), nil
	}
	return formatG(v), nil
}

// formatG formats v as C's printf("%g").
func formatG(v float64) string {
	return strconv.FormatFloat(v, 'g', 6, 64)
}
