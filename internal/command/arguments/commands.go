package arguments

import (
	"flag"
	"fmt"
	"time"
)

// Validate is "podlab validate".
type Validate struct {
	Common
	Vars
	View
}

// ParseValidate parses validate's options.
func ParseValidate(args []string) (*Validate, *flag.FlagSet, error) {
	a := &Validate{}
	fs := newFlagSet("validate")
	a.Common.register(fs)
	a.Vars.register(fs)
	a.View.register(fs, true)
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("validate", pos)
	}
	return a, fs, err
}

// Fmt is "podlab fmt".
type Fmt struct {
	Common
	View
	Check     bool
	Diff      bool
	Recursive bool
	List      bool
	Write     bool
	Paths     []string
}

// ParseFmt parses fmt's options.
func ParseFmt(args []string) (*Fmt, *flag.FlagSet, error) {
	a := &Fmt{}
	fs := newFlagSet("fmt")
	a.Common.register(fs)
	fs.BoolVar(&a.Check, "check", false, "Check only: exit 3 when a file is not formatted, and write nothing.")
	fs.BoolVar(&a.Diff, "diff", false, "Show the changes formatting makes.")
	fs.BoolVar(&a.Recursive, "recursive", false, "Also format labs in subdirectories.")
	fs.BoolVar(&a.List, "list", true, "List the files whose formatting changed.")
	fs.BoolVar(&a.Write, "write", true, "Write the formatted files back (off with -check).")
	a.View.register(fs, false)
	pos, err := parseInterspersed(fs, args)
	a.Paths = pos
	if a.Check {
		a.Write = false
	}
	return a, fs, err
}

// Plan is "podlab plan".
type Plan struct {
	Common
	Vars
	View
	State
	Operation
	Replacing
	Targeting
	RefreshOnly      bool
	Out              string
	Destroy          bool
	Refresh          bool
	DetailedExitcode bool
	Verbose          bool
}

// ParsePlan parses plan's options.
func ParsePlan(args []string) (*Plan, *flag.FlagSet, error) {
	a := &Plan{}
	fs := newFlagSet("plan")
	a.Common.register(fs)
	a.Vars.register(fs)
	a.View.register(fs, true)
	a.State.register(fs)
	a.Operation.register(fs)
	a.Replacing.register(fs)
	a.Targeting.register(fs)
	fs.StringVar(&a.Out, "out", "", "Save the plan to FILE for \"podlab apply FILE\".")
	fs.BoolVar(&a.Destroy, "destroy", false, "Plan to destroy everything the environment has.")
	fs.BoolVar(&a.Refresh, "refresh", true, "Compare with the live cluster (-refresh=false trusts the state).")
	fs.BoolVar(&a.RefreshOnly, "refresh-only", false, "Plan only to record in state what the cluster holds (what students changed); change nothing in the cluster.")
	fs.BoolVar(&a.DetailedExitcode, "detailed-exitcode", false, "Exit 0 with no changes, 1 on error, 2 when there are changes.")
	fs.BoolVar(&a.Verbose, "verbose", false, "Show every seat's objects instead of collapsing identical seats.")
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("plan", pos)
	}
	if err == nil && a.Destroy && len(a.Replace) > 0 {
		err = fmt.Errorf("-replace and -destroy do not go together: a destroy plan deletes everything")
	}
	if err == nil {
		err = refreshOnlyAlone(a.RefreshOnly, a.Destroy, a.Replace, a.Refresh)
	}
	if err == nil {
		err = a.Operation.validate()
	}
	if err == nil {
		err = a.State.validate()
	}
	return a, fs, err
}

// refreshOnlyAlone refuses what -refresh-only cannot go with, as
// Terraform does.
func refreshOnlyAlone(refreshOnly, destroy bool, replace []string, refresh bool) error {
	switch {
	case !refreshOnly:
		return nil
	case destroy:
		return fmt.Errorf("-refresh-only and -destroy do not go together: a refresh-only plan changes nothing")
	case len(replace) > 0:
		return fmt.Errorf("-refresh-only and -replace do not go together: a refresh-only plan changes nothing")
	case !refresh:
		return fmt.Errorf("-refresh-only and -refresh=false do not go together: -refresh-only is all refresh")
	}
	return nil
}

