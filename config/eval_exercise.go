package config

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podlab/podlab/config/manifest"
)

// instanceScope holds what an instance adds to its exercise's evaluation
// context: each, count and seat.
type instanceScope struct {
	seat *Seat
	vars map[string]cty.Value
}

var seatType = cty.Object(map[string]cty.Type{"name": cty.String, "index": cty.Number})

func (e *evaluator) evalExercise(ex *Exercise) {
	seats := e.env.Lab.Seats
	if seats == nil {
		seats = []*Seat{nil}
	}
	for _, seat := range seats {
		base := &instanceScope{seat: seat, vars: map[string]cty.Value{"seat": cty.NullVal(seatType)}}
		if seat != nil {
			base.vars["seat"] = cty.ObjectVal(map[string]cty.Value{
				"name": cty.StringVal(seat.Name), "index": cty.NumberIntVal(int64(seat.Index)),
			})
		}
		for _, scope := range e.expand(ex, base) {
			e.evalInstance(ex, scope)
		}
	}
}

type keyedScope struct {
	*instanceScope
	key cty.Value
}

// expand turns for_each and count into one scope per instance.
func (e *evaluator) expand(ex *Exercise, base *instanceScope) []keyedScope {
	node := "exercise." + ex.Name
	with := func(key cty.Value, extra map[string]cty.Value) keyedScope {
		vars := map[string]cty.Value{}
		for k, v := range base.vars {
			vars[k] = v
		}
		for k, v := range extra {
			vars[k] = v
		}
		return keyedScope{&instanceScope{seat: base.seat, vars: vars}, key}
	}
	switch {
	case ex.ForEach != nil:
		v, ds := ex.ForEach.Value(e.ctx(node, base))
		e.diags = append(e.diags, ds...)
		if ds.HasErrors() {
			return nil
		}
		v, _ = v.UnmarkDeep()
		if !v.IsWhollyKnown() {
			if e.opts.Validate {
				e.env.Complete = false
				return []keyedScope{with(cty.UnknownVal(cty.String), map[string]cty.Value{
					"each": cty.ObjectVal(map[string]cty.Value{"key": cty.UnknownVal(cty.String), "value": cty.DynamicVal}),
				})}
			}
			e.diags = append(e.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid for_each argument",
				Detail:   "for_each must be known before apply: it decides which objects exist. It cannot depend on values such as pod IPs.",
				Subject:  ex.ForEach.Range().Ptr(),
			})
			return nil
		}
		ty := v.Type()
		ok := !v.IsNull() && (ty.IsMapType() || ty.IsObjectType() || (ty.IsSetType() && ty.ElementType() == cty.String))
		if !ok {
			e.diags = append(e.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid for_each argument",
				Detail:   fmt.Sprintf("for_each takes a map or a set of strings (toset([...])), not %s.", ty.FriendlyName()),
				Subject:  ex.ForEach.Range().Ptr(),
			})
			return nil
		}
		var out []keyedScope
		for it := v.ElementIterator(); it.Next(); {
			k, val := it.Element()
			if ty.IsSetType() {
				k = val
			}
			out = append(out, with(k, map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": val})}))
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].key.AsString() < out[j].key.AsString() })
		return out
	case ex.Count != nil:
		v, ds := ex.Count.Value(e.ctx(node, base))
		e.diags = append(e.diags, ds...)
		if ds.HasErrors() {
			return nil
		}
		v, _ = v.Unmark()
		if !v.IsKnown() && e.opts.Validate {
			e.env.Complete = false
			return []keyedScope{with(cty.UnknownVal(cty.Number), map[string]cty.Value{
				"count": cty.ObjectVal(map[string]cty.Value{"index": cty.UnknownVal(cty.Number)}),
			})}
		}
		n, err := wholeNumber(v)
		if err != nil {
			e.diags = append(e.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Invalid count argument",
				Detail: "count must be a whole number, 0 or more, known before apply: " + err.Error() + ".", Subject: ex.Count.Range().Ptr(),
			})
			return nil
		}
		out := make([]keyedScope, 0, n)
		for i := 0; i < n; i++ {
			idx := cty.NumberIntVal(int64(i))
			out = append(out, with(idx, map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": idx})}))
		}
		return out
	}
	return []keyedScope{{base, cty.NilVal}}
}

