package quality

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"strconv"
	"strings"
)

// Model is a libvmaf JSON model: a libsvm nu-SVR over normalised features,
// with libvmaf's score transform and clip (libvmaf's VmafModel, read as
// read_json_model.c does). A bootstrap model file ("vmaf_b_v0.6.3.json",
// top-level keys "0".."N") is one Model whose main model is "0" and whose
// bootstrap sub-models are "1".."N"; see PredictAll. Once its fields are
// set, a Model is read-only: Predict and PredictAll may run concurrently.
type Model struct {
	// Name is the name predictions are written under; "vmaf", libvmaf's
	// default model name, unless the caller changes it. Bootstrap
	// sub-models are named Name_0001, Name_0002, ...
	Name string
	// EnableTransform applies the model's score_transform even when the
	// file does not enable it (libvmaf's enable_transform model option).
	EnableTransform bool
	// DisableClip skips the model's score_clip (libvmaf's disable_clip).
	DisableClip bool

	file      string // the name given to ParseModel, for errors
	features  []modelFeature
	slope     float64 // denormalisation of the prediction
	intercept float64
	rescale   bool // norm_type linear_rescale (else none)
	svm       *svmModel
	transform scoreTransform
	clip      *[2]float64 // score_clip, nil when absent
	chroma    float64     // chroma_correction_parameter, 0 when absent
	bootstrap []*Model    // sub-models "1".."N" of a bootstrap collection
}

// modelFeature is one SVR input: where to read it and how to normalise it.
type modelFeature struct {
	input            ModelInput
	slope, intercept float64
}

// scoreTransform is libvmaf's score_transform: a polynomial of degree ≤ 2,
// a piecewise-linear map, then optional rectification against the input.
type scoreTransform struct {
	enabled            bool
	p                  [3]*float64
	knots              [][2]float64 // nil when absent
	outLTEIn, outGTEIn bool
}

// modelJSON is the model_dict of a libvmaf JSON model.
type modelJSON struct {
	ModelDict *struct {
		ModelType        *string          `json:"model_type"`
		NormType         *string          `json:"norm_type"`
		FeatureNames     []string         `json:"feature_names"`
		FeatureOptsDicts []map[string]any `json:"feature_opts_dicts"`
		Slopes           []float64        `json:"slopes"`
		Intercepts       []float64        `json:"intercepts"`
		ScoreTransform   *struct {
			Enabled  *bool       `json:"enabled"`
			P0       *float64    `json:"p0"`
			P1       *float64    `json:"p1"`
			P2       *float64    `json:"p2"`
			Knots    [][]float64 `json:"knots"`
			OutLTEIn *string     `json:"out_lte_in"`
			OutGTEIn *string     `json:"out_gte_in"`
		} `json:"score_transform"`
		ScoreClip        []float64 `json:"score_clip"`
		ChromaCorrection *float64  `json:"chroma_correction_parameter"`
		Model            *string   `json:"model"`
	} `json:"model_dict"`
}

// maxModelFeatures and maxKnots are libvmaf's MAX_FEATURE_COUNT and
// MAX_KNOT_COUNT.
const (
	maxModelFeatures = 64
	maxKnots         = 10
)

// ParseModel parses a libvmaf JSON model, or a bootstrap collection of them.
// name is the file name used in errors, which are one line each.
func ParseModel(data []byte, name string) (*Model, error) {
	m, err := parseModel(data)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", name, err)
	}
	m.file = name
	for _, b := range m.bootstrap {
		b.file = name
	}
	return m, nil
}

// LoadModel reads and parses the libvmaf JSON model at path.
func LoadModel(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return ParseModel(data, path)
}

