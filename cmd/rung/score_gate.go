package main

import (
	"io"
	"math"
	"strings"

	"github.com/urfave/cli/v2"

	"rung/quality"
)

// gateFlags are score's quality-gate flags.
func gateFlags() []cli.Flag {
	return []cli.Flag{
		&cli.Float64Flag{Name: "min", Value: math.NaN(), Usage: "exit 3 when the gated metric's pooled value is below `V`"},
		&cli.Float64Flag{Name: "max", Value: math.NaN(), Usage: "exit 3 when the gated metric's pooled value is above `V` (--gate cambi --max 5 fails on banding)"},
		&cli.StringFlag{Name: "gate", Usage: "`METRIC` that --min/--max compare and the summary prints: the model's score (default), ci_lo (a bootstrap model's lower 95% bound) or any feature written, by name or its start (cambi, psnr_y, speed_chroma_uv, ...)"},
		&cli.StringFlag{Name: "junit", Usage: "write the gate's verdict per input as a JUnit XML report to `FILE`"},
	}
}

// scoreGate reads --gate, --min, --max and --pool. ok is false when there
// is nothing to summarise or gate (--no_prediction without --gate).
func scoreGate(c *cli.Context, model *quality.Model) (g quality.Gate, ok bool, err error) {
	g = quality.Gate{Metric: c.String("gate"), Pool: c.String("pool"), Min: c.Float64("min"), Max: c.Float64("max")}
	if g.Min > g.Max {
		return g, false, usagef("score: --min %g is above --max %g", g.Min, g.Max)
	}
	name := "vmaf"
	if model != nil {
		name = model.Name
	}
	switch g.Metric {
	case "":
		if model == nil {
			if !math.IsNaN(g.Min) || !math.IsNaN(g.Max) || c.String("junit") != "" {
				return g, false, usagef("score: --min, --max and --junit need --gate METRIC with --no_prediction")
			}
			return g, false, nil
		}
		g.Metric = name
	case "ci_lo":
		if model == nil || !model.Bootstrap() {
			return g, false, usagef("score: --gate ci_lo needs a bootstrap model (--model vmaf_b_v0.6.3)")
		}
		g.Metric = name + "_ci_p95_lo"
	}
	return g, true, nil
}

// checkGates checks g on every result, records the verdicts in them (for
// the JSON) and returns the failures as one line each.
func checkGates(g quality.Gate, results []*quality.Result, disPaths []string) ([]quality.JUnitCase, []string, error) {
	var cases []quality.JUnitCase
	var failed []string
	for k, res := range results {
		v, err := g.Check(res)
		if err != nil {
			return nil, nil, usagef("score: --gate: %v", err)
		}
		res.Gates = append(res.Gates, v)
		cases = append(cases, quality.JUnitCase{Input: disPaths[k], Verdict: v})
		if !v.Pass {
			prefix := ""
			if len(results) > 1 {
				prefix = disPaths[k] + ": "
			}
			failed = append(failed, prefix+v.String())
		}
	}
	return cases, failed, nil
}

// writeJUnit writes --junit, when given.
func writeJUnit(c *cli.Context, cases []quality.JUnitCase) error {
	path := c.String("junit")
	if path == "" {
		return nil
	}
	return writeOutput(path, func(w io.Writer) error { return quality.WriteJUnit(w, "rung score", cases) })
}

// gateFailure is the error of failed gates (exit 3).
func gateFailure(failed []string) error {
	return gateError{"quality gate failed: " + strings.Join(failed, "; ")}
}
