package sshx_test

import (
	"path/filepath"
	"testing"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// configFor is a Config that logs into h as user with the environment's key,
// trusting exactly the environment's hosts, logging to a per-test file.
func configFor(t *testing.T, env *testhosts.Env, h *testhosts.Host, user string) sshx.Config {
	t.Helper()
	return sshx.Config{
		Host:           h.Addr,
		Port:           h.Port,
		User:           user,
		PrivateKeyFile: env.KeyFile(),
		KnownHostsFile: env.KnownHostsFile(),
		LogFile:        filepath.Join(t.TempDir(), "logs", h.Name+".log"),
	}
}

// mustDial connects or fails the test, and closes the client at the end.
func mustDial(t *testing.T, cfg sshx.Config) *sshx.Client {
	t.Helper()
	c, err := sshx.Dial(t.Context(), cfg)
	if err != nil {
		t.Fatalf("dial %s@%s: %v", cfg.User, cfg.Host, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