func wholeNumber(v cty.Value) (int, error) {
	if !v.IsKnown() {
		return 0, fmt.Errorf("the value is not known yet")
	}
	if v.IsNull() || v.Type() != cty.Number {
		return 0, fmt.Errorf("got %s", v.Type().FriendlyName())
	}
	bf := v.AsBigFloat()
	if !bf.IsInt() || bf.Sign() < 0 {
		return 0, fmt.Errorf("got %s", bf.String())
	}
	i, _ := bf.Int64()
	return int(i), nil
}

// InstanceAddress names an exercise instance.
func InstanceAddress(exercise string, key cty.Value, seat string) string {
	addr := "exercise." + exercise
	switch {
	case key == cty.NilVal:
	case key.Type() == cty.String && key.IsKnown():
		addr += "[" + strconv.Quote(key.AsString()) + "]"
	case key.Type() == cty.Number && key.IsKnown():
		addr += "[" + key.AsBigFloat().Text('f', 0) + "]"
	default:
		addr += "[?]"
	}
	if seat != "" {
		addr = "seat[" + strconv.Quote(seat) + "]." + addr
	}
	return addr
}

func (e *evaluator) evalInstance(ex *Exercise, scope keyedScope) {
	node := "exercise." + ex.Name
	in := &Instance{Exercise: ex, Key: scope.key, Seat: scope.seat}
	seatName, seatSlug := "", ""
	if in.Seat != nil {
		seatName, seatSlug = in.Seat.Name, in.Seat.Slug
	}
	in.Address = InstanceAddress(ex.Name, scope.key, seatName)
	ctx := e.ctx(node, scope.instanceScope)

	keySlug := ""
	if scope.key != cty.NilVal && scope.key.IsKnown() {
		if scope.key.Type() == cty.String {
			keySlug = SeatSlug(scope.key.AsString())
		} else {
			keySlug = scope.key.AsBigFloat().Text('f', 0)
		}
	}
	ws := workspaceSlug(e.opts.Workspace)
	in.Namespace = JoinLabel(e.env.Lab.NamespacePrefix, ws, seatSlug, ExerciseSlug(ex.Name), keySlug)
	if ex.Namespace != nil {
		if ns, ok := e.knownString(ex.Namespace, ctx, "namespace"); ok {
			if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
				e.diags = append(e.diags, &hcl.Diagnostic{
					Severity: hcl.DiagError, Summary: "Invalid namespace",
					Detail:  fmt.Sprintf("%q is not a valid namespace name: %s.", ns, errs[0]),
					Subject: ex.Namespace.Range().Ptr(),
				})
			}
			in.Namespace = JoinLabel(ns, seatSlug, keySlug)
		}
	}
	if ex.Description != nil {
		if d, ok := e.knownString(ex.Description, ctx, "description"); ok {
			in.Description = d
		}
	}
	in.CreateTimeout = e.env.Lab.CreateTimeout
	if ex.CreateTimeout != nil {
		if s, ok := e.knownString(ex.CreateTimeout, ctx, "create_timeout"); ok {
			d := e.createTimeout(s, func(summary, detail string) *hcl.Diagnostic {
				return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: ex.CreateTimeout.Range().Ptr()}
			})
			if d > 0 {
				in.CreateTimeout = d
			}
		}
	}
	if ex.Mode != nil {
		if mode, ok := e.knownString(ex.Mode, ctx, "mode"); ok {
			switch {
			case mode != ModePodlab && mode != ModeStudent:
				e.diags = append(e.diags, &hcl.Diagnostic{
					Severity: hcl.DiagError, Summary: "Invalid exercise mode",
					Detail:  fmt.Sprintf("mode = %q: write \"podlab\" (podlab applies the manifests, the default) or \"student\" (the students apply them; podlab prepares their seats and grades what they made).", mode),
					Subject: ex.Mode.Range().Ptr(),
				})
			case mode == ModeStudent && in.Seat == nil:
				e.diags = append(e.diags, &hcl.Diagnostic{
					Severity: hcl.DiagError, Summary: "A student exercise needs seats",
					Detail:  fmt.Sprintf("exercise %q has mode = \"student\", but the lab has no seats: the students work with their seat's kubeconfig. Set lab { seats = [...] }.", ex.Name),
					Subject: ex.Mode.Range().Ptr(),
				})
			default:
				in.Student = mode == ModeStudent
			}
		}
	}
	in.DependsOn = e.instanceDeps(ex, in.Seat)

	v, ds := ex.Manifests.Value(ctx)
	e.diags = append(e.diags, ds...)
	if !ds.HasErrors() {
		v, marks := v.UnmarkDeepWithPaths()
		switch {
		case !v.IsWhollyKnown():
			in.Deferred = true
			if e.opts.Validate {
				e.env.Complete = false
			}
		default:
			e.decodeManifests(in, v, ex.Manifests.Range(), len(marks) > 0)
		}
	}
	e.evalChecks(in, ctx)
	e.instances[ex.Name] = append(e.instances[ex.Name], in)
	e.env.Instances = append(e.env.Instances, in)
}

