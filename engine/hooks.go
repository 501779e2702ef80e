package engine

import (
	"time"

	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
)

// Hooks hear what apply and destroy are doing, for the user to see.
type Hooks interface {
	providers.Progress
	// ObjectStart: work on an object begins.
	ObjectStart(addr string, action plan.Action)
	// ObjectStatus: an object's status changed while podlab waited on it.
	ObjectStatus(addr string, action plan.Action, status string, elapsed time.Duration)
	// ObjectDone: the object is applied (and ready) or gone.
	ObjectDone(addr string, action plan.Action, detail string, elapsed time.Duration)
	// ObjectFailed: the work on the object failed.
	ObjectFailed(addr string, action plan.Action, err error, elapsed time.Duration)
}

// NoHooks hears nothing.
type NoHooks struct{ providers.NoProgress }

// ObjectStart does nothing.
func (NoHooks) ObjectStart(string, plan.Action) {}

// ObjectStatus does nothing.
func (NoHooks) ObjectStatus(string, plan.Action, string, time.Duration) {}

// ObjectDone does nothing.
func (NoHooks) ObjectDone(string, plan.Action, string, time.Duration) {}

// ObjectFailed does nothing.
func (NoHooks) ObjectFailed(string, plan.Action, error, time.Duration) {}
