package kubeadm

import (
	"errors"
	"strings"
	"testing"

	"github.com/podlab/podlab/internal/testhosts"
)

// TestPreflightErrors: what would make kubeadm fail on a host is found
// before kubeadm runs, and said plainly.
func TestPreflightErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []testhosts.Option
		prepare func(t *testing.T, env *testhosts.Env) *testhosts.Host // returns the host that fails
		errSays []string
	}{{
		name: "the API server port is taken on the control plane",
		prepare: func(t *testing.T, env *testhosts.Env) *testhosts.Host {
			if err := env.Hosts[0].Listen(6443); err != nil {
				t.Fatal(err)
			}
			return env.Hosts[0]
		},
		errSays: []string{"port 6443 (needed by kube-apiserver) is in use", "stop what listens there"},
	}, {
		name: "the kubelet port is taken on a worker",
		prepare: func(t *testing.T, env *testhosts.Env) *testhosts.Host {
			if err := env.Hosts[1].Listen(10250); err != nil {
				t.Fatal(err)
			}
			return env.Hosts[1]
		},
		errSays: []string{"port 10250 (needed by kubelet) is in use"},
	}, {
		name: "the kubelet is not installed",
		prepare: func(t *testing.T, env *testhosts.Env) *testhosts.Host {
			if _, err := env.Hosts[1].Exec("rm /usr/local/bin/kubelet"); err != nil {
				t.Fatal(err)
			}
			return env.Hosts[1]
		},
		errSays: []string{"kubelet not installed", "set install = true"},
	}, {
		name: "swap cannot be turned off",
		opts: []testhosts.Option{testhosts.WithSwap("/swap.img")},
		prepare: func(t *testing.T, env *testhosts.Env) *testhosts.Host {
			env.Hosts[0].FailNext("swapoff", 255, "swapoff: /swap.img: swapoff failed: Cannot allocate memory")
			return env.Hosts[0]
		},
		errSays: []string{"swap is on (/swap.img) and the kubelet refuses to run with it", "Cannot allocate memory"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := testhosts.New(t, 2, tt.opts...)
			bad := tt.prepare(t, env)
			l := newLab(t, env)
			_, err := l.apply()
			var pe *PhaseError
			if !errors.As(err, &pe) || pe.Phase != "preflight" || !strings.HasPrefix(pe.Host, bad.Addr) {
				t.Fatalf("err = %v, want preflight failing on %s", err, bad.Name)
			}
			for _, want := range tt.errSays {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
			for _, h := range env.Hosts {
				for _, c := range calls(h) {
					if strings.HasPrefix(c, "kubeadm init") || strings.HasPrefix(c, "kubeadm join") {
						t.Errorf("%s ran %q after preflight failed", h.Name, c)
					}
				}
			}
		})
	}
}

// TestInstallSkipsPreparedHosts: hosts that already have the pinned
// packages (offline class VMs prepared in advance) need no apt at all.
func TestInstallSkipsPreparedHosts(t *testing.T) {
	t.Parallel()
	env := testhosts.New(t, 1)
	h := env.Hosts[0]
	prepare := `apt-get install -y containerd kubeadm=1.34.4-1.1 kubelet=1.34.4-1.1 kubectl=1.34.4-1.1 &&
mkdir -p /etc/containerd && echo 'SystemdCgroup = true' >/etc/containerd/config.toml`
	if _, err := h.Exec(prepare); err != nil {
		t.Fatal(err)
	}
	l := newLab(t, env, func(k *Config) { k.Install = true })
	l.clearLogs()
	l.mustApply()
	var install []string
	for _, c := range calls(h) {
		if strings.HasPrefix(c, "dpkg-query") || strings.HasPrefix(c, "apt") || strings.HasPrefix(c, "curl") || strings.HasPrefix(c, "systemctl") || strings.HasPrefix(c, "containerd") {
			install = append(install, c)
		}
	}
	diffLines(t, "install ran", install, []string{
		"dpkg-query -W '--showformat=${Package} ${Version} ${db:Status-Abbrev}\\n' containerd kubeadm kubelet kubectl",
		"systemctl enable --now containerd kubelet",
	})
	if !strings.Contains(l.prog.text(), "installed already") {
		t.Errorf("progress does not say the packages were there:\n%s", l.prog.text())
	}
}
