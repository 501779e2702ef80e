// Package examples holds the labs bundled into the podlab binary, which
// "podlab init -example NAME" writes out.
package examples

import (
	"embed"
	"errors"
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

// bases names the example another is written over: pod-basics-ko holds
// only what differs from pod-basics (its lab file), so the two cannot
// drift apart in their manifests, clusters and variables.
var bases = map[string]string{"pod-basics-ko": "pod-basics"}

// FS is the example name as written out: its base's files, with its own
// in their place where both have one.
func FS(name string) (fs.FS, error) {
	sub, err := fs.Sub(files, name)
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(sub, "."); err != nil {
		return nil, fmt.Errorf("no example %q; the examples are %v", name, Names())
	}
	base, ok := bases[name]
	if !ok {
		return sub, nil
	}
	under, err := fs.Sub(files, base)
	if err != nil {
		return nil, err
	}
	return overlay{top: sub, under: under}, nil
}

// overlay reads from top first, then from under; directories are listed
// from both.
type overlay struct{ top, under fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	if f, err := o.top.Open(name); err == nil {
		if st, err := f.Stat(); err == nil && !st.IsDir() {
			return f, nil
		}
		f.Close()
	}
	return o.under.Open(name)
}

func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	seen := map[string]fs.DirEntry{}
	for _, fsys := range []fs.FS{o.under, o.top} {
		entries, err := fs.ReadDir(fsys, name)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		for _, e := range entries {
			seen[e.Name()] = e
		}
	}
	if len(seen) == 0 {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// Write copies the example name into dir, which must be empty (or not yet
// exist), so that no file of the user's is ever overwritten.
func Write(name, dir string) ([]string, error) {
	sub, err := FS(name)
	if err != nil {
		return nil, err
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
