package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"rung/cluster"
	"rung/encode"
	"rung/mezzfs"
)

// encodeTemporalFlags are encode's flags for runs through Temporal.
func encodeTemporalFlags() []cli.Flag {
	return append(temporalFlags(),
		&cli.DurationFlag{Name: "heartbeat", Usage: "with --temporal: how soon a chunk held by a lost worker goes to another (default 1m)"})
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
