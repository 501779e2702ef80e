package funcs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Origins remembers which file a string read by file or templatefile came
// from. Manifests travel through expressions as plain strings; looking their
// text up here lets a YAML error name the manifest's file and line instead of
// the HCL attribute that held it.
type Origins struct {
	mu     sync.Mutex
	byText map[string]string
	read   map[string][]byte
}

// Read returns every file read through file or templatefile, by absolute
// path, so that a saved plan can tell when one of them changes.
func (o *Origins) Read() map[string][]byte {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make(map[string][]byte, len(o.read))
	for k, v := range o.read {
		out[k] = v
	}
	return out
}

func (o *Origins) noteRead(path string, b []byte) {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.read == nil {
		o.read = map[string][]byte{}
	}
	o.read[path] = b
}

// Record notes that text was read from path.
func (o *Origins) Record(text, path string) {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.byText == nil {
		o.byText = map[string]string{}
	}
	o.byText[text] = path
}

// Lookup returns the file text was read from, if it was read whole from one.
func (o *Origins) Lookup(text string) (string, bool) {
	if o == nil {
		return "", false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	p, ok := o.byText[text]
	return p, ok
}

// Paths are where the file functions may read: the lab directory, and the
// directories lab.allowed_paths names (absolute, cleaned). A lab is shared
// and run by others: a path outside these (an absolute path elsewhere, a
// ".." escape, a symlink out) is refused rather than read, so that a lab
// cannot pull /etc/passwd or ~/.kube/config into a manifest or an error.
type Paths struct {
	Lab     string
	Allowed []string
}

// ExpandPath makes a path given in configuration absolute, relative to
// dir, with a leading ~ meaning the user's home.
func ExpandPath(dir, p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("expand ~: %w", err)
		}
		p = filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	return filepath.Clean(p), nil
}

// resolvePath makes a path given in configuration absolute and refuses
// one outside the lab directory and lab.allowed_paths, by its name and,
// when it exists, by where its symlinks lead.
func resolvePath(paths Paths, p string) (string, error) {
	abs, err := ExpandPath(paths.Lab, p)
	if err == nil {
		abs, err = filepath.Abs(abs)
	}
	if err != nil {
		return "", err
	}
	roots := append([]string{paths.Lab}, paths.Allowed...)
	outside := fmt.Errorf("%s is outside the lab directory %s: file functions read only inside it; copy the file into the lab, or name its directory in lab { allowed_paths = [...] }", p, paths.Lab)
	if !insideAny(roots, abs, false) {
		return "", outside
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil && !insideAny(roots, real, true) {
		return "", fmt.Errorf("%s leads (by a symlink) to %s, outside the lab directory %s: file functions read only inside it; name that directory in lab { allowed_paths = [...] } to allow it", p, real, paths.Lab)
	}
	return abs, nil
}

// insideAny reports whether path is one of roots or below one; with real,
// the roots' own symlinks are resolved first.
func insideAny(roots []string, path string, real bool) bool {
	for _, r := range roots {
		r = filepath.Clean(r)
		if abs, err := filepath.Abs(r); err == nil {
			r = abs
		}
		if real {
			if rr, err := filepath.EvalSymlinks(r); err == nil {
				r = rr
			}
		}
		if rel, err := filepath.Rel(r, path); err == nil && filepath.IsLocal(rel) {
			return true
		}
	}
	return false
}

func readText(paths Paths, p string, origins *Origins) (string, string, error) {
	dir := paths.Lab
	abs, err := resolvePath(paths, p)
	if err != nil {
		return "", "", err
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", abs, fmt.Errorf("no file %s (paths are relative to the lab directory %s)", p, dir)
		}
		return "", abs, err
	}
	if !utf8.Valid(b) {
		return "", abs, fmt.Errorf("%s is not UTF-8 text", p)
	}
	origins.noteRead(abs, b)
	return string(b), abs, nil
}

// MakeFileFunc returns file(path): the text of a file in the lab directory.
func MakeFileFunc(paths Paths, origins *Origins) function.Function {
	return function.New(&function.Spec{
		Description: "Reads a UTF-8 text file, relative to the lab directory.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			text, abs, err := readText(paths, args[0].AsString(), origins)
			if err != nil {
				return cty.UnknownVal(cty.String), function.NewArgError(0, err)
			}
			origins.Record(text, abs)
			return cty.StringVal(text), nil
		},
	})
}

// MakeFileExistsFunc returns fileexists(path).
func MakeFileExistsFunc(paths Paths) function.Function {
	return function.New(&function.Spec{
		Description: "Tells whether a file exists, relative to the lab directory.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			abs, err := resolvePath(paths, args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.Bool), function.NewArgError(0, err)
			}
			st, err := os.Stat(abs)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return cty.False, nil
				}
				return cty.UnknownVal(cty.Bool), function.NewArgError(0, err)
			}
			if !st.Mode().IsRegular() {
				return cty.UnknownVal(cty.Bool), function.NewArgErrorf(0, "%s is not a regular file", args[0].AsString())
			}
			return cty.True, nil
		},
	})
}
