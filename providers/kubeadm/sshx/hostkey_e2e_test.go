package sshx_test

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// knownHosts writes lines as a known_hosts file.
func knownHosts(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHostKeyChecking(t *testing.T) {
	// Port 2222 so every known_hosts line takes the "[host]:port" form.
	env := testhosts.New(t, 1, testhosts.WithSSHPort(2222))
	h := env.Hosts[0]
	if !strings.HasPrefix(h.KnownHostsLine(), "["+h.Addr+"]:2222 ssh-ed25519 ") {
		t.Fatalf("known_hosts line %q lacks the [host]:port form", h.KnownHostsLine())
	}

	t.Run("unknown key is refused", func(t *testing.T) {
		cfg := configFor(t, env, h, testhosts.RootUser)
		cfg.KnownHostsFile = knownHosts(t, "# nothing known yet")
		_, err := sshx.Dial(t.Context(), cfg)
		var u *sshx.UnknownHostKeyError
		if !errors.As(err, &u) {
			t.Fatalf("err = %v, want *sshx.UnknownHostKeyError", err)
		}
		fp := ssh.FingerprintSHA256(h.HostPublicKey())
		if u.Fingerprint != fp || u.Line != h.KnownHostsLine() {
			t.Errorf("got fingerprint %s line %q; want %s %q", u.Fingerprint, u.Line, fp, h.KnownHostsLine())
		}
		for _, want := range []string{fp, h.KnownHostsLine(), cfg.KnownHostsFile} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message lacks %q:\n%s", want, err)
			}
		}
	})

	t.Run("changed key is refused", func(t *testing.T) {
		pub, _, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		impostor, err := ssh.NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		cfg := configFor(t, env, h, testhosts.RootUser)
		cfg.KnownHostsFile = knownHosts(t, "# line 1", h.KnownHostsLineFor(impostor))
		cfg.TrustOnFirstUse = true // must not matter
		_, err = sshx.Dial(t.Context(), cfg)
		var c *sshx.HostKeyChangedError
		if !errors.As(err, &c) {
			t.Fatalf("err = %v, want *sshx.HostKeyChangedError", err)
		}
		if c.File != cfg.KnownHostsFile || c.LineNumber != 2 {
			t.Errorf("points at %s:%d", c.File, c.LineNumber)
		}
		for _, want := range []string{cfg.KnownHostsFile + ":2", ssh.FingerprintSHA256(h.HostPublicKey()), ssh.FingerprintSHA256(impostor), "man-in-the-middle"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message lacks %q:\n%s", want, err)
			}
		}
	})

	t.Run("trust on first use, then known", func(t *testing.T) {
		cfg := configFor(t, env, h, testhosts.RootUser)
		cfg.KnownHostsFile = filepath.Join(t.TempDir(), "ssh", "known_hosts")
		cfg.TrustOnFirstUse = true
		c := mustDial(t, cfg)
		c.Close()
		b, err := os.ReadFile(cfg.KnownHostsFile)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != h.KnownHostsLine()+"\n" {
			t.Errorf("recorded %q, want %q", b, h.KnownHostsLine())
		}
		log, _ := os.ReadFile(cfg.LogFile)
		if !strings.Contains(string(log), "trusted on first use") {
			t.Errorf("log does not say the key was trusted on first use:\n%s", log)
		}
		cfg.TrustOnFirstUse = false
		mustDial(t, cfg)
		if b2, _ := os.ReadFile(cfg.KnownHostsFile); string(b2) != string(b) {
			t.Errorf("second connection changed known_hosts: %q", b2)
		}
	})
}

// TestHostKeyAlgorithmFromKnownHosts: a host offering RSA and ed25519 must
// be accepted by whichever one known_hosts records. x/crypto on its own
// prefers RSA, so an ed25519-only entry would otherwise look like a changed
// key.
func TestHostKeyAlgorithmFromKnownHosts(t *testing.T) {
	env := testhosts.New(t, 1, testhosts.WithRSAHostKey())
	h := env.Hosts[0]
	tests := []struct {
		name string
		key  ssh.PublicKey
	}{
		{"ed25519 recorded", h.HostPublicKey()},
		{"rsa recorded", h.RSAHostPublicKey()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := configFor(t, env, h, testhosts.RootUser)
			cfg.KnownHostsFile = knownHosts(t, h.KnownHostsLineFor(tt.key))
			c := mustDial(t, cfg)
			c.Close()
			log, _ := os.ReadFile(cfg.LogFile)
			if !strings.Contains(string(log), ssh.FingerprintSHA256(tt.key)) {
				t.Errorf("log does not show the recorded key %s was used:\n%s", ssh.FingerprintSHA256(tt.key), log)
			}
		})
	}
	t.Run("unknown host: ed25519 preferred", func(t *testing.T) {
		cfg := configFor(t, env, h, testhosts.RootUser)
		cfg.KnownHostsFile = knownHosts(t, "# empty")
		_, err := sshx.Dial(t.Context(), cfg)
		var u *sshx.UnknownHostKeyError
		if !errors.As(err, &u) || u.KeyType != ssh.KeyAlgoED25519 {
			t.Errorf("err = %v, want an unknown ed25519 key", err)
		}
	})
}
