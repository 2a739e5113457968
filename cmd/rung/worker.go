package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"rung/cluster"
	"rung/serve"
)

// temporalFlags are the flags naming the Temporal service, shared by
// worker, jobs and the --temporal runs of encode and ladder.
func temporalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "temporal", Usage: "Temporal frontend `HOST:PORT`"},
		&cli.StringFlag{Name: "namespace", Value: "default", Usage: "Temporal namespace"},
		&cli.StringFlag{Name: "task-queue", Value: cluster.DefaultTaskQueue, Usage: "Temporal task queue of rung's workers"},
		&cli.DurationFlag{Name: "heartbeat", Usage: "with --temporal: how soon work held by a lost worker goes to another (default 1m)"},
	}
}

// workerCommand is `rung worker --temporal HOST:PORT`: runs rung's
// workflows and activities until SIGTERM.
func workerCommand() *cli.Command {
	return &cli.Command{
		Name:  "worker",
		Usage: "run encode and ladder work from a Temporal task queue until SIGTERM",
		Flags: append(temporalFlags(),
			&cli.IntFlag{Name: "concurrency", Usage: "activities run at once (default from cores and memory)"},
			&cli.StringFlag{Name: "cache-dir", Usage: "the worker's own chunk cache and scratch directory (default $TMPDIR/rung-worker)"},
			&cli.StringFlag{Name: "metrics", Usage: "serve Prometheus metrics at `ADDR` (host:port), path /metrics"},
			&cli.StringFlag{Name: "s3-endpoint", Usage: "S3-compatible server URL (default $AWS_ENDPOINT_URL or AWS)"},
			&cli.StringFlag{Name: "identity", Usage: "worker name in Temporal and in job records (default host:pid)"},
			&cli.DurationFlag{Name: "stop-timeout", Value: 30 * time.Second, Usage: "on SIGTERM, how long running activities may finish before they are given back"},
		),
		Action: runWorker,
	}
}

func runWorker(c *cli.Context) error {
	args, err := positional(c)
	if err != nil {
		return err
	}
	if len(args) != 0 {
		return usagef("worker: takes no arguments, got %d", len(args))
	}
	hostPort := c.String("temporal")
	if hostPort == "" {
		return usagef("worker: --temporal HOST:PORT is required")
	}
	if c.Int("concurrency") < 0 {
		return usagef("worker: --concurrency %d: want at least 1", c.Int("concurrency"))
	}
	cacheDir := c.String("cache-dir")
	if cacheDir == "" {
		cacheDir = filepath.Join(os.TempDir(), "rung-worker")
	}
	metrics := cluster.NewMetrics()
	if addr := c.String("metrics"); addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("worker: metrics: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", metrics.Handler())
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(l)
		defer srv.Close()
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	tc, err := cluster.Dial(ctx, hostPort, c.String("namespace"), nil)
	if err != nil {
		return err
	}
	defer tc.Close()
	o := cluster.WorkerOptions{
		TaskQueue: c.String("task-queue"), Concurrency: c.Int("concurrency"), CacheDir: cacheDir,
		Identity: c.String("identity"), Metrics: metrics, StopTimeout: c.Duration("stop-timeout"),
	}
	o.S3.S3Options.Endpoint = c.String("s3-endpoint")
	w, a, err := cluster.NewWorker(tc, o)
	if err != nil {
		return err
	}
	// The jobs `rung serve --temporal` starts: each a `rung ladder`
	// process of this binary.
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("worker: own binary: %w", err)
	}
	var env []string
	if ep := o.S3.S3Options.Endpoint; ep != "" {
		env = append(env, "AWS_ENDPOINT_URL="+ep)
	}
	serve.Register(w, &serve.Activities{Rung: exe, Env: env, Storage: o.S3})
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: start: %w", err)
	}
	fmt.Fprintf(os.Stderr, "rung worker %s: polling task queue %q at %s, %d at once, cache %s\n",
		a.Identity, o.TaskQueue, hostPort, a.Concurrency, cacheDir)
	<-ctx.Done()
	// Stop polling; running activities get StopTimeout to finish, then are
	// cancelled and retried by another worker.
	w.Stop()
	if err := c.Context.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	fmt.Fprintf(os.Stderr, "rung worker %s: stopped\n", a.Identity)
	return nil
}
