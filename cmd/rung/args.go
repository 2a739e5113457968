package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// positional returns c's positional arguments after applying the flags that
// follow them: urfave/cli stops parsing flags at the first positional
// argument, but the CLI contract writes `rung probe INPUT --json`.
func positional(c *cli.Context) ([]string, error) {
	var pos []string
	args := c.Args().Slice()
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := lookupFlag(c.Command.Flags, name)
		if f == nil {
			return nil, usagef("%s: flag provided but not defined: %s", c.Command.Name, a)
		}
		if _, isBool := f.(*cli.BoolFlag); isBool {
			if !hasValue {
				value = "true"
			}
		} else if !hasValue {
			if i+1 >= len(args) {
				return nil, usagef("%s: flag needs an argument: %s", c.Command.Name, a)
			}
			i++
			value = args[i]
		}
		for _, n := range f.Names() { // every alias, as urfave/cli's own parsing does
			if err := c.Set(n, value); err != nil {
				return nil, usagef("%s: invalid value %q for flag %s: %v", c.Command.Name, value, a, err)
			}
		}
	}
	return pos, nil
}

// lookupFlag finds the flag called name (or one of its aliases).
func lookupFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}