// Apply is "podlab apply".
type Apply struct {
	Common
	Vars
	View
	State
	Operation
	Replacing
	Targeting
	Deleting
	PlanFile     string
	Destroy      bool
	RefreshOnly  bool
	AutoApprove  bool
	Checks       bool
	Verbose      bool
	AllowOverCap bool
	// CreateTimeout, when set, bounds the wait for each object to be
	// ready, over the lab's and exercises' create_timeout.
	CreateTimeout time.Duration
}

// ParseApply parses apply's options.
func ParseApply(args []string) (*Apply, *flag.FlagSet, error) {
	a := &Apply{}
	fs := newFlagSet("apply")
	a.Common.register(fs)
	a.Vars.register(fs)
	a.View.register(fs, true)
	a.State.register(fs)
	a.Operation.register(fs)
	a.Replacing.register(fs)
	a.Targeting.register(fs)
	a.Deleting.register(fs)
	fs.BoolVar(&a.Destroy, "destroy", false, "Destroy everything the environment has, as podlab destroy does.")
	fs.BoolVar(&a.RefreshOnly, "refresh-only", false, "Only record in state what the cluster holds (what students changed); change nothing in the cluster.")
	fs.BoolVar(&a.AutoApprove, "auto-approve", false, "Apply without asking for confirmation.")
	fs.BoolVar(&a.Checks, "checks", true, "Run the checks after applying (-checks=false skips them).")
	fs.BoolVar(&a.Verbose, "verbose", false, "Show every seat's objects instead of collapsing identical seats.")
	fs.BoolVar(&a.AllowOverCap, "allow-over-cap", false, "Apply even when the plan needs more nodes than lab.max_nodes.")
	fs.DurationVar(&a.CreateTimeout, "create-timeout", 0, "How long to wait for each object to be ready, over the lab's create_timeout (default: the lab's, 5m).")
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) > 1 {
		err = fmt.Errorf("podlab apply takes at most one plan file, got %d arguments", len(pos))
	}
	if len(pos) == 1 {
		a.PlanFile = pos[0]
		if err == nil && len(a.Replace) > 0 {
			err = fmt.Errorf("-replace cannot change a saved plan: make a new one with podlab plan -replace ADDRESS -out FILE")
		}
		if err == nil && len(a.Target) > 0 {
			err = fmt.Errorf("-target cannot change a saved plan: make a new one with podlab plan -target ADDRESS -out FILE")
		}
		if err == nil && a.Destroy {
			err = fmt.Errorf("-destroy cannot change a saved plan: a plan made with podlab plan -destroy -out FILE destroys when applied")
		}
		if err == nil && a.RefreshOnly {
			err = fmt.Errorf("-refresh-only cannot change a saved plan: make one with podlab plan -refresh-only -out FILE")
		}
	}
	if err == nil && a.Destroy && len(a.Replace) > 0 {
		err = fmt.Errorf("-replace and -destroy do not go together: a destroy plan deletes everything")
	}
	if err == nil {
		err = refreshOnlyAlone(a.RefreshOnly, a.Destroy, a.Replace, true)
	}
	if err == nil {
		err = a.Operation.validate()
	}
	if err == nil && flagSet(fs, "create-timeout") && a.CreateTimeout <= 0 {
		err = fmt.Errorf("-create-timeout must be positive, such as 2m, not %s", a.CreateTimeout)
	}
	if err == nil {
		err = a.State.validate()
	}
	if err == nil {
		err = a.Deleting.validate()
	}
	return a, fs, err
}

// flagSet tells whether the command line gave the flag.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// Destroy is "podlab destroy".
type Destroy struct {
	Common
	Vars
	View
	State
	Operation
	Deleting
	Targeting
	AutoApprove bool
	Expired     bool
}

