package command

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

type stateT = state.State

// viewer is what planning needs of a view.
type viewer interface {
	Errorf(format string, args ...any)
	Diagnostics(hcl.Diagnostics, map[string]*hcl.File)
	Plan(*plan.Plan)
}

func notYet(m *Meta, name, issue string) int {
	fmt.Fprintf(m.Stderr, "Error: podlab %s is not built yet: it arrives with %s.\n", name, issue)
	return ExitError
}

func runApply(m *Meta, args []string) int   { return notYet(m, "apply", "the engine (issue #4)") }
func runDestroy(m *Meta, args []string) int { return notYet(m, "destroy", "the engine (issue #4)") }
func runCheck(m *Meta, args []string) int   { return notYet(m, "check", "the checks (issue #5)") }
func runOutput(m *Meta, args []string) int  { return notYet(m, "output", "the engine (issue #4)") }
func runState(m *Meta, args []string) int   { return notYet(m, "state", "the engine (issue #4)") }
func runKubeconfig(m *Meta, args []string) int {
	return notYet(m, "kubeconfig", "the class issue (#8)")
}
func runForceUnlock(m *Meta, args []string) int {
	return notYet(m, "force-unlock", "the engine (issue #4)")
}
func runStatus(m *Meta, args []string) int { return notYet(m, "status", "the class issue (#8)") }
