package sshx_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

func TestHostLog(t *testing.T) {
	env := testhosts.New(t, 1)
	h := env.Hosts[0]
	cfg := configFor(t, env, h, testhosts.SudoUser)
	c := mustDial(t, cfg)
	ctx := t.Context()

	const token = "abcdef.0123456789abcdef"
	steps := []func() error{
		func() error { _, _, _, err := c.Run(ctx, "echo visible-output; echo visible-error >&2"); return err },
		func() error {
			_, _, _, err := c.Run(ctx, "cat >/dev/null", sshx.Stdin(strings.NewReader("stdin-secret")), sshx.Secret())
			return err
		},
		func() error {
			_, _, _, err := c.Run(ctx, "printf 'stdout-%s\\n' secret", sshx.SecretOutput())
			return err
		},
		func() error {
			_, _, _, err := c.Run(ctx, "echo kubeadm join --token "+token+"; exit 1", sshx.Redact(token))
			if err == nil || strings.Contains(err.Error(), token) {
				t.Errorf("redacted command's error = %v; want a failure without the token", err)
			}
			return nil
		},
		func() error { return c.WriteFile(ctx, "/etc/podlab/visible.yaml", []byte("uploaded-content\n"), 0o644) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	c.Close()

	b, err := os.ReadFile(cfg.LogFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	if st, _ := os.Stat(cfg.LogFile); st.Mode().Perm() != 0o600 {
		t.Errorf("log mode = %v, want 0600", st.Mode().Perm())
	}
	for _, want := range []string{
		"connected to " + testhosts.SudoUser + "@" + h.HostPort(),
		"as root via sudo $ echo visible-output; echo visible-error >&2",
		"out| visible-output",
		"err| visible-error",
		"exit 0 after",
		"stdin: 12 bytes, secret, not logged",
		"stdout: 14 bytes, secret, not logged",
		"kubeadm join --token <redacted>",
		"exit 1 after",
		"in | uploaded-content",
		"disconnected from",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	for _, secret := range []string{"stdin-secret", "stdout-secret", token} {
		if strings.Contains(log, secret) {
			t.Errorf("log contains the secret %q", secret)
		}
	}
	stamped := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}`)
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if !strings.HasPrefix(line, "    ") && !stamped.MatchString(line) {
			t.Errorf("line is neither timestamped nor indented output: %q", line)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", log)
	}
}
