package e2e

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The course lab through the built binary: apply, a second apply that
// changes nothing (and writes nothing), destroy leaving nothing labelled.
func TestCourseLabApplyIdempotentDestroy(t *testing.T) {
	l := courseLab(t)
	res := l.must(0, "apply", "-auto-approve", "-checks=false")
	if !strings.Contains(res.stdout, "Apply complete! Resources: 5 added, 0 changed, 0 destroyed.") {
		t.Fatalf("apply summary missing:\n%s", res.all())
	}
	st := l.state()
	if st == nil || len(st.Objects) != 5 {
		t.Fatalf("state should record 2 pods and 3 namespaces (the exercises' and the probes'), has %+v", st)
	}
	pod := st.Object("exercise.nginx_pod.Pod.my-nginx-pod")
	if pod == nil || pod.UID == "" || pod.Attributes["ip"] == "" {
		t.Fatalf("the nginx pod is not recorded with its uid and ip: %+v", pod)
	}
	out := l.must(0, "output", "-raw", "nginx_pod_ip")
	if out.stdout != pod.Attributes["ip"] {
		t.Errorf("output nginx_pod_ip = %q, state has %q", out.stdout, pod.Attributes["ip"])
	}
	// Both pods are named my-nginx-pod, side by side in their namespaces.
	cs := l.cluster.Clientset(t)
	for _, ns := range []string{"pod-basics-" + l.workspace + "-nginx-pod", "pod-basics-" + l.workspace + "-sidecar"} {
		p, err := cs.CoreV1().Pods(ns).Get(context.Background(), "my-nginx-pod", metav1.GetOptions{})
		if err != nil {
			t.Fatalf("pod in %s: %v", ns, err)
		}
		if p.Labels["app.kubernetes.io/managed-by"] != "podlab" || p.Labels["podlab.dev/env"] == "" {
			t.Errorf("pod in %s lacks podlab's labels: %v", ns, p.Labels)
		}
		if p.ManagedFields[0].Manager != "podlab" {
			t.Errorf("pod in %s was not applied by field manager podlab: %v", ns, p.ManagedFields[0].Manager)
		}
	}

	serial := l.state().Serial
	res, stats := l.apiStats(0, "apply", "-auto-approve", "-checks=false")
	if !strings.Contains(res.stdout, "No changes.") {
		t.Errorf("second apply should say No changes:\n%s", res.all())
	}
	if stats["writes"] != 0 {
		t.Errorf("second apply made %d write requests, want 0", stats["writes"])
	}
	if l.state().Serial != serial {
		t.Errorf("second apply wrote state (serial %d → %d)", serial, l.state().Serial)
	}

	res = l.must(0, "destroy", "-auto-approve")
	if !strings.Contains(res.stdout, "Destroy complete! Resources: 5 destroyed.") {
		t.Errorf("destroy summary:\n%s", res.all())
	}
	if n := l.labelled(); n != 0 {
		t.Fatalf("%d labelled objects left after destroy", n)
	}
	if st := l.state(); len(st.Objects) != 0 {
		t.Errorf("state still records %d objects", len(st.Objects))
	}

	// Destroy then apply gives the same objects with the same names.
	l.must(0, "apply", "-auto-approve", "-checks=false")
	again := l.state()
	for _, o := range st.Objects {
		if again.Object(o.Address) == nil {
			t.Errorf("re-apply lacks %s", o.Address)
		}
	}
	if len(again.Objects) != 5 {
		t.Errorf("re-apply recorded %d objects, want 5", len(again.Objects))
	}
}

func TestDrift(t *testing.T) {
	l := courseLab(t)
	l.must(0, "apply", "-auto-approve", "-checks=false")
	cs := l.cluster.Clientset(t)
	ctx := context.Background()
	nginxNS := "pod-basics-" + l.workspace + "-nginx-pod"
	sidecarNS := "pod-basics-" + l.workspace + "-sidecar"

	zero := int64(0)
	if err := cs.CoreV1().Pods(nginxNS).Delete(ctx, "my-nginx-pod", metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	p, err := cs.CoreV1().Pods(sidecarNS).Get(ctx, "my-nginx-pod", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p.Labels["podlab.dev/exercise"] = "edited-by-hand"
	if _, err := cs.CoreV1().Pods(sidecarNS).Update(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	res := l.must(2, "plan", "-detailed-exitcode")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`# exercise\.nginx_pod\.Pod\.my-nginx-pod will be created\n\s+# \(it was deleted outside podlab\)`),
		regexp.MustCompile(`# exercise\.sidecar\.Pod\.my-nginx-pod will be updated in place`),
		regexp.MustCompile(`~ metadata\.labels\.podlab\.dev/exercise: "edited-by-hand" -> "sidecar"`),
		regexp.MustCompile(`Plan: 1 to add, 1 to change, 0 to destroy\.`),
	} {
		if !want.MatchString(res.stdout) {
			t.Errorf("plan lacks %s:\n%s", want, res.stdout)
		}
	}
	l.must(0, "apply", "-auto-approve", "-checks=false")
	res = l.must(0, "plan", "-detailed-exitcode")
	if !strings.Contains(res.stdout, "No changes.") {
		t.Errorf("after apply, plan should show no changes:\n%s", res.stdout)
	}
}

func TestImageChangeReplacesPod(t *testing.T) {
	l := courseLab(t)
	l.must(0, "apply", "-auto-approve", "-checks=false")
	before := l.state().Object("exercise.nginx_pod.Pod.my-nginx-pod").UID

	manifest := l.dir + "/k8s_yaml/nginx-pod.yaml"
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	// Same image content under another tag: the test cluster's registry
	// serves the image by every tag it was pushed under.
	l.write("k8s_yaml/nginx-pod.yaml", strings.Replace(string(b), "image: nginx:latest", "image: docker.io/library/nginx:latest", 1))
	res := l.must(2, "plan", "-detailed-exitcode")
	for _, want := range []string{
		"# exercise.nginx_pod.Pod.my-nginx-pod must be replaced",
		"-/+ Pod \"my-nginx-pod\"",
		`~ spec.containers[0].image: "nginx:latest" -> "docker.io/library/nginx:latest" # forces replacement`,
		"Plan: 1 to add, 0 to change, 1 to destroy.",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, res.stdout)
		}
	}
	l.must(0, "apply", "-auto-approve", "-checks=false")
	after := l.state().Object("exercise.nginx_pod.Pod.my-nginx-pod")
	if after.UID == before {
		t.Errorf("the pod was not replaced (same uid %s)", before)
	}
	p, err := l.cluster.Clientset(t).CoreV1().Pods("pod-basics-"+l.workspace+"-nginx-pod").Get(context.Background(), "my-nginx-pod", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Spec.Containers[0].Image; got != "docker.io/library/nginx:latest" {
		t.Errorf("image is %q after replacement", got)
	}
	if p.Status.ContainerStatuses[0].RestartCount != 0 {
		t.Errorf("the replaced pod has %d restarts, want a fresh pod", p.Status.ContainerStatuses[0].RestartCount)
	}
}

