package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/podlab/podlab/config"
)

// desired is one object the configuration asks for, ready to apply.
type desired struct {
	Address   string
	Instance  *config.Instance
	Object    *unstructured.Unstructured
	Source    *config.Object // nil for exercise namespaces
	Hash      string
	DependsOn []string
	// ExerciseNamespace marks the namespace podlab makes for an instance.
	ExerciseNamespace bool
	Deferred          bool
}

// kindRank orders the objects of one exercise as Helm installs them, so a
// Pod never waits on a ConfigMap that has not been applied yet.
var kindRank = map[string]int{
	"Namespace": 0, "CustomResourceDefinition": 1, "ResourceQuota": 1, "LimitRange": 1, "PriorityClass": 1,
	"ServiceAccount": 2, "Secret": 3, "ConfigMap": 3, "StorageClass": 4, "PersistentVolume": 4,
	"PersistentVolumeClaim": 4, "ClusterRole": 5, "Role": 5, "ClusterRoleBinding": 6, "RoleBinding": 6,
	"Service": 7,
}

const workloadRank = 8

func rank(kind string) int {
	if r, ok := kindRank[kind]; ok {
		return r
	}
	return workloadRank
}

// NamespaceAddress names the namespace podlab makes for an instance.
func NamespaceAddress(in *config.Instance) string {
	return in.Address + ".Namespace." + in.Namespace
}

// buildDesired lists what the environment asks for, in an order that
// respects dependencies, with podlab's labels set and each manifest hashed.
func (e *Engine) buildDesired() []*desired {
	env := e.Env
	envID := EnvID(env.Lab.Name, env.Name)
	var out []*desired
	nsByInstance := map[string]string{}
	addrsByInstance := map[string][]string{}
	names := envNames{env: env, envID: envID}
	for _, in := range env.Instances {
		common := names.labels(in.Seat, in.Exercise.Name)
		ns := &unstructured.Unstructured{Object: map[string]any{}}
		ns.SetAPIVersion("v1")
		ns.SetKind("Namespace")
		ns.SetName(in.Namespace)
		nsLabels := mergeLabels(common, podSecurityLabels(env.Lab.PodSecurity))
		nsLabels[LabelRole] = RoleExerciseNS
		ns.SetLabels(nsLabels)
		names.annotate(ns, in.Seat, in.Exercise.Name)
		nsAddr := NamespaceAddress(in)
		nsDeps := []string{}
		for _, dep := range in.DependsOn {
			nsDeps = append(nsDeps, addrsByInstance[dep]...)
		}
		nsd := &desired{Address: nsAddr, Instance: in, Object: ns, ExerciseNamespace: true, DependsOn: nsDeps}
		finish(nsd)
		out = append(out, nsd)
		nsByInstance[in.Address] = nsAddr
		addrsByInstance[in.Address] = append(addrsByInstance[in.Address], nsAddr)

		// A seat's objects wait for its budget: created before the
		// LimitRange, a pod would run unbounded; before the quota's
		// status is known, it would be refused.
		budget := e.seatBudgetAddresses(in)
		if in.Student {
			// The students make the objects; podlab prepares the
			// namespace (and, in seatAccess, the access and budget).
			continue
		}
		if in.Deferred {
			out = append(out, &desired{Address: in.Address + ".*", Instance: in, Deferred: true, DependsOn: append(append([]string{nsAddr}, nsDeps...), budget...)})
			continue
		}
		objs := append([]*config.Object(nil), in.Objects...)
		sort.SliceStable(objs, func(i, j int) bool { return rank(objs[i].GetKind()) < rank(objs[j].GetKind()) })
		var earlier []*desired
		for _, o := range objs {
			u := o.Unstructured.DeepCopy()
			labels := u.GetLabels()
			if labels == nil {
				labels = map[string]string{}
			}
			for k, v := range common {
				labels[k] = v
			}
			u.SetLabels(labels)
			names.annotate(u, in.Seat, in.Exercise.Name)
			d := &desired{Address: o.Address, Instance: in, Object: u, Source: o}
			d.DependsOn = append(d.DependsOn, nsAddr)
			d.DependsOn = append(d.DependsOn, nsDeps...)
			d.DependsOn = append(d.DependsOn, budget...)
			for _, prev := range earlier {
				if rank(prev.Object.GetKind()) < rank(u.GetKind()) {
					d.DependsOn = append(d.DependsOn, prev.Address)
				}
			}
			finish(d)
			earlier = append(earlier, d)
			out = append(out, d)
			addrsByInstance[in.Address] = append(addrsByInstance[in.Address], d.Address)
		}
	}
	if d := e.probesNamespace(names); d != nil {
		out = append(out, d)
	}
	for _, seat := range env.Lab.Seats {
		var mine []*config.Instance
		for _, in := range env.Instances {
			if in.Seat == seat {
				mine = append(mine, in)
			}
		}
		out = append(out, e.seatAccess(seat, mine, nsByInstance, names)...)
	}
	return out
}

