package e2e

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A check starts as soon as the objects of its exercise are ready, not
// when the whole apply is: the quick exercise's check runs while the slow
// exercise's pod still waits out its readiness delay, and the node-side
// probe pod is started during the apply, before the slow pod is ready.
func TestChecksStartWhenTheirObjectsAreReady(t *testing.T) {
	l := newLab(t, map[string]string{
		"lab.podlab.hcl": `
lab {
  name    = "pipeline"
  cluster = "kubeconfig"
}
cluster "kubeconfig" {
  kubeconfig {}
}
exercise "quick" {
  manifests = [file("quick.yaml")]
  check "running" {
    ready { pod = "quick" }
  }
}
exercise "slow" {
  manifests = [file("slow.yaml")]
  check "answers from a node" {
    http {
      from = "node"
      pod  = "slow"
      port = 80
    }
  }
}
`,
		"quick.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: quick
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: web
    image: nginx:latest
`,
		"slow.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: slow
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: web
    image: nginx:latest
    readinessProbe:
      tcpSocket:
        port: 80
      initialDelaySeconds: 6
      periodSeconds: 1
`,
	})
	l.must(0, "apply", "-auto-approve")
	t.Cleanup(func() { l.run("destroy", "-auto-approve", "-grace-period", "0") })
	st := l.state()
	var quick, slowNS string
	var quickAt time.Time
	for _, c := range st.Checks {
		if c.Name == "running" {
			quickAt, quick = c.At, c.Address
		}
	}
	for _, o := range st.Objects {
		if o.Kind == "Pod" && o.Name == "slow" {
			slowNS = o.Namespace
		}
	}
	if quick == "" || slowNS == "" {
		t.Fatalf("state lacks the quick check or the slow pod: %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	slow, err := l.cluster.Clientset(t).CoreV1().Pods(slowNS).Get(ctx, "slow", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var slowReady time.Time
	for _, c := range slow.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			slowReady = c.LastTransitionTime.Time
		}
	}
	if slowReady.IsZero() {
		t.Fatalf("the slow pod is not ready: %+v", slow.Status.Conditions)
	}
	// Conditions have a resolution of a second; the readiness delay is 6.
	if !quickAt.Before(slowReady.Add(-2 * time.Second)) {
		t.Errorf("the quick exercise's check started at %s, the slow pod was ready at %s: the check waited for the whole apply",
			quickAt.Format(time.RFC3339Nano), slowReady.Format(time.RFC3339))
	}
	probes, err := l.cluster.Clientset(t).CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: "podlab.dev/role=probe"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range probes.Items {
		if p.Labels["podlab.dev/env"] == "" || p.Namespace == "" {
			continue
		}
		if p.CreationTimestamp.Time.Before(slowReady.Add(-2*time.Second)) && p.Labels["podlab.dev/env"] == slow.Labels["podlab.dev/env"] {
			found = true
		}
	}
	if !found {
		t.Errorf("no probe pod of the environment was started before the slow pod was ready (%d probe pods)", len(probes.Items))
	}
}