// instanceDeps lists the instances, of the same seat, that an instance's
// exercise refers to or names in depends_on.
func (e *evaluator) instanceDeps(ex *Exercise, seat *Seat) []string {
	var deps []string
	for _, d := range e.g.Deps["exercise."+ex.Name] {
		kind, name, _ := strings.Cut(d, ".")
		if kind != "exercise" {
			continue
		}
		for _, other := range e.instances[name] {
			if other.Seat == seat {
				deps = append(deps, other.Address)
			}
		}
	}
	return deps
}

func (e *evaluator) knownString(expr hcl.Expression, ctx *hcl.EvalContext, what string) (string, bool) {
	v, ds := expr.Value(ctx)
	e.diags = append(e.diags, ds...)
	if ds.HasErrors() {
		return "", false
	}
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() {
		if !e.opts.Validate {
			e.diags = append(e.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Value not known before apply",
				Detail: fmt.Sprintf("The %s must be known before apply.", what), Subject: expr.Range().Ptr(),
			})
		}
		return "", false
	}
	if v.IsNull() || v.Type() != cty.String {
		e.diags = append(e.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: "Invalid " + what,
			Detail: fmt.Sprintf("The %s must be a string.", what), Subject: expr.Range().Ptr(),
		})
		return "", false
	}
	return v.AsString(), true
}

func (e *evaluator) decodeManifests(in *Instance, v cty.Value, rng hcl.Range, sensitive bool) {
	ty := v.Type()
	if v.IsNull() || !(ty.IsListType() || ty.IsTupleType() || ty.IsSetType()) {
		e.diags = append(e.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid manifests",
			Detail:   fmt.Sprintf("manifests must be a list, such as [file(\"k8s_yaml/nginx-pod.yaml\")]; got %s.", ty.FriendlyName()),
			Subject:  rng.Ptr(),
		})
		return
	}
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, el := it.Element()
		switch {
		case el.IsNull():
			e.diags = append(e.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Invalid manifests",
				Detail: fmt.Sprintf("Element %d of manifests is null.", i), Subject: rng.Ptr(),
			})
		case el.Type() == cty.String:
			text := el.AsString()
			file, fromFile := e.origins.Lookup(text)
			objs, errs := manifest.DecodeYAML(file, []byte(text))
			if fromFile {
				e.env.Files[displayName(e.m.Dir, file)] = &hcl.File{Body: hcl.EmptyBody(), Bytes: []byte(text)}
			}
			for _, err := range errs {
				e.diags = append(e.diags, e.manifestDiag(err, rng, i, text))
			}
			for _, o := range objs {
				e.addObject(in, o, rng, sensitive, text)
			}
		case el.Type().IsObjectType() || el.Type().IsMapType():
			o, err := manifest.FromValue(el)
			if err != nil {
				e.diags = append(e.diags, e.manifestDiag(err, rng, i, ""))
				continue
			}
			e.addObject(in, o, rng, sensitive, "")
		default:
			e.diags = append(e.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Invalid manifests",
				Detail:  fmt.Sprintf("Element %d of manifests is %s; each must be YAML text (file(...)) or an object.", i, el.Type().FriendlyName()),
				Subject: rng.Ptr(),
			})
		}
	}
}

