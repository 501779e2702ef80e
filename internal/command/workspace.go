package command

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/state"
)

// workspaceEnv chooses a workspace for one command, over the one selected.
const workspaceEnv = "PODLAB_WORKSPACE"

// selectedFile is where "podlab workspace select" records the workspace
// every later command uses, as Terraform's .terraform/environment does. It
// is in the lab directory's .podlab whatever backend keeps the states: the
// choice belongs to this checkout, not to the team.
func selectedFile(dir string) string { return filepath.Join(dir, ".podlab", "environment") }

// workspacesDir holds one empty file per workspace made with "workspace
// new", so that a workspace is listed before it has any state.
func workspacesDir(dir string) string { return filepath.Join(dir, ".podlab", "workspaces") }

// resolveWorkspace is the workspace a command works in: the -workspace
// flag, else $PODLAB_WORKSPACE, else the selected one, else the default
// (""). Wherever it comes from, a name that cannot be used is refused.
func (m *Meta) resolveWorkspace(dir, given string) (string, error) {
	ws, from := given, "-workspace"
	if ws == "" {
		ws, from = m.getenv(workspaceEnv), workspaceEnv
	}
	if ws == "" {
		sel, err := readSelected(dir)
		if err != nil {
			return "", err
		}
		ws, from = sel, "the workspace selected in "+selectedFile(dir)+` (run "podlab workspace select default" to reset it)`
	}
	if err := config.ValidateWorkspace(ws); err != nil {
		return "", fmt.Errorf("%w (from %s)", err, from)
	}
	if ws == "default" {
		ws = ""
	}
	return ws, nil
}

