package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/podlab/podlab/config/manifest"
)

// Env is a lab evaluated for one environment: the cluster it runs on, the
// exercise instances with their objects and checks, and the outputs.
type Env struct {
	Module    *Module
	Name      string // the cluster block's name, with "@workspace" for a named workspace
	Workspace string
	Lab       LabSettings
	Cluster   *ClusterConfig
	Variables map[string]cty.Value
	Instances []*Instance
	Outputs   []*OutputValue
	// Files holds every file a diagnostic may point into: the lab files,
	// manifest files and pseudo-files for values given on the command line.
	Files map[string]*hcl.File
	// ReadFiles are the files the lab's functions read (manifests,
	// templates), by absolute path.
	ReadFiles map[string][]byte
	// Complete is false when unknown values (validate mode) kept parts of
	// the lab from being evaluated.
	Complete bool

	// eval is the evaluation that made the Env, kept for Console.
	eval *evaluator
}

// LabSettings is the evaluated lab block.
type LabSettings struct {
	Name            string
	Cluster         string
	NamespacePrefix string
	ProbeImage      string
	// ProbeNamespace is where node-side HTTP checks keep their probe
	// pods, when the lab names one; see Env.ProbeNamespace.
	ProbeNamespace string
	TTL            time.Duration // 0 when the lab has no time limit
	// StuckAfter is how long a check may fail before its seat is
	// flagged as stuck (lab { stuck_after }).
	StuckAfter   time.Duration
	MaxNodes     int // 0 when there is no cap
	Labels       map[string]string
	CheckTimeout time.Duration
	// CreateTimeout bounds apply's wait for each object to be ready,
	// unless its exercise sets its own.
	CreateTimeout time.Duration
	Seats         []*Seat // nil without seats
	// Language is the lab's language setting as written ("ko"), "" when
	// unset; checked to be one podlab speaks.
	Language string
	// PodSecurity is the Pod Security level every namespace podlab makes
	// for the lab enforces (the probes' excepted).
	PodSecurity string
	// SeatQuota is the budget of each seat's namespaces; nil without
	// seats, or with seat_quota { size = "none" }.
	SeatQuota *SeatQuota
}

// Seat is one student's copy of the exercises.
type Seat struct {
	Name  string
	Slug  string
	Index int
}

// ClusterConfig is the evaluated cluster block of the environment.
type ClusterConfig struct {
	Name string
	Kind string
	// Settings are the kind block's values as its provider decoded them
	// (ClusterKind.Decode).
	Settings any
	// Value is the decoded block as HCL sees it, for hashing and display.
	Value     cty.Value
	DeclRange hcl.Range
}

// Instance is one copy of an exercise: once, once per for_each key or
// count index, and all of that once per seat.
type Instance struct {
	Exercise    *Exercise
	Key         cty.Value // for_each key or count index; cty.NilVal when neither
	Seat        *Seat
	Address     string
	Namespace   string
	Description string
	Objects     []*Object
	Checks      []*Check
	// DependsOn names the instances (same seat) applied before this one.
	DependsOn []string
	// Deferred is set when the manifests depend on values known only after
	// apply; they are evaluated again once those values exist.
	Deferred bool
	// CreateTimeout bounds apply's wait for each object of the instance
	// to be ready: the exercise's create_timeout, else the lab's.
	CreateTimeout time.Duration
	// Student is set for an exercise of mode = "student": apply prepares
	// the seat (namespace, access, budget) but not the objects, which
	// stay the reference the checks, the handout and diff use; the
	// student makes them.
	Student bool
}

// Exercise modes.
const (
	ModePodlab  = "podlab"
	ModeStudent = "student"
)

// Object is a Kubernetes object an instance declares.
type Object struct {
	*manifest.Object
	Address    string
	Instance   *Instance
	Namespaced bool
	// Sensitive is set when a sensitive value went into the manifest.
	Sensitive bool
	// DeclRange is the manifests attribute that produced the object.
	DeclRange hcl.Range
}

// Check is one check of an instance, ready to run.
type Check struct {
	Name         string
	Address      string
	Kind         string
	Description  string
	Instance     *Instance
	Timeout      time.Duration
	Interval     time.Duration
	Ready        *ReadyCheck
	Exec         *ExecCheck
	HTTP         *HTTPCheck
	Logs         *LogsCheck
	APIResources *APIResourcesCheck
	DeclRange    hcl.Range
}

// OutputValue is an evaluated output.
type OutputValue struct {
	Name        string
	Description string
	Value       cty.Value
	Sensitive   bool
}

// Runtime supplies values only a cluster knows. Evaluation without one
// treats every such value as unknown, as a plan before apply does.
type Runtime interface {
	// Observed returns what is known of an applied object.
	Observed(address string) (ObjectStatus, bool)
	// ClusterAttrs returns the attributes of the environment's cluster
	// (endpoint, ca_certificate, ...) once it exists.
	ClusterAttrs() (map[string]cty.Value, bool)
}

// ObjectStatus is what a cluster reports of an object.
type ObjectStatus struct {
	UID   string
	IP    string
	Node  string
	Phase string
}