func (e *evaluator) addObject(in *Instance, o *manifest.Object, rng hcl.Range, sensitive bool, text string) {
	gvk := o.GVK()
	obj := &Object{Object: o, Instance: in, Namespaced: !manifest.ClusterScoped(gvk), Sensitive: sensitive, DeclRange: rng}
	if obj.Namespaced {
		if ns := o.GetNamespace(); ns != "" && ns != in.Namespace {
			e.diags = append(e.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Manifest names another namespace",
				Detail: fmt.Sprintf("The %s %q says namespace %q, but %s keeps its objects in its own namespace %q. Remove metadata.namespace, or set namespace = %q on the exercise.",
					gvk.Kind, o.GetName(), ns, in.Address, in.Namespace, ns),
				Subject: e.fieldRange(o, "metadata.namespace", rng, text).Ptr(),
			})
			return
		}
		o.SetNamespace(in.Namespace)
	} else {
		o.SetNamespace("")
	}
	obj.Address = in.Address + "." + gvk.Kind + "." + o.GetName()
	for _, prev := range in.Objects {
		if prev.Address == obj.Address {
			e.diags = append(e.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate object",
				Detail:   fmt.Sprintf("%s declares the %s %q twice. Give each object its own name.", in.Address, gvk.Kind, o.GetName()),
				Subject:  e.fieldRange(o, "metadata.name", rng, text).Ptr(),
			})
			return
		}
	}
	in.Objects = append(in.Objects, obj)
}

// checkObjectsUnique keeps two exercises from declaring the same object,
// which would make one silently overwrite the other.
func (e *evaluator) checkObjectsUnique() {
	// Names that reduce to the same DNS label ("web_app" and "web-app",
	// "web" with count and "web_0") would put two instances in one
	// namespace. A namespace the lab names itself is shared on purpose.
	byNamespace := map[string]*Instance{}
	for _, in := range e.env.Instances {
		prev, ok := byNamespace[in.Namespace]
		if !ok {
			byNamespace[in.Namespace] = in
			continue
		}
		if prev.Exercise.Namespace != nil && in.Exercise.Namespace != nil {
			continue
		}
		e.diags = append(e.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Two exercise instances share a namespace",
			Detail: fmt.Sprintf("%s and %s both get the namespace %q, because their names make the same namespace name; they would not be isolated from each other. Rename one, or set namespace on the exercise to share a namespace on purpose.",
				prev.Address, in.Address, in.Namespace),
			Subject: in.Exercise.DeclRange.Ptr(),
		})
	}
	seen := map[string]*Object{}
	for _, in := range e.env.Instances {
		for _, o := range in.Objects {
			gvk := o.GVK()
			key := gvk.Group + "/" + gvk.Kind + "/" + o.GetNamespace() + "/" + o.GetName()
			if prev, ok := seen[key]; ok {
				where := "in namespace " + o.GetNamespace()
				if !o.Namespaced {
					where = "(a cluster-wide object)"
				}
				e.diags = append(e.diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Two exercises declare the same object",
					Detail: fmt.Sprintf("%s and %s both declare the %s %q %s; the second would overwrite the first. Rename one, or give the exercises their own namespaces.",
						prev.Instance.Address, in.Address, gvk.Kind, o.GetName(), where),
					Subject: e.fieldRange(o.Object, "metadata.name", o.DeclRange, "").Ptr(),
				})
				continue
			}
			seen[key] = o
		}
	}
}

