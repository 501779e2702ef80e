package kubeadm

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// TestRealOnPremInterruptedInit: an apply stopped while kubeadm init runs
// on the control plane (its context cancelled, which is what podlab's
// SIGINT handler does) fails naming the host and the init phase, and the
// next apply, with nothing cleaned up by hand, resets the half-made
// control plane and builds the three-node cluster.
func TestRealOnPremInterruptedInit(t *testing.T) {
	o := newRealOnPrem(t)
	l := o.lab
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := l.p.Ensure(ctx, l.state(), l.rec, l.prog)
		errc <- err
	}()
	cp := o.env.Hosts[0]
	for deadline := time.Now().Add(5 * time.Minute); ; {
		if _, err := cp.Exec("test -e /etc/kubernetes/manifests/kube-apiserver.yaml"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("kubeadm init never wrote its static pod manifests")
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	err := <-errc
	var pe *PhaseError
	if !errors.As(err, &pe) || pe.Phase != "init" || !strings.HasPrefix(pe.Host, cp.Addr) {
		t.Fatalf("interrupted apply: %v, want phase init on %s", err, cp.Addr)
	}
	t.Logf("interrupted: %v", err)
	start := time.Now()
	conn := l.mustApply()
	t.Logf("the next apply converged in %s", time.Since(start).Round(time.Millisecond))
	cs, err := kubernetes.NewForConfig(conn.REST)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
	if err != nil || len(nodes.Items) != 3 {
		t.Fatalf("nodes after the second apply: %v, %v", nodes, err)
	}
	for _, n := range nodes.Items {
		if !nodeReady(&n) {
			t.Errorf("node %s is not Ready", n.Name)
		}
	}
	if err := l.destroy(); err != nil {
		t.Fatal(err)
	}
	o.checkReset(t)
}
