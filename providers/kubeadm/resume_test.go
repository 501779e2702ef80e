package kubeadm

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// TestResumeAfterFailure injects a failure into one stand-in, checks the
// error and what was recorded, then applies again: the failed phase runs
// again, what finished does not.
func TestResumeAfterFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		host      int // which host fails
		cmd, msg  string
		phase     string
		errSays   []string
		notDone   func(env *testhosts.Env) []string // phases not recorded after the failure
		wantAfter func(env *testhosts.Env) [][]string
	}{{
		name: "a worker's join fails",
		host: 2, cmd: "kubeadm join", phase: "join",
		msg:     "error execution phase preflight: [preflight] Some fatal errors occurred:\n\t[ERROR FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not set to 1",
		errSays: []string{"kubeadm join", "--token <redacted>", "ERROR FileContent--proc-sys-net-ipv4-ip_forward", "exit code 1"},
		notDone: func(env *testhosts.Env) []string {
			return []string{env.Hosts[2].Addr + "/join", env.Hosts[0].Addr + "/ready"}
		},
		wantAfter: func(env *testhosts.Env) [][]string {
			return [][]string{
				seq(factCalls, tokenCall, waitCalls("node-0", "node-1", "node-2")),
				factCalls,
				seq(factCalls, joinCall(env, env.Hosts[0].Addr+":6443")),
			}
		},
	}, {
		name: "kubeadm init fails",
		host: 0, cmd: "kubeadm init", phase: "init",
		msg:     "[wait-control-plane] Waiting for the kubelet to boot up the control plane\nerror execution phase wait-control-plane: could not initialize a Kubernetes cluster",
		errSays: []string{"kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml", "could not initialize a Kubernetes cluster"},
		notDone: func(env *testhosts.Env) []string {
			return []string{env.Hosts[0].Addr + "/init", env.Hosts[1].Addr + "/join", env.Hosts[2].Addr + "/join"}
		},
		wantAfter: func(env *testhosts.Env) [][]string {
			ep := env.Hosts[0].Addr + ":6443"
			return [][]string{
				seq(factCalls, "kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml --skip-token-print", cniCall, tokenCall, waitCalls("node-0", "node-1", "node-2")),
				seq(factCalls, joinCall(env, ep)),
				seq(factCalls, joinCall(env, ep)),
			}
		},
	}, {
		name: "a kernel module is missing",
		host: 1, cmd: "modprobe br_netfilter", phase: "preflight",
		msg:     "modprobe: FATAL: Module br_netfilter not found in directory /lib/modules/6.1.0-podlab",
		errSays: []string{"kernel module br_netfilter cannot be loaded", "modprobe br_netfilter", "Module br_netfilter not found"},
		notDone: func(env *testhosts.Env) []string {
			return []string{env.Hosts[1].Addr + "/preflight", env.Hosts[0].Addr + "/init"}
		},
		wantAfter: func(env *testhosts.Env) [][]string {
			ep := env.Hosts[0].Addr + ":6443"
			return [][]string{
				seq(factCalls, "kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml --skip-token-print", cniCall, tokenCall, waitCalls("node-0", "node-1", "node-2")),
				seq(factCalls, preflightCalls, joinCall(env, ep)),
				seq(factCalls, joinCall(env, ep)),
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := testhosts.New(t, 3)
			l := newLab(t, env)
			bad := env.Hosts[tt.host]
			bad.FailNext(tt.cmd, 1, tt.msg)

			_, err := l.apply()
			var pe *PhaseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *PhaseError", err)
			}
			var ce *sshx.CommandError
			if !errors.As(err, &ce) {
				t.Errorf("err does not wrap the *sshx.CommandError: %v", err)
			}
			says := append([]string{"host " + bad.Addr + " (" + bad.Name + "), phase " + tt.phase, "run podlab apply again to resume"}, tt.errSays...)
			for _, want := range says {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
			if strings.Contains(err.Error(), testhosts.Token) {
				t.Errorf("error shows the join token:\n%v", err)
			}
			done := l.phases()
			for _, p := range tt.notDone(env) {
				if slices.Contains(done, p) {
					t.Errorf("%s is recorded as done after the failure", p)
				}
			}
			for _, h := range env.Hosts {
				if !slices.Contains(done, h.Addr+"/preflight") && h != bad {
					t.Errorf("%s/preflight, which finished, is not recorded: %v", h.Addr, done)
				}
			}

			l.clearLogs()
			l.mustApply()
			want := tt.wantAfter(env)
			for i, h := range env.Hosts {
				diffLines(t, h.Name+" ran when resumed", calls(h), want[i])
			}
		})
	}
}

// TestInterruptedInitIsRedone: podlab began kubeadm init, which left its
// files behind and failed; the next apply resets the host and inits again
// instead of adopting a half-made cluster.
func TestInterruptedInitIsRedone(t *testing.T) {
	t.Parallel()
	env := testhosts.New(t, 1)
	cp := env.Hosts[0]
	l := newLab(t, env)
	// kubeadm init ran, then the connection died before podlab saw the end.
	cp.FailNext("kubectl", 1, "The connection to the server was refused")
	if _, err := l.apply(); err == nil {
		t.Fatal("apply succeeded despite the failed kubectl")
	}
	// Make it look as if init itself had not finished.
	if err := l.forgetPhase(cp.Addr + "/init"); err != nil {
		t.Fatal(err)
	}
	l.clearLogs()
	l.mustApply()
	diffLines(t, "control plane ran", calls(cp), seq(factCalls,
		"kubeadm reset -f --cri-socket "+criSocket,
		"kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml --skip-token-print",
		cniCall, waitCalls("node-0")))
}
