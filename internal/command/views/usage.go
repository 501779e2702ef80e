package views

import (
	"fmt"
	"strings"
)

// What podlab says before a command's options are parsed: its usage, a
// command's help, a command line it cannot read. None of it is colored,
// for -no-color may be among the options not read, and none of it is
// JSON: a command line that cannot be read has no -json yet.

// CommandSynopsis is a command as podlab's usage lists it.
type CommandSynopsis struct {
	Name, Synopsis string
}

// Usage shows podlab's usage: on Out when asked for, on Err after an
// error.
func (v *View) Usage(toErr bool, cmds []CommandSynopsis) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: podlab [-chdir=DIR] <command> [options]\n\n")
	fmt.Fprintf(&b, "podlab builds repeatable Kubernetes class environments from HCL labs:\n\n")
	fmt.Fprintf(&b, "  podlab plan        podlab apply -var target=gke        podlab check        podlab destroy\n\nCommands:\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %-13s %s\n", c.Name, c.Synopsis)
	}
	fmt.Fprintf(&b, "\nGlobal options:\n  -chdir=DIR    Run in DIR (the lab directory).\n  -version      Show the version.\n\nEach command takes -h for its options.\n")
	if toErr {
		v.errPrintf("%s", b.String())
		return
	}
	v.outPrintf("%s", b.String())
}

// GlobalOptionError says podlab's own options could not be read, before
// the usage.
func (v *View) GlobalOptionError(err error) {
	v.errPrintf("Error: %s\n\n", err)
}

// UnknownCommand says podlab has no such command, and suggests the
// nearest one ("" for none), before the usage.
func (v *View) UnknownCommand(name, suggestion string) {
	v.errPrintf("Error: podlab has no command %q.\n\n", name)
	if suggestion != "" {
		v.errPrintf("Did you mean %q?\n\n", suggestion)
	}
}

// CommandHelp shows a command's usage line, synopsis and options.
func (v *View) CommandHelp(usageLine, synopsis, options string) {
	v.outPrintf("Usage: podlab %s\n\n  %s\n\nOptions:\n%s", usageLine, synopsis, options)
}

// UsageError says a command's command line could not be read, and where
// its options are listed.
func (v *View) UsageError(err error, command string) {
	v.errPrintf("Error: %s\n\nRun \"podlab %s -h\" for its options.\n", strings.TrimSpace(err.Error()), command)
}

// outPrintf writes to Out as given, in human and JSON mode alike.
func (v *View) outPrintf(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.Out, format, args...)
}
