package quality

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
)

// Version is written into the outputs' "version" fields.
const Version = "rung-0.1.0 (libvmaf 3.2.0 compatible)"

// libvmafPools are the pooled metrics libvmaf itself writes, in its order.
var libvmafPools = [...]string{"min", "max", "mean", "harmonic_mean"}

// formatScore prints a value as libvmaf's writers do (output.c): "%.6f",
// or "%.16f" when the fraction has more than six leading zeros, so that tiny
// values keep their digits. Non-finite values are "null" in JSON.
func formatScore(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "null"
	}
	if leadingZeros(v) <= 6 {
		return strconv.FormatFloat(v, 'f', 6, 64)
	}
	return strconv.FormatFloat(v, 'f', 16, 64)
}

// leadingZeros mirrors libvmaf's count_leading_zeros_d: the number of times
// the fractional part of |v| must be multiplied by ten to reach 1.
func leadingZeros(v float64) int {
	v = math.Abs(v)
	frac := v - math.Trunc(v)
	n := 0
	for frac < 1.0 && frac != 0 {
		frac *= 10
		n++
	}
	return n
}

// pooled returns the pooled value of every requested method for feature
// name, whose column (Scores.Column) is col, over the scored frames.
func pooled(res *Result, name string, col []float64, methods []string) ([]float64, error) {
	vals := res.scoredValues(col)
	out := make([]float64, len(methods))
	for k, m := range methods {
		v, err := Pool(m, vals)
		if err != nil {
			return nil, fmt.Errorf("quality: pool %s of %s: %w", m, name, err)
		}
		out[k] = v
	}
	return out, nil
}

// columns returns every feature name of res and its per-frame values.
func columns(res *Result) ([]string, [][]float64) {
	names := res.Scores.Names()
	cols := make([][]float64, len(names))
	for k, n := range names {
		cols[k] = res.Scores.Column(n)
	}
	return names, cols
}

// poolMethods is libvmaf's four followed by the extra methods asked for.
func poolMethods(extra []string) []string {
	ms := append([]string(nil), libvmafPools[:]...)
	for _, e := range extra {
		if !slices.Contains(ms, e) {
			ms = append(ms, e)
		}
	}
	return ms
}

// WriteJSON writes res in libvmaf's JSON layout (version, fps, frames[] with
// frameNum and metrics, pooled_metrics with min, max, mean and harmonic_mean
// per feature, aggregate_metrics), adding the pooling methods in extra
// (p1, p5, low1, ...) beside libvmaf's four.
func WriteJSON(w io.Writer, res *Result, extra []string) error {
	bw := bufio.NewWriter(w)
	names, cols := columns(res)
	fmt.Fprintf(bw, "{\n  \"version\": %q,\n", Version)
	fmt.Fprintf(bw, "  \"fps\": %.2f,\n", res.FPS)
	bw.WriteString("  \"frames\": [")
	for fi, i := range res.Scored {
		if fi > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n    {\n      \"frameNum\": %d,\n      \"metrics\": {\n", i)
		first := true
		for k, n := range names {
			if i >= len(cols[k]) || math.IsNaN(cols[k][i]) {
				continue
			}
			if !first {
				bw.WriteString(",\n")
			}
			first = false
			fmt.Fprintf(bw, "        %q: %s", n, formatScore(cols[k][i]))
		}
		bw.WriteString("\n      }\n    }")
	}
	bw.WriteString("\n  ],\n  \"pooled_metrics\": {")
	methods := poolMethods(extra)
	for k, n := range names {
		vals, err := pooled(res, n, cols[k], methods)
		if err != nil {
			return err
		}
		if k > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n    %q: {", n)
		for j, m := range methods {
			if j > 0 {
				bw.WriteString(",")
			}
			fmt.Fprintf(bw, "\n      %q: %s", m, formatScore(vals[j]))
		}
		bw.WriteString("\n    }")
	}
	bw.WriteString("\n  },\n  \"aggregate_metrics\": {\n  }")
	if s := res.Sync; s != nil {
		fmt.Fprintf(bw, ",\n  \"sync\": {\n    \"mode\": \"pts\",\n    \"pairs\": %d,\n    \"repeated\": %d,\n    \"dropped\": %d\n  }", s.Pairs, s.Repeated, s.Dropped)
	}
	if len(res.Gates) > 0 {
		writeGatesJSON(bw, res.Gates)
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// WriteXML writes res in libvmaf's XML layout (output.c's
// vmaf_write_output_xml): params with the scoring size, fyi fps, one frame
// element per scored frame, and pooled_metrics.
func WriteXML(w io.Writer, res *Result, extra []string) error {
	bw := bufio.NewWriter(w)
	names, cols := columns(res)
	fmt.Fprintf(bw, "<VMAF version=\"%s\">\n", Version)
	fmt.Fprintf(bw, "  <params qualityWidth=\"%d\" qualityHeight=\"%d\" />\n", res.Width, res.Height)
	fmt.Fprintf(bw, "  <fyi fps=\"%.2f\" />\n", res.FPS)
	bw.WriteString("  <frames>\n")
	for _, i := range res.Scored {
		fmt.Fprintf(bw, "    <frame frameNum=\"%d\" ", i)
		for k, n := range names {
			if i < len(cols[k]) && !math.IsNaN(cols[k][i]) {
				fmt.Fprintf(bw, "%s=\"%s\" ", n, formatScore(cols[k][i]))
			}
		}
		bw.WriteString("/>\n")
	}
	bw.WriteString("  </frames>\n  <pooled_metrics>\n")
	methods := poolMethods(extra)
	for k, n := range names {
		vals, err := pooled(res, n, cols[k], methods)
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, "    <metric name=\"%s\" ", n)
		for j, m := range methods {
			fmt.Fprintf(bw, "%s=\"%s\" ", m, formatScore(vals[j]))
		}
		bw.WriteString("/>\n")
	}
	bw.WriteString("  </pooled_metrics>\n  <aggregate_metrics />\n</VMAF>\n")
	return bw.Flush()
}

// WriteCSV writes res in libvmaf's CSV layout (vmaf_write_output_csv): a
// "Frame," header with every feature name, then one row per scored frame,
// every field followed by a comma.
func WriteCSV(w io.Writer, res *Result) error {
	bw := bufio.NewWriter(w)
	names, cols := columns(res)
	bw.WriteString("Frame,")
	for _, n := range names {
		bw.WriteString(n + ",")
	}
	bw.WriteString("\n")
	for _, i := range res.Scored {
		fmt.Fprintf(bw, "%d,", i)
		for k := range names {
			if i < len(cols[k]) && !math.IsNaN(cols[k][i]) {
				bw.WriteString(formatScore(cols[k][i]) + ",")
			}
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}
