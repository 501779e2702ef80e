package engine

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/podlab/podlab/config"
)

// A seat's student works as a service account in the seat's own namespace,
// allowed in that seat's exercise namespaces only what the lesson needs.
const (
	StudentAccount = "student"
	StudentRole    = "podlab-student"
	RoleSeatNS     = "seat-namespace"
)

// Names of the budget podlab puts in each of a seat's exercise namespaces.
const (
	SeatQuotaName  = "podlab-seat-quota"
	SeatLimitsName = "podlab-seat-limits"
)

// studentRules are a student's permissions in each of their exercise
// namespaces, and all of them: the pod commands of the lesson (kubectl
// apply, get, describe, exec, logs, delete; apply needs patch once the pod
// exists, and server-side apply always), reading events, which kubectl
// describe shows, and reading the seat's budget, so that a pod refused for
// quota can be understood. Nothing else: no pods/attach or
// pods/portforward, no pods/ephemeralcontainers (a debug container
// escapes what the pod was admitted with), no secrets, no service account
// tokens, no roles (so no escalate or bind), and no namespace objects, so
// a student cannot relabel their namespace out of Pod Security or delete
// their quota.
var studentRules = []any{
	rule("", []string{"pods"}, "get", "list", "watch", "create", "patch", "delete"),
	rule("", []string{"pods/exec"}, "get", "create"),
	rule("", []string{"pods/log"}, "get"),
	rule("", []string{"events"}, "get", "list", "watch"),
	rule("", []string{"resourcequotas", "limitranges"}, "get", "list", "watch"),
}

func rule(group string, resources []string, verbs ...string) map[string]any {
	return map[string]any{"apiGroups": []any{group}, "resources": toAny(resources), "verbs": toAny(verbs)}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func object(apiVersion, kind, namespace, name string, labels map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetName(name)
	if namespace != "" {
		u.SetNamespace(namespace)
	}
	u.SetLabels(copyMap(labels))
	return u
}

// seatAccess lists a seat's access objects: its namespace and service
// account, and a Role and RoleBinding in each of its exercise namespaces.
func (e *Engine) seatAccess(seat *config.Seat, instances []*config.Instance, nsAddr map[string]string, names envNames) []*desired {
	env := e.Env
	home := env.SeatNamespace(seat)
	base := config.SeatAddress(seat)
	l := names.labels(seat, "")
	// The student cannot write here, but the namespace holds their
	// account: it gets the lab's Pod Security level all the same.
	nsObj := object("v1", "Namespace", "", home, mergeLabels(mergeLabels(l, podSecurityLabels(env.Lab.PodSecurity)), map[string]string{LabelRole: RoleSeatNS}))
	access := &config.Instance{Address: base, Seat: seat, Namespace: home, Exercise: &config.Exercise{Name: "access"}}
	homeD := &desired{Address: seatNamespaceAddress(env, seat), Instance: access, Object: nsObj, ExerciseNamespace: true}
	sa := &desired{Address: base + ".ServiceAccount." + StudentAccount, Instance: access,
		Object: object("v1", "ServiceAccount", home, StudentAccount, l), DependsOn: []string{homeD.Address}}
	names.annotate(nsObj, seat, "")
	names.annotate(sa.Object, seat, "")
	out := []*desired{homeD, sa}
	for _, in := range instances {
		il := names.labels(seat, in.Exercise.Name)
		role := object("rbac.authorization.k8s.io/v1", "Role", in.Namespace, StudentRole, il)
		role.Object["rules"] = studentRules
		rb := object("rbac.authorization.k8s.io/v1", "RoleBinding", in.Namespace, StudentRole, il)
		rb.Object["roleRef"] = map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": StudentRole}
		rb.Object["subjects"] = []any{map[string]any{"kind": "ServiceAccount", "name": StudentAccount, "namespace": home}}
		roleD := &desired{Address: in.Address + ".Role." + StudentRole, Instance: in, Object: role, DependsOn: []string{nsAddr[in.Address]}}
		rbD := &desired{Address: in.Address + ".RoleBinding." + StudentRole, Instance: in, Object: rb,
			DependsOn: []string{nsAddr[in.Address], roleD.Address, sa.Address}}
		names.annotate(role, seat, in.Exercise.Name)
		names.annotate(rb, seat, in.Exercise.Name)
		out = append(out, roleD, rbD)
		for _, b := range e.seatBudget(in, nsAddr[in.Address], il) {
			names.annotate(b.Object, seat, in.Exercise.Name)
			out = append(out, b)
		}
	}
	for _, d := range out {
		finish(d)
	}
	return out
}

func seatNamespaceAddress(env *config.Env, seat *config.Seat) string {
	return config.SeatAddress(seat) + ".Namespace." + env.SeatNamespace(seat)
}

func mergeLabels(a, b map[string]string) map[string]string {
	out := copyMap(a)
	for k, v := range b {
		out[k] = v
	}
	return out
}

// seatBudget is the ResourceQuota and LimitRange of one of a seat's
// exercise namespaces, when the lab sets a budget.
func (e *Engine) seatBudget(in *config.Instance, nsAddr string, labels map[string]string) []*desired {
	q := e.Env.Lab.SeatQuota
	if q == nil {
		return nil
	}
	hard := map[string]any{"pods": fmt.Sprint(q.Pods)}
	for _, r := range []struct{ name, value string }{{"cpu", q.CPU}, {"memory", q.Memory}} {
		hard["requests."+r.name] = r.value
		hard["limits."+r.name] = r.value
	}
	quota := object("v1", "ResourceQuota", in.Namespace, SeatQuotaName, labels)
	quota.Object["spec"] = map[string]any{"hard": hard}
	limits := object("v1", "LimitRange", in.Namespace, SeatLimitsName, labels)
	limits.Object["spec"] = map[string]any{"limits": []any{map[string]any{
		"type":           "Container",
		"default":        stringsToAny(q.DefaultLimits),
		"defaultRequest": stringsToAny(q.DefaultRequests),
	}}}
	limitsD := &desired{Address: in.Address + ".LimitRange." + SeatLimitsName, Instance: in, Object: limits, DependsOn: []string{nsAddr}}
	// The quota comes second: once it exists, a pod without requests and
	// limits is refused, so the defaults must be there first.
	quotaD := &desired{Address: in.Address + ".ResourceQuota." + SeatQuotaName, Instance: in, Object: quota, DependsOn: []string{nsAddr, limitsD.Address}}
	return []*desired{limitsD, quotaD}
}

func stringsToAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// seatBudgetAddresses are the addresses of an instance's budget, if any.
func (e *Engine) seatBudgetAddresses(in *config.Instance) []string {
	if in.Seat == nil || e.Env.Lab.SeatQuota == nil {
		return nil
	}
	return []string{in.Address + ".LimitRange." + SeatLimitsName, in.Address + ".ResourceQuota." + SeatQuotaName}
}
