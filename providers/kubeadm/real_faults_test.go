package kubeadm

import (
	"errors"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/podlab/podlab/plan"
)

// TestRealOnPremFaults: on three real nodes, a host that cannot be reached
// fails the apply naming the host and the phase before any host is
// changed, and the apply with the host back converges; a worker reset
// behind podlab's back (kubeadm reset -f on it) is seen by a refreshed
// plan and joined again by the next apply, Ready like the others.
func TestRealOnPremFaults(t *testing.T) {
	o := newRealOnPrem(t)
	l := o.lab
	// node-2 unreachable: nothing listens at its address's SSH port.
	good := l.p.Cfg.Workers
	l.p.Cfg.Workers = []string{good[0], strings.TrimSuffix(o.env.Hosts[2].Addr, ".12") + ".99"}
	l.p.Cfg.SSH.ConnectTimeout = "3s"
	_, err := l.apply()
	var pe *PhaseError
	if !errors.As(err, &pe) || pe.Phase != "connect" || !strings.HasSuffix(pe.Host, ".99") {
		t.Fatalf("apply with an unreachable host: %v, want phase connect on it", err)
	}
	for _, h := range o.env.Hosts[:2] {
		if out, _ := h.Exec("ls /etc/kubernetes /var/lib/podlab 2>/dev/null | wc -l"); strings.TrimSpace(out) != "0" {
			t.Errorf("%s was changed although a host was unreachable:\n%s", h.Name, out)
		}
	}
	t.Logf("unreachable host: %v", err)
	l.p.Cfg.Workers = good
	conn := l.mustApply()
	cs, err := kubernetes.NewForConfig(conn.REST)
	if err != nil {
		t.Fatal(err)
	}
	// node-1 reset behind podlab's back.
	if out, err := o.env.Hosts[1].Exec("kubeadm reset -f >/dev/null 2>&1; ls /etc/kubernetes/kubelet.conf"); err == nil {
		t.Fatalf("kubeadm reset left node-1 joined:\n%s", out)
	}
	ch, err := l.p.Plan(t.Context(), l.state(), true)
	if err != nil || ch.Action != plan.Update || !strings.Contains(ch.Reason, "join "+o.env.Hosts[1].Addr) || !strings.Contains(ch.Reason, "again") {
		t.Fatalf("plan after the reset: %v, %+v", err, ch)
	}
	start := time.Now()
	l.mustApply()
	t.Logf("rejoin took %s", time.Since(start).Round(time.Millisecond))
	ctx := t.Context()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, err := cs.CoreV1().Nodes().Get(ctx, "node-1", metav1.GetOptions{})
		if err == nil && nodeReady(n) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node-1 not Ready after the rejoin: %v", err)
		}
		time.Sleep(time.Second)
	}
	if err := l.destroy(); err != nil {
		t.Fatal(err)
	}
	o.checkReset(t)
}
