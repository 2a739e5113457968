package main

import (
	"github.com/urfave/cli/v2"

	"rung/quality"
)

// vmafFlags are score's flags in libvmaf's own syntax, so that scripts
// written for the vmaf tool work: --model version=NAME|path=FILE[:opt...],
// --feature NAME[=opt=v:...] and --no_prediction.
func vmafFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "model", Aliases: []string{"m"}, Value: "vmaf_v0.6.1",
			Usage: "model `NAME` or PATH, or libvmaf's version=NAME|path=FILE[:name=N][:disable_clip][:enable_transform][:EXTRACTOR.OPTION=V...]"},
		&cli.StringSliceFlag{Name: "feature", Usage: "extra feature in libvmaf's syntax, `NAME[=option=value:...]` (psnr, float_ssim, float_ms_ssim, cambi, ...; repeatable)"},
		&cli.BoolFlag{Name: "no-prediction", Aliases: []string{"no_prediction", "n"}, Usage: "features only: no model, no VMAF score"},
	}
}

// scoreModel parses --model, --feature and --no_prediction into the model
// (nil with --no_prediction) and the extractor factories. A malformed
// argument, an unknown feature or option, or an option out of range is a
// usage error (exit 2); a model file that cannot be found or read is a
// runtime error (exit 1).
func scoreModel(c *cli.Context) (*quality.Model, []func() quality.Extractor, error) {
	var model *quality.Model
	if !c.Bool("no-prediction") {
		if _, err := quality.ParseModelSpec(c.String("model")); err != nil {
			return nil, nil, usagef("score: --model: %v", err)
		}
		m, err := quality.OpenModel(c.String("model"))
		if err != nil {
			return nil, nil, err
		}
		model = m
	}
	ex, err := quality.Extractors(model, c.StringSlice("feature"))
	if err != nil {
		return nil, nil, usagef("score: %v", err)
	}
	if len(ex) == 0 {
		return nil, nil, usagef("score: --no_prediction needs at least one --feature")
	}
	return model, ex, nil
}
