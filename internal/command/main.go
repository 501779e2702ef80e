package command

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"syscall"

	"github.com/agext/levenshtein"

	"github.com/podlab/podlab/internal/command/arguments"
)

// Exit codes, as Terraform uses them.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitChecksFail  = 2 // also plan -detailed-exitcode: changes pending
	ExitUnformatted = 3
	ExitInterrupted = 130 // Ctrl-C (SIGINT): 128 + 2, as shells report it
	ExitTerminated  = 143 // SIGTERM: 128 + 15
)

// SignalExitCode is podlab's exit code after sig stopped it.
func SignalExitCode(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return ExitTerminated
	}
	return ExitInterrupted
}

type command struct {
	synopsis string
	run      func(m *Meta, args []string) int
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"init":         {"Prepare a lab directory, or write a bundled example lab", runInit},
		"validate":     {"Check the lab's files without touching a cluster", runValidate},
		"fmt":          {"Rewrite lab files in canonical style", runFmt},
		"plan":         {"Show what apply would do", runPlan},
		"apply":        {"Create or update the environment, then run the checks", runApply},
		"destroy":      {"Delete everything the environment has", runDestroy},
		"check":        {"Run the checks against what exists", runCheck},
		"output":       {"Show the lab's outputs", runOutput},
		"state":        {"Inspect and repair state: list, show, rm", runState},
		"kubeconfig":   {"Write a kubeconfig for the environment or a seat", runKubeconfig},
		"handout":      {"Write each seat's kubeconfig and exercise manifests to hand out", runHandout},
		"graph":        {"Print the dependency graph as DOT", runGraph},
		"version":      {"Show podlab's version", runVersion},
		"force-unlock": {"Release a state lock left by a podlab that died", runForceUnlock},
		"status":       {"Show each environment, its objects and time left", runStatus},
		"show":         {"Show a saved plan, or what the state records", runShow},
		"completion":   {"Print a shell completion script: bash, zsh or fish", runCompletion},
		"console":      {"Evaluate expressions against the lab and its state", runConsole},
		"workspace":    {"Manage workspaces: list, show, new, select, delete", runWorkspace},
		"bundle":       {"Write an offline install bundle's manifest for kubeadm clusters", runBundle},
	}
}

// Run is podlab's main: global options, then one subcommand.
func Run(m *Meta, args []string) int {
	fs := flag.NewFlagSet("podlab", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&m.Chdir, "chdir", "", "")
	help := fs.Bool("help", false, "")
	fs.BoolVar(help, "h", false, "")
	version := fs.Bool("version", false, "")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(m.Stderr, "Error: %s\n\n", err)
		usage(m.Stderr)
		return ExitError
	}
	rest := fs.Args()
	switch {
	case *version:
		return runVersion(m, nil)
	case *help || len(rest) == 0:
		usage(m.Stdout)
		if len(rest) == 0 && !*help {
			return ExitError
		}
		return ExitOK
	}
	if rest[0] == completeCommand {
		return runComplete(m, rest[1:])
	}
	cmd, ok := commands[rest[0]]
	if !ok {
		fmt.Fprintf(m.Stderr, "Error: podlab has no command %q.\n\n", rest[0])
		if s := suggestCommand(rest[0]); s != "" {
			fmt.Fprintf(m.Stderr, "Did you mean %q?\n\n", s)
		}
		usage(m.Stderr)
		return ExitError
	}
	return cmd.run(m, rest[1:])
}

// suggestCommand is the command nearest to a mistyped one, as Terraform
// suggests "apply" for "aply"; "" when none is close.
func suggestCommand(given string) string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	return nearest(given, names)
}

// nearest is the candidate within two edits of given (the closest, then
// the first in sorted order), or "". A prefix of exactly one candidate
// counts too: "podlab dest" means destroy.
func nearest(given string, candidates []string) string {
	sort.Strings(candidates)
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein.Distance(given, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" || len(given) < 3 {
		return best
	}
	var prefixed []string
	for _, c := range candidates {
		if strings.HasPrefix(c, given) {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	return ""
}

func usage(w io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "Usage: podlab [-chdir=DIR] <command> [options]\n\n")
	fmt.Fprintf(w, "podlab builds repeatable Kubernetes class environments from HCL labs:\n\n")
	fmt.Fprintf(w, "  podlab plan        podlab apply -var target=gke        podlab check        podlab destroy\n\nCommands:\n")
	for _, n := range names {
		fmt.Fprintf(w, "  %-13s %s\n", n, commands[n].synopsis)
	}
	fmt.Fprintf(w, "\nGlobal options:\n  -chdir=DIR    Run in DIR (the lab directory).\n  -version      Show the version.\n\nEach command takes -h for its options.\n")
}

// commandHelp prints a command's usage and options.
func commandHelp(m *Meta, name, synopsis, usageLine string, fs *flag.FlagSet) {
	fmt.Fprintf(m.Stdout, "Usage: podlab %s\n\n  %s\n\nOptions:\n%s", usageLine, synopsis, arguments.Usage(fs))
}

// parseError reports a bad command line: help when asked for, otherwise the
// error with a pointer to -h.
func parseError(m *Meta, name, usageLine string, fs *flag.FlagSet, err error) int {
	if err == flag.ErrHelp {
		commandHelp(m, name, commands[name].synopsis, usageLine, fs)
		return ExitOK
	}
	fmt.Fprintf(m.Stderr, "Error: %s\n\nRun \"podlab %s -h\" for its options.\n", strings.TrimSpace(err.Error()), name)
	return ExitError
}
