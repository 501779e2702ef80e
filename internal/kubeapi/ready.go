package kubeapi

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// Readiness is what an object's status says about it.
type Readiness struct {
	Ready bool
	// Status is a short word for progress output ("ContainerCreating").
	Status string
	// Fatal is set when the object will not become ready without a change
	// (a bad image, a crashing container, a failed Job).
	Fatal error
}

// ReadinessOf applies podlab's readiness rule for the object's kind:
//   - Pod: the Ready condition is true (or, for a pod that runs to
//     completion, phase Succeeded). A pull that cannot succeed (an image
//     or tag the registry does not have, access denied, an invalid name),
//     a container whose configuration is missing, or one that keeps
//     crashing (CrashLoopBackOff after two restarts) is fatal at once:
//     podlab does not wait out the kubelet's back-off. A pull that failed
//     for a passing reason (the kubelet's pull rate limit, a timeout) is
//     waited out.
//   - Deployment, ReplicaSet, StatefulSet: every replica updated and
//     available (ready, for a StatefulSet) for the latest generation.
//   - DaemonSet: ready on every node it is scheduled to.
//   - Job: complete; failed is fatal.
//   - ResourceQuota: the quota controller has counted its limits.
//   - Anything else: ready as soon as the API server has stored it.
func ReadinessOf(u *unstructured.Unstructured) Readiness {
	gvk := u.GroupVersionKind()
	switch {
	case gvk.Group == "" && gvk.Kind == "Pod":
		var p corev1.Pod
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &p); err != nil {
			return Readiness{Fatal: err}
		}
		return podReadiness(&p)
	case gvk.Group == "apps" && gvk.Kind == "Deployment":
		var d appsv1.Deployment
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &d); err != nil {
			return Readiness{Fatal: err}
		}
		want := int32(1)
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		st := d.Status
		ok := st.ObservedGeneration >= d.Generation && st.UpdatedReplicas == want && st.AvailableReplicas == want && st.Replicas == want
		return Readiness{Ready: ok, Status: fmt.Sprintf("%d/%d available", st.AvailableReplicas, want)}
	case gvk.Group == "apps" && gvk.Kind == "ReplicaSet":
		var r appsv1.ReplicaSet
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &r); err != nil {
			return Readiness{Fatal: err}
		}
		want := int32(1)
		if r.Spec.Replicas != nil {
			want = *r.Spec.Replicas
		}
		ok := r.Status.ObservedGeneration >= r.Generation && r.Status.AvailableReplicas == want
		return Readiness{Ready: ok, Status: fmt.Sprintf("%d/%d available", r.Status.AvailableReplicas, want)}
	case gvk.Group == "apps" && gvk.Kind == "StatefulSet":
		var s appsv1.StatefulSet
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &s); err != nil {
			return Readiness{Fatal: err}
		}
		want := int32(1)
		if s.Spec.Replicas != nil {
			want = *s.Spec.Replicas
		}
		st := s.Status
		ok := st.ObservedGeneration >= s.Generation && st.ReadyReplicas == want && st.UpdatedReplicas == want
		return Readiness{Ready: ok, Status: fmt.Sprintf("%d/%d ready", st.ReadyReplicas, want)}
	case gvk.Group == "apps" && gvk.Kind == "DaemonSet":
		var d appsv1.DaemonSet
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &d); err != nil {
			return Readiness{Fatal: err}
		}
		st := d.Status
		ok := st.ObservedGeneration >= d.Generation && st.DesiredNumberScheduled > 0 && st.NumberReady == st.DesiredNumberScheduled && st.UpdatedNumberScheduled == st.DesiredNumberScheduled
		return Readiness{Ready: ok, Status: fmt.Sprintf("%d/%d ready", st.NumberReady, st.DesiredNumberScheduled)}
	case gvk.Group == "batch" && gvk.Kind == "Job":
		var j batchv1.Job
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &j); err != nil {
			return Readiness{Fatal: err}
		}
		for _, c := range j.Status.Conditions {
			if c.Status != corev1.ConditionTrue {
				continue
			}
			switch c.Type {
			case batchv1.JobComplete:
				return Readiness{Ready: true, Status: "complete"}
			case batchv1.JobFailed:
				return Readiness{Fatal: fmt.Errorf("the Job failed: %s %s", c.Reason, c.Message)}
			}
		}
		return Readiness{Status: fmt.Sprintf("%d succeeded", j.Status.Succeeded)}
	case gvk.Group == "" && gvk.Kind == "ResourceQuota":
		var q corev1.ResourceQuota
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &q); err != nil {
			return Readiness{Fatal: err}
		}
		return quotaReadiness(&q)
	}
	return Readiness{Ready: true, Status: "stored"}
}

