package quality

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// This file is the one table of feature extractors (libvmaf's
// feature_extractor_list with each extractor's provided_features and
// options table). The model loader (modelInput), --feature (ParseFeature,
// Extractors) and the feature names the writers print (featureName) all
// read it; CONTRIBUTING.md says how to add a row.

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
	def         any     // default: bool, float64 (int and double) or string
	min, max    float64 // bounds of int and double options (inclusive)
	param       bool    // VMAF_OPT_FLAG_FEATURE_PARAM: a non-default value renames the features
}

// Option table constructors, to keep the rows short.
func boolOpt(name, alias string, def, param bool) extractorOption {
	return extractorOption{name: name, alias: alias, kind: optBool, def: def, param: param}
}

func intOpt(name, alias string, def, lo, hi float64) extractorOption {
	return extractorOption{name: name, alias: alias, kind: optInt, def: def, min: lo, max: hi, param: true}
}

func dblOpt(name, alias string, def, lo, hi float64) extractorOption {
	return extractorOption{name: name, alias: alias, kind: optDouble, def: def, min: lo, max: hi, param: true}
}

func strOpt(name, alias, def string) extractorOption {
	return extractorOption{name: name, alias: alias, kind: optString, def: def, param: true}
}

// debugOpt is the debug option most extractors have (not a feature param).
var debugOpt = boolOpt("debug", "", false, false)

// extractorSpec is one row of the extractor table.
type extractorSpec struct {
	// name is libvmaf's extractor name: what --feature NAME and a model's
	// feature overloads (name.option=value) use ("adm", "float_ssim").
	name string
	// features are libvmaf's provided_features, the internal names a model
	// file reads.
	features []string
	// options is libvmaf's options table, with its defaults and bounds.
	options []extractorOption
	// honours lists the options our extractor implements; any other
	// option is accepted only at libvmaf's default value.
	honours []string
	// build makes the extractor factory from checked options; an error is
	// an option value (or combination) the extractor refuses.
	build func(o optionSet) (func() Extractor, error)
}

