package command

import (
	"flag"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/operation"
)

// completeCommand is the hidden command the completion scripts call with
// the words typed so far (the last one, possibly empty, being completed);
// it prints the candidates, one a line. Doing the work in podlab itself
// keeps the three shells' scripts small and alike, and lets them offer
// what only the lab knows: environment and seat names, and addresses from
// state.
const completeCommand = "__complete"

// flagSets gives each command's options, for completing flags.
var flagSets = map[string]func() *flag.FlagSet{
	"init":         func() *flag.FlagSet { _, fs, _ := arguments.ParseInit(nil); return fs },
	"validate":     func() *flag.FlagSet { _, fs, _ := arguments.ParseValidate(nil); return fs },
	"fmt":          func() *flag.FlagSet { _, fs, _ := arguments.ParseFmt(nil); return fs },
	"plan":         func() *flag.FlagSet { _, fs, _ := arguments.ParsePlan(nil); return fs },
	"apply":        func() *flag.FlagSet { _, fs, _ := arguments.ParseApply(nil); return fs },
	"destroy":      func() *flag.FlagSet { _, fs, _ := arguments.ParseDestroy(nil); return fs },
	"check":        func() *flag.FlagSet { _, fs, _ := arguments.ParseCheck(nil); return fs },
	"output":       func() *flag.FlagSet { _, fs, _ := arguments.ParseOutput(nil); return fs },
	"state":        func() *flag.FlagSet { _, fs, _ := arguments.ParseState([]string{"list"}); return fs },
	"kubeconfig":   func() *flag.FlagSet { _, fs, _ := arguments.ParseKubeconfig(nil); return fs },
	"handout":      func() *flag.FlagSet { _, fs, _ := arguments.ParseHandout(nil); return fs },
	"board":        func() *flag.FlagSet { _, fs, _ := arguments.ParseBoard(nil); return fs },
	"diff":         func() *flag.FlagSet { _, fs, _ := arguments.ParseDiff(nil); return fs },
	"graph":        func() *flag.FlagSet { _, fs, _ := arguments.ParseGraph(nil); return fs },
	"version":      func() *flag.FlagSet { _, fs, _ := arguments.ParseVersion(nil); return fs },
	"force-unlock": func() *flag.FlagSet { _, fs, _ := arguments.ParseForceUnlock(nil); return fs },
	"status":       func() *flag.FlagSet { _, fs, _ := arguments.ParseStatus(nil); return fs },
	"show":         func() *flag.FlagSet { _, fs, _ := arguments.ParseShow(nil); return fs },
	"workspace":    func() *flag.FlagSet { _, fs, _ := arguments.ParseWorkspace([]string{"list"}); return fs },
	"completion":   func() *flag.FlagSet { return flag.NewFlagSet("completion", flag.ContinueOnError) },
	"console":      func() *flag.FlagSet { _, fs, _ := arguments.ParseConsole(nil); return fs },
	"bundle":       func() *flag.FlagSet { _, fs, _ := arguments.ParseBundle(nil); return fs },
}

var subcommands = map[string][]string{
	"state":      {"list", "show", "rm"},
	"workspace":  {"list", "show", "new", "select", "delete"},
	"completion": {"bash", "zsh", "fish"},
}

func runComplete(m *Meta, args []string) int {
	m.plainView().Candidates(complete(m, args))
	return ExitOK
}

// complete lists the candidates for the last of words. Nothing it meets
// (a lab that does not load, no state) is an error: it offers less.
func complete(m *Meta, words []string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	cur := strings.TrimLeft(words[len(words)-1], `'"`)
	prev := words[:len(words)-1]
	chdir := ""
	for len(prev) > 0 && strings.HasPrefix(prev[0], "-") {
		if v, ok := strings.CutPrefix(strings.TrimLeft(prev[0], "-"), "chdir="); ok {
			chdir = v
		}
		prev = prev[1:]
	}
	if len(prev) == 0 {
		if strings.HasPrefix(cur, "-") {
			return filter([]string{"-chdir=", "-help", "-version"}, cur)
		}
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		return filter(names, cur)
	}
	cmd := prev[0]
	mk, ok := flagSets[cmd]
	if !ok {
		return nil
	}
	fs := mk()
	lab := &completionLab{m: m, dir: chdir, words: prev[1:]}
	// The value of an option.
	if len(prev) > 1 {
		last := strings.TrimLeft(prev[len(prev)-1], "-")
		if f := fs.Lookup(last); f != nil && !isBool(f) && strings.HasPrefix(prev[len(prev)-1], "-") {
			switch last {
			case "target", "replace":
				return filter(lab.addresses(), cur)
			case "seat":
				return filter(lab.seats(), cur)
			case "var":
				return filter(lab.variables(), cur)
			case "workspace":
				return filter(lab.workspaces(), cur)
			}
			return nil // a file or a free value: the shell's own completion
		}
	}
	if strings.HasPrefix(cur, "-") {
		var out []string
		fs.VisitAll(func(f *flag.Flag) { out = append(out, "-"+f.Name) })
		return filter(out, cur)
	}
	pos := positionals(fs, prev[1:])
	switch {
	case len(pos) == 0 && subcommands[cmd] != nil:
		return filter(subcommands[cmd], cur)
	case cmd == "state" && (pos[0] == "show" || pos[0] == "rm"):
		return filter(lab.stateAddresses(), cur)
	case cmd == "workspace" && len(pos) == 1 && (pos[0] == "select" || pos[0] == "delete"):
		return filter(lab.workspaces(), cur)
	case cmd == "output" && len(pos) == 0:
		return filter(lab.outputs(), cur)
	}
	return nil
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// positionals are the words that are neither options nor their values.
func positionals(fs *flag.FlagSet, words []string) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") {
			out = append(out, w)
			continue
		}
		name := strings.TrimLeft(w, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBool(f) {
			i++
		}
	}
	return out
}

