package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// seatLab is a class lab of one pod per seat, the seats from a variable.
func seatLab(t *testing.T) *lab {
	t.Helper()
	return newLab(t, map[string]string{
		"lab.podlab.hcl": `lab {
  name  = "tgt"
  seats = var.students
}
variable "students" {
  type    = list(string)
  default = ["kim", "lee"]
}
variable "target" {
  default = "kubeconfig"
}
cluster "kubeconfig" {
  kubeconfig {}
}
exercise "web" {
  manifests = [file("pod.yaml")]
  check "running" {
    ready { pod = "web" }
  }
}
`,
		"pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: nginx\n    image: nginx:latest\n",
	})
}

// uids maps each seat's namespace and pod to its UID, as the cluster has
// them ("" when gone or going).
func (l *lab) uids(seats ...string) map[string]string {
	l.t.Helper()
	cs := l.cluster.Clientset(l.t)
	ctx := context.Background()
	out := map[string]string{}
	for _, s := range seats {
		ns := "tgt-" + l.workspace + "-" + s + "-web"
		if n, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err == nil && n.DeletionTimestamp == nil {
			out[ns] = string(n.UID)
		} else {
			out[ns] = ""
		}
		if p, err := cs.CoreV1().Pods(ns).Get(ctx, "web", metav1.GetOptions{}); err == nil && p.DeletionTimestamp == nil {
			out[ns+"/web"] = string(p.UID)
		} else {
			out[ns+"/web"] = ""
		}
	}
	return out
}

// -target of a seat adds one student, whose kubeconfig works at once, and
// removes another, without touching the rest (compared by UID).
func TestTargetOneSeat(t *testing.T) {
	l := seatLab(t)
	two, three := `students=["kim","lee"]`, `students=["kim","lee","new"]`
	l.must(0, "apply", "-auto-approve", "-var", two)
	before := l.uids("kim", "lee")
	for k, v := range before {
		if v == "" {
			t.Fatalf("%s is missing after apply", k)
		}
	}

	res := l.must(0, "apply", "-auto-approve", "-var", three, "-target", `seat["new"]`)
	if !strings.Contains(res.stderr, "Resource targeting is in effect") || !strings.Contains(res.stderr, "Applied changes may be incomplete") {
		t.Errorf("a targeted apply should warn that it is partial:\n%s", res.stderr)
	}
	if !strings.Contains(res.stdout, "1 checks: 1 passed") {
		t.Errorf("a targeted apply runs the new seat's check only:\n%s", res.stdout)
	}
	after := l.uids("kim", "lee", "new")
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: uid %q, was %q: touched by the targeted apply", k, after[k], v)
		}
	}
	newNS := "tgt-" + l.workspace + "-new-web"
	if after[newNS+"/web"] == "" {
		t.Fatalf("the new seat's pod was not created: %v", after)
	}

	kcfg := filepath.Join(t.TempDir(), "new.kubeconfig")
	l.must(0, "kubeconfig", "-var", three, "-seat", "new", "-out", kcfg)
	cfg, err := clientcmd.BuildConfigFromFlags("", kcfg)
	if err != nil {
		t.Fatal(err)
	}
	pods, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Pods(newNS).List(context.Background(), metav1.ListOptions{})
	if err != nil || len(pods.Items) != 1 {
		t.Fatalf("the new seat's token cannot list its pod: %v", err)
	}

	res = l.must(0, "destroy", "-auto-approve", "-var", three, "-target", `seat["lee"]`, "-grace-period", "0")
	if !strings.Contains(res.stdout, "Destroy complete!") {
		t.Errorf("destroy -target:\n%s", res.all())
	}
	left := l.uids("kim", "lee", "new")
	for _, k := range []string{"tgt-" + l.workspace + "-kim-web", "tgt-" + l.workspace + "-kim-web/web", newNS, newNS + "/web"} {
		if left[k] != after[k] {
			t.Errorf("%s: uid %q, was %q: touched by destroy -target seat[\"lee\"]", k, left[k], after[k])
		}
	}
	if lee := "tgt-" + l.workspace + "-lee-web"; left[lee] != "" || left[lee+"/web"] != "" {
		t.Errorf("lee's namespace or pod is still there: %v", left)
	}
	for _, o := range l.state().Objects {
		if o.Seat == "lee" {
			t.Errorf("state still records %s", o.Address)
		}
	}
	if res := l.must(0, "plan", "-detailed-exitcode", "-var", `students=["kim","new"]`); !strings.Contains(res.stdout, "No changes.") {
		t.Errorf("after the seat left, a plan of the rest should find nothing to do:\n%s", res.stdout)
	}
	l.must(0, "destroy", "-auto-approve", "-var", `students=["kim","new"]`, "-grace-period", "0")
}