// extractorTable lists every extractor rung has, in the order of libvmaf's
// feature_extractor_list (the first extractor providing a feature computes
// it for a model). It is a function, not a variable, because the
// constructors it names read it for their feature names.
func extractorTable() []extractorSpec {
	return []extractorSpec{
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
				debugOpt,
				dblOpt("adm_enhn_gain_limit", "egl", 100, 1, 100),
				dblOpt("adm_norm_view_dist", "nvd", 3, 0.75, 24),
				dblOpt("adm_noise_weight", "nw", 0.03125, 0, 1500),
				dblOpt("adm_csf_scale", "scf", 1, 0, 50),
				dblOpt("adm_csf_diag_scale", "scfd", 1, 0, 50),
				intOpt("adm_ref_display_height", "rdf", 1080, 1, 4320),
				intOpt("adm_csf_mode", "csf", 0, 0, 9),
				intOpt("adm_bypass_cm", "bcm", 0, 0, 1),
				boolOpt("adm_adm3_apply_hm", "aah", false, true),
				dblOpt("adm_p_norm", "apn", 3, 1, 32),
				dblOpt("adm_dlm_weight", "dlmw", 0.5, 0, 1),
				dblOpt("adm_min_val", "min", 0, 0, 1),
				dblOpt("adm_f1s0", "f1s0", -1, -1, 100), dblOpt("adm_f1s1", "f1s1", -1, -1, 100),
				dblOpt("adm_f1s2", "f1s2", -1, -1, 100), dblOpt("adm_f1s3", "f1s3", -1, -1, 100),
				dblOpt("adm_f2s0", "f2s0", -1, -1, 100), dblOpt("adm_f2s1", "f2s1", -1, -1, 100),
				dblOpt("adm_f2s2", "f2s2", -1, -1, 100), dblOpt("adm_f2s3", "f2s3", -1, -1, 100),
				intOpt("adm_skip_aim_scale", "sasc", -1, -1, 3),
				boolOpt("adm_skip_scale0", "ssz", false, true),
			},
			build: func(optionSet) (func() Extractor, error) { return func() Extractor { return NewFloatADM() }, nil },
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
				debugOpt,
				dblOpt("vif_enhn_gain_limit", "egl", 100, 1, 100),
				dblOpt("vif_kernelscale", "ks", 1, 0.1, 4),
				dblOpt("vif_prescale", "ps", 1, 0.1, 4),
				dblOpt("vif_scale1_min_val", "s1miv", 0, 0, 1),
				dblOpt("vif_scale2_min_val", "s2miv", 0, 0, 1),
				dblOpt("vif_scale3_min_val", "s3miv", 0, 0, 1),
				strOpt("vif_prescale_method", "pm", "nearest"),
				dblOpt("vif_sigma_nsq", "snsq", 2, 0, 5),
				boolOpt("vif_skip_scale0", "ssclz", false, true),
			},
			build: func(optionSet) (func() Extractor, error) { return func() Extractor { return NewFloatVIF() }, nil },
		},
		{
			name:     "float_motion",
			features: []string{"VMAF_feature_motion_score", "VMAF_feature_motion2_score", "VMAF_feature_motion3_score"},
			options: []extractorOption{
				boolOpt("debug", "", true, false),
				boolOpt("motion_force_zero", "force_0", false, true),
				dblOpt("motion_fps_weight", "mfw", 1, 0, 5),
				dblOpt("motion_blend_factor", "mbf", 1, 0, 1),
				dblOpt("motion_blend_offset", "mbo", 40, 0, 1000),
				boolOpt("motion_add_scale1", "mdc", false, true),
				intOpt("motion_filter_size", "mfs", 5, 3, 5),
				boolOpt("motion_add_uv", "mau", false, true),
				dblOpt("motion_max_val", "mmxv", 10000, 0, 10000),
			},
			honours: []string{"debug"}, // FloatMotion always writes motion (libvmaf's debug default)
			build:   func(optionSet) (func() Extractor, error) { return func() Extractor { return NewFloatMotion() }, nil },
		},
		{
			name:     "speed_chroma",
			features: []string{"Speed_chroma_feature_speed_chroma_u_score", "Speed_chroma_feature_speed_chroma_v_score", "Speed_chroma_feature_speed_chroma_uv_score"},
			options: []extractorOption{
				dblOpt("speed_kernelscale", "ks", 1, 0.1, 4),
				dblOpt("speed_prescale", "ps", 1, 0.1, 4),
				strOpt("speed_prescale_method", "psm", "nearest"),
				dblOpt("speed_sigma_nn", "snn", 0.29, 0.1, 2),
				dblOpt("speed_nn_floor", "nnf", 0, 0, 1),
				dblOpt("speed_max_val", "mxv", 1000, 0, 1000),
				intOpt("speed_weight_var_mode", "wvm", 0, 0, 6),
			},
			honours: []string{"speed_kernelscale", "speed_prescale", "speed_prescale_method", "speed_sigma_nn",
				"speed_nn_floor", "speed_max_val", "speed_weight_var_mode"},
			build: func(o optionSet) (func() Extractor, error) {
				opt := SpeedOptions{
					KernelScale: o.num("speed_kernelscale"), Prescale: o.num("speed_prescale"),
					PrescaleMethod: o.str("speed_prescale_method"), SigmaNN: o.num("speed_sigma_nn"),
					NNFloor: o.num("speed_nn_floor"), MaxVal: o.num("speed_max_val"), WeightVarMode: int(o.num("speed_weight_var_mode")),
				}
				if math.Abs(opt.KernelScale-1) >= 1e-3 {
					return nil, fmt.Errorf("speed_kernelscale %g is not implemented (only 1)", opt.KernelScale)
				}
				if m := opt.PrescaleMethod; m != "nearest" && m != "bilinear" {
					return nil, fmt.Errorf("speed_prescale_method %q is not implemented (nearest, bilinear)", m)
				}
				return func() Extractor { return NewSpeedChroma(opt) }, nil
			},
		},
		{
			name:     "float_ms_ssim",
			features: []string{"float_ms_ssim"},
			options: []extractorOption{
				boolOpt("enable_lcs", "", false, false),
				boolOpt("enable_db", "", false, false),
				boolOpt("clip_db", "", false, false),
			},
			build: func(optionSet) (func() Extractor, error) { return func() Extractor { return NewMSSSIM() }, nil },
		},
		{
			name:     "float_ssim",
			features: []string{"float_ssim"},
			options: []extractorOption{
				boolOpt("enable_lcs", "", false, false),
				boolOpt("enable_db", "", false, false),
				boolOpt("clip_db", "", false, false),
				{name: "scale", kind: optInt, def: 0.0, min: 0, max: 10},
			},
			build: func(optionSet) (func() Extractor, error) { return func() Extractor { return NewSSIM() }, nil },
		},
		{
			name:     "psnr",
			features: []string{"psnr_y", "psnr_cb", "psnr_cr"},
			options: []extractorOption{
				boolOpt("enable_chroma", "", true, false),
				boolOpt("enable_mse", "", false, false),
				boolOpt("enable_apsnr", "", false, false),
				boolOpt("reduced_hbd_peak", "", false, false),
				{name: "min_sse", kind: optDouble, def: 0.0, min: 0, max: math.MaxFloat64},
			},
			honours: []string{"enable_chroma", "enable_mse", "reduced_hbd_peak", "min_sse"},
			build: func(o optionSet) (func() Extractor, error) {
				opt := PSNROptions{LumaOnly: !o.flag("enable_chroma"), MSE: o.flag("enable_mse"),
					ReducedHBDPeak: o.flag("reduced_hbd_peak"), MinSSE: o.num("min_sse")}
				return func() Extractor { return NewPSNR(opt) }, nil
			},
		},
		{
			name: "adm",
			features: []string{
				"VMAF_integer_feature_adm2_score", "VMAF_integer_feature_aim_score", "VMAF_integer_feature_adm3_score",
				"integer_adm_scale0", "integer_adm_scale1", "integer_adm_scale2", "integer_adm_scale3",
				"integer_adm", "integer_adm_num", "integer_adm_den",
				"integer_adm_num_scale0", "integer_adm_den_scale0", "integer_adm_num_scale1",
				"integer_adm_den_scale1", "integer_adm_num_scale2", "integer_adm_den_scale2",
				"integer_adm_num_scale3", "integer_adm_den_scale3",
			},
			options: []extractorOption{
				debugOpt,
				dblOpt("adm_csf_scale", "scf", 1, 0, 50),
				dblOpt("adm_csf_diag_scale", "scfd", 1, 0, 50),
				dblOpt("adm_dlm_weight", "dlmw", 0.5, 0, 1),
				dblOpt("adm_enhn_gain_limit", "egl", 100, 1, 100),
				dblOpt("adm_norm_view_dist", "nvd", 3, 0.75, 24),
				intOpt("adm_ref_display_height", "rdh", 1080, 1, 4320),
				intOpt("adm_csf_mode", "csf", 0, 0, 3),
				dblOpt("adm_noise_weight", "nw", 0.03125, 0, 1500),
				boolOpt("adm_skip_aim", "", false, false),
				boolOpt("adm_skip_scale0", "ssz", false, true),
				dblOpt("adm_min_val", "min", 0, 0, 1),
			},
			honours: []string{"debug", "adm_enhn_gain_limit", "adm_csf_mode", "adm_norm_view_dist", "adm_ref_display_height",
				"adm_noise_weight", "adm_dlm_weight", "adm_min_val", "adm_csf_scale", "adm_csf_diag_scale", "adm_skip_aim"},
			build: func(o optionSet) (func() Extractor, error) {
				opt := ADMOptions{
					EnhnGainLimit: o.num("adm_enhn_gain_limit"), Debug: o.flag("debug"),
					CSFMode: int(o.num("adm_csf_mode")), NormViewDist: o.num("adm_norm_view_dist"),
					RefDisplayHeight: int(o.num("adm_ref_display_height")),
					NoiseWeight:      o.ptr("adm_noise_weight"), DLMWeight: o.ptr("adm_dlm_weight"),
					MinVal: o.num("adm_min_val"), CSFScale: o.ptr("adm_csf_scale"), CSFDiagScale: o.ptr("adm_csf_diag_scale"),
					SkipAIM: o.flag("adm_skip_aim"),
				}
				if err := NewADM(opt).err; err != nil {
					return nil, err
				}
				return func() Extractor { return NewADM(opt) }, nil
			},
		},
		{
			name: "motion",
			features: []string{
				"VMAF_integer_feature_motion_sad_score", "VMAF_integer_feature_motion_score",
				"VMAF_integer_feature_motion2_score", "VMAF_integer_feature_motion3_score",
			},
			options: []extractorOption{
				boolOpt("motion_force_zero", "force_0", false, true),
				dblOpt("motion_blend_factor", "mbf", motionBlendFactor, 0, 1),
				dblOpt("motion_blend_offset", "mbo", motionBlendOffset, 0, 1000),
				dblOpt("motion_fps_weight", "mfw", motionFPSWeight, 0, 5),
				dblOpt("motion_max_val", "mmxv", motionMaxVal, 0, motionMaxVal),
				boolOpt("motion_five_frame_window", "mffw", false, true),
				boolOpt("motion_moving_average", "mma", false, true),
				debugOpt,
			},
			honours: []string{"debug", "motion_force_zero", "motion_blend_factor", "motion_blend_offset",
				"motion_fps_weight", "motion_max_val", "motion_five_frame_window", "motion_moving_average"},
			build: func(o optionSet) (func() Extractor, error) {
				opt := MotionOptions{
					Debug: o.flag("debug"), ForceZero: o.flag("motion_force_zero"),
					FiveFrameWindow: o.flag("motion_five_frame_window"), MovingAverage: o.flag("motion_moving_average"),
					BlendFactor: o.ptr("motion_blend_factor"), BlendOffset: o.ptr("motion_blend_offset"),
					FPSWeight: o.ptr("motion_fps_weight"), MaxVal: o.ptr("motion_max_val"),
				}
				return func() Extractor { return NewMotion(opt) }, nil
			},
		},
		{
			name: "vif",
			features: []string{
				"VMAF_integer_feature_vif_scale0_score", "VMAF_integer_feature_vif_scale1_score",
				"VMAF_integer_feature_vif_scale2_score", "VMAF_integer_feature_vif_scale3_score",
				"integer_vif", "integer_vif_num", "integer_vif_den", "integer_vif_num_scale0",
				"integer_vif_den_scale0", "integer_vif_num_scale1", "integer_vif_den_scale1",
				"integer_vif_num_scale2", "integer_vif_den_scale2", "integer_vif_num_scale3",
				"integer_vif_den_scale3",
			},
			options: []extractorOption{
				debugOpt,
				dblOpt("vif_enhn_gain_limit", "egl", 100, 1, 100),
				boolOpt("vif_skip_scale0", "ssclz", false, true),
			},
			honours: []string{"debug", "vif_enhn_gain_limit"},
			build: func(o optionSet) (func() Extractor, error) {
				opt := VIFOptions{EnhnGainLimit: o.num("vif_enhn_gain_limit"), Debug: o.flag("debug")}
				return func() Extractor { return NewVIF(opt) }, nil
			},
		},
		{
			name:     "cambi",
			features: []string{"Cambi_feature_cambi_score"},
			options: []extractorOption{
				dblOpt("cambi_max_val", "cmxv", 1000, 0, 1000),
				intOpt("enc_width", "encw", 0, 180, 7680),
				intOpt("enc_height", "ench", 0, 150, 7680),
				intOpt("enc_bitdepth", "encbd", 0, 6, 16),
				intOpt("src_width", "srcw", 0, 320, 7680),
				intOpt("src_height", "srch", 0, 200, 4320),
				intOpt("window_size", "ws", 65, 15, 127),
				dblOpt("topk", "", 0.6, 0.0001, 1),
				dblOpt("cambi_topk", "ctpk", 0.6, 0.0001, 1),
				dblOpt("tvi_threshold", "tvit", 0.019, 0.0001, 1),
				dblOpt("cambi_vis_lum_threshold", "vlt", 0, 0, 300),
				intOpt("max_log_contrast", "mlc", 2, 0, 5),
				{name: "heatmaps_path", kind: optString, def: ""},
				boolOpt("full_ref", "", false, false),
				strOpt("eotf", "", "bt1886"),
				strOpt("cambi_eotf", "ceot", "bt1886"),
				intOpt("cambi_high_res_speedup", "hrs", 0, 0, 2160),
			},
			honours: []string{"cambi_max_val", "enc_width", "enc_height", "enc_bitdepth", "src_width", "src_height",
				"window_size", "topk", "cambi_topk", "tvi_threshold", "cambi_vis_lum_threshold", "max_log_contrast",
				"full_ref", "eotf", "cambi_eotf", "cambi_high_res_speedup"},
			build: func(o optionSet) (func() Extractor, error) {
				opt := CAMBIOptions{
					EncWidth: int(o.num("enc_width")), EncHeight: int(o.num("enc_height")), EncBitDepth: int(o.num("enc_bitdepth")),
					SrcWidth: int(o.num("src_width")), SrcHeight: int(o.num("src_height")), WindowSize: int(o.num("window_size")),
					TopK: o.num("topk"), CambiTopK: o.num("cambi_topk"), TVIThreshold: o.num("tvi_threshold"),
					VisLumThreshold: o.num("cambi_vis_lum_threshold"), MaxLogContrast: int(o.num("max_log_contrast")),
					MaxVal: o.num("cambi_max_val"), FullRef: o.flag("full_ref"), EOTF: o.str("eotf"), CambiEOTF: o.str("cambi_eotf"),
					HighResSpeedup: int(o.num("cambi_high_res_speedup")),
				}
				for _, e := range []string{opt.EOTF, opt.CambiEOTF} {
					if _, err := cambiEOTF(e); err != nil {
						return nil, err
					}
				}
				return func() Extractor { return NewCAMBI(opt) }, nil
			},
		},
	}
}

