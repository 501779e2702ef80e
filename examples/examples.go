// Package examples holds the labs bundled into the podlab binary, which
// "podlab init -example NAME" writes out.
package examples

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Not "all:": files starting with "." or "_" (such as the .podlab/ a
// plan run in the example leaves) stay out of the binary.
//
//go:embed pod-basics pod-basics-ko
var files embed.FS

// Names lists the bundled examples.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// Write copies the example name into dir, which must be empty (or not yet
// exist), so that no file of the user's is ever overwritten.
func Write(name, dir string) ([]string, error) {
	sub, err := fs.Sub(files, name)
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(sub, "."); err != nil {
		return nil, fmt.Errorf("no example %q; the examples are %v", name, Names())
	}
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if e.Name() != ".podlab" {
				return nil, fmt.Errorf("%s is not empty (it has %s); write the example into an empty directory", dir, e.Name())
			}
		}
	}
	var written []string
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, b, 0o644); err != nil {
			return err
		}
		written = append(written, p)
		return nil
	})
	return written, err
}
