// Package temporaltest starts a real Temporal server, the Temporal CLI's
// dev server, on loopback for the tests of rung's Temporal runner. The CLI
// is built by `make temporal` into $HOME/.cache/rung/bin; tests skip with
// a clear message when it is absent.
package temporaltest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
)

// Server is a Temporal dev server on 127.0.0.1 keeping its state in a
// SQLite file, so that Restart resumes every workflow.
type Server struct {
	// Addr is the frontend's HOST:PORT.
	Addr   string
	bin    string
	db     string
	logf   string
	tb     testing.TB
	cmd    *exec.Cmd
	exited chan struct{}
}

// Binary returns the path of the Temporal CLI: $RUNG_TEMPORAL, else
// $HOME/.cache/rung/bin/temporal; "" when there is none.
func Binary() string {
	if p := os.Getenv("RUNG_TEMPORAL"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		return ""
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	p := filepath.Join(home, ".cache", "rung", "bin", "temporal")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// Start starts a dev server for the test and stops it at the test's end.
// The test is skipped when no Temporal CLI is installed (`make temporal`).
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := Binary()
	if bin == "" {
		tb.Skip("temporaltest: no Temporal CLI: run `make temporal` (or set RUNG_TEMPORAL)")
	}
	dir := tb.TempDir()
	s := &Server{bin: bin, Addr: freeAddr(tb), db: filepath.Join(dir, "temporal.db"), logf: filepath.Join(dir, "temporal.log"), tb: tb}
	s.start()
	tb.Cleanup(s.Stop)
	return s
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("temporaltest: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *Server) start() {
	s.tb.Helper()
	_, port, _ := net.SplitHostPort(s.Addr)
	cmd := exec.Command(s.bin, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", port,
		"--log-level", "error", "--db-filename", s.db,
		// One partition per task queue: a task always lands where the
		// worker polls, instead of being forwarded between partitions.
		"--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
		"--dynamic-config-value", "matching.numTaskqueueWritePartitions=1")
	logf, err := os.OpenFile(s.logf, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err == nil {
		cmd.Stdout, cmd.Stderr = logf, logf
	}
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("temporaltest: start %s: %v", s.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		if logf != nil {
			logf.Close()
		}
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited
	deadline := time.Now().Add(90 * time.Second)
	for {
		if s.ready() {
			return
		}
		select {
		case <-exited:
			s.tb.Fatalf("temporaltest: the dev server exited at startup (log: %s)", s.logf)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			s.tb.Fatalf("temporaltest: the dev server is not ready at %s after 90s (log: %s)", s.Addr, s.logf)
		}
	}
}

// ready reports whether the frontend answers and the default namespace
// exists.
func (s *Server) ready() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: s.Addr, Logger: Quiet()})
	if err != nil {
		return false
	}
	defer c.Close()
	_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
	if err != nil {
		return false
	}
	_, err = c.WorkflowService().DescribeNamespace(ctx, describeDefault())
	return err == nil
}

// Stop kills the server (as a crash would) and waits for it to exit. Its
// database stays for Restart.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart starts a stopped server again on the same address and database.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	s.start()
}

// Client dials the server.
func (s *Server) Client() client.Client {
	s.tb.Helper()
	c, err := client.Dial(client.Options{HostPort: s.Addr, Logger: Quiet()})
	if err != nil {
		s.tb.Fatalf("temporaltest: dial %s: %v", s.Addr, err)
	}
	s.tb.Cleanup(c.Close)
	return c
}

// Port returns the frontend's port.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr)
	n, _ := strconv.Atoi(p)
	return n
}

// String names the server for messages.
func (s *Server) String() string { return fmt.Sprintf("temporal dev server %s", s.Addr) }

// Quiet returns a logger that drops everything below errors.
func Quiet() log.Logger { return quietLogger{} }

type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}

func describeDefault() *workflowservice.DescribeNamespaceRequest {
	return &workflowservice.DescribeNamespaceRequest{Namespace: "default"}
}
