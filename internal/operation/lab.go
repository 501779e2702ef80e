package operation

import (
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/state"
)

// Lab is a lab loaded and evaluated for one environment.
type Lab struct {
	// Dir is the lab's directory.
	Dir    string
	Module *config.Module
	Env    *config.Env
	// Files are every file read, for diagnostics to quote.
	Files map[string]*hcl.File
	// Inputs are the variables' values, kept to evaluate again.
	Inputs    []config.RawValue
	Workspace string
	// Cluster names the cluster block chosen by name rather than by the
	// variables (destroy -expired), or is empty.
	Cluster string
}

// WorkDir is where the environment's files on this machine live: beside
// its state when the state is local (wherever backend "local" puts it),
// else in the lab's .podlab directory.
func (l *Lab) WorkDir(b state.Backend) string {
	if local, ok := b.(*state.Local); ok {
		return local.EnvDir(l.Env.Name)
	}
	dir, err := filepath.Abs(l.Dir)
	if err != nil {
		dir = l.Dir
	}
	return state.NewLocal(filepath.Join(dir, ".podlab")).EnvDir(l.Env.Name)
}
