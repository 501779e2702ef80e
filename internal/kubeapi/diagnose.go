package kubeapi

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podlab/podlab/internal/printable"
)

// logTailLines is how much of a crashed container's log a failure shows:
// enough for the message that explains it, short enough to read.
const logTailLines = 10

// PodWarning is the newest Warning event about a pod, as kubectl describe
// shows it: "Readiness probe failed: HTTP probe failed with statuscode:
// 404", with the container it concerns when the event names one.
type PodWarning struct {
	Reason    string
	Message   string
	Container string
	Count     int32
}

func (w *PodWarning) String() string {
	s := strings.TrimSpace(w.Message)
	if w.Container != "" {
		s = "container " + w.Container + ": " + s
	}
	if w.Count > 1 {
		s += fmt.Sprintf(" (%d times)", w.Count)
	}
	return s
}

// LastPodWarning returns the pod's newest Warning event, or nil when it
// has none. Events are found by the pod's uid, so an older pod of the same
// name does not speak for this one.
func (c *Client) LastPodWarning(ctx context.Context, pod *unstructured.Unstructured) (*PodWarning, error) {
	sel := fields.Set{"involvedObject.uid": string(pod.GetUID()), "type": corev1.EventTypeWarning}
	list, err := c.Clientset.CoreV1().Events(pod.GetNamespace()).List(ctx, metav1.ListOptions{FieldSelector: sel.String()})
	if err != nil {
		return nil, err
	}
	if len(list.Items) == 0 {
		return nil, nil
	}
	sort.SliceStable(list.Items, func(i, j int) bool { return eventTime(&list.Items[i]).Before(eventTime(&list.Items[j])) })
	ev := list.Items[len(list.Items)-1]
	w := &PodWarning{Reason: ev.Reason, Message: printable.String(strings.ReplaceAll(ev.Message, "\n", " ")), Count: ev.Count}
	if ev.Series != nil && ev.Series.Count > w.Count {
		w.Count = ev.Series.Count
	}
	// fieldPath is "spec.containers{web}" for a container's event.
	if fp := ev.InvolvedObject.FieldPath; strings.HasSuffix(fp, "}") {
		if i := strings.Index(fp, "{"); i >= 0 {
			w.Container = fp[i+1 : len(fp)-1]
		}
	}
	return w, nil
}

// eventTime is when the event last happened, whichever of its times the
// component that recorded it set.
func eventTime(ev *corev1.Event) time.Time {
	switch {
	case ev.Series != nil && !ev.Series.LastObservedTime.IsZero():
		return ev.Series.LastObservedTime.Time
	case !ev.LastTimestamp.IsZero():
		return ev.LastTimestamp.Time
	case !ev.EventTime.IsZero():
		return ev.EventTime.Time
	}
	return ev.CreationTimestamp.Time
}

// NotReadyReason says why a pod is not Ready: its Ready condition (reason
// and message) and the newest Warning event about it, which is where the
// kubelet says why a readiness probe failed. It is for an error message
// and never fails: what cannot be read is left out.
func (c *Client) NotReadyReason(ctx context.Context, u *unstructured.Unstructured) string {
	var p corev1.Pod
	if u == nil || runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &p) != nil {
		return ""
	}
	var parts []string
	if cond := readyCondition(&p); cond != "" {
		parts = append(parts, cond)
	}
	if w, err := c.LastPodWarning(ctx, u); err == nil && w != nil {
		parts = append(parts, "last warning: "+w.String())
	}
	return strings.Join(parts, "; ")
}

// readyCondition describes a pod's Ready condition when it is not true:
// "condition Ready is False (ContainersNotReady: containers with unready
// status: [web])".
func readyCondition(p *corev1.Pod) string {
	for _, c := range p.Status.Conditions {
		if c.Type != corev1.PodReady || c.Status == corev1.ConditionTrue {
			continue
		}
		s := fmt.Sprintf("condition Ready is %s", c.Status)
		if c.Reason != "" || c.Message != "" {
			s += fmt.Sprintf(" (%s)", strings.Trim(c.Reason+": "+c.Message, ": "))
		}
		return s
	}
	return ""
}

// CrashReport says why a pod's container failed: its name, exit code and
// reason, and the last lines of its log (the previous container's, as
// kubectl logs --previous shows, when the kubelet restarted it). It is
// for an error message and never fails: what cannot be read is left out.
func (c *Client) CrashReport(ctx context.Context, u *unstructured.Unstructured) string {
	var p corev1.Pod
	if u == nil || runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &p) != nil {
		return ""
	}
	statuses := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	var parts []string
	for _, cs := range statuses {
		t, previous := cs.State.Terminated, false
		if t == nil && cs.LastTerminationState.Terminated != nil {
			t, previous = cs.LastTerminationState.Terminated, true
		}
		if t == nil || (t.ExitCode == 0 && t.Reason == "Completed") {
			continue
		}
		s := fmt.Sprintf("container %s exited with code %d", cs.Name, t.ExitCode)
		if t.Reason != "" {
			s += " (" + t.Reason + ")"
		}
		if t.Message != "" {
			s += ": " + strings.TrimSpace(t.Message)
		}
		if previous {
			s += fmt.Sprintf(", restarted %d times", cs.RestartCount)
		}
		if tail := c.logTail(ctx, p.Namespace, p.Name, cs.Name, previous); tail != "" {
			flag := ""
			if previous {
				flag = " --previous"
			}
			s += fmt.Sprintf("; the last lines of its log (kubectl logs -n %s %s -c %s%s):\n%s", p.Namespace, p.Name, cs.Name, flag, tail)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "\n")
}

// logTail is the last lines of a container's log, each indented.
func (c *Client) logTail(ctx context.Context, namespace, pod, container string, previous bool) string {
	n := int64(logTailLines)
	limit := int64(16 << 10)
	opts := &corev1.PodLogOptions{Container: container, Previous: previous, TailLines: &n, LimitBytes: &limit}
	b, err := c.Clientset.CoreV1().Pods(namespace).GetLogs(pod, opts).DoRaw(ctx)
	if err != nil {
		return ""
	}
	text := strings.TrimRight(string(b), "\n")
	if strings.TrimSpace(text) == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = "    " + printable.String(strings.TrimRight(l, "\r"))
	}
	return strings.Join(lines, "\n")
}