func filter(cands []string, prefix string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// completionLab loads what completion needs from the lab, with the -var,
// -var-file and -workspace options already on the command line.
type completionLab struct {
	m      *Meta
	dir    string
	words  []string
	loaded *operation.Lab
	tried  bool
}

func (c *completionLab) labDir() string {
	d := c.m.dir(arguments.Common{Chdir: c.dir})
	for i := 0; i+1 < len(c.words); i++ {
		if strings.TrimLeft(c.words[i], "-") == "chdir" {
			d = c.m.dir(arguments.Common{Chdir: c.words[i+1]})
		}
	}
	return d
}

func (c *completionLab) load() *operation.Lab {
	if c.tried {
		return c.loaded
	}
	c.tried = true
	var vars arguments.Vars
	ws := ""
	for i := 0; i+1 < len(c.words); i++ {
		switch strings.TrimLeft(c.words[i], "-") {
		case "var":
			vars.Items = append(vars.Items, arguments.VarItem{Value: c.words[i+1]})
		case "var-file":
			vars.Items = append(vars.Items, arguments.VarItem{File: true, Value: c.words[i+1]})
		case "workspace":
			ws = c.words[i+1]
		}
	}
	// Nothing is shown: completion offers less when the lab does not load.
	l, diags := c.m.loadWith(c.labDir(), vars, config.EvalOptions{Workspace: ws})
	if diags.HasErrors() || l.Env == nil {
		return nil
	}
	c.loaded = l
	return l
}

func (c *completionLab) seats() []string {
	l := c.load()
	if l == nil {
		return nil
	}
	var out []string
	for _, s := range l.Env.Lab.Seats {
		out = append(out, s.Name)
	}
	return out
}

// addresses are what -target and -replace take: every exercise instance
// and seat of the configuration, and every object the state records.
func (c *completionLab) addresses() []string {
	l := c.load()
	if l == nil {
		return nil
	}
	var out []string
	for _, in := range l.Env.Instances {
		out = append(out, in.Address)
		if in.Seat != nil {
			out = append(out, "seat["+strconv.Quote(in.Seat.Name)+"]")
		}
	}
	return append(out, c.stateAddresses()...)
}

func (c *completionLab) stateAddresses() []string {
	l := c.load()
	if l == nil {
		return nil
	}
	mgr, err := c.m.openState(l, arguments.State{}, "complete")
	if err != nil {
		return nil
	}
	defer mgr.Close()
	st := mgr.State()
	var out []string
	if st.Cluster != nil {
		out = append(out, "cluster."+st.Cluster.Name)
	}
	for _, o := range st.Objects {
		out = append(out, o.Address)
	}
	return out
}

func (c *completionLab) outputs() []string {
	l := c.load()
	if l == nil {
		return nil
	}
	var out []string
	for _, o := range l.Env.Outputs {
		out = append(out, o.Name)
	}
	return out
}

// variables are "NAME=" for each variable, and for the variable that
// chooses the environment (lab { cluster = var.NAME }), "NAME=ENV" for
// each cluster block.
func (c *completionLab) variables() []string {
	mod, diags := config.Load(c.labDir())
	if diags.HasErrors() || mod == nil {
		return nil
	}
	var out []string
	for name := range mod.Variables {
		out = append(out, name+"=")
	}
	if mod.Lab != nil {
		if attrs, _ := mod.Lab.Body.JustAttributes(); attrs != nil {
			if a, ok := attrs["cluster"]; ok {
				for _, tr := range a.Expr.Variables() {
					if tr.RootName() != "var" || len(tr) < 2 {
						continue
					}
					if step, ok := tr[1].(hcl.TraverseAttr); ok {
						for _, cl := range mod.ClusterOrder {
							out = append(out, step.Name+"="+cl)
						}
					}
				}
			}
		}
	}
	return out
}

func (c *completionLab) workspaces() []string {
	_, envs, ok := c.m.environments(c.m.plainView(), c.labDir())
	if !ok {
		return []string{"default"}
	}
	return knownWorkspaces(c.labDir(), envs)
}
