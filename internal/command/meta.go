// Package command runs podlab's subcommands: each parses its arguments
// (package arguments), loads and evaluates the lab (package config), asks
// the engine to decide or do, and hands everything shown to a view
// (package views).
package command

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty/gocty"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/internal/i18n"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/internal/operation"
	"github.com/podlab/podlab/state"
	"github.com/podlab/podlab/state/gcs"
)

// Meta is what every command shares: streams, environment, where it runs.
type Meta struct {
	Stdout  io.Writer
	Stderr  io.Writer
	Stdin   io.Reader
	Environ []string
	Version string
	// Chdir is the global -chdir option.
	Chdir string
	// Ctx ends on the first interrupt.
	Ctx context.Context
	// Kill ends on the second interrupt: in-flight work is abandoned.
	Kill context.Context
	// Counter, when set, counts the Kubernetes API requests the command
	// makes (PODLAB_API_STATS, for tests and benchmarks).
	Counter *kubeapi.RequestCounter

	// mu guards saving and interrupted, so that a command never starts
	// changing the environment after an interrupt that stopped it.
	mu sync.Mutex
	// saving is set once the command changes the environment and records
	// it in state: an interrupt then lets work in flight finish and be
	// recorded, instead of stopping at once.
	saving      bool
	interrupted bool

	// view is the command's view and langFlag its -lang: the lab's own
	// language setting is known only once the lab is loaded, and applies
	// then unless -lang chose otherwise.
	curView  *views.View
	langFlag string
}

// Interrupt records that a signal arrived and tells whether the command
// is changing the environment and recording it in state, so that the
// interrupt must let it finish; if not, the command is stopped and will
// not start changing anything.
func (m *Meta) Interrupt() (saving bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.interrupted = true
	return m.saving
}

// startSaving marks the point from which an interrupt lets the command
// finish what is in flight and save state. It reports false when an
// interrupt came first: the command must then stop without changing
// anything.
func (m *Meta) startSaving() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.interrupted || (m.Ctx != nil && m.Ctx.Err() != nil) {
		return false
	}
	m.saving = true
	return true
}