// manifestDiag turns a manifest error into a diagnostic placed in the
// manifest's file when it came from one, else at the manifests attribute.
func (e *evaluator) manifestDiag(err *manifest.Error, attr hcl.Range, i int, text string) *hcl.Diagnostic {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid manifest", Detail: err.Msg}
	if err.Hint != "" {
		d.Detail += ". " + err.Hint
	}
	if err.Source.Filename != "" {
		r := posRange(displayName(e.m.Dir, err.Source.Filename), text, err.Pos)
		d.Subject = &r
		return d
	}
	d.Detail = fmt.Sprintf("Element %d of manifests: %s", i, d.Detail)
	if err.Pos.Line > 0 {
		d.Detail += fmt.Sprintf(" (line %d of the text)", err.Pos.Line)
	}
	d.Subject = attr.Ptr()
	return d
}

// fieldRange places a field of an object in its manifest file, or falls
// back to the manifests attribute.
func (e *evaluator) fieldRange(o *manifest.Object, field string, fallback hcl.Range, text string) hcl.Range {
	if o.Source.Filename == "" {
		return fallback
	}
	if text == "" {
		if f, ok := e.env.Files[displayName(e.m.Dir, o.Source.Filename)]; ok {
			text = string(f.Bytes)
		}
	}
	pos, ok := o.FieldPos(field)
	if !ok {
		pos = manifest.Pos{Line: o.Source.Line, Column: o.Source.Column}
	}
	return posRange(displayName(e.m.Dir, o.Source.Filename), text, pos)
}

// posRange makes an HCL range from a line and column in text, running to
// the end of that line. HCL's diagnostic writer finds the source line by
// byte offset, so the offsets must be right.
func posRange(filename, text string, p manifest.Pos) hcl.Range {
	line, off := 1, 0
	for off < len(text) && line < p.Line {
		if text[off] == '\n' {
			line++
		}
		off++
	}
	start := off + max(p.Column-1, 0)
	if start > len(text) {
		start = len(text)
	}
	end := start
	for end < len(text) && text[end] != '\n' {
		end++
	}
	return hcl.Range{
		Filename: filepath.ToSlash(filename),
		Start:    hcl.Pos{Line: p.Line, Column: p.Column, Byte: start},
		End:      hcl.Pos{Line: p.Line, Column: p.Column + (end - start), Byte: end},
	}
}

// FieldRange places a field of an object in the manifest file it came
// from; ok is false for an object not read from a file.
func (env *Env) FieldRange(o *Object, field string) (hcl.Range, bool) {
	if o.Source.Filename == "" {
		return o.DeclRange, false
	}
	name := displayName(env.Module.Dir, o.Source.Filename)
	text := ""
	if f, ok := env.Files[name]; ok {
		text = string(f.Bytes)
	}
	pos, ok := o.FieldPos(field)
	if !ok {
		pos = manifest.Pos{Line: o.Source.Line, Column: o.Source.Column}
	}
	return posRange(name, text, pos), true
}

// Object returns the object the configuration declares at address.
func (env *Env) Object(address string) *Object {
	for _, in := range env.Instances {
		for _, o := range in.Objects {
			if o.Address == address {
				return o
			}
		}
	}
	return nil
}

// Instance returns the instance at address.
func (env *Env) Instance(address string) *Instance {
	for _, in := range env.Instances {
		if in.Address == address {
			return in
		}
	}
	return nil
}
