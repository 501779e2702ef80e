package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podlab/podlab/config/funcs"
	"github.com/podlab/podlab/internal/i18n"
)

// EvalOptions are the inputs of an evaluation besides the module.
type EvalOptions struct {
	// Inputs are variable values in ascending precedence: var files, then
	// the environment, then -var options, each in the order given.
	Inputs    []RawValue
	Workspace string
	// Runtime supplies values known only once applied; nil means none.
	Runtime Runtime
	// Validate evaluates without requiring values: a variable without one
	// is unknown, and every cluster block is checked, not just the chosen.
	Validate bool
	// Cluster, when set, chooses the environment instead of the lab
	// block's cluster setting (destroy -expired names environments by
	// their state, not by variables).
	Cluster string
}

// sensitiveMark marks values from sensitive variables as they flow through
// expressions.
const sensitiveMark = "sensitive"

type evaluator struct {
	m       *Module
	opts    EvalOptions
	g       *Graph
	env     *Env
	funcs   map[string]function.Function
	origins *funcs.Origins
	rt      Runtime

	vars      map[string]cty.Value
	missing   map[string]bool
	locals    map[string]cty.Value
	clusters  map[string]cty.Value
	instances map[string][]*Instance // by exercise name, in expansion order
	done      map[string]bool
	pathVal   cty.Value
	diags     hcl.Diagnostics
}

// Evaluate evaluates a module that loaded without errors for the
// environment its lab block chooses.
func Evaluate(m *Module, opts EvalOptions) (*Env, hcl.Diagnostics) {
	e := &evaluator{
		m:         m,
		opts:      opts,
		g:         m.Graph(),
		origins:   &funcs.Origins{},
		rt:        opts.Runtime,
		vars:      map[string]cty.Value{},
		missing:   map[string]bool{},
		locals:    map[string]cty.Value{},
		clusters:  map[string]cty.Value{},
		instances: map[string][]*Instance{},
		done:      map[string]bool{},
	}
	if e.rt == nil {
		e.rt = noRuntime{}
	}
	allowed, ds := allowedPaths(m)
	e.diags = append(e.diags, ds...)
	e.funcs = funcs.FunctionsIn(funcs.Paths{Lab: m.Dir, Allowed: allowed}, e.origins)
	e.pathVal = cty.ObjectVal(map[string]cty.Value{"lab": cty.StringVal(m.Dir), "cwd": cty.StringVal(cwd())})
	e.env = &Env{Module: m, Workspace: opts.Workspace, Variables: e.vars, Files: map[string]*hcl.File{}, Complete: true}
	e.env.eval = e
	for name, f := range m.Files {
		e.env.Files[name] = f
	}
	e.evalVariables()
	if e.diags.HasErrors() {
		return e.env, e.diags
	}
	e.evalLab()
	if e.diags.HasErrors() {
		return e.env, e.diags
	}
	e.evalCluster()
	for _, n := range e.g.TopoOrder() {
		e.evalNode(n)
	}
	e.checkObjectsUnique()
	e.requireNeededValues()
	e.env.ReadFiles = e.origins.Read()
	return e.env, e.diags
}

type noRuntime struct{}

func (noRuntime) Observed(string) (ObjectStatus, bool)       { return ObjectStatus{}, false }
func (noRuntime) ClusterAttrs() (map[string]cty.Value, bool) { return nil, false }

func (e *evaluator) evalNode(n string) {
	if e.done[n] {
		return
	}
	e.done[n] = true
	kind, name, _ := strings.Cut(n, ".")
	switch kind {
	case "local":
		l := e.m.Locals[name]
		v, ds := l.Expr.Value(e.ctx(n, nil))
		e.diags = append(e.diags, ds...)
		if ds.HasErrors() {
			v = cty.DynamicVal
		}
		e.locals[name] = v
	case "cluster":
		if _, ok := e.clusters[name]; !ok {
			e.clusters[name] = e.clusterValue(name, false)
			if e.opts.Validate {
				// Check every environment's settings, not just the chosen one.
				ctx := e.ctx(n, nil)
				_, ds := hcldec.Decode(dynblock.Expand(e.m.Clusters[name].Body, ctx), clusterKinds[e.m.Clusters[name].Kind].Spec, ctx)
				e.diags = append(e.diags, ds...)
			}
		}
	case "exercise":
		e.evalExercise(e.m.Exercises[name])
	case "output":
		e.evalOutput(e.m.Outputs[name])
	}
}

