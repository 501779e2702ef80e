package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

// warnings collects the API server's warnings (Pod Security's warn mode
// among them), as kubectl prints them.
type warnings struct {
	mu  sync.Mutex
	all []string
}

func (w *warnings) HandleWarningHeader(code int, agent, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all = append(w.all, text)
}

func (w *warnings) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.all, "\n")
}

// seatClient connects as a seat's student, with the kubeconfig podlab
// kubeconfig -seat writes: the seat's own token, nothing of the admin's.
func seatClient(t *testing.T, l *lab, seat string, vars ...string) (*kubernetes.Clientset, dynamic.Interface, *warnings) {
	t.Helper()
	file := filepath.Join(t.TempDir(), seat+".kubeconfig")
	l.must(0, append([]string{"kubeconfig", "-seat", seat, "-out", file}, vars...)...)
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "client-certificate") || !strings.Contains(string(raw), "token:") {
		t.Fatalf("the seat's kubeconfig should hold a token and no admin certificate:\n%s", raw)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", file)
	if err != nil {
		t.Fatal(err)
	}
	w := &warnings{}
	cfg.WarningHandler = w
	return kubernetes.NewForConfigOrDie(cfg), dynamic.NewForConfigOrDie(cfg), w
}

// breakout are the pods the student made to take the node: each
// refused under baseline, each with its own reason.
func breakout() []struct {
	name, reason string
	pod          *corev1.Pod
} {
	container := corev1.Container{Name: "c", Image: "nginx:latest"}
	pod := func(name string, edit func(*corev1.Pod)) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{Containers: []corev1.Container{container}}}
		edit(p)
		return p
	}
	yes := true
	return []struct {
		name, reason string
		pod          *corev1.Pod
	}{
		{"privileged", `privileged (container "c" must not set securityContext.privileged=true)`, pod("priv", func(p *corev1.Pod) {
			p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: &yes}
		})},
		{"hostNetwork", "host namespaces (hostNetwork=true)", pod("hostnet", func(p *corev1.Pod) {
			p.Spec.HostNetwork = true
		})},
		{"hostPath", `hostPath volumes (volume "host")`, pod("hostpath", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}}
			p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "host", MountPath: "/host"}}
		})},
	}
}

// bigPod asks for more memory than a medium seat's whole budget (2Gi).
func bigPod() *corev1.Pod {
	mem := corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("3Gi")}
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "big"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{
		Name: "c", Image: "nginx:latest", Resources: corev1.ResourceRequirements{Requests: mem, Limits: mem},
	}}}}
}