// ParseDestroy parses destroy's options.
func ParseDestroy(args []string) (*Destroy, *flag.FlagSet, error) {
	a := &Destroy{}
	fs := newFlagSet("destroy")
	a.Common.register(fs)
	a.Vars.register(fs)
	a.View.register(fs, true)
	a.State.register(fs)
	a.Operation.register(fs)
	fs.BoolVar(&a.AutoApprove, "auto-approve", false, "Destroy without asking for confirmation.")
	fs.BoolVar(&a.Expired, "expired", false, "Destroy every environment of the lab whose ttl has run out.")
	a.Deleting.register(fs)
	a.Targeting.register(fs)
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("destroy", pos)
	}
	if err == nil && a.Expired && len(a.Target) > 0 {
		err = fmt.Errorf("-target and -expired do not go together: an expired environment is destroyed whole")
	}
	if err == nil {
		err = a.Operation.validate()
	}
	if err == nil {
		err = a.State.validate()
	}
	if err == nil {
		err = a.Deleting.validate()
	}
	return a, fs, err
}

// Check is "podlab check".
type Check struct {
	Common
	Vars
	View
	State
	JUnit       string
	Report      string
	CSV         string
	Seat        string
	Parallelism int
	// Watch grades continuously until interrupted; WatchInterval is
	// its periodic pass.
	Watch         bool
	WatchInterval time.Duration
}

// ParseCheck parses check's options.
func ParseCheck(args []string) (*Check, *flag.FlagSet, error) {
	a := &Check{}
	fs := newFlagSet("check")
	a.Common.register(fs)
	a.Vars.register(fs)
	a.View.register(fs, true)
	a.State.register(fs)
	fs.StringVar(&a.JUnit, "junit", "", "Also write the results as JUnit XML to FILE.")
	fs.StringVar(&a.Report, "report", "", "Also write a grading report as one HTML file.")
	fs.StringVar(&a.CSV, "csv", "", "Also write every seat's progress (time to first pass, attempts, last failure, changes) as CSV to FILE.")
	fs.StringVar(&a.Seat, "seat", "", "Check only this seat.")
	fs.IntVar(&a.Parallelism, "parallelism", 10, "How many checks to run at once.")
	fs.BoolVar(&a.Watch, "watch", false, "Grade continuously: again whenever a seat's pods change, and the failing checks every -watch-interval, until Ctrl-C.")
	fs.DurationVar(&a.WatchInterval, "watch-interval", time.Minute, "With -watch: how often the failing checks are graded again, for what no watch sees.")
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("check", pos)
	}
	if err == nil && a.Parallelism < 1 {
		err = fmt.Errorf("-parallelism must be 1 or more")
	}
	if err == nil && a.Watch && a.WatchInterval < time.Second {
		err = fmt.Errorf("-watch-interval must be 1s or more")
	}
	if err == nil {
		err = a.State.validate()
	}
	return a, fs, err
}

// Output is "podlab output".
type Output struct {
	Common
	Vars
	View
	State
	Name string
	Raw  bool
}

// ParseOutput parses output's options.
func ParseOutput(args []string) (*Output, *flag.FlagSet, error) {
	a := &Output{}
	fs := newFlagSet("output")
	a.Common.register(fs)
	a.Vars.register(fs)
	a.View.register(fs, true)
	a.State.register(fs)
	fs.BoolVar(&a.Raw, "raw", false, "Print a string output's bare value, for scripts.")
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) > 1 {
		err = fmt.Errorf("podlab output takes at most one output name")
	}
	if len(pos) == 1 {
		a.Name = pos[0]
	}
	if err == nil && a.Raw && a.Name == "" {
		err = fmt.Errorf("-raw needs an output name")
	}
	if err == nil {
		err = a.State.validate()
	}
	return a, fs, err
}

// StateCmd is "podlab state list|show|rm".
type StateCmd struct {
	Common
	Vars
	View
	State
	Sub       string
	Addresses []string
	DryRun    bool
}