// ctx builds the evaluation context of a node: only the values it refers
// to, plus the instance's own each, count and seat.
func (e *evaluator) ctx(node string, in *instanceScope) *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":  cty.ObjectVal(e.vars),
		"path": e.pathVal,
		"podlab": cty.ObjectVal(map[string]cty.Value{
			"lab":         cty.StringVal(e.env.Lab.Name),
			"environment": cty.StringVal(e.env.Name),
			"workspace":   cty.StringVal(e.opts.Workspace),
		}),
	}
	locals := map[string]cty.Value{}
	exercises := map[string]cty.Value{}
	clusters := map[string]cty.Value{}
	for _, r := range e.g.refs[node] {
		switch r.Kind {
		case RefLocal:
			if v, ok := e.locals[r.Name]; ok {
				locals[r.Name] = v
			} else {
				locals[r.Name] = cty.DynamicVal
			}
		case RefCluster:
			if v, ok := e.clusters[r.Name]; ok {
				clusters[r.Name] = v
			} else {
				clusters[r.Name] = e.clusterValue(r.Name, false)
			}
		case RefExercise:
			exercises[r.Name] = e.exerciseValue(r.Name, in)
		}
	}
	vars["local"] = cty.ObjectVal(locals)
	vars["exercise"] = cty.ObjectVal(exercises)
	vars["cluster"] = cty.ObjectVal(clusters)
	if in != nil {
		for k, v := range in.vars {
			vars[k] = v
		}
	}
	return &hcl.EvalContext{Variables: vars, Functions: e.funcs}
}

func cwd() string {
	d, err := os.Getwd()
	if err != nil {
		return "."
	}
	return d
}

// evalLab evaluates the lab block and with it chooses the environment.
func (e *evaluator) evalLab() {
	lab := LabSettings{Name: filepath.Base(e.m.Dir)}
	raw := labBlock{ProbeImage: DefaultProbeImage, CheckTimeout: "60s", CreateTimeout: DefaultCreateTimeout, PodSecurity: DefaultPodSecurity}
	var body hcl.Body = hcl.EmptyBody()
	if e.m.Lab != nil {
		body = e.m.Lab.Body
		if e.requireNeeded(LabNode); e.diags.HasErrors() {
			return
		}
		for _, n := range e.g.TopoOrder() {
			if e.dependsOn(LabNode, n) {
				e.evalNode(n)
			}
		}
		v, ds := hcldec.Decode(body, labSpec, e.ctx(LabNode, nil))
		e.diags = append(e.diags, ds...)
		if ds.HasErrors() {
			return
		}
		if !v.IsWhollyKnown() {
			e.env.Complete = false
			if !e.opts.Validate {
				e.diags = append(e.diags, e.unknownIn(LabNode, "the lab block"))
				return
			}
		} else if !e.decodeInto(v, &raw, body, labSpec) {
			return
		}
	}
	if raw.Name != "" {
		lab.Name = raw.Name
	}
	if Slug(lab.Name) == "" {
		e.diags = append(e.diags, e.attrDiag(body, labSpec, "name", "Invalid lab name",
			fmt.Sprintf("The lab name %q has no letters or digits to name things in the cluster by; set lab { name = \"pod-basics\" }.", lab.Name)))
	}
	lab.Cluster = raw.Cluster
	lab.NamespacePrefix = raw.NamespacePrefix
	if lab.NamespacePrefix == "" {
		lab.NamespacePrefix = Slug(lab.Name)
	} else if Slug(lab.NamespacePrefix) != lab.NamespacePrefix {
		e.diags = append(e.diags, e.attrDiag(body, labSpec, "namespace_prefix", "Invalid namespace prefix",
			fmt.Sprintf("%q cannot start a namespace name: use lower-case letters, digits and dashes, such as %q.", lab.NamespacePrefix, Slug(lab.NamespacePrefix))))
	}
	lab.ProbeImage = raw.ProbeImage
	lab.ProbeNamespace = raw.ProbeNamespace
	if errs := validation.IsDNS1123Label(lab.ProbeNamespace); lab.ProbeNamespace != "" && len(errs) > 0 {
		e.diags = append(e.diags, e.attrDiag(body, labSpec, "probe_namespace", "Invalid probe namespace",
			fmt.Sprintf("%q is not a valid namespace name: %s.", lab.ProbeNamespace, errs[0])))
	}
	lab.MaxNodes = raw.MaxNodes
	if lab.MaxNodes < 0 {
		e.diags = append(e.diags, e.attrDiag(body, labSpec, "max_nodes", "Invalid max_nodes",
			fmt.Sprintf("max_nodes = %d: the cap on GKE nodes must be 1 or more (omit it, or set 0, for no cap).", lab.MaxNodes)))
	}
	lab.Labels = raw.Labels
	lab.TTL = e.duration(body, labSpec, "ttl", raw.TTL, 0)
	lab.StuckAfter = e.duration(body, labSpec, "stuck_after", raw.StuckAfter, 0)
	lab.CheckTimeout = e.duration(body, labSpec, "check_timeout", raw.CheckTimeout, 0)
	lab.CreateTimeout = e.createTimeout(raw.CreateTimeout, func(summary, detail string) *hcl.Diagnostic {
		return e.attrDiag(body, labSpec, "create_timeout", summary, detail)
	})
	lab.Seats = e.seats(body, raw.Seats)
	if raw.Language != "" {
		if _, err := i18n.Parse(raw.Language); err != nil {
			e.diags = append(e.diags, e.attrDiag(body, labSpec, "language", "Invalid language",
				fmt.Sprintf("%s: lab { language } chooses the language of check results and the report.", err)))
		} else {
			lab.Language = raw.Language
		}
	}
	lab.PodSecurity = e.podSecurity(body, raw.PodSecurity)
	if q := e.seatQuota(body, raw.SeatQuota); len(lab.Seats) > 0 {
		// Checked either way, so a mistake shows before seats are added.
		lab.SeatQuota = q
	}
	e.env.Lab = lab
	e.chooseCluster(body)
}

