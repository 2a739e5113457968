package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// rungBin is the CLI built once for the whole package's tests, so that they
// check real exit codes and output streams.
var rungBin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "rung-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rungBin = filepath.Join(dir, "rung")
	if out, err := exec.Command("go", "build", "-o", rungBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build rung: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runRung runs the CLI with args and returns its stdout, stderr and exit
// code.
func runRung(t testing.TB, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(rungBin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run rung: %v", err)
	}
	return o.String(), e.String(), code
}
