package main

import (
	"cmp"
	"strings"

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

// libvmafArgs rewrites the score arguments libvmaf's vmaf tool spells
// differently into rung's (args[0] is the program, args[1] "score"):
// --output/-o FILE with the output format flags --json, --xml or --csv
// (bare, as libvmaf has them; XML when none is given) becomes --json FILE
// (...); --quiet/-q and --cpumask/--gpumask N are dropped; the raw-input
// flags --width/-w, --height/-h, --pixel_format/-p 420|422|444 and
// --bitdepth/-b 8|10|12|16 become --width, --height and --pixfmt. Other
// arguments are left as they are, so rung's own syntax is unchanged.
func libvmafArgs(args []string) []string {
	if len(args) < 2 || args[1] != "score" {
		return args
	}
	out := append([]string(nil), args[:2]...)
	var output, pixfmt, bitdepth string
	var formats []string
	bare := func(k int) bool { return k+1 >= len(args) || (len(args[k+1]) > 1 && args[k+1][0] == '-') }
	for k := 2; k < len(args); k++ {
		a := args[k]
		name, val, hasVal := strings.Cut(a, "=")
		next := func() (string, bool) {
			if hasVal {
				return val, true
			}
			if k+1 < len(args) {
				k++
				return args[k], true
			}
			return "", false
		}
		switch name {
		case "-o", "--output":
			if v, ok := next(); ok {
				output = v
				continue
			}
		case "--json", "--xml", "--csv", "--sub":
			if !hasVal && bare(k) {
				formats = append(formats, name)
				continue
			}
		case "-q", "--quiet":
			continue
		case "--cpumask", "--gpumask":
			next()
			continue
		case "-w":
			out = append(out, "--width")
			continue
		case "-h":
			if !bare(k) {
				out = append(out, "--height")
				continue
			}
		case "-p", "--pixel_format":
			if v, ok := next(); ok {
				pixfmt = v
				continue
			}
		case "-b", "--bitdepth":
			if v, ok := next(); ok {
				bitdepth = v
				continue
			}
		}
		out = append(out, a)
	}
	if output != "" {
		if len(formats) == 0 {
			formats = []string{"--xml"}
		}
		for _, f := range formats {
			out = append(out, f, output)
		}
	} else {
		out = append(out, formats...) // let the flag parser report them
	}
	if pixfmt != "" || bitdepth != "" {
		pf := "yuv" + cmp.Or(pixfmt, "420") + "p"
		if bitdepth != "" && bitdepth != "8" {
			pf += bitdepth + "le"
		}
		out = append(out, "--pixfmt", pf)
	}
	return out
}