// quotaReadiness: a ResourceQuota counts once the quota controller has
// taken in its limits and counted what the namespace uses. Until then the
// API server refuses every pod of the namespace ("status unknown for
// quota"), so pods wait for it.
func quotaReadiness(q *corev1.ResourceQuota) Readiness {
	for name, want := range q.Spec.Hard {
		got, ok := q.Status.Hard[name]
		if _, counted := q.Status.Used[name]; !ok || !counted || got.Cmp(want) != 0 {
			return Readiness{Status: "waiting for the quota controller to count " + string(name)}
		}
	}
	return Readiness{Ready: true, Status: "counted"}
}

// permanentPull are the kubelet's (and registries') words for a pull that
// will fail again however often it is tried.
var permanentPull = []string{
	"not found", "manifest unknown", "unauthorized", "denied", "no such host",
	"repository does not exist", "invalid reference format", "name unknown",
}

// fatal tells whether a waiting container will stay stuck.
func fatal(cs corev1.ContainerStatus) bool {
	w := cs.State.Waiting
	switch w.Reason {
	case "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError":
		return true
	case "CrashLoopBackOff":
		return cs.RestartCount >= 2
	case "ErrImagePull", "ImagePullBackOff":
		msg := strings.ToLower(w.Message)
		for _, p := range permanentPull {
			if strings.Contains(msg, p) {
				return true
			}
		}
	}
	return false
}

func podReadiness(p *corev1.Pod) Readiness {
	switch p.Status.Phase {
	case corev1.PodSucceeded:
		return Readiness{Ready: true, Status: "Succeeded"}
	case corev1.PodFailed:
		return Readiness{Fatal: fmt.Errorf("the pod failed: %s", podMessage(p))}
	}
	statuses := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, cs := range statuses {
		if w := cs.State.Waiting; w != nil && fatal(cs) {
			// ErrImagePull is the first failure: the kubelet has tried
			// once; anything in back-off has failed at least twice.
			return Readiness{Status: w.Reason, Fatal: fmt.Errorf("container %s: %s: %s", cs.Name, w.Reason, strings.TrimSpace(w.Message))}
		}
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return Readiness{Ready: true, Status: "Running"}
		}
	}
	return Readiness{Status: podStatusWord(p)}
}

// podStatusWord says what kubectl get pods would show in STATUS.
func podStatusWord(p *corev1.Pod) string {
	for _, cs := range p.Status.ContainerStatuses {
		if w := cs.State.Waiting; w != nil && w.Reason != "" {
			return w.Reason
		}
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
			return "Unschedulable: " + c.Message
		}
	}
	// Running but not Ready: the Ready condition says why, as far as the
	// pod knows ("ContainersNotReady: containers with unready status:
	// [web]"); the probe's own words are in its events.
	for _, c := range p.Status.Conditions {
		if p.Status.Phase == corev1.PodRunning && c.Type == corev1.PodReady && c.Status != corev1.ConditionTrue && c.Reason != "" {
			return strings.Trim(c.Reason+": "+c.Message, ": ")
		}
	}
	if p.Status.Phase != "" {
		return string(p.Status.Phase)
	}
	return "Pending"
}

func podMessage(p *corev1.Pod) string {
	for _, cs := range p.Status.ContainerStatuses {
		if t := cs.State.Terminated; t != nil {
			return fmt.Sprintf("container %s exited %d (%s)", cs.Name, t.ExitCode, t.Reason)
		}
	}
	if p.Status.Message != "" {
		return p.Status.Message
	}
	return string(p.Status.Phase)
}
