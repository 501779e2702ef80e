package kubeadm

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// TestConnectErrors: what stops podlab from running commands on a host
// fails the connect phase, naming the host, before anything changed.
func TestConnectErrors(t *testing.T) {
	t.Parallel()
	env := testhosts.New(t, 2)
	cp, w := env.Hosts[0], env.Hosts[1]
	otherKey := filepath.Join(t.TempDir(), "id_other")
	writeOtherKey(t, otherKey)

	tests := []struct {
		name    string
		edit    func(*Config)
		bad     string // the host the error names
		as      any    // a pointer to the sshx error type it wraps
		errSays []string
	}{{
		name: "sudo wants a password",
		edit: func(k *Config) { k.SSH.User = testhosts.PasswordSudoUser },
		bad:  cp.Addr, as: new(*sshx.SudoPasswordError),
		errSays: []string{"sudo wants a password", "NOPASSWD"},
	}, {
		name: "nothing listens on the port",
		edit: func(k *Config) { k.Workers = []string{w.Addr + ":2"} },
		bad:  w.Addr + ":2", as: new(*sshx.UnreachableError),
		errSays: []string{"cannot reach " + w.Addr + ":2", "connection refused"},
	}, {
		name: "the key is refused",
		edit: func(k *Config) { k.SSH.PrivateKeyFile = otherKey },
		bad:  cp.Addr, as: new(*sshx.AuthError),
		errSays: []string{"refused to log in user \"podlab\"", otherKey},
	}, {
		name: "the host key is unknown",
		edit: func(k *Config) {
			f := filepath.Join(t.TempDir(), "known_hosts")
			if err := os.WriteFile(f, []byte(w.KnownHostsLine()+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			k.SSH.KnownHostsFile = f
		},
		bad: cp.Addr, as: new(*sshx.UnknownHostKeyError),
		errSays: []string{"host key of " + cp.Addr + ":22 is not known", "SHA256:", cp.KnownHostsLine(), "trust_on_first_use = true"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLab(t, env, tt.edit)
			l.clearLogs()
			_, err := l.apply()
			if err == nil {
				t.Fatal("apply succeeded")
			}
			var pe *PhaseError
			if !errors.As(err, &pe) || pe.Phase != "connect" || pe.Host != tt.bad {
				t.Fatalf("err = %v, want the connect phase failing on %s", err, tt.bad)
			}
			if !errors.As(err, tt.as) {
				t.Errorf("err does not wrap %T: %v", tt.as, err)
			}
			for _, want := range append([]string{"host " + tt.bad + ", phase connect"}, tt.errSays...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
			for _, h := range env.Hosts {
				if c := calls(h); len(c) > 0 {
					t.Errorf("%s ran commands although connecting failed: %v", h.Name, c)
				}
			}
			if len(l.phases()) > 0 {
				t.Errorf("phases recorded: %v", l.phases())
			}
		})
	}
}

// TestTrustOnFirstUse: with the opt-in, unknown host keys are recorded
// and the build goes on; the next run checks against what was recorded.
func TestTrustOnFirstUse(t *testing.T) {
	t.Parallel()
	env := testhosts.New(t, 2)
	known := filepath.Join(t.TempDir(), "ssh", "known_hosts")
	l := newLab(t, env, func(k *Config) {
		k.SSH.KnownHostsFile = known
		k.SSH.TrustOnFirstUse = true
	})
	l.mustApply()
	b, err := os.ReadFile(known)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range env.Hosts {
		if !strings.Contains(string(b), h.KnownHostsLine()) {
			t.Errorf("known_hosts lacks %s's key:\n%s", h.Name, b)
		}
	}
	l.mustApply()
	if b2, _ := os.ReadFile(known); string(b2) != string(b) {
		t.Errorf("the second run changed known_hosts:\n%s", b2)
	}
}

// TestBastion builds the cluster on hosts reachable only through a jump
// host.
func TestBastion(t *testing.T) {
	t.Parallel()
	env := testhosts.New(t, 2, testhosts.WithBastion())
	l := newLab(t, env, func(k *Config) {
		k.SSH.Bastion = &Bastion{Host: env.Bastion.Addr, Port: env.Bastion.Port, User: testhosts.SudoUser}
	})
	l.mustApply()
	ep := env.Hosts[0].Addr + ":6443"
	diffLines(t, "control plane ran", calls(env.Hosts[0]), seq(factCalls, preflightCalls,
		"kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml --skip-token-print", cniCall, tokenCall, waitCalls("node-0", "node-1")))
	diffLines(t, "worker ran", calls(env.Hosts[1]), seq(factCalls, preflightCalls, joinCall(env, ep)))
	if c := env.Bastion.CommandLog(); len(c) > 0 {
		t.Errorf("the bastion ran commands: %v", c)
	}
	b, err := os.ReadFile(filepath.Join(l.p.WorkDir, "logs", env.Hosts[0].Addr+".log"))
	if err != nil || !strings.Contains(string(b), "via bastion podlab@"+env.Bastion.HostPort()) {
		t.Errorf("the host log does not say the bastion was used (%v):\n%s", err, b)
	}

	t.Run("without the bastion the hosts are out of reach", func(t *testing.T) {
		l := newLab(t, env)
		_, err := l.apply()
		var ue *sshx.UnreachableError
		if !errors.As(err, &ue) {
			t.Fatalf("err = %v, want *sshx.UnreachableError", err)
		}
	})
}

// writeOtherKey writes a private key no test host accepts.
func writeOtherKey(t *testing.T, path string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "not authorized anywhere")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
}
