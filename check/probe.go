package check

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
)

const probeContainer = "probe"

// probes keeps one hostNetwork probe pod per node, so every check "from
// the node" reuses it: an exec is far quicker than starting a pod, and a
// class of 40 seats must not start 40 pods on a node already full of the
// students' own. Probes live in the namespace the runner names (the lab's
// probe namespace, away from the students' pods) and stay there for the
// next podlab check; they carry the environment's labels and an address,
// so destroy finds and removes them.
type probes struct {
	r *Runner
	// ns is where probes live: the runner's ProbeNamespace, or else the
	// namespace of the first check from a node, in the lab's order, so
	// every run finds the same probes.
	ns    string
	mu    sync.Mutex
	pods  map[string]*probe
	order []*probe
}

type probe struct {
	// mu serialises starts on one node; a start that failed for a reason
	// that may pass (the node was full) is tried again by the next check.
	mu    sync.Mutex
	ready bool
	ns    string
	name  string
	fail  *outcome
}

func (p *probes) init(r *Runner, checks []*config.Check) {
	p.r = r
	p.pods = map[string]*probe{}
	if p.ns = r.ProbeNamespace; p.ns != "" {
		return
	}
	for _, c := range checks {
		if c.HTTP != nil && c.HTTP.From == config.FromNode {
			p.ns = c.Instance.Namespace
			break
		}
	}
}

// on returns the namespace and name of a ready probe pod on node, making
// one when there is none yet.
func (p *probes) on(ctx context.Context, node string) (string, string, *outcome) {
	p.mu.Lock()
	key := node
	pr, ok := p.pods[key]
	if !ok {
		pr = &probe{ns: p.ns, name: config.JoinLabel("podlab-probe", config.Slug(node), config.ShortHash(node))}
		p.pods[key] = pr
		p.order = append(p.order, pr)
	}
	p.mu.Unlock()
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if !pr.ready && (pr.fail == nil || !pr.fail.final) {
		pr.fail = p.start(ctx, pr, node)
		pr.ready = pr.fail == nil
	}
	if pr.fail != nil {
		return "", "", pr.fail
	}
	return pr.ns, pr.name, nil
}

func (p *probes) start(ctx context.Context, pr *probe, node string) *outcome {
	pods := p.r.Client.Clientset.CoreV1().Pods(pr.ns)
	if old, err := pods.Get(ctx, pr.name, metav1.GetOptions{}); err == nil {
		if podReady(old) && old.Spec.Containers[0].Image == p.r.ProbeImage {
			return nil
		}
		// Finished, broken, or of another image: start afresh.
		zero := int64(0)
		_ = pods.Delete(ctx, pr.name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := p.r.Client.WaitGone(wctx, corev1.SchemeGroupVersion.WithKind("Pod"), pr.ns, pr.name, old.UID)
		cancel()
		if err != nil {
			return &outcome{seen: "the old probe pod would not go: " + errText(err)}
		}
	}
	labels := map[string]string{engine.LabelRole: engine.RoleProbe}
	for k, v := range p.r.Labels {
		labels[k] = v
	}
	zero := int64(0)
	pod := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: pr.name, Namespace: pr.ns, Labels: labels,
			Annotations: map[string]string{engine.AnnotAddress: config.ProbesAddress + ".Pod." + pr.name}},
		Spec: corev1.PodSpec{
			NodeName:                      node,
			HostNetwork:                   true,
			RestartPolicy:                 corev1.RestartPolicyNever,
			TerminationGracePeriodSeconds: &zero,
			Tolerations:                   []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
			Containers: []corev1.Container{{
				Name:    probeContainer,
				Image:   p.r.ProbeImage,
				Command: []string{"sleep", "86400"},
			}},
		},
	}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(pod)
	if err != nil {
		return &outcome{seen: err.Error(), final: true}
	}
	u := &unstructured.Unstructured{Object: obj}
	applied, err := p.r.Client.Apply(ctx, u, false)
	if err != nil {
		msg := errText(err)
		if strings.Contains(msg, "hostNetwork") || strings.Contains(msg, "PodSecurity") || strings.Contains(strings.ToLower(msg), "autopilot") {
			return &outcome{final: true, try: "use from = \"pod\" or from = \"apiserver\" on this cluster",
				seen: fmt.Sprintf("this cluster forbids hostNetwork pods, so podlab cannot send a request from the node's network (%s)", msg)}
		}
		return &outcome{seen: "could not start the probe pod on the node: " + msg}
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := p.r.Client.WaitReady(wctx, applied, nil); err != nil {
		// The kubelet turns a pod away when the node is full ("Pod was
		// rejected: Node didn't have enough resource: pods"): that may
		// pass, so the next check tries again; anything else is final.
		rejected := strings.Contains(err.Error(), "Pod was rejected")
		return &outcome{final: !rejected, seen: fmt.Sprintf("the probe pod %s (image %s) on node %s did not start: %s", pr.name, p.r.ProbeImage, node, errText(err)),
			try: fmt.Sprintf("kubectl describe pod -n %s %s", pr.ns, pr.name)}
	}
	return nil
}