func parseModel(data []byte) (*Model, error) {
	var top map[string]json.RawMessage
	if err := unmarshalJSON(data, &top); err != nil {
		return nil, err
	}
	if _, ok := top["model_dict"]; ok {
		return parseModelDict(data, "")
	}
	if _, ok := top["0"]; !ok {
		return nil, errors.New(`no "model_dict" (nor a bootstrap collection "0", "1", ...)`)
	}
	// A collection, read as model_collection_parse does: "0" is the main
	// model, "1", "2", ... its bootstrap sub-models.
	var main *Model
	for i := 0; ; i++ {
		key := strconv.Itoa(i)
		raw, ok := top[key]
		if !ok {
			break
		}
		m, err := parseModelDict(raw, key+".")
		if err != nil {
			return nil, err
		}
		if i == 0 {
			main = m
			continue
		}
		if len(m.features) != len(main.features) {
			return nil, fmt.Errorf("%s: %d features, model 0 has %d", key, len(m.features), len(main.features))
		}
		main.bootstrap = append(main.bootstrap, m)
	}
	if len(main.bootstrap) == 0 {
		return nil, errors.New(`bootstrap collection has only model "0"`)
	}
	return main, nil
}

// parseModelDict parses one {"model_dict": {...}} object; path prefixes the
// keys named in errors.
func parseModelDict(data []byte, path string) (*Model, error) {
	var doc modelJSON
	if err := unmarshalJSON(data, &doc); err != nil {
		return nil, fmt.Errorf("%s%w", path, err)
	}
	d := doc.ModelDict
	path += "model_dict."
	if d == nil {
		return nil, fmt.Errorf("%smissing", path)
	}
	m := &Model{Name: "vmaf"}
	switch {
	case d.ModelType == nil:
		return nil, fmt.Errorf("%smodel_type: missing", path)
	case *d.ModelType != "LIBSVMNUSVR" && *d.ModelType != "BOOTSTRAP_LIBSVMNUSVR" && *d.ModelType != "RESIDUEBOOTSTRAP_LIBSVMNUSVR":
		return nil, fmt.Errorf("%smodel_type: %q not supported", path, *d.ModelType)
	case d.NormType == nil:
		return nil, fmt.Errorf("%snorm_type: missing", path)
	case *d.NormType == "linear_rescale":
		m.rescale = true
	case *d.NormType != "none":
		return nil, fmt.Errorf("%snorm_type: %q not supported (want linear_rescale or none)", path, *d.NormType)
	}
	if d.ChromaCorrection != nil {
		// libvmaf stops predicting (and writes no score) for 0.
		if *d.ChromaCorrection == 0 || math.IsNaN(*d.ChromaCorrection) || math.IsInf(*d.ChromaCorrection, 0) {
			return nil, fmt.Errorf("%schroma_correction_parameter: %v is not supported (libvmaf predicts nothing with 0)", path, *d.ChromaCorrection)
		}
		m.chroma = *d.ChromaCorrection
	}

	n := len(d.FeatureNames)
	if n == 0 {
		return nil, fmt.Errorf("%sfeature_names: missing or empty", path)
	}
	if n > maxModelFeatures {
		return nil, fmt.Errorf("%sfeature_names: %d features, at most %d", path, n, maxModelFeatures)
	}
	if d.FeatureOptsDicts != nil && len(d.FeatureOptsDicts) != n {
		return nil, fmt.Errorf("%sfeature_opts_dicts: %d entries for %d features", path, len(d.FeatureOptsDicts), n)
	}
	if m.chroma != 0 {
		for _, sub := range []string{"adm3", "speed_chroma"} {
			k := 0
			for _, f := range d.FeatureNames {
				if strings.Contains(f, sub) {
					k++
				}
			}
			if k != 1 {
				return nil, fmt.Errorf("%schroma_correction_parameter: needs exactly one feature named *%s*, the model has %d", path, sub, k)
			}
		}
	}
	if m.rescale {
		if len(d.Slopes) != n+1 {
			return nil, fmt.Errorf("%sslopes: %d values, want %d (the model's, then one per feature)", path, len(d.Slopes), n+1)
		}
		if len(d.Intercepts) != n+1 {
			return nil, fmt.Errorf("%sintercepts: %d values, want %d (the model's, then one per feature)", path, len(d.Intercepts), n+1)
		}
		if d.Slopes[0] == 0 {
			return nil, fmt.Errorf("%sslopes: model slope is 0", path)
		}
		m.slope, m.intercept = d.Slopes[0], d.Intercepts[0]
	}
	for k, name := range d.FeatureNames {
		var opts map[string]any
		if d.FeatureOptsDicts != nil {
			opts = d.FeatureOptsDicts[k]
		}
		in, err := modelInput(name, opts)
		if err != nil {
			return nil, fmt.Errorf("%sfeature_names[%d]: %w", path, k, err)
		}
		f := modelFeature{input: in}
		if m.rescale {
			f.slope, f.intercept = d.Slopes[k+1], d.Intercepts[k+1]
		}
		m.features = append(m.features, f)
	}

	if st := d.ScoreTransform; st != nil {
		t := &m.transform
		t.enabled = st.Enabled != nil && *st.Enabled
		t.p = [3]*float64{st.P0, st.P1, st.P2}
		t.outLTEIn = st.OutLTEIn != nil && *st.OutLTEIn == "true"
		t.outGTEIn = st.OutGTEIn != nil && *st.OutGTEIn == "true"
		if st.Knots != nil {
			if err := t.setKnots(st.Knots); err != nil {
				return nil, fmt.Errorf("%sscore_transform.knots: %w", path, err)
			}
		}
	}
	if d.ScoreClip != nil {
		if len(d.ScoreClip) != 2 || d.ScoreClip[0] > d.ScoreClip[1] {
			return nil, fmt.Errorf("%sscore_clip: want [min, max], got %v", path, d.ScoreClip)
		}
		m.clip = &[2]float64{d.ScoreClip[0], d.ScoreClip[1]}
	}

	if d.Model == nil {
		return nil, fmt.Errorf("%smodel: missing", path)
	}
	svm, err := parseSVM(*d.Model)
	if err != nil {
		return nil, fmt.Errorf("%smodel: %w", path, err)
	}
	if svm.maxFeatureIdx > n {
		return nil, fmt.Errorf("%smodel: %w: a support vector has feature %d, the model has %d features", path, errSVM, svm.maxFeatureIdx, n)
	}
	m.svm = svm
	return m, nil
}