func (m *Meta) getenv(key string) string {
	for i := len(m.Environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(m.Environ[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// dir is the lab directory: the command's -chdir, else the global one.
func (m *Meta) dir(c arguments.Common) string {
	d := m.Chdir
	if c.Chdir != "" {
		if filepath.IsAbs(c.Chdir) || d == "" {
			d = c.Chdir
		} else {
			d = filepath.Join(d, c.Chdir)
		}
	}
	if d == "" {
		d = "."
	}
	return d
}

func (m *Meta) view(v arguments.View) *views.View {
	view := views.New(m.Stdout, m.Stderr, v.NoColor || m.getenv("NO_COLOR") != "", v.JSON)
	view.SetLanguage(i18n.Choose(v.Lang, "", m.getenv))
	m.curView, m.langFlag = view, v.Lang
	return view
}

// plainView is the view of what podlab says before a command's options
// are read (usage, help, a command line it cannot read): never colored,
// never JSON.
func (m *Meta) plainView() *views.View {
	return views.New(m.Stdout, m.Stderr, true, false)
}

// localize applies the lab's language setting to the command's view,
// unless -lang was given.
func (m *Meta) localize(lab config.LabSettings) {
	if m.curView != nil && m.langFlag == "" && lab.Language != "" {
		m.curView.SetLanguage(i18n.Choose("", lab.Language, m.getenv))
	}
}

// loadLab is the opening of the commands that read the lab but not its
// state (graph, status, force-unlock): it loads the lab for an
// environment (opts) and shows what loading found. It returns ok false
// once it has shown why it cannot go on.
func (m *Meta) loadLab(v *views.View, dir string, vars arguments.Vars, opts config.EvalOptions) (*operation.Lab, bool) {
	l, diags := m.loadWith(dir, vars, opts)
	v.Diagnostics(diags, l.Files)
	return l, !diags.HasErrors()
}

// open is the opening of every command that reads or changes an
// environment: it loads the lab for the environment (opts), shows what
// loading found, and opens the environment's state for the named
// operation (locked when a asks; see arguments.State.Unlocked for the
// commands that only read it). It returns ok false once it has shown why
// it cannot go on.
func (m *Meta) open(v *views.View, dir string, vars arguments.Vars, opts config.EvalOptions, a arguments.State, operation string) (*operation.Lab, *state.Manager, bool) {
	l, ok := m.loadLab(v, dir, vars, opts)
	if !ok {
		return l, nil, false
	}
	mgr, err := m.openState(l, a, operation)
	if err != nil {
		v.Errorf("%s", err)
		return l, nil, false
	}
	return l, mgr, true
}

// loadWith loads and evaluates the lab. opts.Inputs, when set, come before
// (below) the values given now: a saved plan's variables.
func (m *Meta) loadWith(dir string, vars arguments.Vars, opts config.EvalOptions) (*operation.Lab, hcl.Diagnostics) {
	l := &operation.Lab{Dir: dir, Files: map[string]*hcl.File{}, Cluster: opts.Cluster}
	ws, err := m.resolveWorkspace(dir, opts.Workspace)
	if err != nil {
		return l, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid workspace", Detail: err.Error() + "."}}
	}
	opts.Workspace, l.Workspace = ws, ws
	mod, diags := config.Load(dir)
	if mod != nil {
		l.Module = mod
		for k, f := range mod.Files {
			l.Files[k] = f
		}
	}
	if diags.HasErrors() {
		return l, diags
	}
	inputs, ds := m.inputs(dir, vars, l.Files)
	diags = append(diags, ds...)
	if ds.HasErrors() {
		return l, diags
	}
	inputs = append(opts.Inputs, inputs...)
	l.Inputs = inputs
	opts.Inputs = inputs
	env, ds := config.Evaluate(mod, opts)
	if env != nil {
		l.Env = env
		m.localize(env.Lab)
		for k, f := range env.Files {
			l.Files[k] = f
		}
	}
	return l, append(diags, ds...)
}

// inputs collects variable values in ascending precedence: var files,
// then PODLAB_VAR_ environment variables, then -var options. A relative
// var file is found in dir, the lab directory, as if podlab had been
// started there (which is what -chdir promises).
func (m *Meta) inputs(dir string, vars arguments.Vars, files map[string]*hcl.File) ([]config.RawValue, hcl.Diagnostics) {
	var out []config.RawValue
	var diags hcl.Diagnostics
	for _, it := range vars.Items {
		if !it.File {
			continue
		}
		vals, ds := config.ReadVarFile(inDir(dir, it.Value), files)
		diags = append(diags, ds...)
		out = append(out, vals...)
	}
	out = append(out, config.EnvValues(m.Environ)...)
	for _, it := range vars.Items {
		if it.File {
			continue
		}
		rv, err := config.CLIValue(it.Value)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -var option", Detail: err.Error() + "."})
			continue
		}
		out = append(out, rv)
	}
	return out, diags
}

// backend returns where the lab's states live.
func (m *Meta) backend(l *operation.Lab) (state.Backend, error) {
	b := l.Module.Backend
	// Messages name state files by absolute path: with -chdir a relative
	// one would mislead.
	dir, err := filepath.Abs(l.Dir)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return state.NewLocal(filepath.Join(dir, ".podlab")), nil
	}
	switch b.Type {
	case config.BackendLocal:
		var cfg config.LocalBackend
		if err := decodeBackend(b, &cfg); err != nil {
			return nil, err
		}
		p := cfg.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return state.NewLocal(p), nil
	case config.BackendGCS:
		var cfg config.GCSBackend
		if err := decodeBackend(b, &cfg); err != nil {
			return nil, err
		}
		return gcs.New(m.Ctx, cfg.Bucket, cfg.Prefix)
	}
	return nil, fmt.Errorf("backend %q is not available in this podlab yet", b.Type)
}

func decodeBackend(b *config.Backend, target any) error {
	spec := config.BackendSpec(b.Type)
	v, diags := hcldec.Decode(b.Body, spec, nil)
	if diags.HasErrors() {
		return diags
	}
	return gocty.FromCtyValue(v, target)
}

// openState locks (when asked) and reads the environment's state.
func (m *Meta) openState(l *operation.Lab, a arguments.State, operation string) (*state.Manager, error) {
	b, err := m.backend(l)
	if err != nil {
		return nil, err
	}
	return state.Open(m.Ctx, b, l.Env.Name, state.OpenOptions{
		Lab: l.Env.Lab.Name, Lock: a.Lock, LockTimeout: a.LockTimeout, Operation: operation, Version: m.Version,
	})
}

// inDir resolves a path given on the command line against the lab
// directory.
func inDir(dir, p string) string {
	if filepath.IsAbs(p) || dir == "." || dir == "" {
		return p
	}
	return filepath.Join(dir, p)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
