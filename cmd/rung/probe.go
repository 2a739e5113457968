package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/asticode/go-astiav"
	"github.com/urfave/cli/v2"
	"rung/encode"
)

// probeCommand is `rung probe INPUT [--json] [--stats FILE] [--mezzfs-trace FILE]`.
func probeCommand() *cli.Command {
	return &cli.Command{
		Name:      "probe",
		Usage:     "describe a video: streams, exact frame count, colour, keyframe index",
		ArgsUsage: "INPUT",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print the description as JSON, keyframe index included"},
		}, sourceFlags()...),
		Action: func(c *cli.Context) error {
			args, err := positional(c)
			if err != nil {
				return err
			}
			if len(args) != 1 {
				return usagef("probe: want exactly one INPUT, got %d arguments", len(args))
			}
			info, err := probeURL(c, args[0])
			if err != nil {
				return err
			}
			if c.Bool("json") {
				enc := json.NewEncoder(os.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			printInfo(os.Stdout, info)
			return nil
		},
	}
}

// probeURL opens url as a Source and probes it.
func probeURL(c *cli.Context, url string) (_ *encode.Info, err error) {
	s, err := openSession(c)
	if err != nil {
		return nil, err
	}
	defer func() { err = s.close(err) }()
	src, closeSrc, err := encode.OpenSourceWith(c.Context, url, s.opts)
	if err != nil {
		return nil, err
	}
	defer closeSrc()
	return encode.Probe(c.Context, src, url)
}

// quietFFmpeg silences FFmpeg's own logging: rung reports errors itself, in
// one line. run calls it once, before any command.
func quietFFmpeg() {
	if os.Getenv("RUNG_FFMPEG_LOG") == "" {
		astiav.SetLogLevel(astiav.LogLevelQuiet)
		if os.Getenv("SVT_LOG") == "" {
			os.Setenv("SVT_LOG", "1") // SVT-AV1 logs to stderr itself; errors only
		}
	}
}

// printInfo writes a human-readable summary of info.
func printInfo(w io.Writer, info *encode.Info) {
	fmt.Fprintf(w, "%s: %s, %d bytes, %.3f s, %d kb/s\n", info.Name, info.Container, info.Size, info.Duration, info.BitRate/1000)
	for _, s := range info.Streams {
		fmt.Fprintf(w, "  stream %d: %s %s", s.Index, s.Type, s.Codec)
		if s.Packets > 0 {
			fmt.Fprintf(w, ", %d packets", s.Packets)
		}
		if s.SampleRate > 0 {
			fmt.Fprintf(w, ", %d Hz, %d channels", s.SampleRate, s.Channels)
		}
		fmt.Fprintln(w)
	}
	v := info.Video
	rate := "variable"
	if v.ConstantRate {
		rate = "constant"
	}
	fmt.Fprintf(w, "video: %s %dx%d %s (%d-bit), range %s, primaries %s, transfer %s, matrix %s\n",
		v.Codec, v.Width, v.Height, v.PixelFormat, v.BitDepth, v.ColorRange, v.ColorPrimaries, v.ColorTransfer, v.ColorMatrix)
	from := "the " + strings.ReplaceAll(info.Index, "_", " ")
	if info.Index == encode.IndexDecoded {
		from = "decoding: the packets have no presentation times"
	}
	fmt.Fprintf(w, "       %s fps (%.3f, %s), %d frames (container says %d), %.3f s, time base %s, %d keyframes (from %s)\n",
		v.FrameRate, v.FrameRate.Float64(), rate, v.Frames, v.DeclaredFrames, v.Duration, v.TimeBase, len(v.Keyframes), from)
	sar := "1:1 (square pixels)"
	if v.SAR.Num > 0 && v.SAR.Num != v.SAR.Den {
		sar = fmt.Sprintf("%d:%d", v.SAR.Num, v.SAR.Den)
	}
	dw, dh := v.DisplaySize()
	scan := "progressive"
	if v.Interlaced() {
		scan = "interlaced, " + map[string]string{"tt": "top", "bb": "bottom"}[v.FieldOrder] + " field first"
	}
	tc := v.Timecode
	if tc == "" {
		tc = "none"
	}
	fmt.Fprintf(w, "       %s, SAR %s, rotation %g, displayed %dx%d, timecode %s\n", scan, sar, v.Rotation, dw, dh, tc)
}
