package sshx_test

import (
	"crypto/ed25519"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

func TestConnectWithKeyFile(t *testing.T) {
	env := testhosts.New(t, 1)
	h := env.Hosts[0]
	tests := []struct {
		user   string
		isRoot bool
	}{
		{testhosts.RootUser, true},
		{testhosts.SudoUser, false},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			c := mustDial(t, configFor(t, env, h, tt.user))
			if c.IsRoot() != tt.isRoot {
				t.Errorf("IsRoot = %v, want %v", c.IsRoot(), tt.isRoot)
			}
			out, _, _, err := c.Run(t.Context(), "hostname")
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(out) != h.Name {
				t.Errorf("hostname = %q, want %q", out, h.Name)
			}
		})
	}
}

// serveAgent serves an in-memory agent holding key on a fresh unix socket.
func serveAgent(t *testing.T, key any) string {
	t.Helper()
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: key}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = agent.ServeAgent(keyring, conn)
			}()
		}
	}()
	return sock
}

func TestConnectWithAgent(t *testing.T) {
	env := testhosts.New(t, 1)
	h := env.Hosts[0]
	sock := serveAgent(t, env.PrivateKey())

	t.Run("AgentSocket", func(t *testing.T) {
		cfg := configFor(t, env, h, testhosts.SudoUser)
		cfg.PrivateKeyFile, cfg.AgentSocket = "", sock
		c := mustDial(t, cfg)
		if out, _, _, err := c.Run(t.Context(), "id -u"); err != nil || strings.TrimSpace(out) != "0" {
			t.Errorf("id -u via sudo = %q, %v", out, err)
		}
	})
	t.Run("SSH_AUTH_SOCK", func(t *testing.T) {
		t.Setenv("SSH_AUTH_SOCK", sock)
		cfg := configFor(t, env, h, testhosts.RootUser)
		cfg.PrivateKeyFile = ""
		mustDial(t, cfg)
	})
	t.Run("agent besides a wrong key file", func(t *testing.T) {
		cfg := configFor(t, env, h, testhosts.RootUser)
		cfg.PrivateKeyFile, cfg.UseAgent, cfg.AgentSocket = otherKeyFile(t), true, sock
		mustDial(t, cfg)
	})
}

// otherKeyFile is a valid key the hosts do not accept.
func otherKeyFile(t *testing.T) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "id_other")
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAuthRefused(t *testing.T) {
	env := testhosts.New(t, 1)
	h := env.Hosts[0]
	tests := []struct {
		name, user string
		key        func() string
	}{
		{"wrong key", testhosts.RootUser, func() string { return otherKeyFile(t) }},
		{"unknown user", "nobody-here", env.KeyFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := configFor(t, env, h, tt.user)
			cfg.PrivateKeyFile = tt.key()
			_, err := sshx.Dial(t.Context(), cfg)
			var ae *sshx.AuthError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *sshx.AuthError", err)
			}
			if ae.User != tt.user || ae.Addr != h.HostPort() {
				t.Errorf("AuthError names %s@%s", ae.User, ae.Addr)
			}
			for _, want := range []string{cfg.PrivateKeyFile, `"` + tt.user + `"`, h.HostPort()} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message lacks %q:\n%s", want, err)
				}
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	env := testhosts.New(t, 1)
	h := env.Hosts[0]
	cfg := configFor(t, env, h, testhosts.RootUser)
	cfg.Port = 2 // nothing listens there: refused at once
	_, err := sshx.Dial(t.Context(), cfg)
	var ue *sshx.UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want *sshx.UnreachableError", err)
	}
	if ue.Addr != h.Addr+":2" || ue.Via != "" {
		t.Errorf("UnreachableError %+v", ue)
	}
	for _, want := range []string{h.Addr + ":2", "connection refused", "sshd listens"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%s", want, err)
		}
	}
}