func readSelected(dir string) (string, error) {
	b, err := os.ReadFile(selectedFile(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the selected workspace: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// writeSelected records the selected workspace; the default one is no
// file at all.
func writeSelected(dir, ws string) error {
	p := selectedFile(dir)
	if ws == "" || ws == "default" {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	// Written whole and renamed, so a reader never sees half a name.
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(ws+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// workspaceStates are the environments of workspace ws that have state,
// as the backend lists them ("gke@evening").
func workspaceStates(envs []string, ws string) []string {
	var out []string
	for _, e := range envs {
		if _, w := config.SplitEnvName(e); w == ws {
			out = append(out, e)
		}
	}
	return out
}

// knownWorkspaces lists the default workspace, every workspace made with
// "workspace new" and every workspace that has state.
func knownWorkspaces(dir string, envs []string) []string {
	seen := map[string]bool{"default": true}
	if ents, err := os.ReadDir(workspacesDir(dir)); err == nil {
		for _, e := range ents {
			seen[e.Name()] = true
		}
	}
	for _, e := range envs {
		_, w := config.SplitEnvName(e)
		seen[w] = true
	}
	out := make([]string, 0, len(seen))
	for w := range seen {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

func runWorkspace(m *Meta, args []string) int {
	const usageLine = "workspace list | show | new NAME | select NAME | delete NAME [-force]"
	a, fs, err := arguments.ParseWorkspace(args)
	if err != nil {
		return parseError(m, "workspace", usageLine, fs, err)
	}
	v := m.view(arguments.View{NoColor: a.NoColor})
	dir := m.dir(a.Common)
	b, envs, ok := m.environments(v, dir)
	if !ok {
		return ExitError
	}
	current, err := m.resolveWorkspace(dir, "")
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	if current == "" {
		current = "default"
	}
	known := knownWorkspaces(dir, envs)
	exists := func(ws string) bool { return contains(known, ws) }

	switch a.Sub {
	case "show":
		v.WorkspaceCurrent(current)
	case "list":
		v.WorkspaceList(known, current)
	case "new":
		if err := config.ValidateWorkspace(a.Name); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		if exists(a.Name) {
			v.Errorf("workspace %q already exists; select it with podlab workspace select %s", a.Name, a.Name)
			return ExitError
		}
		err := os.MkdirAll(workspacesDir(dir), 0o755)
		if err == nil {
			err = os.WriteFile(filepath.Join(workspacesDir(dir), a.Name), nil, 0o644)
		}
		if err != nil {
			v.Errorf("create workspace %q: %s", a.Name, err)
			return ExitError
		}
		if err := writeSelected(dir, a.Name); err != nil {
			v.Errorf("select workspace %q: %s", a.Name, err)
			return ExitError
		}
		v.Printf("Created and switched to workspace %q.\n\nEvery environment of this workspace is a separate copy, with namespaces (and GKE clusters) of its own.\n", a.Name)
	case "select":
		if err := config.ValidateWorkspace(a.Name); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		if !exists(a.Name) && !a.OrCreate {
			msg := fmt.Sprintf("workspace %q does not exist; create it with podlab workspace new %s (or select -or-create)", a.Name, a.Name)
			if s := nearest(a.Name, known); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			v.Errorf("%s", msg)
			return ExitError
		}
		if !exists(a.Name) {
			if err := os.MkdirAll(workspacesDir(dir), 0o755); err == nil {
				_ = os.WriteFile(filepath.Join(workspacesDir(dir), a.Name), nil, 0o644)
			}
		}
		if m.getenv(workspaceEnv) != "" {
			v.Printf("Note: %s=%s is set and overrides the selected workspace until it is unset.\n", workspaceEnv, m.getenv(workspaceEnv))
		}
		if err := writeSelected(dir, a.Name); err != nil {
			v.Errorf("select workspace %q: %s", a.Name, err)
			return ExitError
		}
		v.Printf("Switched to workspace %q.\n", a.Name)
	case "delete":
		return m.deleteWorkspace(v, a, dir, b, envs, current, exists)
	}
	return ExitOK
}

// deleteWorkspace forgets a workspace and its states. One whose states
// still record objects or a cluster is refused unless -force: its objects
// would stay in the cluster with nothing to find them by but their labels.
func (m *Meta) deleteWorkspace(v *views.View, a *arguments.Workspace, dir string, b state.Backend, envs []string, current string, exists func(string) bool) int {
	ws := a.Name
	switch {
	case ws == "default":
		v.Errorf("the default workspace cannot be deleted")
		return ExitError
	case ws == current:
		v.Errorf("workspace %q is the current one; select another first (podlab workspace select default)", ws)
		return ExitError
	case !exists(ws):
		v.Errorf("workspace %q does not exist (podlab workspace list shows them)", ws)
		return ExitError
	}
	states := workspaceStates(envs, ws)
	var busy []string
	for _, env := range states {
		st, err := b.Read(m.Ctx, env)
		if err != nil {
			v.Errorf("read the state of environment %q: %s", env, err)
			return ExitError
		}
		if st != nil && (len(st.Objects) > 0 || (st.Cluster != nil && st.Cluster.Created)) {
			busy = append(busy, fmt.Sprintf("%s (%d objects)", env, len(st.Objects)))
		}
	}
	if len(busy) > 0 && !a.Force {
		v.Errorf("workspace %q still has objects in its state: %s. Destroy them first (podlab destroy -workspace %s), or delete with -force to forget them, leaving them in the cluster", ws, strings.Join(busy, ", "), ws)
		return ExitError
	}
	deleter, ok := b.(interface{ Delete(env string) error })
	for _, env := range states {
		if !ok {
			v.Errorf("this backend cannot delete states: the state of %q stays in %s", env, b.Describe(env))
			return ExitError
		}
		if err := deleter.Delete(env); err != nil {
			v.Errorf("delete the state of environment %q: %s", env, err)
			return ExitError
		}
	}
	if err := os.Remove(filepath.Join(workspacesDir(dir), ws)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		v.Errorf("delete workspace %q: %s", ws, err)
		return ExitError
	}
	v.Printf("Deleted workspace %q.\n", ws)
	if len(busy) > 0 {
		v.Printf("Its objects were left in the cluster: %s.\n", strings.Join(busy, ", "))
	}
	return ExitOK
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
