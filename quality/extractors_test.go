package quality

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// TestModelInputOptions checks that a model's options are checked against
// the extractor table: libvmaf's defaults spelled out are accepted (a model
// setting adm_csf_mode 0 was refused), unknown options, wrong types, values
// out of libvmaf's bounds and non-default values of options rung does not
// implement are refused with one line naming the option.
func TestModelInputOptions(t *testing.T) {
	for _, c := range []struct {
		feature string
		opts    map[string]any
		name    string // want this collector name, or
		err     string // an error containing this
	}{
		{"VMAF_integer_feature_adm2_score", map[string]any{"adm_csf_mode": 0.0}, "integer_adm2", ""},
		{"VMAF_integer_feature_adm2_score", map[string]any{"adm_noise_weight": 0.03125, "adm_min_val": 0.0}, "integer_adm2", ""},
		{"VMAF_integer_feature_adm2_score", map[string]any{"adm_enhn_gain_limit": 1.0}, "integer_adm2_egl_1", ""},
		{"VMAF_integer_feature_adm2_score", map[string]any{"adm_enhn_gain_limit": 0.5}, "", "adm_enhn_gain_limit: 0.5 is out of range [1, 100]"},
		{"VMAF_integer_feature_adm2_score", map[string]any{"adm_csf_mode": 1.5}, "", "want an integer"},
		{"VMAF_integer_feature_adm2_score", map[string]any{"adm_csf_mode": 4.0}, "", "out of range [0, 3]"},
		{"VMAF_integer_feature_adm2_score", map[string]any{"adm_nope": 1.0}, "", `no option "adm_nope"`},
		{"VMAF_integer_feature_adm2_score", map[string]any{"debug": "yes"}, "", "want true or false"},
		{"VMAF_integer_feature_vif_scale0_score", map[string]any{"vif_skip_scale0": true}, "", "vif_skip_scale0=true is not supported"},
		{"VMAF_integer_feature_motion2_score", map[string]any{"motion_max_val": 18.0}, "integer_motion2_mmxv_18", ""},
		{"VMAF_integer_feature_motion2_score", map[string]any{"motion_five_frame_window": true, "motion_moving_average": true}, "integer_motion2_mffw_mma", ""},
		{"VMAF_feature_motion2_score", map[string]any{"debug": true}, "motion2", ""},
	} {
		in, err := modelInput(c.feature, c.opts)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s %v: %v", c.feature, c.opts, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s %v: err = %v, want one containing %q", c.feature, c.opts, err, c.err)
		case c.err == "" && in.Name != c.name:
			t.Errorf("%s %v: name %q, want %q", c.feature, c.opts, in.Name, c.name)
		case err != nil && strings.Contains(err.Error(), "\n"):
			t.Errorf("%s %v: error of more than one line: %q", c.feature, c.opts, err)
		}
	}
}

// TestParseFeature checks libvmaf's --feature syntax.
func TestParseFeature(t *testing.T) {
	for _, c := range []struct {
		in   string
		want FeatureRequest
		err  string
	}{
		{"psnr", FeatureRequest{Name: "psnr"}, ""},
		{"psnr=enable_mse=true:enable_chroma=false", FeatureRequest{"psnr", map[string]any{"enable_mse": true, "enable_chroma": false}}, ""},
		{"motion=motion_max_val=18", FeatureRequest{"motion", map[string]any{"motion_max_val": 18.0}}, ""},
		{"adm=adm_csf_mode=0", FeatureRequest{"adm", map[string]any{"adm_csf_mode": 0.0}}, ""},
		{"nope", FeatureRequest{}, `unknown feature "nope"`},
		{"", FeatureRequest{}, `unknown feature ""`},
		{"psnr=", FeatureRequest{}, "bad option string"},
		{"psnr=enable_mse", FeatureRequest{}, "bad option string"},
		{"psnr=enable_mse=1", FeatureRequest{}, "want true or false"},
		{"psnr=x=1", FeatureRequest{}, `no option "x"`},
		{"motion=motion_max_val=abc", FeatureRequest{}, "want a number"},
		{"motion=motion_max_val=20000", FeatureRequest{}, "out of range"},
		{"adm=adm_csf_mode=1.5", FeatureRequest{}, "want an integer"},
		{"float_ssim=enable_db=true", FeatureRequest{}, "not supported"},
	} {
		got, err := ParseFeature(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseFeature(%q) err = %v, want one containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseFeature(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

// TestExtractorTable checks the table's own invariants: unique extractor
// names, each option's default of its kind and within its bounds, every
// honoured option in the options table.
func TestExtractorTable(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range extractorTable() {
		if seen[s.name] {
			t.Errorf("extractor %s listed twice", s.name)
		}
		seen[s.name] = true
		if len(s.features) == 0 || s.build == nil {
			t.Errorf("extractor %s: no features or no constructor", s.name)
		}
		for _, o := range s.options {
			// libvmaf checks bounds only on values given (cambi's enc_width
			// defaults to 0, below its minimum 180): check the kind.
			def := o
			def.min, def.max = math.Inf(-1), math.Inf(1)
			if err := def.check(o.def); err != nil {
				t.Errorf("extractor %s option %s: default: %v", s.name, o.name, err)
			}
		}
		for _, h := range s.honours {
			if s.option(h) == nil {
				t.Errorf("extractor %s honours %s, not in its options", s.name, h)
			}
		}
	}
}

// TestExtractorsDedup checks that the same extractor asked for twice, once
// with a default spelled out, runs once, and that different options run
// twice.
func TestExtractorsDedup(t *testing.T) {
	ex, err := Extractors(nil, []string{"psnr", "psnr=enable_chroma=true", "motion", "motion=motion_max_val=18"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 3 {
		t.Errorf("%d extractors, want 3 (psnr once, motion twice)", len(ex))
	}
}
