package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/urfave/cli/v2"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"rung/mezzfs"
	"rung/serve"
)

// tokenEnv is the environment variable that holds serve's bearer token
// when --token-file is not given.
const tokenEnv = "RUNG_SERVE_TOKEN"

// serveCommand is `rung serve`: S3 event notifications in, one ladder
// workflow per new object.
func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "start a ladder on Temporal for every object S3 event notifications announce (POST /events)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8080", Usage: "HTTP address for /events, /healthz, /readyz, /metrics"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "s3://bucket/prefix under which each object's ladder goes (required)"},
			&cli.StringFlag{Name: "temporal", Usage: "Temporal frontend HOST:PORT whose `rung worker`s run the jobs (default: a local dev server and an in-process worker)"},
			&cli.StringFlag{Name: "namespace", Value: "default", Usage: "Temporal namespace"},
			&cli.StringFlag{Name: "task-queue", Value: serve.DefaultTaskQueue, Usage: "Temporal task queue of the workers"},
			&cli.StringFlag{Name: "token-file", Usage: "file holding the bearer token senders present (default $" + tokenEnv + ")"},
			&cli.StringFlag{Name: "match", Usage: "only keys matching this glob start a job (against the last element of the key unless the glob has a /)"},
			&cli.StringFlag{Name: "ladder-args", Usage: "`rung ladder` flags for every job, e.g. \"--codec x265 --rungs 4\""},
			&cli.StringFlag{Name: "data-dir", Usage: "where the local Temporal keeps its jobs across restarts (default $HOME/.local/state/rung/serve)"},
			&cli.IntFlag{Name: "temporal-port", Usage: "port of the local Temporal dev server (default: a free one)"},
			&cli.IntFlag{Name: "concurrency", Value: 1, Usage: "ladders the in-process worker runs at once (each ladder is chunk-parallel)"},
			&cli.DurationFlag{Name: "heartbeat-timeout", Value: time.Minute, Usage: "a ladder silent this long is given to another worker"},
			&cli.StringFlag{Name: "s3-endpoint", Usage: "S3-compatible server URL (default $AWS_ENDPOINT_URL or AWS); uses path-style addressing"},
		},
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	if c.Args().Len() > 0 {
		return usagef("serve: unexpected arguments %q", c.Args().Slice())
	}
	if c.String("output") == "" {
		return usagef("serve: --output s3://bucket/prefix is required")
	}
	out, err := serve.ParseLocation(c.String("output"))
	if err != nil {
		return usageError{err}
	}
	token, err := readToken(c.String("token-file"))
	if err != nil {
		return err
	}
	ladderArgs := strings.Fields(c.String("ladder-args"))
	if err := checkLadderArgs(ladderArgs); err != nil {
		return err
	}
	endpoint := c.String("s3-endpoint")
	if endpoint == "" {
		endpoint = os.Getenv("AWS_ENDPOINT_URL")
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()

	addr, local := c.String("temporal"), c.String("temporal") == ""
	if local {
		dir := c.String("data-dir")
		if dir == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return fmt.Errorf("serve: --data-dir: %w", err)
			}
			dir = filepath.Join(home, ".local", "state", "rung", "serve")
		}
		bin, err := serve.TemporalBinary()
		if err != nil {
			return err
		}
		lt, err := serve.StartLocalTemporal(ctx, bin, dir, c.Int("temporal-port"))
		if err != nil {
			return err
		}
		defer lt.Close()
		addr = lt.Addr
		logger.Info("local Temporal dev server", "temporal", addr, "db", filepath.Join(dir, "temporal.db"), "log", lt.Log)
	}
	tc, err := client.DialContext(ctx, client.Options{
		HostPort: addr, Namespace: c.String("namespace"),
		Logger: tlog.NewStructuredLogger(logger.With("component", "temporal")),
	})
	if err != nil {
		return fmt.Errorf("serve: connect to Temporal at %s: %w", addr, err)
	}
	defer tc.Close()
	queue := c.String("task-queue")
	if local {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("serve: own binary: %w", err)
		}
		w := worker.New(tc, queue, worker.Options{
			MaxConcurrentActivityExecutionSize: max(1, c.Int("concurrency")),
		})
		// The ladders reach S3 as serve does; a cluster's workers use
		// their own settings.
		var env []string
		if endpoint != "" {
			env = append(env, "AWS_ENDPOINT_URL="+endpoint)
		}
		serve.Register(w, &serve.Activities{Rung: exe, Env: env, Storage: mezzfs.Options{S3Options: mezzfs.S3Options{Endpoint: endpoint}}})
		if err := w.Start(); err != nil {
			return fmt.Errorf("serve: start the in-process worker: %w", err)
		}
		defer w.Stop()
	}
	runner := &serve.Temporal{Client: tc, TaskQueue: queue, Input: serve.JobInput{
		LadderArgs: ladderArgs, HeartbeatTimeout: c.Duration("heartbeat-timeout"),
	}}
	s, err := serve.New(serve.Config{
		Output: out, Token: token, Match: c.String("match"),
		Runner: runner, Ready: runner.Ready, Logger: logger, Registry: prometheus.NewRegistry(),
	})
	if err != nil {
		return usageError{err}
	}
	l, err := net.Listen("tcp", c.String("listen"))
	if err != nil {
		return fmt.Errorf("serve: listen: %w", err)
	}
	return s.Serve(ctx, l)
}

// readToken reads the bearer token from file, else from $RUNG_SERVE_TOKEN.
func readToken(file string) (string, error) {
	if file == "" {
		if t := strings.TrimSpace(os.Getenv(tokenEnv)); t != "" {
			return t, nil
		}
		return "", usagef("serve: no token: give --token-file FILE or set $%s", tokenEnv)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", usagef("serve: --token-file: %v", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" || strings.ContainsAny(t, " \t\r\n") {
		return "", usagef("serve: --token-file %s: want one token on one line", file)
	}
	return t, nil
}

// checkLadderArgs refuses --ladder-args that `rung ladder` does not take,
// or that name the input or output, which serve sets per job.
func checkLadderArgs(args []string) error {
	flags := ladderCommand().Flags
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := lookupFlag(flags, name)
		switch {
		case f == nil:
			return usagef("serve: --ladder-args: rung ladder has no flag %s", a)
		case name == "o" || name == "output" || name == "json":
			return usagef("serve: --ladder-args: %s is set by serve for each job", a)
		}
	}
	return nil
}