// A seat's student, with the seat's own kubeconfig, cannot take the node
// or starve the class: privileged, hostNetwork and hostPath pods are
// refused by Pod Security, an oversized pod by the seat's quota, and every
// right beyond the lesson's by RBAC. Controls prove each refusal is due to
// what podlab set: with the label or the quota removed, the same request
// is admitted, and podlab puts them back in place. The course's pods,
// which set no resources, are admitted with the LimitRange's defaults,
// whether podlab or the student applies them, and pass their checks.
func TestSeatCannotBreakOut(t *testing.T) {
	l := courseLab(t)
	students := `students=["kim"]`
	res := l.must(0, "apply", "-auto-approve", "-var", students)
	for _, want := range []string{"6 checks: 6 passed, 0 failed.", "Resources: 15 added"} {
		if !strings.Contains(res.stdout, want) {
			t.Fatalf("apply lacks %q:\n%s", want, res.all())
		}
	}
	// The namespaces warn of the next stricter level, and podlab shows
	// the warning as kubectl would.
	if !strings.Contains(res.stderr, `Warning: would violate PodSecurity "restricted:latest"`) {
		t.Errorf("apply should show Pod Security's warning for restricted:\n%s", res.stderr)
	}
	ctx := context.Background()
	admin := l.cluster.Clientset(t)
	nsNginx := "pod-basics-" + l.workspace + "-kim-nginx-pod"
	nsSidecar := "pod-basics-" + l.workspace + "-kim-sidecar"

	// The API server runs the PodSecurity admission plugin (on by
	// default since v1.25): this very test fails without it, as the
	// privileged pod would be admitted. Here is the version it runs.
	if v, err := admin.Discovery().ServerVersion(); err != nil || !strings.HasPrefix(v.GitVersion, "v1.34") {
		t.Errorf("the test cluster runs %v (%v), want v1.34", v, err)
	}
	for _, ns := range []string{nsNginx, nsSidecar, "pod-basics-" + l.workspace + "-kim"} {
		got, err := admin.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for mode, want := range map[string]string{"enforce": "baseline", "warn": "restricted", "audit": "restricted"} {
			if l := got.Labels["pod-security.kubernetes.io/"+mode]; l != want {
				t.Errorf("%s: Pod Security %s %q, want %q", ns, mode, l, want)
			}
		}
	}
	// The course's pods set no resources: the LimitRange gave them some.
	course, err := admin.CoreV1().Pods(nsSidecar).Get(ctx, "my-nginx-pod", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range course.Spec.Containers {
		if c.Resources.Limits.Memory().String() != "256Mi" || c.Resources.Requests.Cpu().String() != "5m" {
			t.Errorf("container %s of the course pod has resources %v, want the seat's defaults", c.Name, c.Resources)
		}
	}

	kim, kimDyn, kimWarnings := seatClient(t, l, "kim", "-var", students)
	create := func(p *corev1.Pod, dryRun bool) error {
		opts := metav1.CreateOptions{}
		if dryRun {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		_, err := kim.CoreV1().Pods(nsNginx).Create(ctx, p.DeepCopy(), opts)
		return err
	}
	for _, tc := range breakout() {
		err := create(tc.pod, false)
		if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `violates PodSecurity "baseline:latest"`) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("kim's %s pod: %v; want it refused by Pod Security for %s", tc.name, err, tc.reason)
		}
	}
	err = create(bigPod(), false)
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "exceeded quota: podlab-seat-quota") || !strings.Contains(err.Error(), "limited: limits.memory=2Gi") {
		t.Errorf("kim's 3Gi pod: %v; want it refused by the seat's quota", err)
	}

	// Rights beyond the lesson's, as the API server decides them for
	// kim's own token.
	for _, ra := range []struct {
		allowed                         bool
		verb, resource, subresource, ns string
		group                           string
	}{
		{true, "create", "pods", "", nsNginx, ""},
		{true, "patch", "pods", "", nsNginx, ""},
		{true, "create", "pods", "exec", nsNginx, ""},
		{true, "get", "pods", "log", nsNginx, ""},
		{true, "list", "resourcequotas", "", nsNginx, ""},
		{false, "create", "pods", "attach", nsNginx, ""},
		{false, "create", "pods", "portforward", nsNginx, ""},
		{false, "patch", "pods", "ephemeralcontainers", nsNginx, ""},
		{false, "update", "pods", "ephemeralcontainers", nsNginx, ""},
		{false, "get", "secrets", "", nsNginx, ""},
		{false, "create", "serviceaccounts", "token", "pod-basics-" + l.workspace + "-kim", ""},
		{false, "patch", "namespaces", "", "", ""},
		{false, "delete", "resourcequotas", "", nsNginx, ""},
		{false, "delete", "limitranges", "", nsNginx, ""},
		{false, "escalate", "roles", "", nsNginx, "rbac.authorization.k8s.io"},
		{false, "bind", "roles", "", nsNginx, "rbac.authorization.k8s.io"},
		{false, "create", "rolebindings", "", nsNginx, "rbac.authorization.k8s.io"},
	} {
		review, err := kim.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{
			Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: ra.ns, Verb: ra.verb, Group: ra.group, Resource: ra.resource, Subresource: ra.subresource,
			}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if review.Status.Allowed != ra.allowed {
			t.Errorf("kim may %s %s/%s in %q: %v, want %v", ra.verb, ra.resource, ra.subresource, ra.ns, review.Status.Allowed, ra.allowed)
		}
	}
	// And, as real requests, the two that would undo the rest.
	if _, err := kim.CoreV1().Namespaces().Patch(ctx, nsNginx, types.MergePatchType,
		[]byte(`{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"privileged"}}}`), metav1.PatchOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("kim relabelled their namespace: %v", err)
	}
	if err := kim.CoreV1().ResourceQuotas(nsNginx).Delete(ctx, "podlab-seat-quota", metav1.DeleteOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("kim deleted their quota: %v", err)
	}

	// Control: without the enforce label, the same pods are admitted (a
	// dry run: nothing runs), so the refusals above were Pod Security's.
	// podlab sees the drift and puts the labels back in place.
	if _, err := admin.CoreV1().Namespaces().Patch(ctx, nsNginx, types.MergePatchType,
		[]byte(`{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":null}}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "control: without the label, kim's privileged pod is admitted", func() error { return create(breakout()[0].pod, true) })
	for _, tc := range breakout() {
		if err := create(tc.pod, true); err != nil {
			t.Errorf("control: without the label, kim's %s pod is still refused: %v", tc.name, err)
		}
	}
	res = l.must(2, "plan", "-detailed-exitcode", "-var", students)
	if !strings.Contains(res.stdout, ".Namespace."+nsNginx+" will be updated in place") || !strings.Contains(res.stdout, "Plan: 0 to add, 1 to change, 0 to destroy.") {
		t.Errorf("the plan should put the label back in place:\n%s", res.stdout)
	}
	l.must(0, "apply", "-auto-approve", "-checks=false", "-var", students)
	eventually(t, "after apply, kim's privileged pod is refused again", func() error { return refused(create(breakout()[0].pod, true)) })
	if err := create(breakout()[0].pod, false); !apierrors.IsForbidden(err) {
		t.Errorf("after apply, kim's privileged pod: %v; want it refused again", err)
	}

	// Control: without the quota, the big pod is admitted.
	if err := admin.CoreV1().ResourceQuotas(nsNginx).Delete(ctx, "podlab-seat-quota", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "control: without the quota, kim's 3Gi pod is admitted", func() error { return create(bigPod(), true) })
	l.must(0, "apply", "-auto-approve", "-checks=false", "-var", students)

	// A changed budget is applied in place: one pod per namespace, which
	// the course's pod already uses.
	quota, err := admin.CoreV1().ResourceQuotas(nsNginx).Get(ctx, "podlab-seat-quota", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	labFile := filepath.Join(l.dir, "lab.podlab.hcl")
	src, err := os.ReadFile(labFile)
	if err != nil {
		t.Fatal(err)
	}
	l.write("lab.podlab.hcl", strings.Replace(string(src), "  max_nodes = var.max_nodes\n", "  max_nodes = var.max_nodes\n  seat_quota {\n    pods = 1\n  }\n", 1))
	res = l.must(2, "plan", "-detailed-exitcode", "-var", students)
	if !strings.Contains(res.stdout, `seat["kim"].exercise.nginx_pod.ResourceQuota.podlab-seat-quota will be updated in place`) ||
		!strings.Contains(res.stdout, `~ spec.hard.pods: "10" -> "1"`) || !strings.Contains(res.stdout, "Plan: 0 to add, 2 to change, 0 to destroy.") {
		t.Errorf("the plan should change both quotas in place:\n%s", res.stdout)
	}
	l.must(0, "apply", "-auto-approve", "-checks=false", "-var", students)
	after, err := admin.CoreV1().ResourceQuotas(nsNginx).Get(ctx, "podlab-seat-quota", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.UID != quota.UID || after.Spec.Hard.Pods().String() != "1" {
		t.Errorf("quota %s with pods=%s after the change; want %s, updated in place", after.UID, after.Spec.Hard.Pods(), quota.UID)
	}
	extra := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "extra"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx:latest"}}}}
	eventually(t, "kim's second pod is refused under pods = 1", func() error { return refused(create(extra, true)) })
	if err := create(extra, false); !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "exceeded quota: podlab-seat-quota, requested: pods=1, used: pods=1, limited: pods=1") {
		t.Errorf("kim's second pod under pods = 1: %v; want it refused by the quota", err)
	}

	// The lesson as the student does it: kubectl delete -f, kubectl
	// apply -f (server-side, as kim), in both exercise namespaces; the
	// pods are admitted and podlab's checks pass on them.
	pods := kim.CoreV1()
	for ns, file := range map[string]string{nsNginx: "nginx-pod.yaml", nsSidecar: "nginx-pod-with-ubuntu.yaml"} {
		zero := int64(0)
		if err := pods.Pods(ns).Delete(ctx, "my-nginx-pod", metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
			t.Fatalf("kim deletes the course pod in %s: %v", ns, err)
		}
		waitPodGone(t, admin, ns, "my-nginx-pod")
		b, err := os.ReadFile(filepath.Join(l.dir, "k8s_yaml", file))
		if err != nil {
			t.Fatal(err)
		}
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(b, &obj.Object); err != nil {
			t.Fatal(err)
		}
		// Under pods = 1, the apply fits once the quota has counted the
		// deleted pod out; a refused apply changes nothing.
		eventually(t, "kim applies "+file+" in "+ns, func() error {
			_, err := kimDyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "pods"}).Namespace(ns).
				Apply(ctx, "my-nginx-pod", obj, metav1.ApplyOptions{FieldManager: "kubectl"})
			return err
		})
	}
	if w := kimWarnings.String(); !strings.Contains(w, `would violate PodSecurity "restricted:latest"`) {
		t.Errorf("applying the course's pods should warn of what restricted needs; warnings: %q", w)
	}
	res = l.must(0, "check", "-var", students, "-seat", "kim")
	if !strings.Contains(res.stdout, "6 checks: 6 passed") {
		t.Errorf("the checks on the pods kim applied:\n%s", res.all())
	}

	l.must(0, "destroy", "-auto-approve", "-var", students, "-grace-period", "0")
	if n := l.labelled(); n != 0 {
		t.Fatalf("%d labelled objects after destroy", n)
	}
}

// waitPodGone waits, by watch and within a minute, until a pod is gone.
func waitPodGone(t *testing.T, cs kubernetes.Interface, ns, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, err := cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if _, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{}); apierrors.IsNotFound(err) {
		return
	}
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("the watch on pod %s/%s ended before it was gone", ns, name)
			}
			if ev.Type == "DELETED" {
				return
			}
		case <-ctx.Done():
			t.Fatalf("pod %s/%s still exists after a minute", ns, name)
		}
	}
}

var _ rest.WarningHandler = (*warnings)(nil)

// eventually waits, within 30 seconds, until try succeeds: admission reads
// namespaces and quotas from caches that follow a change by a moment.
func eventually(t *testing.T, what string, try func() error) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		last = try()
		return last == nil, nil
	})
	if err != nil {
		t.Fatalf("%s: still not so after 30 seconds: %v", what, last)
	}
}

// refused turns a refusal into success, for eventually.
func refused(err error) error {
	if apierrors.IsForbidden(err) {
		return nil
	}
	return fmt.Errorf("not refused: %v", err)
}