func (e *evaluator) chooseCluster(labBody hcl.Body) {
	name := e.env.Lab.Cluster
	if e.opts.Cluster != "" {
		name = e.opts.Cluster
	}
	if name == "" && e.env.Complete {
		if len(e.m.ClusterOrder) == 1 {
			name = e.m.ClusterOrder[0]
		} else {
			subject := hcl.Range{Filename: firstFile(e.m), Start: hcl.InitialPos, End: hcl.InitialPos}
			switch {
			case e.m.Lab != nil:
				subject = e.m.Lab.DeclRange
			case len(e.m.ClusterOrder) > 0:
				subject = e.m.Clusters[e.m.ClusterOrder[0]].DeclRange
			}
			detail := "The lab has no cluster block; add one, such as cluster \"kubeconfig\" { kubeconfig {} }."
			if len(e.m.ClusterOrder) > 1 {
				detail = fmt.Sprintf("The lab declares the clusters %s; choose one with lab { cluster = var.target }.", strings.Join(e.m.ClusterOrder, ", "))
			}
			e.diags = append(e.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No cluster chosen", Detail: detail, Subject: subject.Ptr()})
			return
		}
	}
	if name == "" {
		return // unknown in validate mode
	}
	if _, ok := e.m.Clusters[name]; !ok {
		detail := fmt.Sprintf("The lab chooses the cluster %q, but no cluster block has that name. The lab declares: %s.",
			name, strings.Join(e.m.ClusterOrder, ", "))
		if s := suggest(name, e.m.ClusterOrder); s != "" {
			detail += fmt.Sprintf(" Did you mean %q?", s)
		}
		e.diags = append(e.diags, e.attrDiag(labBody, labSpec, "cluster", "Unknown cluster", detail))
		return
	}
	e.env.Lab.Cluster = name
	e.env.Name = EnvName(name, e.opts.Workspace)
}

func firstFile(m *Module) string {
	if len(m.Sources) > 0 {
		return displayName(m.Dir, m.Sources[0])
	}
	return ""
}

// evalCluster decodes the chosen cluster block.
func (e *evaluator) evalCluster() {
	name := e.env.Lab.Cluster
	c, ok := e.m.Clusters[name]
	if !ok {
		return
	}
	node := "cluster." + name
	if e.requireNeeded(node); e.diags.HasErrors() {
		return
	}
	for _, n := range e.g.TopoOrder() {
		if e.dependsOn(node, n) {
			e.evalNode(n)
		}
	}
	e.done[node] = true
	kind := clusterKinds[c.Kind]
	spec := kind.Spec
	ctx := e.ctx(node, nil)
	v, ds := hcldec.Decode(dynblock.Expand(c.Body, ctx), spec, ctx)
	e.diags = append(e.diags, ds...)
	if ds.HasErrors() {
		return
	}
	cc := &ClusterConfig{Name: name, Kind: c.Kind, Value: v, DeclRange: c.DeclRange}
	e.env.Cluster = cc
	e.clusters[name] = e.clusterValue(name, true)
	if !v.IsWhollyKnown() {
		e.env.Complete = false
		if !e.opts.Validate {
			e.diags = append(e.diags, e.unknownIn(node, "cluster "+name))
		}
		return
	}
	settings, ds := kind.Decode(&KindBlock{Cluster: name, Value: v, Body: c.Body, Spec: spec, Workspace: e.opts.Workspace})
	e.diags = append(e.diags, ds...)
	cc.Settings = settings
}

// clusterValue is what cluster.NAME evaluates to: its name and kind, and
// the attributes a cluster reports once it exists (unknown until then, null
// for a cluster the environment does not use).
func (e *evaluator) clusterValue(name string, chosen bool) cty.Value {
	attrs := map[string]cty.Value{
		"name":           cty.StringVal(name),
		"kind":           cty.StringVal(e.m.Clusters[name].Kind),
		"chosen":         cty.BoolVal(chosen),
		"endpoint":       cty.NullVal(cty.String),
		"ca_certificate": cty.NullVal(cty.String),
		"version":        cty.NullVal(cty.String),
	}
	if chosen {
		rt, ok := e.rt.ClusterAttrs()
		for _, k := range []string{"endpoint", "ca_certificate", "version"} {
			attrs[k] = cty.UnknownVal(cty.String)
			if v, has := rt[k]; ok && has {
				attrs[k] = v
			}
		}
	}
	return cty.ObjectVal(attrs)
}

// dependsOn reports whether node depends on dep, directly or not.
func (e *evaluator) dependsOn(node, dep string) bool {
	seen := map[string]bool{}
	var walk func(n string) bool
	walk = func(n string) bool {
		for _, d := range e.g.Deps[n] {
			if d == dep {
				return true
			}
			if !seen[d] {
				seen[d] = true
				if walk(d) {
					return true
				}
			}
		}
		return false
	}
	return walk(node)
}

func (e *evaluator) evalOutput(o *Output) {
	v, ds := o.Value.Value(e.ctx("output."+o.Name, nil))
	e.diags = append(e.diags, ds...)
	if ds.HasErrors() {
		return
	}
	if v.ContainsMarked() && !o.Sensitive {
		e.diags = append(e.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Output refers to sensitive values",
			Detail:   fmt.Sprintf("Output %q shows a sensitive variable. Add sensitive = true to the output block to show it only on request.", o.Name),
			Subject:  o.Value.Range().Ptr(),
		})
		return
	}
	v, _ = v.UnmarkDeep()
	e.env.Outputs = append(e.env.Outputs, &OutputValue{Name: o.Name, Description: o.Description, Value: v, Sensitive: o.Sensitive})
}