// lookupExtractor returns the row of the extractor called name, or nil.
func lookupExtractor(name string) *extractorSpec {
	table := extractorTable()
	for k := range table {
		if table[k].name == name {
			return &table[k]
		}
	}
	return nil
}

// providerOf returns the first row providing feature (libvmaf's
// vmaf_get_feature_extractor_by_feature_name), or nil.
func providerOf(feature string) *extractorSpec {
	table := extractorTable()
	for k := range table {
		if slices.Contains(table[k].features, feature) {
			return &table[k]
		}
	}
	return nil
}

// option returns the row's option called name, or nil.
func (s *extractorSpec) option(name string) *extractorOption {
	for k := range s.options {
		if s.options[k].name == name {
			return &s.options[k]
		}
	}
	return nil
}

// optionNames lists the row's option names, for errors.
func (s *extractorSpec) optionNames() string {
	names := make([]string, len(s.options))
	for k, o := range s.options {
		names[k] = o.name
	}
	return strings.Join(names, ", ")
}

// optionSet is a checked set of options of one extractor: typed values
// within libvmaf's bounds, keyed by option name.
type optionSet struct {
	spec *extractorSpec
	vals map[string]any
}

// newOptionSet checks opts (values bool, float64 or string) against the
// row: every key an option of the extractor, of its type and within its
// bounds, and any option our extractor does not implement left at
// libvmaf's default.
func (s *extractorSpec) newOptionSet(opts map[string]any) (optionSet, error) {
	set := optionSet{spec: s, vals: make(map[string]any, len(opts))}
	for _, key := range slices.Sorted(maps.Keys(opts)) {
		opt := s.option(key)
		if opt == nil {
			return optionSet{}, fmt.Errorf("extractor %s has no option %q (it has %s)", s.name, key, s.optionNames())
		}
		val := opts[key]
		if err := opt.check(val); err != nil {
			return optionSet{}, fmt.Errorf("option %s: %w", key, err)
		}
		if val != opt.def && !slices.Contains(s.honours, key) {
			return optionSet{}, fmt.Errorf("option %s=%v is not supported by rung's %s (only libvmaf's default %v)", key, val, s.name, opt.def)
		}
		set.vals[key] = val
	}
	return set, nil
}