// envNames puts podlab's labels on an environment's objects. A label value
// holds at most 63 characters of [a-z0-9.-_], so the lab, exercise and
// seat names go in as their slugs, cut and hashed when long (distinct and
// stable for any name), and an annotation keeps each full name that its
// label could not hold.
type envNames struct {
	env   *config.Env
	envID string
}

func (n envNames) labels(seat *config.Seat, exercise string) map[string]string {
	l := map[string]string{
		LabelManagedBy: managedByPodlab,
		LabelLab:       config.LabelValue(n.env.Lab.Name),
		LabelEnv:       n.envID,
	}
	if exercise != "" {
		l[LabelExercise] = config.ExerciseSlug(exercise)
	}
	if seat != nil {
		l[LabelSeat] = seat.Slug
	}
	for k, v := range n.env.Lab.Labels {
		if _, taken := l[k]; !taken {
			l[k] = v
		}
	}
	return l
}

// annotate adds the full names that u's podlab labels do not hold.
func (n envNames) annotate(u *unstructured.Unstructured, seat *config.Seat, exercise string) {
	full := map[string]string{}
	if lab := n.env.Lab.Name; config.LabelValue(lab) != lab {
		full[AnnotLabName] = lab
	}
	if exercise != "" && config.ExerciseSlug(exercise) != exercise {
		full[AnnotExerciseName] = exercise
	}
	if seat != nil && seat.Slug != seat.Name {
		full[AnnotSeatName] = seat.Name
	}
	if len(full) == 0 {
		return
	}
	a := u.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	for k, v := range full {
		a[k] = v
	}
	u.SetAnnotations(a)
}

// probesNamespace is the namespace node-side HTTP checks keep their probe
// pods in, when podlab has to make it.
func (e *Engine) probesNamespace(names envNames) *desired {
	name := e.probesNamespaceName()
	if name == "" {
		return nil
	}
	// Probe pods use the node's network; where Pod Security would refuse
	// that by default, the namespace that holds nothing else allows it.
	ns := object("v1", "Namespace", "", name, mergeLabels(names.labels(nil, ""), map[string]string{
		LabelRole: RoleProbeNS, PodSecurityEnforce: config.PodSecurityPrivileged,
	}))
	names.annotate(ns, nil, "")
	in := &config.Instance{Address: config.ProbesAddress, Namespace: name, Exercise: &config.Exercise{Name: "probes"}}
	d := &desired{Address: probesNamespaceAddress(name), Instance: in, Object: ns, ExerciseNamespace: true}
	finish(d)
	return d
}

// probesNamespaceName is the probes' namespace when a check needs one and
// no exercise has it already; "" otherwise.
func (e *Engine) probesNamespaceName() string {
	env := e.Env
	if !env.NeedsProbes() {
		return ""
	}
	name := env.ProbeNamespace()
	for _, in := range env.Instances {
		if in.Namespace == name {
			return ""
		}
	}
	return name
}

func probesNamespaceAddress(name string) string {
	return config.ProbesAddress + ".Namespace." + name
}

// finish stamps the address and the manifest's hash on the object. The
// hash covers everything but itself, so that a changed configuration is
// seen without asking the API server.
func finish(d *desired) {
	annots := d.Object.GetAnnotations()
	if annots == nil {
		annots = map[string]string{}
	}
	annots[AnnotAddress] = d.Address
	delete(annots, AnnotHash)
	d.Object.SetAnnotations(annots)
	d.Hash = hashObject(d.Object)
	annots[AnnotHash] = d.Hash
	d.Object.SetAnnotations(annots)
}

func hashObject(u *unstructured.Unstructured) string {
	// encoding/json sorts map keys, so the encoding is canonical.
	b, _ := json.Marshal(u.Object)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
