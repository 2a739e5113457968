//go:build !linux

package main

// noHugePages does nothing where there is no prctl.
func noHugePages() {}