// check tests val against the option's type and bounds, as libvmaf's
// vmaf_option_set does.
func (opt *extractorOption) check(val any) error {
	switch opt.kind {
	case optBool:
		if _, ok := val.(bool); !ok {
			return fmt.Errorf("want true or false, got %v", val)
		}
		return nil
	case optString:
		if _, ok := val.(string); !ok {
			return fmt.Errorf("want a string, got %v", val)
		}
		return nil
	}
	v, ok := val.(float64)
	if !ok {
		return fmt.Errorf("want a number, got %v", val)
	}
	if opt.kind == optInt && (v != math.Trunc(v) || math.Abs(v) > math.MaxInt32) {
		return fmt.Errorf("want an integer, got %v", v)
	}
	if !(v >= opt.min && v <= opt.max) {
		return fmt.Errorf("%v is out of range [%v, %v]", v, opt.min, opt.max)
	}
	return nil
}

// parse converts the text of a command-line or model-overload option value
// into the option's type (set_option_bool/int/double: "true"/"false",
// integers, decimal numbers), unchecked against the bounds.
func (opt *extractorOption) parse(text string) (any, error) {
	switch opt.kind {
	case optBool:
		switch text {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("option %s: want true or false, got %q", opt.name, text)
	case optString:
		return text, nil
	case optInt:
		n, err := strconv.ParseInt(text, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("option %s: want an integer, got %q", opt.name, text)
		}
		return float64(n), nil
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("option %s: want a number, got %q", opt.name, text)
	}
	return v, nil
}

// text formats a checked value as libvmaf does in feature names: %g for
// doubles, %d for integers.
func (opt *extractorOption) text(val any) string {
	switch v := val.(type) {
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	case float64:
		if opt.kind == optInt {
			return strconv.Itoa(int(v))
		}
		return formatG(v)
	}
	return fmt.Sprint(val)
}

// flag returns boolean option name, or its default.
func (o optionSet) flag(name string) bool {
	if v, ok := o.vals[name].(bool); ok {
		return v
	}
	b, _ := o.spec.option(name).def.(bool)
	return b
}

// num returns numeric option name, or its default.
func (o optionSet) num(name string) float64 {
	if v, ok := o.vals[name].(float64); ok {
		return v
	}
	f, _ := o.spec.option(name).def.(float64)
	return f
}

// str returns string option name, or its default.
func (o optionSet) str(name string) string {
	if v, ok := o.vals[name].(string); ok {
		return v
	}
	s, _ := o.spec.option(name).def.(string)
	return s
}

// ptr returns numeric option name when set, else nil.
func (o optionSet) ptr(name string) *float64 {
	if v, ok := o.vals[name].(float64); ok {
		return &v
	}
	return nil
}

// key is a canonical text of the set, for de-duplicating extractors.
func (o optionSet) key() string {
	var b strings.Builder
	b.WriteString(o.spec.name)
	for _, k := range slices.Sorted(maps.Keys(o.vals)) {
		if o.vals[k] != o.spec.option(k).def { // a default spelled out is the same extractor
			fmt.Fprintf(&b, "|%s=%v", k, o.vals[k])
		}
	}
	return b.String()
}

// featureName is libvmaf's vmaf_feature_name_from_options as its writers
// print it: the feature's alias, then "_<alias>_<value>" (or "_<alias>" for
// a true boolean) for each feature-param option whose value differs from
// the default, in alphabetical order of option name.
func (o optionSet) featureName(feature string) string {
	var b strings.Builder
	b.WriteString(featureAlias(feature))
	for _, key := range slices.Sorted(maps.Keys(o.vals)) {
		opt := o.spec.option(key)
		val := o.vals[key]
		if !opt.param || val == opt.def {
			continue
		}
		alias := opt.alias
		if alias == "" {
			alias = opt.name
		}
		if opt.kind == optBool {
			b.WriteString("_" + alias)
		} else {
			b.WriteString("_" + alias + "_" + opt.text(val))
		}
	}
	return b.String()
}

// featureNameOf is featureName for extractor ext with options opts, which
// the extractor's own option struct keeps valid.
func featureNameOf(ext, feature string, opts map[string]any) string {
	return optionSet{spec: lookupExtractor(ext), vals: opts}.featureName(feature)
}

// FeatureRequest is one extra feature asked for with libvmaf's --feature
// syntax: an extractor name and its options.
type FeatureRequest struct {
	Name    string
	Options map[string]any // typed as the extractor's options table says
}

// ParseFeature parses libvmaf's --feature syntax, NAME[=option=value[:option=value...]]
// ("psnr", "cambi=enc_width=768:enc_height=432"), checking the extractor
// name, each option's name, type and bounds. Errors are one line.
func ParseFeature(s string) (FeatureRequest, error) {
	name, rest, hasOpts := strings.Cut(s, "=")
	spec := lookupExtractor(name)
	if spec == nil {
		return FeatureRequest{}, fmt.Errorf("unknown feature %q (want one of %s)", name, strings.Join(ExtraFeatures(), ", "))
	}
	req := FeatureRequest{Name: name}
	if !hasOpts {
		return req, nil
	}
	req.Options = map[string]any{}
	for _, kv := range strings.Split(rest, ":") {
		key, text, ok := strings.Cut(kv, "=")
		if !ok || strings.Contains(text, "=") {
			return FeatureRequest{}, fmt.Errorf("feature %s: bad option string %q (want option=value)", name, kv)
		}
		opt := spec.option(key)
		if opt == nil {
			return FeatureRequest{}, fmt.Errorf("feature %s: no option %q (it has %s)", name, key, spec.optionNames())
		}
		v, err := opt.parse(text)
		if err != nil {
			return FeatureRequest{}, fmt.Errorf("feature %s: %w", name, err)
		}
		req.Options[key] = v
	}
	if _, err := spec.newOptionSet(req.Options); err != nil {
		return FeatureRequest{}, fmt.Errorf("feature %s: %w", name, err)
	}
	return req, nil
}

// ExtraFeatures lists the extractor names --feature accepts.
func ExtraFeatures() []string {
	table := extractorTable()
	names := make([]string, len(table))
	for k, s := range table {
		names[k] = s.name
	}
	slices.Sort(names)
	return names
}

// Extractors returns the extractor factories the scorer needs for model m
// (nil: none) and the extra features named in libvmaf's --feature syntax
// (ParseFeature), one per distinct extractor and option set, in the order
// first needed. A factory whose extractor implements Flusher is temporal.
func Extractors(m *Model, features []string) ([]func() Extractor, error) {
	type want struct {
		ext  string
		opts map[string]any
	}
	var wants []want
	if m != nil {
		for _, in := range m.Inputs() {
			wants = append(wants, want{in.Extractor, in.Options})
		}
	}
	for _, f := range features {
		req, err := ParseFeature(f)
		if err != nil {
			return nil, err
		}
		wants = append(wants, want{req.Name, req.Options})
	}
	seen := map[string]bool{}
	var out []func() Extractor
	for _, w := range wants {
		spec := lookupExtractor(w.ext)
		if spec == nil {
			return nil, fmt.Errorf("no extractor %q", w.ext)
		}
		set, err := spec.newOptionSet(w.opts)
		if err != nil {
			return nil, fmt.Errorf("extractor %s: %w", w.ext, err)
		}
		if seen[set.key()] {
			continue
		}
		seen[set.key()] = true
		f, err := spec.build(set)
		if err != nil {
			return nil, fmt.Errorf("extractor %s: %w", w.ext, err)
		}
		out = append(out, f)
	}
	return out, nil
}
