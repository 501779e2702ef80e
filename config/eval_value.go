package config

import (
	"github.com/zclconf/go-cty/cty"
)

var podType = cty.Object(map[string]cty.Type{
	"name": cty.String, "namespace": cty.String, "ip": cty.String, "node": cty.String, "uid": cty.String, "phase": cty.String,
})

var objectType = cty.Object(map[string]cty.Type{
	"api_version": cty.String, "kind": cty.String, "name": cty.String, "namespace": cty.String, "uid": cty.String,
})

// exerciseValue is what exercise.NAME evaluates to. Inside an exercise it
// is the same seat's instance; elsewhere, with seats, a map by seat name.
func (e *evaluator) exerciseValue(name string, scope *instanceScope) cty.Value {
	insts, ok := e.instances[name]
	if !ok {
		return cty.DynamicVal
	}
	if scope != nil || e.env.Lab.Seats == nil {
		var seat *Seat
		if scope != nil {
			seat = scope.seat
		}
		return e.seatValue(e.m.Exercises[name], filterSeat(insts, seat))
	}
	bySeat := map[string]cty.Value{}
	for _, s := range e.env.Lab.Seats {
		bySeat[s.Name] = e.seatValue(e.m.Exercises[name], filterSeat(insts, s))
	}
	return cty.ObjectVal(bySeat)
}

func filterSeat(insts []*Instance, seat *Seat) []*Instance {
	var out []*Instance
	for _, in := range insts {
		if in.Seat == seat {
			out = append(out, in)
		}
	}
	return out
}

// seatValue is one seat's value of an exercise: the instance itself, or a
// map (for_each) or tuple (count) of instances.
func (e *evaluator) seatValue(ex *Exercise, insts []*Instance) cty.Value {
	switch {
	case ex.ForEach != nil:
		m := map[string]cty.Value{}
		for _, in := range insts {
			if !in.Key.IsKnown() {
				return cty.DynamicVal
			}
			m[in.Key.AsString()] = e.instanceValue(in)
		}
		return cty.ObjectVal(m)
	case ex.Count != nil:
		vals := make([]cty.Value, 0, len(insts))
		for _, in := range insts {
			vals = append(vals, e.instanceValue(in))
		}
		return cty.TupleVal(vals)
	case len(insts) == 1:
		return e.instanceValue(insts[0])
	}
	return cty.DynamicVal
}

// instanceValue exposes an instance's objects; what only the cluster knows
// (uid, pod IP, node) comes from the runtime or is unknown.
func (e *evaluator) instanceValue(in *Instance) cty.Value {
	attrs := map[string]cty.Value{
		"name":      cty.StringVal(in.Exercise.Name),
		"namespace": cty.StringVal(in.Namespace),
	}
	if in.Deferred {
		attrs["pods"] = cty.UnknownVal(cty.Map(podType))
		attrs["objects"] = cty.UnknownVal(cty.Map(objectType))
		return cty.ObjectVal(attrs)
	}
	pods := map[string]cty.Value{}
	objects := map[string]cty.Value{}
	for _, o := range in.Objects {
		st, ok := e.rt.Observed(o.Address)
		known := func(s string) cty.Value {
			if !ok {
				return cty.UnknownVal(cty.String)
			}
			return cty.StringVal(s)
		}
		gvk := o.GVK()
		objects[gvk.Kind+"."+o.GetName()] = cty.ObjectVal(map[string]cty.Value{
			"api_version": cty.StringVal(o.GetAPIVersion()),
			"kind":        cty.StringVal(gvk.Kind),
			"name":        cty.StringVal(o.GetName()),
			"namespace":   cty.StringVal(o.GetNamespace()),
			"uid":         known(st.UID),
		})
		if gvk.Group == "" && gvk.Kind == "Pod" {
			pods[o.GetName()] = cty.ObjectVal(map[string]cty.Value{
				"name":      cty.StringVal(o.GetName()),
				"namespace": cty.StringVal(o.GetNamespace()),
				"ip":        known(st.IP),
				"node":      known(st.Node),
				"uid":       known(st.UID),
				"phase":     known(st.Phase),
			})
		}
	}
	attrs["pods"] = mapOrEmpty(pods, podType)
	attrs["objects"] = mapOrEmpty(objects, objectType)
	return cty.ObjectVal(attrs)
}

func mapOrEmpty(m map[string]cty.Value, ty cty.Type) cty.Value {
	if len(m) == 0 {
		return cty.MapValEmpty(ty)
	}
	return cty.MapVal(m)
}