// ParseState parses state's options.
func ParseState(args []string) (*StateCmd, *flag.FlagSet, error) {
	a := &StateCmd{}
	fs := newFlagSet("state")
	a.Common.register(fs)
	a.Vars.register(fs)
	a.View.register(fs, true)
	a.State.register(fs)
	fs.BoolVar(&a.DryRun, "dry-run", false, "With rm: say what would be forgotten, and forget nothing.")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return a, fs, err
	}
	if len(pos) == 0 {
		return a, fs, fmt.Errorf("podlab state needs a subcommand: list, show ADDRESS or rm ADDRESS")
	}
	a.Sub, a.Addresses = pos[0], pos[1:]
	switch a.Sub {
	case "list":
	case "show", "rm":
		if len(a.Addresses) == 0 {
			err = fmt.Errorf("podlab state %s needs an ADDRESS (see podlab state list)", a.Sub)
		}
	default:
		err = fmt.Errorf("podlab state has the subcommands list, show and rm, not %q", a.Sub)
	}
	if err == nil {
		err = a.State.validate()
	}
	return a, fs, err
}

// Kubeconfig is "podlab kubeconfig".
type Kubeconfig struct {
	Common
	View
	Vars
	State
	Seat string
	All  bool
	Dir  string
	Out  string
	TTL  string
}

// ParseKubeconfig parses kubeconfig's options.
func ParseKubeconfig(args []string) (*Kubeconfig, *flag.FlagSet, error) {
	a := &Kubeconfig{}
	fs := newFlagSet("kubeconfig")
	a.Common.register(fs)
	a.View.register(fs, true)
	a.Vars.register(fs)
	a.State.register(fs)
	fs.StringVar(&a.Seat, "seat", "", "Write a kubeconfig limited to one seat's namespaces.")
	fs.BoolVar(&a.All, "all", false, "Write one kubeconfig per seat into -dir.")
	fs.StringVar(&a.Dir, "dir", "", "With -all: the directory to write the kubeconfigs to.")
	fs.StringVar(&a.Out, "out", "", "Write the kubeconfig to FILE instead of standard output.")
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("kubeconfig", pos)
	}
	if err == nil && a.All && a.Dir == "" {
		err = fmt.Errorf("-all writes one file per seat: name a directory with -dir DIR")
	}
	if err == nil && a.All && a.Seat != "" {
		err = fmt.Errorf("-all and -seat do not go together")
	}
	if err == nil {
		err = a.State.validate()
	}
	return a, fs, err
}

// Graph is "podlab graph".
type Graph struct {
	Common
	View
	Vars
	Objects bool
}

// ParseGraph parses graph's options.
func ParseGraph(args []string) (*Graph, *flag.FlagSet, error) {
	a := &Graph{}
	fs := newFlagSet("graph")
	a.Common.register(fs)
	a.View.register(fs, true)
	a.Vars.register(fs)
	fs.BoolVar(&a.Objects, "objects", true, "Include each exercise's Kubernetes objects.")
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("graph", pos)
	}
	return a, fs, err
}

// Init is "podlab init".
type Init struct {
	Common
	View
	Example string
}

// ParseInit parses init's options.
func ParseInit(args []string) (*Init, *flag.FlagSet, error) {
	a := &Init{}
	fs := newFlagSet("init")
	a.Common.register(fs)
	a.View.register(fs, false)
	fs.StringVar(&a.Example, "example", "", "Write the bundled example lab NAME (such as pod-basics) into this empty directory.")
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("init", pos)
	}
	return a, fs, err
}

// Version is "podlab version".
type Version struct {
	View
}

// ParseVersion parses version's options.
func ParseVersion(args []string) (*Version, *flag.FlagSet, error) {
	a := &Version{}
	fs := newFlagSet("version")
	a.View.register(fs, true)
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("version", pos)
	}
	return a, fs, err
}

// ForceUnlock is "podlab force-unlock".
type ForceUnlock struct {
	Common
	View
	Vars
	State
	ID    string
	Force bool
}

// ParseForceUnlock parses force-unlock's options.
func ParseForceUnlock(args []string) (*ForceUnlock, *flag.FlagSet, error) {
	a := &ForceUnlock{}
	fs := newFlagSet("force-unlock")
	a.Common.register(fs)
	a.View.register(fs, false)
	a.Vars.register(fs)
	a.State.register(fs)
	fs.BoolVar(&a.Force, "force", false, "Do not ask for confirmation.")
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) != 1 {
		err = fmt.Errorf("podlab force-unlock takes the lock ID, as a lock error shows it")
	}
	if len(pos) == 1 {
		a.ID = pos[0]
	}
	if err == nil {
		err = a.State.validate()
	}
	return a, fs, err
}

