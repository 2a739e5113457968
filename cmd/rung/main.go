// Command rung encodes a mezzanine into a per-title adaptive-bitrate ladder
// and scores video quality with a pure-Go VMAF that matches libvmaf.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

// Exit codes of the CLI contract.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
	exitGate    = 3
)

// usageError marks errors in how rung was called (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usage error (exit code 2).
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// gateError marks a failed quality gate (exit 3).
type gateError struct{ msg string }

func (e gateError) Error() string { return e.msg }

func newApp() *cli.App {
	return &cli.App{
		Name:  "rung",
		Usage: "per-title encoding ladders and libvmaf-exact quality scores",
		Commands: []*cli.Command{
			// One line per subcommand; each lives in its own file.
			scoreCommand(),
			probeCommand(),
			encodeCommand(),
			ladderCommand(),
			mezzfsCommand(),
			workerCommand(),
			jobsCommand(),
			serveCommand(),
		},
		ExitErrHandler: func(*cli.Context, error) {}, // main maps errors to exit codes
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
	}
}

func main() {
	os.Exit(run(os.Args))
}

// encodes reports whether the command of args runs encoders: encode,
// ladder, worker and serve (which may run a worker).
func encodes(args []string) bool {
	if len(args) < 2 {
		return false
	}
	switch args[1] {
	case "encode", "ladder", "worker", "serve":
		return true
	}
	return false
}

// run executes the CLI and maps its error to the contract's exit code,
// printing it as one line on stderr.
func run(args []string) int {
	quietFFmpeg()
	if encodes(args) {
		noHugePages()
	}
	err := newApp().Run(libvmafArgs(args))
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(os.Stderr, "rung: %v\n", err)
	var ue usageError
	var ge gateError
	switch {
	case errors.As(err, &ge):
		return exitGate
	case errors.As(err, &ue):
		return exitUsage
	}
	return exitRuntime
}
