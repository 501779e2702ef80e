// Package plan holds what podlab would change in an environment: a Plan is
// made by the engine, shown by the views, saved by "plan -out" and carried
// out by apply. It decides nothing itself.
package plan

import (
	"encoding/json"
	"time"
)

// FormatVersion is the version of a saved plan's format.
const FormatVersion = 1

// Action is what apply does to one thing.
type Action string

// The actions, with the symbols plans show them by.
const (
	NoOp    Action = "no-op"
	Create  Action = "create"
	Update  Action = "update"
	Replace Action = "replace"
	Delete  Action = "delete"
)

// Symbol is the one-glance mark of an action, as Terraform draws it.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Update:
		return "~"
	case Replace:
		return "-/+"
	case Delete:
		return "-"
	}
	return " "
}

// Plan is everything apply needs to carry out a plan and to know whether
// it is still valid.
type Plan struct {
	FormatVersion int       `json:"format_version"`
	PodlabVersion string    `json:"podlab_version"`
	CreatedAt     time.Time `json:"created_at"`
	Lab           string    `json:"lab"`
	Environment   string    `json:"environment"`
	Workspace     string    `json:"workspace,omitempty"`
	Destroy       bool      `json:"destroy,omitempty"`
	// Refreshed says the plan was compared with the live cluster.
	Refreshed bool `json:"refreshed"`
	// Targets are the -target addresses the plan was limited to.
	Targets []string `json:"targets,omitempty"`
	// RefreshOnly says the plan only records what the cluster holds
	// (-refresh-only): apply changes nothing in the cluster.
	RefreshOnly bool `json:"refresh_only,omitempty"`

	// What the plan was made from; apply refuses a saved plan when any of
	// these changed since.
	ConfigHash string                     `json:"config_hash"`
	Variables  map[string]json.RawMessage `json:"variables"`
	StateRef   StateRef                   `json:"state"`

	Cluster *ClusterChange `json:"cluster,omitempty"`
	Changes []*Change      `json:"changes"`
	Checks  []*CheckRef    `json:"checks,omitempty"`
	Outputs []*Output      `json:"outputs,omitempty"`
	// Notes are things the user should know that are not changes, such as
	// objects found in the cluster that apply will record.
	Notes []string `json:"notes,omitempty"`
}

// StateRef identifies the state a plan was made against.
type StateRef struct {
	Lineage string `json:"lineage,omitempty"`
	Serial  uint64 `json:"serial"`
}

// ClusterChange is what happens to the environment's cluster.
type ClusterChange struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Title says what the cluster is, as in `GKE cluster "podlab-pods"`.
	Title  string `json:"title"`
	Action Action `json:"action"`
	Reason string `json:"reason,omitempty"`
	// Attributes are shown in the plan (project, location, node pools...).
	Attributes []Attribute `json:"attributes,omitempty"`
}

// Attribute is one line of a cluster's description in a plan.
type Attribute struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Change is what happens to one Kubernetes object.
type Change struct {
	Address    string `json:"address"`
	Instance   string `json:"instance"`
	Seat       string `json:"seat,omitempty"`
	Action     Action `json:"action"`
	Reason     string `json:"reason,omitempty"`
	APIVersion string `json:"api_version"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	// Namespace objects podlab makes for its exercises, deleted last.
	ExerciseNamespace bool `json:"exercise_namespace,omitempty"`
	// Manifest is the object apply sends (server-side apply), labels and
	// namespace included. Empty for deletes and deferred objects.
	Manifest json.RawMessage `json:"manifest,omitempty"`
	// ManifestHash identifies the desired manifest, to tell later whether
	// the configuration changed.
	ManifestHash string `json:"manifest_hash,omitempty"`
	// Before and After are the object as it is and as it will be, trimmed of
	// what the API server manages, for showing the difference.
	Before map[string]any `json:"before,omitempty"`
	After  map[string]any `json:"after,omitempty"`
	// ForcesReplacement lists fields (as paths) that cannot change in place.
	ForcesReplacement []string `json:"forces_replacement,omitempty"`
	// Computed lists fields known only after apply, such as status.podIP.
	Computed []string `json:"computed,omitempty"`
	// DependsOn lists addresses applied before this one.
	DependsOn []string `json:"depends_on,omitempty"`
	// Deferred objects depend on values known only after apply; apply
	// evaluates their manifests once those exist.
	Deferred bool `json:"deferred,omitempty"`
	// Adopt marks an object found in the cluster with this environment's
	// labels but missing from state (left by an interrupted apply).
	Adopt bool `json:"adopt,omitempty"`
	// Forget marks an object state records that is already gone from the
	// cluster: apply only removes it from state.
	Forget bool `json:"forget,omitempty"`
	// Terminating marks a live object being deleted: apply waits for it
	// to go before creating it again.
	Terminating bool `json:"terminating,omitempty"`
	Sensitive   bool `json:"sensitive,omitempty"`
	// Live is what refresh saw, for recording an adopted object.
	UID string `json:"uid,omitempty"`
}

// CheckRef names a check that apply will run.
type CheckRef struct {
	Address  string `json:"address"`
	Instance string `json:"instance"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Summary  string `json:"summary,omitempty"`
}

// Output is an output as the plan knows it.
type Output struct {
	Name      string `json:"name"`
	Known     bool   `json:"known"`
	Sensitive bool   `json:"sensitive,omitempty"`
	// Value is the value as JSON and Display as HCL, when known.
	Value   json.RawMessage `json:"value,omitempty"`
	Display string          `json:"display,omitempty"`
}

// Counts sums the actions of a plan, the cluster included.
type Counts struct {
	Add, Change, Destroy, Replace int
}

// Counts tallies the plan's actions; a replacement counts as one to add and
// one to destroy, as Terraform counts it.
func (p *Plan) Counts() Counts {
	var c Counts
	count := func(a Action) {
		switch a {
		case Create:
			c.Add++
		case Update:
			c.Change++
		case Delete:
			c.Destroy++
		case Replace:
			c.Add++
			c.Destroy++
			c.Replace++
		}
	}
	if p.Cluster != nil {
		count(p.Cluster.Action)
	}
	for _, ch := range p.Changes {
		count(ch.Action)
	}
	return c
}

// HasChanges reports whether applying the plan would change anything.
func (p *Plan) HasChanges() bool {
	c := p.Counts()
	if c.Add+c.Change+c.Destroy > 0 {
		return true
	}
	for _, ch := range p.Changes {
		if ch.Adopt || ch.Forget {
			return true
		}
	}
	return false
}
