package quality

import (
	"reflect"
	"strings"
	"testing"
)

// TestParseModelSpec checks rung's NAME|PATH and libvmaf's --model syntax.
func TestParseModelSpec(t *testing.T) {
	for _, c := range []struct {
		in   string
		want ModelSpec
		err  string
	}{
		{"vmaf_v0.6.1", ModelSpec{Version: "vmaf_v0.6.1"}, ""},
		{"models/x.json", ModelSpec{Version: "models/x.json"}, ""},
		{"version=vmaf_v1.0.16_3d0h", ModelSpec{Version: "vmaf_v1.0.16_3d0h"}, ""},
		{"path=m.json:name=neg:disable_clip:enable_transform=true", ModelSpec{Path: "m.json", Name: "neg", DisableClip: true, EnableTransform: true}, ""},
		{"path=m.json:motion.debug=true:adm.adm_enhn_gain_limit=1", ModelSpec{Path: "m.json", Overloads: []Overload{{"motion", "debug", true}, {"adm", "adm_enhn_gain_limit", 1.0}}}, ""},
		{"", ModelSpec{}, "empty"},
		{"name=x", ModelSpec{}, "needs path=FILE or version=NAME"},
		{"path=a:version=b", ModelSpec{}, "both"},
		{"path=", ModelSpec{}, "empty path"},
		{"path=a:bogus", ModelSpec{}, "bad option string"},
		{"path=a:x=1", ModelSpec{}, `unknown key "x"`},
		{"path=a:nope.debug=true", ModelSpec{}, `unknown feature extractor "nope"`},
		{"path=a:adm.nope=1", ModelSpec{}, `no option "nope"`},
		{"path=a:adm.adm_enhn_gain_limit=1000", ModelSpec{}, "out of range"},
		{"path=a:adm.debug=yes", ModelSpec{}, "want true or false"},
		{"path=a:disable_clip=maybe", ModelSpec{}, "want true or false"},
		{"path=a=b", ModelSpec{}, "one = per option"},
	} {
		got, err := ParseModelSpec(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), "\n") {
				t.Errorf("ParseModelSpec(%q) err = %v, want one line containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseModelSpec(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

// TestOpenModelBuiltin loads every built-in model by name with no model
// directory, and applies an overload that renames the features.
func TestOpenModelBuiltin(t *testing.T) {
	t.Setenv(ModelDirEnv, t.TempDir())
	for _, name := range BuiltinModels() {
		if _, err := OpenModel("version=" + name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	m, err := OpenModel("version=vmaf_v0.6.1:name=v:adm.adm_enhn_gain_limit=1")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "v" || m.Inputs()[0].Name != "integer_adm2_egl_1" {
		t.Errorf("name %q, first input %q; want v and integer_adm2_egl_1", m.Name, m.Inputs()[0].Name)
	}
	if _, err := OpenModel("version=vmaf_nope"); err == nil || !strings.Contains(err.Error(), "built-in models") {
		t.Errorf("unknown model: err = %v, want one listing the built-in models", err)
	}
}

// FuzzOptionSyntax feeds arbitrary text to the --model and --feature
// parsers: they must return a value or a one-line error, never panic.
func FuzzOptionSyntax(f *testing.F) {
	for _, s := range []string{
		"vmaf_v0.6.1", "version=vmaf_v1.0.16_3d0h:cambi.enc_width=768", "path=m.json:name=x:disable_clip",
		"path=m.json:motion.motion_max_val=18:adm.adm_csf_mode=2", "psnr=enable_mse=true:enable_chroma=false",
		"motion=motion_five_frame_window=true", "adm=adm_norm_view_dist=1e309", "path=a::b", "=", ":", "cambi=topk=0.5",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, err := range []error{
			func() error { _, err := ParseModelSpec(s); return err }(),
			func() error { _, err := ParseFeature(s); return err }(),
		} {
			if err != nil && strings.ContainsAny(err.Error(), "\n") && !strings.ContainsAny(s, "\n") {
				t.Errorf("error of more than one line for %q: %q", s, err)
			}
		}
	})
}
