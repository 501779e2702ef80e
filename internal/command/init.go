package command

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/examples"
	"github.com/podlab/podlab/internal/command/arguments"
)

func runInit(m *Meta, args []string) int {
	a, fs, err := arguments.ParseInit(args)
	if err != nil {
		return parseError(m, "init", "init [-example NAME]", fs, err)
	}
	v := m.view(a.View)
	dir := m.dir(a.Common)
	if a.Example != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		written, err := examples.Write(a.Example, dir)
		if err != nil {
			v.Errorf("%s.", err)
			return ExitError
		}
		v.ExampleWritten(a.Example, shownDir(dir), written)
	} else {
		files, err := config.LabFiles(dir)
		if err != nil {
			v.Errorf("%s.", err)
			return ExitError
		}
		if len(files) == 0 {
			v.Errorf("%s has no *%s files. Write a lab there, or start from the course lab: podlab init -example %s",
				dir, config.FileSuffix, strings.Join(examples.Names(), "|"))
			return ExitError
		}
	}
	dot := filepath.Join(dir, ".podlab")
	if err := os.MkdirAll(dot, 0o700); err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	// State and kubeconfigs are per machine and may hold cluster access:
	// keep them out of version control by default.
	gi := filepath.Join(dot, ".gitignore")
	if !exists(gi) {
		_ = os.WriteFile(gi, []byte("*\n"), 0o644)
	}
	v.InitReady(shownDir(dir))
	return ExitOK
}

// shownDir names a directory for a sentence: "." would read as a stray
// full stop ("ready in .."), so the current directory is named with its
// path.
func shownDir(dir string) string {
	if filepath.Clean(dir) != "." {
		return dir
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return "this directory (" + abs + ")"
	}
	return "this directory"
}
