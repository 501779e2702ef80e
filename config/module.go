package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
)

// FileSuffix names the files that make up a lab.
const FileSuffix = ".podlab.hcl"

// Module is a lab directory's configuration as written, before evaluation.
type Module struct {
	Dir string
	// Files holds every parsed file (lab files, and manifest files once
	// evaluation has read them) for rendering diagnostics with source.
	Files map[string]*hcl.File
	// Sources lists the lab files in load order, for hashing and fmt.
	Sources []string

	Variables map[string]*Variable
	Locals    map[string]*Local
	Outputs   map[string]*Output
	Clusters  map[string]*Cluster
	Lab       *Lab
	Exercises map[string]*Exercise
	Backend   *Backend

	// Declaration order, which output and plans follow.
	VariableOrder []string
	LocalOrder    []string
	OutputOrder   []string
	ClusterOrder  []string
	ExerciseOrder []string
}

// Variable is a variable block.
type Variable struct {
	Name        string
	Description string
	Type        cty.Type
	Defaults    *typeexpr.Defaults
	Default     cty.Value // cty.NilVal when the variable is required
	Sensitive   bool
	Nullable    bool
	Validations []*Validation
	DeclRange   hcl.Range
}

// Required reports whether the variable needs a value from outside.
func (v *Variable) Required() bool { return v.Default == cty.NilVal }

// Validation is a variable's validation block.
type Validation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

// Local is one entry of a locals block.
type Local struct {
	Name      string
	Expr      hcl.Expression
	DeclRange hcl.Range
}

// Output is an output block.
type Output struct {
	Name        string
	Description string
	Value       hcl.Expression
	Sensitive   bool
	DependsOn   []hcl.Traversal
	DeclRange   hcl.Range
}

// Cluster is a cluster block: an environment's name and the kind of cluster
// it runs on. Body is the kind's own block, decoded at evaluation.
type Cluster struct {
	Name      string
	Kind      string
	Body      hcl.Body
	DeclRange hcl.Range
	KindRange hcl.Range
}

// Lab is the lab block.
type Lab struct {
	Body      hcl.Body
	DeclRange hcl.Range
}

// Exercise is an exercise block.
type Exercise struct {
	Name        string
	Description hcl.Expression
	Manifests   hcl.Expression
	Namespace   hcl.Expression
	ForEach     hcl.Expression
	Count       hcl.Expression
	// CreateTimeout, when set, bounds apply's wait for each object of
	// the exercise to be ready.
	CreateTimeout hcl.Expression
	// Mode is "podlab" (podlab applies the manifests) or "student" (the
	// students do; see Instance.Student).
	Mode      hcl.Expression
	DependsOn []hcl.Traversal
	Checks    []*CheckBlock
	DeclRange hcl.Range
	// body is kept for collecting references.
	body hcl.Body
}

// CheckBlock is a check block inside an exercise.
type CheckBlock struct {
	Name      string
	Kind      string
	Body      hcl.Body // the kind's block
	Common    hcl.Body // timeout, interval, description
	DeclRange hcl.Range
	KindRange hcl.Range
}

// Check kinds.
const (
	CheckReady        = "ready"
	CheckExec         = "exec"
	CheckHTTP         = "http"
	CheckLogs         = "logs"
	CheckAPIResources = "api_resources"
)

// Backend is a backend block: where state is kept.
type Backend struct {
	Type      string
	Body      hcl.Body
	DeclRange hcl.Range
}
