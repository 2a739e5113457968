package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
)

// LocalTemporal is a Temporal dev server (the Temporal CLI's `server
// start-dev`) that rung serve runs itself on one machine, on loopback, its
// state in a SQLite file so that a restart resumes every job.
type LocalTemporal struct {
	// Addr is the frontend's HOST:PORT.
	Addr string
	// Log is the server's log file.
	Log    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// TemporalBinary returns the Temporal CLI to run: $RUNG_TEMPORAL, else
// $HOME/.cache/rung/bin/temporal (`make temporal`), else `temporal` on
// the PATH.
func TemporalBinary() (string, error) {
	if p := os.Getenv("RUNG_TEMPORAL"); p != "" {
		return p, nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "rung", "bin", "temporal")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("temporal")
	if err != nil {
		return "", errors.New("serve: no Temporal CLI: run `make temporal`, set RUNG_TEMPORAL, or give --temporal HOST:PORT")
	}
	return p, nil
}

// StartLocalTemporal starts a dev server keeping its state in
// dataDir/temporal.db, on 127.0.0.1:port (a free port when port is 0),
// and waits until its default namespace answers. The server is killed
// with the calling process, even by SIGKILL.
func StartLocalTemporal(ctx context.Context, bin, dataDir string, port int) (*LocalTemporal, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("serve: data dir: %w", err)
	}
	if port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("serve: free port for Temporal: %w", err)
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	t := &LocalTemporal{
		Addr:   net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Log:    filepath.Join(dataDir, "temporal.log"),
		exited: make(chan struct{}),
	}
	logf, err := os.OpenFile(t.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("serve: Temporal log: %w", err)
	}
	t.cmd = exec.Command(bin, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
		"--port", strconv.Itoa(port), "--log-level", "error",
		"--db-filename", filepath.Join(dataDir, "temporal.db"),
		// One partition per task queue: on one machine a task always
		// lands where the worker polls, instead of being forwarded.
		"--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
		"--dynamic-config-value", "matching.numTaskqueueWritePartitions=1")
	t.cmd.Stdout, t.cmd.Stderr = logf, logf
	t.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := t.cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("serve: start %s: %w", bin, err)
	}
	go func() {
		t.cmd.Wait()
		logf.Close()
		close(t.exited)
	}()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for !t.ready(ctx) {
		select {
		case <-t.exited:
			return nil, fmt.Errorf("serve: the Temporal dev server exited at start-up (log: %s)", t.Log)
		case <-ctx.Done():
			t.Close()
			return nil, fmt.Errorf("serve: the Temporal dev server is not ready at %s (log: %s): %w", t.Addr, t.Log, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	return t, nil
}

// ready reports whether the frontend answers and has the default
// namespace.
func (t *LocalTemporal) ready(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: t.Addr, Logger: log.NewStructuredLogger(discardLogger())})
	if err != nil {
		return false
	}
	defer c.Close()
	_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	return err == nil
}

// Close stops the server: SIGTERM, then SIGKILL after 10 s.
func (t *LocalTemporal) Close() error {
	select {
	case <-t.exited:
		return nil
	default:
	}
	t.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-t.exited:
	case <-time.After(10 * time.Second):
		t.cmd.Process.Kill()
		<-t.exited
	}
	return nil
}
