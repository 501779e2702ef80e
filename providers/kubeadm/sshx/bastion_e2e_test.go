package sshx_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

func TestBastion(t *testing.T) {
	env := testhosts.New(t, 2, testhosts.WithBastion())
	b := env.Bastion
	jump := &sshx.Jump{Host: b.Addr, Port: b.Port, User: testhosts.SudoUser, PrivateKeyFile: env.KeyFile()}

	t.Run("target is not reachable directly", func(t *testing.T) {
		_, err := sshx.Dial(t.Context(), configFor(t, env, env.Hosts[0], testhosts.RootUser))
		var ue *sshx.UnreachableError
		if !errors.As(err, &ue) || ue.Via != "" {
			t.Fatalf("err = %v, want *sshx.UnreachableError without a bastion", err)
		}
	})

	for _, h := range env.Hosts {
		t.Run("via bastion to "+h.Name, func(t *testing.T) {
			cfg := configFor(t, env, h, testhosts.SudoUser)
			cfg.Bastion = jump
			c := mustDial(t, cfg)
			out, _, _, err := c.Run(t.Context(), "hostname; id -u")
			if err != nil || out != h.Name+"\n0\n" {
				t.Errorf("got %q, %v", out, err)
			}
		})
	}

	t.Run("closed port behind the bastion", func(t *testing.T) {
		cfg := configFor(t, env, env.Hosts[0], testhosts.RootUser)
		cfg.Bastion, cfg.Port = jump, 2
		_, err := sshx.Dial(t.Context(), cfg)
		var ue *sshx.UnreachableError
		if !errors.As(err, &ue) || !strings.Contains(ue.Via, b.Addr) {
			t.Fatalf("err = %v, want *sshx.UnreachableError via the bastion", err)
		}
		if !strings.Contains(err.Error(), "via bastion "+testhosts.SudoUser+"@"+b.HostPort()) {
			t.Errorf("message does not name the bastion:\n%s", err)
		}
	})

	t.Run("bastion host key is checked too", func(t *testing.T) {
		cfg := configFor(t, env, env.Hosts[0], testhosts.RootUser)
		cfg.Bastion = jump
		cfg.KnownHostsFile = knownHosts(t, env.Hosts[0].KnownHostsLine()) // target only
		_, err := sshx.Dial(t.Context(), cfg)
		var u *sshx.UnknownHostKeyError
		if !errors.As(err, &u) || u.Addr != b.HostPort() {
			t.Fatalf("err = %v, want the bastion's key unknown", err)
		}
	})
}
