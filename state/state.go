// Package state records what exists in each environment of a lab: the
// cluster, every object podlab applied, the last check results and the
// outputs. It also keeps that record safe: storage that never leaves a
// half-written file, a backup of the previous copy, and a lock so that two
// commands never write one environment at once.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
)

// FormatVersion is the version of the state format this podlab writes.
const FormatVersion = 1

// State is one environment's record.
type State struct {
	FormatVersion int       `json:"format_version"`
	PodlabVersion string    `json:"podlab_version"`
	Serial        uint64    `json:"serial"`
	Lineage       string    `json:"lineage"`
	Lab           string    `json:"lab"`
	Environment   string    `json:"environment"`
	UpdatedAt     time.Time `json:"updated_at"`
	// CreatedAt is when the environment was first applied; with the lab's
	// ttl it gives ExpiresAt, when destroy -expired removes it.
	CreatedAt *time.Time     `json:"created_at,omitempty"`
	ExpiresAt *time.Time     `json:"expires_at,omitempty"`
	Cluster   *Cluster       `json:"cluster,omitempty"`
	Objects   []*Object      `json:"objects"`
	Checks    []*CheckResult `json:"checks,omitempty"`
	// Progress is every check's record across gradings; unlike Checks,
	// destroy keeps it.
	Progress []*Progress        `json:"progress,omitempty"`
	Outputs  map[string]*Output `json:"outputs,omitempty"`
}

// Cluster is what podlab knows of the environment's cluster. It never
// holds credentials: tokens are fetched when needed, and a kubeadm admin
// kubeconfig lives in a separate 0600 file.
type Cluster struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Status is "creating", "ready" or "deleting".
	Status string `json:"status"`
	// Created is true when podlab created the cluster (and so may delete
	// it), false when it adopted one.
	Created bool `json:"created"`
	// Operation is a long-running operation in flight (GKE), so that an
	// interrupted apply resumes waiting on it instead of starting another.
	Operation string `json:"operation,omitempty"`
	// Attributes are public facts: endpoint, CA certificate, version, ...
	Attributes map[string]string `json:"attributes,omitempty"`
	// Phases records finished host phases (kubeadm) as "host/phase".
	Phases    []string  `json:"phases,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Cluster statuses.
const (
	ClusterCreating = "creating"
	ClusterReady    = "ready"
	ClusterDeleting = "deleting"
)

// Object is one Kubernetes object podlab applied.
type Object struct {
	Address    string `json:"address"`
	Instance   string `json:"instance"`
	Seat       string `json:"seat,omitempty"`
	APIVersion string `json:"api_version"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	UID        string `json:"uid,omitempty"`
	// ExerciseNamespace marks a namespace podlab made for an exercise.
	ExerciseNamespace bool `json:"exercise_namespace,omitempty"`
	// ManifestHash identifies the manifest last applied.
	ManifestHash string `json:"manifest_hash,omitempty"`
	// Attributes hold what outputs need: a pod's ip, node and phase.
	Attributes   map[string]string `json:"attributes,omitempty"`
	Dependencies []string          `json:"dependencies,omitempty"`
}

// CheckResult is the last result of a check.
type CheckResult struct {
	Address  string        `json:"address"`
	Instance string        `json:"instance"`
	Seat     string        `json:"seat,omitempty"`
	Name     string        `json:"name"`
	Kind     string        `json:"kind"`
	Passed   bool          `json:"passed"`
	Message  string        `json:"message,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	At       time.Time     `json:"at"`
}

// Output is an output's last value, as JSON.
type Output struct {
	Value     json.RawMessage `json:"value"`
	Type      json.RawMessage `json:"type"`
	Sensitive bool            `json:"sensitive,omitempty"`
}

// New makes an empty state with a fresh lineage.
func New(lab, env string) *State {
	return &State{
		FormatVersion: FormatVersion,
		Lineage:       uuid.NewString(),
		Lab:           lab,
		Environment:   env,
	}
}

// Object returns the object at address, or nil.
func (s *State) Object(address string) *Object {
	for _, o := range s.Objects {
		if o.Address == address {
			return o
		}
	}
	return nil
}

// SetObject adds or replaces the object at o.Address.
func (s *State) SetObject(o *Object) {
	for i, prev := range s.Objects {
		if prev.Address == o.Address {
			s.Objects[i] = o
			return
		}
	}
	s.Objects = append(s.Objects, o)
	sort.SliceStable(s.Objects, func(i, j int) bool { return s.Objects[i].Address < s.Objects[j].Address })
}

// RemoveObject forgets the object at address; it reports whether there was one.
func (s *State) RemoveObject(address string) bool {
	for i, o := range s.Objects {
		if o.Address == address {
			s.Objects = append(s.Objects[:i], s.Objects[i+1:]...)
			return true
		}
	}
	return false
}

// SetCheck records a check's latest result (Checks) and adds it to the
// check's progress (Progress).
func (s *State) SetCheck(r *CheckResult) {
	s.recordProgress(r)
	for i, prev := range s.Checks {
		if prev.Address == r.Address {
			s.Checks[i] = r
			return
		}
	}
	s.Checks = append(s.Checks, r)
	sort.SliceStable(s.Checks, func(i, j int) bool { return s.Checks[i].Address < s.Checks[j].Address })
}

// Empty reports whether the state records nothing that exists.
func (s *State) Empty() bool {
	return len(s.Objects) == 0 && (s.Cluster == nil || !s.Cluster.Created)
}

// Clone returns a deep copy, so readers never see a state mid-update.
func (s *State) Clone() *State {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("state: clone: %v", err))
	}
	var c State
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("state: clone: %v", err))
	}
	return &c
}

// Encode renders a state as the JSON stored on disk.
func Encode(s *State) ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	return append(b, '\n'), nil
}

// ErrCorrupt marks a state that cannot be read back.
var ErrCorrupt = errors.New("state is corrupt")

// Decode reads stored JSON, refusing what this podlab cannot trust.
func Decode(b []byte) (*State, error) {
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	switch {
	case s.FormatVersion == 0:
		return nil, fmt.Errorf("%w: it has no format_version", ErrCorrupt)
	case s.FormatVersion > FormatVersion:
		return nil, fmt.Errorf("the state was written by a newer podlab (state format %d; this podlab reads up to %d): upgrade podlab", s.FormatVersion, FormatVersion)
	case s.Lineage == "":
		return nil, fmt.Errorf("%w: it has no lineage", ErrCorrupt)
	}
	return &s, nil
}
