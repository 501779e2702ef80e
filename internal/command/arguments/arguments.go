// Package arguments parses each podlab command's flags into a plain struct
// before anything runs, so that parsing is tested on its own and commands
// never touch a FlagSet.
package arguments

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/podlab/podlab/internal/i18n"
)

// VarItem is one -var or -var-file option, kept in the order given.
type VarItem struct {
	File  bool
	Value string
}

// Vars are the options that give variables values.
type Vars struct {
	Items []VarItem
}

type varFlag struct {
	items *[]VarItem
	file  bool
}

func (f varFlag) String() string { return "" }
func (f varFlag) Set(s string) error {
	*f.items = append(*f.items, VarItem{File: f.file, Value: s})
	return nil
}

func (v *Vars) register(fs *flag.FlagSet) {
	fs.Var(varFlag{&v.Items, false}, "var", "Set a variable: -var NAME=VALUE (repeatable).")
	fs.Var(varFlag{&v.Items, true}, "var-file", "Read variables from a file (repeatable).")
}

// Replacing is -replace: objects to delete and create again though
// nothing changed.
type Replacing struct {
	Replace []string
}

type listFlag struct{ items *[]string }

func (f listFlag) String() string { return "" }
func (f listFlag) Set(s string) error {
	*f.items = append(*f.items, s)
	return nil
}

func (r *Replacing) register(fs *flag.FlagSet) {
	fs.Var(listFlag{&r.Replace}, "replace", "Delete and create again the object at `ADDRESS`, or every object of an exercise or seat (exercise.web, seat[\"kim\"]), though nothing changed (repeatable).")
}

// Targeting is -target: limit the plan to some objects and what they
// need.
type Targeting struct {
	Target []string
}

func (t *Targeting) register(fs *flag.FlagSet) {
	fs.Var(listFlag{&t.Target}, "target", "Limit the plan to the object at `ADDRESS`, or every object of an exercise or seat (exercise.web, seat[\"kim\"]), and what it needs (repeatable).")
}

// Deleting are the options of commands that delete pods.
type Deleting struct {
	// GracePeriod overrides the objects' own termination grace period
	// (seconds); negative keeps theirs.
	GracePeriod int
}

func (d *Deleting) register(fs *flag.FlagSet) {
	fs.IntVar(&d.GracePeriod, "grace-period", -1, "Seconds pods get to stop when deleted or replaced (0: at once); default: each pod's own.")
}

func (d *Deleting) validate() error {
	if d.GracePeriod < -1 {
		return fmt.Errorf("-grace-period must be 0 or more seconds (or -1 for each pod's own), not %d", d.GracePeriod)
	}
	return nil
}

// GracePeriodSeconds is the grace period to delete with, nil for each
// object's own.
func (d *Deleting) GracePeriodSeconds() *int64 {
	if d.GracePeriod < 0 {
		return nil
	}
	g := int64(d.GracePeriod)
	return &g
}

// View are the options that shape output.
type View struct {
	NoColor bool
	JSON    bool
	// Lang is -lang as given ("" when not): the language of what
	// students and instructors read.
	Lang string
}

// langFlag accepts only a language podlab speaks, so that a typo fails at
// once instead of silently printing English.
type langFlag struct{ s *string }

func (f langFlag) String() string {
	if f.s == nil {
		return ""
	}
	return *f.s
}

func (f langFlag) Set(s string) error {
	if _, err := i18n.Parse(s); err != nil {
		return err
	}
	*f.s = s
	return nil
}

func (v *View) register(fs *flag.FlagSet, json bool) {
	fs.BoolVar(&v.NoColor, "no-color", false, "Print no color codes (also when NO_COLOR is set).")
	fs.Var(langFlag{&v.Lang}, "lang", "The language of check results, summaries and the report: en or ko (default: lab { language }, else $LANG).")
	if json {
		fs.BoolVar(&v.JSON, "json", false, "Print machine-readable JSON, one object per line.")
	}
}

// State are the options about the environment's state.
type State struct {
	Lock        bool
	LockTimeout time.Duration
	Workspace   string
}

func (s *State) register(fs *flag.FlagSet) {
	fs.BoolVar(&s.Lock, "lock", true, "Lock the state while the command runs.")
	fs.DurationVar(&s.LockTimeout, "lock-timeout", 0, "How long to wait for a state lock held by another podlab.")
	fs.StringVar(&s.Workspace, "workspace", os.Getenv("PODLAB_WORKSPACE"), "A workspace: a separate copy of the environment (default $PODLAB_WORKSPACE).")
}

// Unlocked are the options of a command that only reads the state
// (output, show, state list, kubeconfig): it takes no lock, whatever -lock
// says.
func (s State) Unlocked() State {
	s.Lock = false
	return s
}

func (s *State) validate() error {
	if s.LockTimeout < 0 {
		return fmt.Errorf("-lock-timeout must be positive (or 0 to not wait), not %s", s.LockTimeout)
	}
	return nil
}

// Operation are the options of commands that change a cluster.
type Operation struct {
	Parallelism int
	Timeout     time.Duration
}

func (o *Operation) register(fs *flag.FlagSet) {
	fs.IntVar(&o.Parallelism, "parallelism", 10, "How many objects to work on at once.")
	fs.DurationVar(&o.Timeout, "timeout", 0, "Give up after this long (0: no limit beyond each step's own).")
}

func (o *Operation) validate() error {
	if o.Parallelism < 1 {
		return fmt.Errorf("-parallelism must be 1 or more, not %d", o.Parallelism)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("-timeout must be positive (or 0 for no limit), not %s", o.Timeout)
	}
	return nil
}

// Common holds options every command takes.
type Common struct {
	Chdir string
}

func (c *Common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.Chdir, "chdir", "", "Run in DIR, as if podlab had been started there.")
}

// newFlagSet makes a FlagSet that reports errors instead of exiting and
// prints nothing itself: the command's view prints usage.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseInterspersed parses flags that may come after positional arguments
// ("podlab apply plan.out -auto-approve"), which flag.Parse alone stops at.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// Usage renders a FlagSet's options for help text.
func Usage(fs *flag.FlagSet) string {
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(&b, "  -%s", f.Name)
		if name != "" {
			fmt.Fprintf(&b, " %s", name)
		}
		fmt.Fprintf(&b, "\n      %s", usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
			fmt.Fprintf(&b, " (default %s)", f.DefValue)
		}
		b.WriteString("\n")
	})
	return b.String()
}

func noArgs(cmd string, pos []string) error {
	if len(pos) > 0 {
		return fmt.Errorf("podlab %s takes no arguments, got %q", cmd, strings.Join(pos, " "))
	}
	return nil
}
