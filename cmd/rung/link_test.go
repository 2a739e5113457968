package main

import (
	"debug/elf"
	"os"
	"strings"
	"testing"
)

// TestLinkedLibraries checks that the CLI built with the Makefile's
// CGO_LDFLAGS (lld, --as-needed, --gc-sections) records neither
// libavdevice nor libavfilter as needed: rung never calls the first, and
// encode opens the second itself when it needs it.
func TestLinkedLibraries(t *testing.T) {
	if !strings.Contains(os.Getenv("CGO_LDFLAGS"), "--as-needed") {
		t.Skip("CGO_LDFLAGS has no --as-needed: built outside the Makefile")
	}
	f, err := elf.Open(rungBin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range libs {
		if strings.HasPrefix(l, "libavfilter") || strings.HasPrefix(l, "libavdevice") {
			t.Errorf("rung needs %s (needed: %v)", l, libs)
		}
	}
}