// -replace resets what a student broke from inside, where the API shows no
// drift: the named exercise's pod is deleted and created again, the other
// one is left alone, and the checks pass on the fresh pod.
func TestApplyReplace(t *testing.T) {
	l := courseLab(t)
	l.must(0, "apply", "-auto-approve", "-checks=false")
	nginxBefore := l.state().Object("exercise.nginx_pod.Pod.my-nginx-pod").UID
	sidecarBefore := l.state().Object("exercise.sidecar.Pod.my-nginx-pod").UID

	res := l.must(0, "plan", "-replace", "exercise.nginx_pod")
	for _, want := range []string{
		"# exercise.nginx_pod.Pod.my-nginx-pod must be replaced",
		"# (replacement requested with -replace)",
		"Plan: 1 to add, 0 to change, 1 to destroy.",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("plan -replace lacks %q:\n%s", want, res.stdout)
		}
	}
	res = l.must(0, "apply", "-auto-approve", "-replace", "exercise.nginx_pod", "-grace-period", "0")
	if !strings.Contains(res.stdout, "Resources: 1 added, 0 changed, 1 destroyed.") || !strings.Contains(res.stdout, "6 checks: 6 passed") {
		t.Errorf("apply -replace:\n%s", res.all())
	}
	if uid := l.state().Object("exercise.nginx_pod.Pod.my-nginx-pod").UID; uid == nginxBefore {
		t.Errorf("the nginx pod was not replaced (same uid %s)", uid)
	}
	if uid := l.state().Object("exercise.sidecar.Pod.my-nginx-pod").UID; uid != sidecarBefore {
		t.Errorf("the sidecar pod was replaced too (uid %s → %s)", sidecarBefore, uid)
	}
	res = l.must(1, "apply", "-auto-approve", "-replace", "exercise.nginx")
	if !strings.Contains(res.stderr, "-replace exercise.nginx: no object") {
		t.Errorf("a -replace address that names nothing:\n%s", res.all())
	}
	l.must(0, "destroy", "-auto-approve", "-grace-period", "0")
}

// manyExercises is a lab of n exercises, each one nginx pod.
func manyExercises(t *testing.T, name string, n int) *lab {
	var b strings.Builder
	fmt.Fprintf(&b, "lab {\n  name = %q\n}\ncluster \"kubeconfig\" {\n  kubeconfig {}\n}\nvariable \"target\" {\n  default = \"kubeconfig\"\n}\nvariable \"note\" {\n  default = \"\"\n}\n", name)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "exercise \"ex%02d\" {\n  manifests = [file(\"pod.yaml\")]\n  check \"ready\" {\n    ready {\n      pod = \"web\"\n    }\n  }\n}\n", i)
	}
	return newLab(t, map[string]string{
		"lab.podlab.hcl": b.String(),
		"pod.yaml":       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: nginx\n    image: nginx:latest\n",
	})
}

func TestTwentyExercisesInParallel(t *testing.T) {
	l := manyExercises(t, "twenty", 20)
	res := l.must(0, "apply", "-auto-approve", "-parallelism", "10")
	if !strings.Contains(res.stdout, "Resources: 40 added") {
		t.Errorf("apply summary:\n%s", res.all())
	}
	if !strings.Contains(res.stdout, "20 checks: 20 passed, 0 failed.") {
		t.Errorf("checks:\n%s", res.stdout)
	}
	if n := l.labelled(); n != 40 {
		t.Errorf("%d labelled namespaces and pods, want 40", n)
	}
	l.must(0, "destroy", "-auto-approve")
	if n := l.labelled(); n != 0 {
		t.Errorf("%d labelled objects after destroy", n)
	}
}
