// Package engine decides and does: it compares what a lab's configuration
// asks for with what the state records and the cluster holds, makes a plan,
// and carries plans out (apply, destroy) through a cluster provider and the
// Kubernetes API, recording every step in state as it goes.
package engine

import (
	"time"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/state"
)

// Engine works on one environment of a lab.
type Engine struct {
	Env *config.Env
	// Prior is the state as it was when the command started.
	Prior   *state.State
	Version string
	// started is when this run began: a first apply's creation time, so
	// the expiry labelled on a new GKE cluster before it exists and the
	// one recorded once it answers are the same instant.
	started time.Time
}

// New returns an engine for env with its prior state (nil for none).
func New(env *config.Env, prior *state.State, version string) *Engine {
	if prior == nil {
		prior = state.New(env.Lab.Name, env.Name)
	}
	return &Engine{Env: env, Prior: prior, Version: version, started: time.Now().UTC().Truncate(time.Second)}
}
