package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"rung/mezzfs"
	"rung/plot"
)

// mezzfsCommand is `rung mezzfs mount|cat|stat|cp|replay`.
func mezzfsCommand() *cli.Command {
	return &cli.Command{
		Name:  "mezzfs",
		Usage: "read media from S3 by byte range: mount, cat, stat, cp; replay a read trace",
		Subcommands: []*cli.Command{
			{
				Name: "mount", Usage: "mount the objects under an s3:// prefix read-only at DIR (until interrupted or unmounted)",
				ArgsUsage: "s3://bucket/prefix DIR", Flags: sourceFlags(), Action: runMezzfsMount,
			},
			{
				Name: "cat", Usage: "write an object (or file) to stdout",
				ArgsUsage: "URL", Flags: sourceFlags(), Action: runMezzfsCat,
			},
			{
				Name: "stat", Usage: "print an object's URL, size, ETag and time",
				ArgsUsage: "URL", Flags: append(sourceFlags(), &cli.BoolFlag{Name: "json", Usage: "print as JSON"}), Action: runMezzfsStat,
			},
			{
				Name: "cp", Usage: "copy SRC to DST (paths or s3:// URLs); DST appears only when complete",
				ArgsUsage: "SRC DST", Flags: append(sourceFlags(), &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar"}), Action: runMezzfsCp,
			},
			{
				Name: "replay", Usage: "draw a --mezzfs-trace file: read offset against time, as SVG or PNG",
				ArgsUsage: "TRACE",
				Flags:     []cli.Flag{&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "picture to write, .svg or .png (default TRACE.svg)"}},
				Action:    runMezzfsReplay,
			},
		},
	}
}

// sourceFlags are the flags of every command that reads a Source.
func sourceFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "stats", Usage: "write mezzfs statistics (bytes_read, bytes_fetched, requests, cache_hits) as JSON to `FILE`"},
		&cli.StringFlag{Name: "mezzfs-trace", Usage: "record every read (offset, length, time) to `FILE`, for `rung mezzfs replay`"},
		&cli.StringFlag{Name: "s3-endpoint", Usage: "S3-compatible server URL (default $AWS_ENDPOINT_URL or AWS); uses path-style addressing"},
		&cli.StringFlag{Name: "cache-dir", Usage: "block cache directory shared by the processes of one host (default: memory only)"},
	}
}

// sourceSession is the mezzfs options of one command and what must happen
// when it ends: the statistics written, the trace closed.
type sourceSession struct {
	opts      mezzfs.Options
	statsPath string
}

// openSession builds mezzfs options from sourceFlags. Options.Stats and
// Options.Trace stay nil unless asked for (encode then reads local files
// directly).
func openSession(c *cli.Context) (*sourceSession, error) {
	s := &sourceSession{statsPath: c.String("stats")}
	if s.statsPath != "" {
		s.opts.Stats = new(mezzfs.Stats)
	}
	s.opts.S3Options.Endpoint = c.String("s3-endpoint")
	s.opts.CacheOptions.Dir = c.String("cache-dir")
	if p := c.String("mezzfs-trace"); p != "" {
		tr, err := mezzfs.CreateTrace(p)
		if err != nil {
			return nil, err
		}
		s.opts.Trace = tr
	}
	return s, nil
}

// close writes the statistics and closes the trace. It keeps err, the
// command's own error, first.
func (s *sourceSession) close(err error) error {
	var errs []error
	if s.opts.Trace != nil {
		errs = append(errs, s.opts.Trace.Close())
	}
	if s.statsPath != "" {
		errs = append(errs, s.opts.Stats.WriteFile(s.statsPath))
	}
	if err != nil {
		return err
	}
	return errors.Join(errs...)
}

// mezzfsArgs returns exactly n positional arguments of c.
func mezzfsArgs(c *cli.Context, n int, what string) ([]string, error) {
	args, err := positional(c)
	if err != nil {
		return nil, err
	}
	if len(args) != n {
		return nil, usagef("mezzfs %s: want %s, got %d arguments", c.Command.Name, what, len(args))
	}
	return args, nil
}

// withSource opens the one URL argument of c as a Source for use, then
// closes it and the session (writing its stats and trace).
func withSource(c *cli.Context, use func(*mezzfs.Source) error) (err error) {
	args, err := mezzfsArgs(c, 1, "one URL")
	if err != nil {
		return err
	}
	s, err := openSession(c)
	if err != nil {
		return err
	}
	defer func() { err = s.close(err) }()
	src, err := mezzfs.Open(c.Context, args[0], s.opts)
	if err != nil {
		return err
	}
	defer src.Close()
	return use(src)
}

