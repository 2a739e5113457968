package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"rung/cluster"
	"rung/serve"
)

// jobsCommand is `rung jobs list|show ID|cancel ID --temporal HOST:PORT`.
func jobsCommand() *cli.Command {
	return &cli.Command{
		Name:  "jobs",
		Usage: "list, show and cancel the encodes and ladders running on Temporal",
		Subcommands: []*cli.Command{
			{Name: "list", Usage: "list rung's workflows, newest first", Flags: append(temporalFlags(),
				&cli.BoolFlag{Name: "json", Usage: "one JSON object per line"}), Action: runJobsList},
			{Name: "show", ArgsUsage: "ID", Usage: "show one workflow: status, progress, result", Flags: temporalFlags(), Action: runJobsShow},
			{Name: "cancel", ArgsUsage: "ID", Usage: "cancel a running workflow (its activities stop at their next heartbeat)", Flags: temporalFlags(), Action: runJobsCancel},
		},
	}
}

func jobsClient(c *cli.Context, nargs int) ([]string, *cli.Context, error) {
	args, err := positional(c)
	if err != nil {
		return nil, nil, err
	}
	if len(args) != nargs {
		return nil, nil, usagef("jobs %s: want %d arguments, got %d", c.Command.Name, nargs, len(args))
	}
	if c.String("temporal") == "" {
		return nil, nil, usagef("jobs %s: --temporal HOST:PORT is required", c.Command.Name)
	}
	return args, c, nil
}

func runJobsList(c *cli.Context) error {
	if _, _, err := jobsClient(c, 0); err != nil {
		return err
	}
	tc, err := cluster.Dial(c.Context, c.String("temporal"), c.String("namespace"), nil)
	if err != nil {
		return err
	}
	defer tc.Close()
	jobs, err := cluster.ListJobs(c.Context, tc, 100, serve.JobWorkflowName)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		enc := json.NewEncoder(os.Stdout)
		for _, j := range jobs {
			enc.Encode(j)
		}
		return nil
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tSTATUS\tSTARTED\tDURATION")
	for _, j := range jobs {
		d := j.Closed.Sub(j.Started)
		if j.Closed.IsZero() {
			d = time.Since(j.Started)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.ID, j.Type, j.Status, j.Started.Format(time.RFC3339), d.Round(time.Second))
	}
	return tw.Flush()
}

func runJobsShow(c *cli.Context) error {
	args, _, err := jobsClient(c, 1)
	if err != nil {
		return err
	}
	tc, err := cluster.Dial(c.Context, c.String("temporal"), c.String("namespace"), nil)
	if err != nil {
		return err
	}
	defer tc.Close()
	j, err := cluster.ShowJob(c.Context, tc, args[0])
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}

func runJobsCancel(c *cli.Context) error {
	args, _, err := jobsClient(c, 1)
	if err != nil {
		return err
	}
	tc, err := cluster.Dial(c.Context, c.String("temporal"), c.String("namespace"), nil)
	if err != nil {
		return err
	}
	defer tc.Close()
	if err := tc.CancelWorkflow(c.Context, args[0], ""); err != nil {
		return fmt.Errorf("jobs cancel %s: %w", args[0], err)
	}
	fmt.Fprintf(os.Stderr, "cancel requested for %s\n", args[0])
	return nil
}
