package kubeapi

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podlab/podlab/internal/printable"
)

func podWith(t *testing.T, ready bool, waiting *corev1.ContainerStateWaiting, restarts int32) *unstructured.Unstructured {
	t.Helper()
	p := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}}
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	p.Status.Phase = corev1.PodPending
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}
	cs := corev1.ContainerStatus{Name: "c", RestartCount: restarts}
	if waiting != nil {
		cs.State.Waiting = waiting
	}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{cs}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(p)
	if err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: obj}
}

// A pull that cannot succeed fails at once; one the kubelet will retry
// with success (its pull rate limit) is waited out.
func TestPodReadiness(t *testing.T) {
	for _, tc := range []struct {
		name            string
		ready           bool
		waiting         *corev1.ContainerStateWaiting
		restarts        int32
		wantReady, fail bool
	}{
		{"ready", true, nil, 0, true, false},
		{"creating", false, &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}, 0, false, false},
		{"pull rate limit", false, &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "pull QPS exceeded"}, 0, false, false},
		{"back-off after a rate limit", false, &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: `Back-off pulling image "nginx:latest": pull QPS exceeded`}, 0, false, false},
		{"no such tag", false, &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: `failed to pull and unpack image "docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found`}, 0, false, true},
		{"denied", false, &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "pull access denied, repository does not exist"}, 0, false, true},
		{"invalid name", false, &corev1.ContainerStateWaiting{Reason: "InvalidImageName"}, 0, false, true},
		{"missing config map", false, &corev1.ContainerStateWaiting{Reason: "CreateContainerConfigError", Message: `configmap "x" not found`}, 0, false, true},
		{"crashed once", false, &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}, 1, false, false},
		{"keeps crashing", false, &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}, 2, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ReadinessOf(podWith(t, tc.ready, tc.waiting, tc.restarts))
			if r.Ready != tc.wantReady || (r.Fatal != nil) != tc.fail {
				t.Fatalf("ready %v, fatal %v; want ready %v, fatal %v", r.Ready, r.Fatal, tc.wantReady, tc.fail)
			}
		})
	}
}

// A pod that runs but is not Ready shows why, as its Ready condition
// says, not merely "Running".
func TestRunningButNotReadyStatus(t *testing.T) {
	p := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}}
	p.Status.Phase = corev1.PodRunning
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse,
		Reason: "ContainersNotReady", Message: "containers with unready status: [web]"}}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "web", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(p)
	if err != nil {
		t.Fatal(err)
	}
	r := ReadinessOf(&unstructured.Unstructured{Object: obj})
	if want := "ContainersNotReady: containers with unready status: [web]"; r.Ready || r.Status != want {
		t.Errorf("ready %v, status %q; want not ready, %q", r.Ready, r.Status, want)
	}
	if got := readyCondition(p); got != "condition Ready is False (ContainersNotReady: containers with unready status: [web])" {
		t.Errorf("readyCondition: %q", got)
	}
}

// What a container logs is shown with its control characters escaped.
func TestPrintable(t *testing.T) {
	if got := printable.String("\x1b[2Jred\x1b[0m\ttab\x07"); got != "\\x1b[2Jred\\x1b[0m\ttab\\x07" {
		t.Errorf("%q", got)
	}
}

// A ResourceQuota counts only once the quota controller has taken in its
// current limits and counted the namespace's use: before that, the API
// server refuses every pod of the namespace.
func TestQuotaReadiness(t *testing.T) {
	q := func(specPods, statusPods string, used bool) *unstructured.Unstructured {
		rq := &corev1.ResourceQuota{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ResourceQuota"}}
		rq.Spec.Hard = corev1.ResourceList{corev1.ResourcePods: resource.MustParse(specPods), corev1.ResourceLimitsMemory: resource.MustParse("2Gi")}
		if statusPods != "" {
			rq.Status.Hard = corev1.ResourceList{corev1.ResourcePods: resource.MustParse(statusPods), corev1.ResourceLimitsMemory: resource.MustParse("2048Mi")}
		}
		if used {
			rq.Status.Used = corev1.ResourceList{corev1.ResourcePods: resource.MustParse("0"), corev1.ResourceLimitsMemory: resource.MustParse("0")}
		}
		obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(rq)
		if err != nil {
			t.Fatal(err)
		}
		return &unstructured.Unstructured{Object: obj}
	}
	for _, tc := range []struct {
		name  string
		obj   *unstructured.Unstructured
		ready bool
	}{
		{"just created", q("10", "", false), false},
		{"limits taken in, use not counted", q("10", "10", false), false},
		{"counted", q("10", "10", true), true},
		{"changed, old limits in status", q("5", "10", true), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ReadinessOf(tc.obj)
			if r.Ready != tc.ready || r.Fatal != nil {
				t.Errorf("ready %v (%s), fatal %v; want ready %v", r.Ready, r.Status, r.Fatal, tc.ready)
			}
		})
	}
}
