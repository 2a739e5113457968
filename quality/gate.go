package quality

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Gate is a quality gate on one pooled metric: the metric's pooled value
// must be at least Min and at most Max (NaN: no bound).
type Gate struct {
	// Metric names what is gated: a feature or model output as the
	// writers name it ("vmaf", "psnr_y"), or the start of exactly one such
	// name before an option suffix ("cambi" for
	// "cambi_encbd_8_ench_432_encw_768").
	Metric string
	// Pool is the pooling method (Pool): "mean", "harmonic_mean", "p5", ...
	Pool     string
	Min, Max float64
}

// Verdict is a gate's outcome on one result.
type Verdict struct {
	Gate
	Name  string  // the metric's full name in the result
	Value float64 // its pooled value
	Pass  bool
}

// Resolve returns the full name Metric refers to in res: the name itself,
// or the only name that starts with Metric followed by "_" and a suffix of
// options that is not another metric (so "cambi" finds
// "cambi_hrs_1080_..." but "psnr" is ambiguous between psnr_y, psnr_cb and
// psnr_cr).
func (g Gate) Resolve(res *Result) (string, error) {
	names := res.Scores.Names()
	if slices.Contains(names, g.Metric) {
		return g.Metric, nil
	}
	var found []string
	for _, n := range names {
		if strings.HasPrefix(n, g.Metric+"_") {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("gate: no metric %q in the results (they have %s)", g.Metric, strings.Join(names, ", "))
	}
	return "", fmt.Errorf("gate: metric %q is ambiguous: %s", g.Metric, strings.Join(found, ", "))
}

// Check pools the gated metric over the scored frames and compares it with
// the bounds.
func (g Gate) Check(res *Result) (Verdict, error) {
	name, err := g.Resolve(res)
	if err != nil {
		return Verdict{}, err
	}
	vals := res.Values(name)
	if vals == nil {
		return Verdict{}, fmt.Errorf("gate: %s has no value on the scored frames", name)
	}
	v, err := Pool(g.Pool, vals)
	if err != nil {
		return Verdict{}, fmt.Errorf("gate: %w", err)
	}
	pass := !(v < g.Min) && !(v > g.Max) // NaN bounds never fail
	return Verdict{Gate: g, Name: name, Value: v, Pass: pass}, nil
}

// String describes the verdict in one line: "vmaf mean 93.1 ≥ 90: pass".
func (v Verdict) String() string {
	var bounds []string
	if !math.IsNaN(v.Min) {
		bounds = append(bounds, fmt.Sprintf(">= %g", v.Min))
	}
	if !math.IsNaN(v.Max) {
		bounds = append(bounds, fmt.Sprintf("<= %g", v.Max))
	}
	verdict := "pass"
	if !v.Pass {
		verdict = "FAIL"
	}
	return fmt.Sprintf("%s %s %.6f (want %s): %s", v.Name, v.Pool, v.Value, strings.Join(bounds, " and "), verdict)
}

// writeGatesJSON writes the "gates" member of WriteJSON.
func writeGatesJSON(w io.Writer, gates []Verdict) {
	fmt.Fprint(w, ",\n  \"gates\": [")
	for k, g := range gates {
		if k > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, "\n    {\"metric\": %q, \"name\": %q, \"pool\": %q, \"value\": %s", g.Metric, g.Name, g.Pool, formatScore(g.Value))
		if !math.IsNaN(g.Min) {
			fmt.Fprintf(w, ", \"min\": %s", formatScore(g.Min))
		}
		if !math.IsNaN(g.Max) {
			fmt.Fprintf(w, ", \"max\": %s", formatScore(g.Max))
		}
		fmt.Fprintf(w, ", \"pass\": %t}", g.Pass)
	}
	fmt.Fprint(w, "\n  ]")
}

// JUnitCase is one gate on one input, for WriteJUnit.
type JUnitCase struct {
	Input   string // the distorted input, the test case's class
	Verdict Verdict
}

// WriteJUnit writes the verdicts as a JUnit XML report, the format CI
// systems read: one testsuite named suite, one testcase per gate and
// input, with a failure element when the gate failed.
func WriteJUnit(w io.Writer, suite string, cases []JUnitCase) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Time      string   `xml:"time,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		Output    string   `xml:"system-out,omitempty"`
	}
	type testsuite struct {
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	s := testsuite{Name: suite, Tests: len(cases)}
	for _, c := range cases {
		tc := testcase{Name: fmt.Sprintf("%s %s", c.Verdict.Metric, c.Verdict.Pool), Classname: c.Input, Time: "0", Output: c.Verdict.String()}
		if !c.Verdict.Pass {
			s.Failures++
			tc.Failure = &failure{Message: c.Verdict.String(), Type: "QualityGate", Text: c.Verdict.String()}
		}
		s.Cases = append(s.Cases, tc)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
