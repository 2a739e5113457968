package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"rung/cluster"
	"rung/encode"
	"rung/ladder"
	"rung/mezzfs"
)

// encodeTemporalFlags are encode's flags for runs through Temporal.
func encodeTemporalFlags() []cli.Flag {
	return temporalFlags()
}

// runEncodeTemporal starts the encode as a workflow on the task queue
// and follows it with the progress and summary of a local run. Workers on
// other machines read the input and write the output, so both must be
// s3:// URLs.
func runEncodeTemporal(c *cli.Context, input string, job encode.Job) error {
	switch {
	case !mezzfs.IsS3(input):
		return usagef("encode: --temporal needs an s3:// INPUT (workers on other machines cannot read %s)", input)
	case !mezzfs.IsS3(job.Output):
		return usagef("encode: --temporal needs an s3:// -o OUT (workers on other machines cannot write %s)", job.Output)
	case c.String("plan") != "" || c.String("work-dir") != "" || c.Bool("clean"):
		return usagef("encode: --plan, --work-dir and --clean are for local runs, not --temporal")
	}
	in := cluster.EncodeInput{
		Source: input, Output: job.Output, Settings: job.Settings, Plan: job.PlanOptions, Frames: job.Frames,
		NoAudio: job.NoAudio, Heartbeat: c.Duration("heartbeat"),
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	tc, err := cluster.Dial(ctx, c.String("temporal"), c.String("namespace"), nil)
	if err != nil {
		return err
	}
	defer tc.Close()
	run, err := cluster.StartEncode(ctx, tc, c.String("task-queue"), in)
	if err != nil {
		return err
	}
	if !c.Bool("json") {
		fmt.Fprintf(os.Stderr, "encode: workflow %s (run %s) on task queue %q\n", run.GetID(), run.GetRunID(), c.String("task-queue"))
	}
	progress, wait := progressOutput(c.Bool("json"))
	res, err := cluster.FollowEncode(ctx, tc, run, progress)
	wait()
	if err != nil {
		if ctx.Err() != nil && c.Context.Err() == nil {
			return fmt.Errorf("encode: stopped following workflow %s; it keeps running (rung jobs cancel %s)", run.GetID(), run.GetID())
		}
		return err
	}
	if p := c.String("plan-json"); p != "" {
		if err := writePlan(p, res.Plan); err != nil {
			return err
		}
	}
	if !c.Bool("json") {
		fmt.Fprintf(os.Stderr, "%s: %d frames in %d chunks (%d encoded, %d from the chunk cache), %d bytes\n",
			res.Output, res.Frames, res.Chunks, res.Encoded, res.Cached, res.Bytes)
	}
	return nil
}

// runLadderTemporal runs the ladder as a workflow and prints what a local
// run prints. Input and output must be s3:// URLs.
func runLadderTemporal(c *cli.Context, o ladder.Options) error {
	switch {
	case !mezzfs.IsS3(o.Input):
		return usagef("ladder: --temporal needs an s3:// INPUT (workers on other machines cannot read %s)", o.Input)
	case !mezzfs.IsS3(o.OutDir):
		return usagef("ladder: --temporal needs an s3:// -o prefix (workers on other machines cannot write %s)", o.OutDir)
	}
	in := cluster.LadderInput{Source: o.Input, Output: o.OutDir, Heartbeat: c.Duration("heartbeat"), Options: cluster.LadderOptions{
		Codec: o.Codec, Heights: o.Heights, Select: o.Select, Fixed: o.Fixed, Exhaustive: o.Exhaustive,
		Workers: o.Workers, Model: c.String("model"), Preset: c.String("preset"), Optimize: o.Optimize,
	}}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	tc, err := cluster.Dial(ctx, c.String("temporal"), c.String("namespace"), nil)
	if err != nil {
		return err
	}
	defer tc.Close()
	run, err := cluster.StartLadder(ctx, tc, c.String("task-queue"), "", in)
	if err != nil {
		return err
	}
	jsonOut := c.Bool("json")
	if !jsonOut {
		fmt.Fprintf(os.Stderr, "ladder: workflow %s (run %s) on task queue %q\n", run.GetID(), run.GetRunID(), c.String("task-queue"))
	}
	report := ladderProgress(jsonOut)
	res, err := cluster.FollowLadder(ctx, tc, run, func(stage string, done, total int, label string) {
		report(ladder.Progress{Stage: stage, Done: done, Total: total, Label: label})
	})
	if err != nil {
		if ctx.Err() != nil && c.Context.Err() == nil {
			return fmt.Errorf("ladder: stopped following workflow %s; it keeps running (rung jobs cancel %s)", run.GetID(), run.GetID())
		}
		return err
	}
	return printLadder(jsonOut, ladder.Result{Report: res.Report, JSON: res.JSON, HTML: res.HTML, Master: res.Master})
}