func runMezzfsCat(c *cli.Context) error {
	return withSource(c, func(src *mezzfs.Source) error {
		_, err := mezzfs.Copy(c.Context, os.Stdout, src, nil)
		return err
	})
}

func runMezzfsStat(c *cli.Context) error {
	return withSource(c, func(src *mezzfs.Source) error {
		info := src.Info()
		if c.Bool("json") {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(info)
		}
		etag := info.ETag
		if etag == "" {
			etag = "-"
		}
		fmt.Printf("%s\t%d bytes\tetag %s\t%s\n", info.URL, info.Size, etag, info.ModTime.UTC().Format(time.RFC3339))
		return nil
	})
}

func runMezzfsCp(c *cli.Context) (err error) {
	args, err := mezzfsArgs(c, 2, "SRC and DST")
	if err != nil {
		return err
	}
	s, err := openSession(c)
	if err != nil {
		return err
	}
	defer func() { err = s.close(err) }()
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	src, err := mezzfs.Open(ctx, args[0], s.opts)
	if err != nil {
		return err
	}
	defer src.Close()
	dst := args[1]
	if st, err := os.Stat(dst); err == nil && st.IsDir() {
		dst = filepath.Join(dst, lastElem(args[0]))
	} else if mezzfs.IsS3(dst) && strings.HasSuffix(dst, "/") {
		dst += lastElem(args[0])
	}
	out, err := mezzfs.Create(ctx, dst, s.opts)
	if err != nil {
		return err
	}
	defer out.Abort()
	progress, wait := copyProgress(c.Bool("quiet"), src.Size(), dst)
	_, err = mezzfs.Copy(ctx, out, src, progress)
	if err == nil {
		err = out.Commit()
	}
	wait(err == nil)
	return err
}

// lastElem is the last element of a path or URL.
func lastElem(name string) string {
	return filepath.Base(strings.TrimSuffix(name, "/"))
}

// copyProgress returns a progress callback (a bar on a terminal stderr) and
// a function to call at the end.
func copyProgress(quiet bool, total int64, name string) (func(int64), func(ok bool)) {
	if quiet || !isTerminal(os.Stderr) {
		return nil, func(bool) {}
	}
	p := mpb.New(mpb.WithOutput(os.Stderr), mpb.WithRefreshRate(200*time.Millisecond))
	bar := p.AddBar(total,
		mpb.PrependDecorators(decor.Name(name+" "), decor.CountersKibiByte("% .1f / % .1f")),
		mpb.AppendDecorators(decor.AverageSpeed(decor.SizeB1024(0), "% .1f", decor.WCSyncSpace), decor.Percentage(decor.WCSyncSpace)))
	start := time.Now()
	return func(done int64) {
			bar.EwmaSetCurrent(done, time.Since(start))
		}, func(ok bool) {
			if !ok {
				bar.Abort(false)
			}
			p.Wait()
		}
}

func runMezzfsMount(c *cli.Context) (err error) {
	args, err := mezzfsArgs(c, 2, "s3://bucket/prefix and DIR")
	if err != nil {
		return err
	}
	if !mezzfs.IsS3(args[0]) {
		return usagef("mezzfs mount: %s: want an s3:// prefix", args[0])
	}
	s, err := openSession(c)
	if err != nil {
		return err
	}
	defer func() { err = s.close(err) }()
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	m, err := mezzfs.MountS3(ctx, args[0], args[1], s.opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "mezzfs: %s mounted read-only at %s (unmount: fusermount3 -u %s)\n", args[0], args[1], args[1])
	go func() {
		<-ctx.Done()
		m.Unmount()
	}()
	m.Wait()
	return nil
}

func runMezzfsReplay(c *cli.Context) error {
	args, err := mezzfsArgs(c, 1, "one TRACE")
	if err != nil {
		return err
	}
	out := c.String("output")
	if out == "" {
		out = strings.TrimSuffix(args[0], filepath.Ext(args[0])) + ".svg"
	}
	if ext := strings.ToLower(filepath.Ext(out)); ext != ".svg" && ext != ".png" {
		return usagef("mezzfs replay: -o %s: want an .svg or .png file", out)
	}
	f, err := os.Open(args[0])
	if err != nil {
		return fmt.Errorf("mezzfs replay: %w", err)
	}
	defer f.Close()
	recs, err := mezzfs.ReadTrace(f, args[0])
	if err != nil {
		return err
	}
	chart, err := plot.Reads(recs, filepath.Base(args[0]))
	if err != nil {
		return err
	}
	if _, err := chart.Save(c.Context, out); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, out)
	return nil
}
