package check

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/kubeapi"
)

// targetPod resolves a check's pod (by name, or the first Ready pod a
// selector matches) and requires it to be Ready: a check runs once the
// objects it names are ready.
func (r *Runner) targetPod(ctx context.Context, ns, name, selector string) (*corev1.Pod, *outcome, error) {
	pods := r.Client.Clientset.CoreV1().Pods(ns)
	if name != "" {
		p, err := pods.Get(ctx, name, metav1.GetOptions{})
		if kubeapi.IsNotFound(err) {
			return nil, &outcome{expected: fmt.Sprintf("pod %s to exist", name), seen: r.missingPod(ctx, ns, name),
				try: fmt.Sprintf("kubectl get pods -n %s", ns)}, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if !podReady(p) {
			return nil, &outcome{expected: fmt.Sprintf("pod %s to be ready", name), seen: podLine(p),
				try: fmt.Sprintf("kubectl describe pod -n %s %s", ns, name)}, nil
		}
		return p, nil, nil
	}
	list, err := pods.List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, nil, err
	}
	for i := range list.Items {
		if podReady(&list.Items[i]) {
			return &list.Items[i], nil, nil
		}
	}
	return nil, &outcome{expected: fmt.Sprintf("a ready pod matching %s", selector), seen: fmt.Sprintf("%d matching pod(s), none ready", len(list.Items)),
		try: fmt.Sprintf("kubectl get pods -n %s -l %s", ns, selector)}, nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func restarts(p *corev1.Pod) int {
	n := 0
	for _, cs := range p.Status.ContainerStatuses {
		n += int(cs.RestartCount)
	}
	return n
}

// podLine describes a pod as kubectl get pods does: NAME READY STATUS
// RESTARTS.
func podLine(p *corev1.Pod) string {
	ready := 0
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Ready {
			ready++
		}
	}
	status := string(p.Status.Phase)
	for _, cs := range p.Status.ContainerStatuses {
		if w := cs.State.Waiting; w != nil && w.Reason != "" {
			status = w.Reason
			if w.Message != "" {
				status += " (" + strings.TrimSpace(w.Message) + ")"
			}
			break
		}
		if t := cs.State.Terminated; t != nil {
			status = t.Reason
		}
	}
	if p.DeletionTimestamp != nil {
		status = "Terminating"
	}
	return fmt.Sprintf("%s %d/%d %s, %d restarts", p.Name, ready, len(p.Spec.Containers), status, restarts(p))
}

// ready: every named pod (or every pod of the exercise) is Ready, with no
// more restarts than allowed.
func (r *Runner) ready(ctx context.Context, c *config.Check) (outcome, error) {
	rc, ns := c.Ready, c.Instance.Namespace
	names := append([]string{}, rc.Pods...)
	if rc.Pod != "" {
		names = append([]string{rc.Pod}, names...)
	}
	var pods []corev1.Pod
	try := fmt.Sprintf("kubectl get pods -n %s", ns)
	switch {
	case len(names) > 0:
		for _, n := range names {
			p, err := r.Client.Clientset.CoreV1().Pods(ns).Get(ctx, n, metav1.GetOptions{})
			if kubeapi.IsNotFound(err) {
				return outcome{expected: fmt.Sprintf("pod %s Ready", n), seen: r.missingPod(ctx, ns, n), try: try}, nil
			}
			if err != nil {
				return outcome{}, err
			}
			pods = append(pods, *p)
		}
	default:
		sel := rc.Selector
		if sel == "" {
			sel = engine.LabelRole + "!=" + engine.RoleProbe
		}
		list, err := r.Client.Clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
		if err != nil {
			return outcome{}, err
		}
		pods = list.Items
		if len(pods) == 0 {
			return outcome{expected: "the exercise's pods Ready", seen: "no pods in namespace " + ns, try: try}, nil
		}
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	expected := "every pod Ready"
	if len(names) == 1 {
		expected = fmt.Sprintf("pod %s Ready", names[0])
	}
	if rc.MaxRestarts != nil {
		expected += fmt.Sprintf(" with at most %d restart(s)", *rc.MaxRestarts)
	}
	var seen []string
	pass := true
	for i := range pods {
		p := &pods[i]
		seen = append(seen, podLine(p))
		if !podReady(p) {
			pass = false
		}
		if rc.MaxRestarts != nil && restarts(p) > *rc.MaxRestarts {
			// Restarts never go down: retrying cannot help.
			return outcome{expected: expected, seen: strings.Join(seen, "; "), try: try, final: true}, nil
		}
	}
	return outcome{pass: pass, expected: expected, seen: strings.Join(seen, "; "), try: try}, nil
}

// missingPod says what a namespace holds instead of the pod a check
// wanted: a student who named it otherwise, or deleted the namespace,
// learns which.
func (r *Runner) missingPod(ctx context.Context, ns, name string) string {
	seen := fmt.Sprintf("no pod %s in namespace %s", name, ns)
	if _, err := r.Client.Clientset.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); kubeapi.IsNotFound(err) {
		return seen + fmt.Sprintf(": the namespace %s does not exist (deleted?); podlab apply makes it again", ns)
	}
	list, err := r.Client.Clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{Limit: 10})
	if err != nil {
		return seen
	}
	if len(list.Items) == 0 {
		return seen + "; it has no pods"
	}
	names := make([]string, 0, len(list.Items))
	for _, p := range list.Items {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return seen + "; it has pod(s) " + strings.Join(names, ", ")
}
