package command

import (
	"errors"
	"flag"
	"io"
	"os"
	"sort"
	"strings"
	"syscall"

	"github.com/agext/levenshtein"

	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
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
		"board":        {"Serve the live class board in a browser", runBoard},
		"diff":         {"Show how a seat's objects differ from a student exercise's reference", runDiff},
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
	// Nothing of a command's options is read yet: podlab's own messages are
	// plain.
	v := m.plainView()
	if err := fs.Parse(args); err != nil {
		v.GlobalOptionError(err)
		v.Usage(true, synopses())
		return ExitError
	}
	rest := fs.Args()
	switch {
	case *version:
		return runVersion(m, nil)
	case *help || len(rest) == 0:
		v.Usage(false, synopses())
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
		v.UnknownCommand(rest[0], suggestCommand(rest[0]))
		v.Usage(true, synopses())
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

// synopses are the commands, by name, as the usage lists them.
func synopses() []views.CommandSynopsis {
	out := make([]views.CommandSynopsis, 0, len(commands))
	for n, c := range commands {
		out = append(out, views.CommandSynopsis{Name: n, Synopsis: c.synopsis})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// parseError reports a bad command line: help when asked for, otherwise the
// error with a pointer to -h.
func parseError(m *Meta, name, usageLine string, fs *flag.FlagSet, err error) int {
	v := m.plainView()
	if errors.Is(err, flag.ErrHelp) {
		v.CommandHelp(usageLine, commands[name].synopsis, arguments.Usage(fs))
		return ExitOK
	}
	v.UsageError(err, name)
	return ExitError
}
