package command

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/podlab/podlab/internal/golden" // -update
)

// result is what one in-process podlab run produced.
type result struct {
	code           int
	stdout, stderr string
}

// run runs podlab in process, as if started in dir with args and the given
// environment (nothing of the test's own environment leaks in).
func run(t *testing.T, dir string, environ []string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := &Meta{
		Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""),
		Environ: environ, Version: "test", Ctx: t.Context(), Kill: t.Context(),
	}
	if dir != "" {
		args = append([]string{"-chdir=" + dir}, args...)
	}
	code := Run(m, args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// copyLab copies the lab in src (a directory of the repository) into a
// fresh temporary directory of the same name (a lab's default name), so
// that commands that write .podlab/ never write into the source tree.
// Files named in skip are left out.
func copyLab(t *testing.T, src string, skip ...string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == ".podlab" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		for _, s := range skip {
			if d.Name() == s {
				return nil
			}
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// exampleDir is the course lab bundled with podlab.
const exampleDir = "../../examples/pod-basics"

// badDir is the corpus of broken labs.
const badDir = "../../testdata/bad"