// show of a saved plan against the cluster prints what plan printed.
func TestShowSavedPlanOnCluster(t *testing.T) {
	l := courseLab(t)
	l.must(0, "apply", "-auto-approve", "-checks=false")
	// A student deletes the pod: the plan has a create with a reason.
	cs := l.cluster.Clientset(t)
	ns := "pod-basics-" + l.workspace + "-nginx-pod"
	zero := int64(0)
	if err := cs.CoreV1().Pods(ns).Delete(context.Background(), "my-nginx-pod", metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	planned := l.must(0, "plan", "-out", "p.plan")
	want, _, ok := strings.Cut(planned.stdout, "\nSaved the plan to p.plan.")
	if !ok || !strings.Contains(want, "deleted outside podlab") {
		t.Fatalf("plan:\n%s", planned.stdout)
	}
	shown := l.must(0, "show", "p.plan")
	if shown.stdout != want {
		t.Errorf("show differs from plan.\nshow:\n%s\nplan:\n%s", shown.stdout, want)
	}
	l.must(0, "apply", "p.plan", "-checks=false")
	l.must(0, "plan", "-destroy", "-out", "d.plan")
	res := l.must(0, "apply", "d.plan", "-grace-period", "0")
	if !strings.Contains(res.stdout, "Destroy complete!") {
		t.Errorf("apply of a saved destroy plan:\n%s", res.all())
	}
	if n := l.labelled(); n != 0 {
		t.Errorf("%d labelled objects after applying the destroy plan", n)
	}
}

// A workspace made and selected with the workspace command is used by
// every command without -workspace or PODLAB_WORKSPACE.
func TestWorkspaceRoundTripOnCluster(t *testing.T) {
	l := seatLab(t)
	var env []string
	for _, e := range l.env {
		if !strings.HasPrefix(e, "PODLAB_WORKSPACE=") {
			env = append(env, e)
		}
	}
	l.env = env
	if res := l.must(0, "workspace", "new", l.workspace); !strings.Contains(res.stdout, "Created and switched") {
		t.Fatalf("workspace new:\n%s", res.all())
	}
	l.must(0, "apply", "-auto-approve", "-checks=false")
	if got := l.uids("kim"); got["tgt-"+l.workspace+"-kim-web/web"] == "" {
		t.Fatalf("the selected workspace's namespaces were not used: %v", got)
	}
	if _, err := os.Stat(l.statePath()); err != nil {
		t.Fatalf("no state in the workspace: %v", err)
	}
	l.must(0, "workspace", "select", "default")
	if res := l.must(0, "state", "list"); strings.TrimSpace(res.stdout) != "" {
		t.Errorf("the default workspace has state:\n%s", res.stdout)
	}
	if res := l.run("workspace", "delete", l.workspace); res.code != 1 || !strings.Contains(res.stderr, "still has objects") {
		t.Errorf("delete of a workspace with objects: %d\n%s", res.code, res.all())
	}
	l.must(0, "destroy", "-auto-approve", "-workspace", l.workspace, "-grace-period", "0")
	l.must(0, "workspace", "delete", l.workspace)
	if res := l.must(0, "workspace", "list"); strings.Contains(res.stdout, l.workspace) {
		t.Errorf("workspace list after delete:\n%s", res.stdout)
	}
	if n := l.labelled(); n != 0 {
		t.Errorf("%d labelled objects left", n)
	}
}

// -refresh-only after a student's change: the state records it, the
// cluster is left as the student left it.
func TestRefreshOnlyAfterStudentChange(t *testing.T) {
	l := seatLab(t)
	l.must(0, "apply", "-auto-approve", "-checks=false")
	cs := l.cluster.Clientset(t)
	ctx := context.Background()
	kimNS := "tgt-" + l.workspace + "-kim-web"
	zero := int64(0)
	if err := cs.CoreV1().Pods(kimNS).Delete(ctx, "web", metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	before := l.uids("lee")
	res := l.must(0, "plan", "-refresh-only")
	if !strings.Contains(res.stdout, `seat["kim"].exercise.web.Pod.web is gone from the cluster and will be removed from state`) {
		t.Errorf("plan -refresh-only:\n%s", res.stdout)
	}
	res = l.must(0, "apply", "-refresh-only", "-auto-approve")
	if !strings.Contains(res.stdout, "nothing in the cluster was changed") {
		t.Errorf("apply -refresh-only:\n%s", res.all())
	}
	for _, o := range l.state().Objects {
		if o.Address == `seat["kim"].exercise.web.Pod.web` {
			t.Errorf("the state still records the pod the student deleted")
		}
	}
	after := l.uids("kim", "lee")
	if after[kimNS+"/web"] != "" {
		t.Errorf("apply -refresh-only created the pod again")
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed: %q, was %q", k, after[k], v)
		}
	}
	if res := l.must(0, "plan"); !strings.Contains(res.stdout, `seat["kim"].exercise.web.Pod.web will be created`) {
		t.Errorf("the next plan should create the pod:\n%s", res.stdout)
	}
	l.must(0, "destroy", "-auto-approve", "-grace-period", "0")
}
