package quality

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"rung/internal/vmafref"
)

// TestModelSeedPrediction checks a hand-written model (testdata/models/
// tiny.json: RBF SVR with a sparse support vector, linear_rescale, an
// enabled polynomial + knots + out_gte_in transform and a clip) against the
// formula evaluated independently (in Python, float64):
// x' = (1.5·0.8 − 0.4, 0.1·3 + 0.05), y = Σ c·exp(−0.5·|x' − sv|²) + 0.25,
// (y + 0.5)/0.02 = 79.0314…, 1 + 1.1y − 0.001y² = 81.6886…, knots → 83.5197….
func TestModelSeedPrediction(t *testing.T) {
	m, err := LoadModel(filepath.Join("testdata", "models", "tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewScores()
	s.Set("integer_adm2", 0, 0.8)
	s.Set("integer_motion2", 0, 3.0)
	got, err := m.Predict(s, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := 83.51974523312194; math.Abs(got-want) > 1e-9 {
		t.Errorf("Predict = %.15g, want %.15g", got, want)
	}
	m.DisableClip = true
	s.Set("integer_adm2", 0, 100) // far outside: prediction ≈ 0.25 → (0.75/0.02) = 37.5 → transformed
	if _, err := m.Predict(s, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(s, 1); err == nil || !strings.Contains(err.Error(), "integer_adm2") {
		t.Errorf("frame without features: err = %v, want one naming integer_adm2", err)
	}
}

// TestModelInputs checks the extractor, options and collector name of every
// feature of the shared models and of the seed with options.
func TestModelInputs(t *testing.T) {
	vif := func(s string) ModelInput {
		return ModelInput{"VMAF_integer_feature_vif_scale" + s + "_score", "vif", nil, "integer_vif_scale" + s}
	}
	v061 := []ModelInput{
		{"VMAF_integer_feature_adm2_score", "adm", nil, "integer_adm2"},
		{"VMAF_integer_feature_motion2_score", "motion", nil, "integer_motion2"},
		vif("0"), vif("1"), vif("2"), vif("3"),
	}
	neg := []ModelInput{
		{"VMAF_integer_feature_adm2_score", "adm", map[string]any{"adm_enhn_gain_limit": 1.0}, "integer_adm2_egl_1"},
		{"VMAF_integer_feature_motion2_score", "motion", nil, "integer_motion2"},
	}
	for _, s := range []string{"0", "1", "2", "3"} {
		in := vif(s)
		in.Options = map[string]any{"vif_enhn_gain_limit": 1.0}
		in.Name += "_egl_1"
		neg = append(neg, in)
	}
	float := []ModelInput{
		{"VMAF_feature_adm2_score", "float_adm", nil, "adm2"},
		{"VMAF_feature_motion2_score", "float_motion", nil, "motion2"},
	}
	for _, s := range []string{"0", "1", "2", "3"} {
		float = append(float, ModelInput{"VMAF_feature_vif_scale" + s + "_score", "float_vif", nil, "vif_scale" + s})
	}
	seed := []ModelInput{
		{"VMAF_integer_feature_adm2_score", "adm", map[string]any{"adm_enhn_gain_limit": 1.2}, "integer_adm2_egl_1.2"},
		{"VMAF_integer_feature_motion2_score", "motion", map[string]any{"motion_force_zero": true}, "integer_motion2_force_0"},
	}
	shared := filepath.Join(vmafref.Dir(t), "vmaf", "model")
	for _, c := range []struct {
		path string
		want []ModelInput
	}{
		{filepath.Join(shared, "vmaf_v0.6.1.json"), v061},
		{filepath.Join(shared, "vmaf_4k_v0.6.1.json"), v061},
		{filepath.Join(shared, "vmaf_b_v0.6.3.json"), v061},
		{filepath.Join(shared, "vmaf_v0.6.1neg.json"), neg},
		{filepath.Join(shared, "vmaf_float_v0.6.1.json"), float},
		{filepath.Join("testdata", "models", "opts_poly.json"), seed},
	} {
		m, err := LoadModel(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Inputs(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Inputs() =\n%v\nwant\n%v", filepath.Base(c.path), got, c.want)
		}
	}
}

// TestFormatG checks that option values print as C's %g does.
func TestFormatG(t *testing.T) {
	for v, want := range map[float64]string{
		1: "1", 0.5: "0.5", 100: "100", 1e-5: "1e-05", 1e6: "1e+06", 123456: "123456",
		0.03125: "0.03125", 1.23456789: "1.23457", -1: "-1", 2.5e-4: "0.00025",
	} {
		if got := formatG(v); got != want {
			t.Errorf("formatG(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestParseModelErrors breaks a valid model in the ways a hand-edited or
// damaged file can be broken and requires a one-line error naming the file
// and the problem.
func TestParseModelErrors(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("testdata", "models", "tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	good := string(base)
	sv := `"svm_type nu_svr\nkernel_type rbf\ngamma 0.5\nnr_class 2\ntotal_sv 3\nrho -0.25\nSV\n1.5 1:0.1 2:0.2 \n-0.75 1:0.9 2:0.4 \n0.5 1:0.3 \n"`
	if !strings.Contains(good, sv) {
		t.Fatal("tiny.json changed: update the test's copy of its model text")
	}
	svm := func(text string) string { return strings.Replace(good, sv, text, 1) }
	for _, c := range []struct {
		name, data, want string
	}{
		{"truncated", good[:len(good)/2], "truncated"},
		{"empty", "", "truncated"},
		{"not an object", "[1, 2]", "want an object"},
		{"garbage", "{\"model_dict\": {]}", "invalid JSON"},
		{"no model_dict", `{"param_dict": {}}`, `no "model_dict"`},
		{"slopes wrong type", strings.Replace(good, `"slopes": [`, `"slopes": ["x", `, 1), "model_dict.slopes"},
		{"slopes too short", strings.Replace(good, `"slopes": [`, `"slopes": [0.1`+`], "x": [`, 1), "slopes: 1 values, want 3"},
		{"clip wrong type", strings.Replace(good, `"score_clip": [`, `"score_clip": "`+`0", "y": [`, 1), "score_clip"},
		{"missing model", strings.Replace(good, `"model": `, `"modelx": `, 1), "model: missing"},
		{"missing norm", strings.Replace(good, `"norm_type"`, `"nt"`, 1), "norm_type: missing"},
		{"missing type", strings.Replace(good, `"model_type"`, `"mt"`, 1), "model_type: missing"},
		{"bad type", strings.Replace(good, `"LIBSVMNUSVR"`, `"XGBOOST"`, 1), `"XGBOOST" not supported`},
		{"unknown feature", strings.Replace(good, `VMAF_integer_feature_adm2_score`, `VMAF_feature_nope`, 1), `"VMAF_feature_nope": no supported extractor`},
		{"no features", strings.Replace(strings.Replace(good, `"VMAF_integer_feature_adm2_score",`, ``, 1), `"VMAF_integer_feature_motion2_score"`, ``, 1), "feature_names: missing or empty"},
		{"unknown kernel", svm(strings.Replace(sv, "rbf", "laplace", 1)), `unknown kernel_type "laplace"`},
		{"classifier", svm(strings.Replace(sv, "nu_svr", "c_svc", 1)), `svm_type "c_svc" not supported`},
		{"SV too long", svm(strings.Replace(sv, `1:0.3 \n`, `1:0.3 3:0.7 \n`, 1)), "support vector has feature 3, the model has 2"},
		{"SV out of order", svm(strings.Replace(sv, `1:0.9 2:0.4`, `2:0.9 1:0.4`, 1)), "support vector 2: index 1 out of order"},
		{"SV bad pair", svm(strings.Replace(sv, `1:0.9`, `1;0.9`, 1)), `support vector 2: "1;0.9" is not index:value`},
		{"too few SVs", svm(strings.Replace(sv, `total_sv 3`, `total_sv 4`, 1)), "total_sv 4 but 3 support vectors"},
		{"too many SVs", svm(strings.Replace(sv, `total_sv 3`, `total_sv 2`, 1)), "more than total_sv 2"},
		{"no SV section", svm(`"svm_type nu_svr\nkernel_type rbf\n"`), "no SV section"},
		{"no rho", svm(strings.Replace(sv, `rho -0.25\n`, ``, 1)), "missing rho"},
		{"bad gamma", svm(strings.Replace(sv, `gamma 0.5`, `gamma x`, 1)), `gamma "x": not a number`},
		{"unknown option", strings.Replace(good, `"feature_names"`, `"feature_opts_dicts": [{"adm_nope": 1}, {}], "feature_names"`, 1), `no option "adm_nope"`},
		{"option wrong type", strings.Replace(good, `"feature_names"`, `"feature_opts_dicts": [{"adm_skip_scale0": 1}, {}], "feature_names"`, 1), "want true or false"},
		{"opts wrong length", strings.Replace(good, `"feature_names"`, `"feature_opts_dicts": [{}], "feature_names"`, 1), "1 entries for 2 features"},
		{"bad knots", strings.Replace(good, `"knots": [`, `"knots": [[60, 0], `, 1), "knot 1"},
		{"lonely bootstrap", `{"0": ` + good + `}`, `only model "0"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseModel([]byte(c.data), "bad.json")
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "model bad.json: ") || !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line starting with %q and containing %q", msg, "model bad.json: ", c.want)
			}
		})
	}
	if _, err := LoadModel(filepath.Join(t.TempDir(), "absent.json")); err == nil || !strings.Contains(err.Error(), "absent.json") {
		t.Errorf("LoadModel of a missing file: %v", err)
	}
}

// TestBootstrapSeed checks PredictAll's names and the relations between the
// bootstrap statistics on the seed collection.
func TestBootstrapSeed(t *testing.T) {
	m, err := LoadModel(filepath.Join("testdata", "models", "bootstrap.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewScores()
	s.Set("integer_adm2", 0, 0.8)
	s.Set("integer_motion2", 0, 3.0)
	preds, err := m.PredictAll(s, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	vals := map[string]float64{}
	for _, p := range preds {
		names = append(names, p.Name)
		vals[p.Name] = p.Value
	}
	want := []string{"vmaf", "vmaf_0001", "vmaf_0002", "vmaf_0003", "vmaf_bagging", "vmaf_stddev", "vmaf_ci_p95_lo", "vmaf_ci_p95_hi"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	single, _ := m.Predict(s, 0)
	if vals["vmaf"] != single {
		t.Errorf("vmaf %v != Predict %v", vals["vmaf"], single)
	}
	if !(vals["vmaf_ci_p95_lo"] <= vals["vmaf_bagging"] && vals["vmaf_bagging"] <= vals["vmaf_ci_p95_hi"]) || vals["vmaf_stddev"] <= 0 {
		t.Errorf("inconsistent bootstrap statistics: %v", vals)
	}
}

// TestPiecewiseLinear checks predict.c's knot mapping, including the flat
// segment and the linear extension below the first and above the last knot.
func TestPiecewiseLinear(t *testing.T) {
	knots := [][2]float64{{0, 0}, {50, 50}, {60, 50}, {100, 90}}
	for x, want := range map[float64]float64{
		-10: -10, 0: 0, 25: 25, 50: 50, 55: 50, 60: 50, 80: 70, 100: 90, 120: 110,
	} {
		if got := piecewiseLinear(x, knots); math.Abs(got-want) > 1e-12 {
			t.Errorf("piecewiseLinear(%g) = %g, want %g", x, got, want)
		}
	}
	flatEnds := [][2]float64{{10, 5}, {20, 5}}
	for x, want := range map[float64]float64{0: 5, 15: 5, 30: 5} {
		if got := piecewiseLinear(x, flatEnds); got != want {
			t.Errorf("flat piecewiseLinear(%g) = %g, want %g", x, got, want)
		}
	}
}
