package command

import (
	"fmt"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
)

func runForceUnlock(m *Meta, args []string) int {
	a, fs, err := arguments.ParseForceUnlock(args)
	if err != nil {
		return parseError(m, "force-unlock", "force-unlock LOCK_ID [-force] [-var NAME=VALUE]", fs, err)
	}
	v := m.view(a.View)
	l, ok := m.loadLab(v, m.dir(a.Common), a.Vars, config.EvalOptions{Workspace: a.Workspace})
	if !ok {
		return ExitError
	}
	b, err := m.backend(l)
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	if !a.Force && !m.operationView(v, l).Confirm(fmt.Sprintf("Remove lock %s of environment %q? Only do this if the podlab that held it is gone.", a.ID, l.Env.Name)) {
		v.Printf("force-unlock cancelled.\n")
		return ExitError
	}
	if err := b.ForceUnlock(m.Ctx, l.Env.Name, a.ID); err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	v.Printf("The state of %q is unlocked.\n", l.Env.Name)
	return ExitOK
}