// setKnots checks the knots as piecewise_linear_mapping in predict.c does:
// 2..10 points [x, y] with x strictly and y weakly increasing.
func (t *scoreTransform) setKnots(knots [][]float64) error {
	if len(knots) < 2 || len(knots) > maxKnots {
		return fmt.Errorf("%d knots, want 2 to %d", len(knots), maxKnots)
	}
	for i, k := range knots {
		if len(k) != 2 {
			return fmt.Errorf("knot %d: want [x, y], got %v", i, k)
		}
		t.knots = append(t.knots, [2]float64{k[0], k[1]})
		if i > 0 && !(knots[i-1][0] < k[0] && knots[i-1][1] <= k[1]) {
			return fmt.Errorf("knot %d: %v does not follow %v", i, k, knots[i-1])
		}
	}
	return nil
}

// unmarshalJSON decodes data into v with errors of one line that name the
// offending key.
func unmarshalJSON(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syn):
		if syn.Offset >= int64(len(bytes.TrimRight(data, " \t\r\n"))) {
			return fmt.Errorf("invalid JSON: truncated at byte %d", syn.Offset)
		}
		return fmt.Errorf("invalid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "top level"
		}
		return fmt.Errorf("%s: want %s, got JSON %s", field, jsonKind(typ.Type.String()), typ.Value)
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

// jsonKind names a Go destination type the way a model author thinks of it.
func jsonKind(goType string) string {
	switch goType {
	case "float64", "*float64":
		return "a number"
	case "string", "*string":
		return "a string"
	case "bool", "*bool":
		return "true or false"
	case "[]float64", "[][]float64", "[]string", "[]map[string]interface {}":
		return "an array"
	}
	return "an object"
}

// Inputs lists the features the model reads, in model order, with the
// libvmaf extractor and options that compute each one and its collector
// name. A bootstrap collection's sub-models read the same features.
func (m *Model) Inputs() []ModelInput {
	out := make([]ModelInput, 0, len(m.features))
	seen := make(map[string]bool)
	for _, mm := range append([]*Model{m}, m.bootstrap...) {
		for _, f := range mm.features {
			if seen[f.input.Name] {
				continue
			}
			seen[f.input.Name] = true
			in := f.input
			in.Options = maps.Clone(in.Options)
			out = append(out, in)
		}
	}
	return out
}

// Bootstrap reports whether the model is a bootstrap collection, whose
// PredictAll adds the sub-model scores, bagging, stddev and 95% interval.
func (m *Model) Bootstrap() bool { return len(m.bootstrap) > 0 }