// unknownIn reports a block whose values depend on variables that have no
// value yet (only possible outside validate mode through a bug or an
// unknown-producing function).
func (e *evaluator) unknownIn(node, what string) *hcl.Diagnostic {
	var subject *hcl.Range
	for _, r := range e.g.refs[node] {
		subject = r.Range.Ptr()
		break
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Value not known before apply",
		Detail:   fmt.Sprintf("The settings of %s must be known before anything is applied.", what),
		Subject:  subject,
	}
}

// allowedPaths reads lab.allowed_paths before anything else is evaluated,
// since the file functions every other expression calls depend on it: so
// it must be literal strings, relative to the lab directory or absolute
// (~ is the user's home).
func allowedPaths(m *Module) ([]string, hcl.Diagnostics) {
	if m.Lab == nil {
		return nil, nil
	}
	content, _, _ := m.Lab.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "allowed_paths"}}})
	attr, ok := content.Attributes["allowed_paths"]
	if !ok {
		return nil, nil
	}
	bad := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid allowed_paths", Subject: attr.Expr.Range().Ptr(),
		Detail: `allowed_paths is a list of directories written out as strings, such as ["../shared", "~/course"]: it is read before variables and functions exist.`}
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsTupleType() || v.Type().IsListType()) {
		return nil, hcl.Diagnostics{bad}
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, el := it.Element()
		if el.IsNull() || el.Type() != cty.String || el.AsString() == "" {
			return nil, hcl.Diagnostics{bad}
		}
		p, err := funcs.ExpandPath(m.Dir, el.AsString())
		if err != nil {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid allowed_paths", Detail: err.Error(), Subject: attr.Expr.Range().Ptr()}}
		}
		out = append(out, p)
	}
	return out, nil
}
