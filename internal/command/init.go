package command

import (
	"fmt"
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
	dir := m.dir(a.Common)
	if a.Example != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fmt.Fprintf(m.Stderr, "Error: %s\n", err)
			return ExitError
		}
		written, err := examples.Write(a.Example, dir)
		if err != nil {
			fmt.Fprintf(m.Stderr, "Error: %s.\n", err)
			return ExitError
		}
		fmt.Fprintf(m.Stdout, "Wrote the example lab %q into %s:\n", a.Example, shownDir(dir))
		for _, f := range written {
			fmt.Fprintf(m.Stdout, "  %s\n", f)
		}
	} else {
		files, err := config.LabFiles(dir)
		if err != nil {
			fmt.Fprintf(m.Stderr, "Error: %s.\n", err)
			return ExitError
		}
		if len(files) == 0 {
			fmt.Fprintf(m.Stderr, "Error: %s has no *%s files. Write a lab there, or start from the course lab: podlab init -example %s\n",
				dir, config.FileSuffix, strings.Join(examples.Names(), "|"))
			return ExitError
		}
	}
	dot := filepath.Join(dir, ".podlab")
	if err := os.MkdirAll(dot, 0o700); err != nil {
		fmt.Fprintf(m.Stderr, "Error: %s\n", err)
		return ExitError
	}
	// State and kubeconfigs are per machine and may hold cluster access:
	// keep them out of version control by default.
	gi := filepath.Join(dot, ".gitignore")
	if !exists(gi) {
		_ = os.WriteFile(gi, []byte("*\n"), 0o644)
	}
	fmt.Fprintf(m.Stdout, "\npodlab is ready in %s. Next:\n  podlab validate\n  podlab plan -var target=kubeconfig\n", shownDir(dir))
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