// Status is "podlab status".
type Status struct {
	Common
	Vars
	View
	// Workspace shows only the environments of this workspace.
	Workspace string
	// CSV writes every environment's progress record to this file.
	CSV string
}

// ParseStatus parses status's options.
func ParseStatus(args []string) (*Status, *flag.FlagSet, error) {
	a := &Status{}
	fs := newFlagSet("status")
	a.Common.register(fs)
	a.Vars.register(fs)
	a.View.register(fs, true)
	// Only -workspace of the state options: status reads states without
	// locking them, so -lock and -lock-timeout would mean nothing.
	fs.StringVar(&a.Workspace, "workspace", "", "Show only the environments of this workspace (default: every environment, of every workspace).")
	fs.StringVar(&a.CSV, "csv", "", "Also write the progress record of the environments shown (kept after destroy) as CSV to FILE.")
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("status", pos)
	}
	return a, fs, err
}

// Workspace is "podlab workspace list|show|new|select|delete".
type Workspace struct {
	Common
	NoColor  bool
	Sub      string
	Name     string
	Force    bool
	OrCreate bool
}

// ParseWorkspace parses workspace's subcommand and options.
func ParseWorkspace(args []string) (*Workspace, *flag.FlagSet, error) {
	a := &Workspace{}
	fs := newFlagSet("workspace")
	a.Common.register(fs)
	fs.BoolVar(&a.NoColor, "no-color", false, "Print no color codes.")
	fs.BoolVar(&a.Force, "force", false, "With delete: delete a workspace whose state still records objects (they stay in the cluster).")
	fs.BoolVar(&a.OrCreate, "or-create", false, "With select: create the workspace when it does not exist.")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return a, fs, err
	}
	if len(pos) == 0 {
		return a, fs, fmt.Errorf("podlab workspace needs a subcommand: list, show, new NAME, select NAME or delete NAME")
	}
	a.Sub = pos[0]
	switch a.Sub {
	case "list", "show":
		if len(pos) > 1 {
			err = fmt.Errorf("podlab workspace %s takes no arguments, got %q", a.Sub, pos[1:])
		}
	case "new", "select", "delete":
		if len(pos) != 2 {
			err = fmt.Errorf("podlab workspace %s takes one workspace NAME", a.Sub)
		} else {
			a.Name = pos[1]
		}
	default:
		err = fmt.Errorf("podlab workspace has the subcommands list, show, new, select and delete, not %q", a.Sub)
	}
	if err == nil && a.Force && a.Sub != "delete" {
		err = fmt.Errorf("-force goes with workspace delete only")
	}
	if err == nil && a.OrCreate && a.Sub != "select" {
		err = fmt.Errorf("-or-create goes with workspace select only")
	}
	return a, fs, err
}

// Show is "podlab show [PLAN]".
type Show struct {
	Common
	Vars
	View
	State
	PlanFile string
}

// ParseShow parses show's options.
func ParseShow(args []string) (*Show, *flag.FlagSet, error) {
	a := &Show{}
	fs := newFlagSet("show")
	a.Common.register(fs)
	a.Vars.register(fs)
	a.View.register(fs, true)
	a.State.register(fs)
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) > 1 {
		err = fmt.Errorf("podlab show takes at most one plan file, got %d arguments", len(pos))
	}
	if len(pos) == 1 {
		a.PlanFile = pos[0]
	}
	return a, fs, err
}

// Console is "podlab console".
type Console struct {
	Common
	Vars
	View
	State
}

// ParseConsole parses console's options.
func ParseConsole(args []string) (*Console, *flag.FlagSet, error) {
	a := &Console{}
	fs := newFlagSet("console")
	a.Common.register(fs)
	a.Vars.register(fs)
	a.View.register(fs, false)
	a.State.register(fs)
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("console", pos)
	}
	return a, fs, err
}
