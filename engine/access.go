package engine

import (
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

// studentRules are a student's permissions in each of their exercise
// namespaces: the pod commands of the lesson (get, list, watch, create,
// delete; exec; logs), and reading events, which kubectl describe shows.
var studentRules = []any{
	rule("", []string{"pods"}, "get", "list", "watch", "create", "delete"),
	rule("", []string{"pods/exec"}, "get", "create"),
	rule("", []string{"pods/log"}, "get"),
	rule("", []string{"events"}, "get", "list", "watch"),
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
	nsObj := object("v1", "Namespace", "", home, l)
	nsObj.GetLabels()[LabelRole] = RoleSeatNS
	nsObj.SetLabels(mergeLabels(l, map[string]string{LabelRole: RoleSeatNS}))
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
