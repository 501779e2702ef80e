package sshx

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func newKey(t *testing.T) ssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newRSAKey(t *testing.T) ssh.PublicKey {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKnownHostsLine(t *testing.T) {
	k := newKey(t)
	b64 := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
	tests := []struct{ addr, want string }{
		{"10.0.0.10:22", "10.0.0.10 " + b64},
		{"10.0.0.10:2222", "[10.0.0.10]:2222 " + b64},
		{"node.example:22", "node.example " + b64},
		{"[fd00::1]:22", "fd00::1 " + b64},
		{"[fd00::1]:2200", "[fd00::1]:2200 " + b64},
	}
	for _, tt := range tests {
		if got := KnownHostsLine(tt.addr, k); got != tt.want {
			t.Errorf("KnownHostsLine(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestKnownAlgorithms(t *testing.T) {
	ed, rs := newKey(t), newRSAKey(t)
	hashed := knownhosts.HashHostname("10.0.0.12")
	file := writeFile(t, strings.Join([]string{
		"# comment",
		KnownHostsLine("10.0.0.10:22", ed),
		KnownHostsLine("10.0.0.11:22", rs),
		KnownHostsLine("10.0.0.11:22", ed),
		hashed + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(ed))),
		KnownHostsLine("10.0.0.13:2222", rs),
	}, "\n")+"\n")
	db, err := loadKnownHosts(file)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr string
		want []string
	}{
		{"10.0.0.10:22", []string{ssh.KeyAlgoED25519}},
		{"10.0.0.11:22", []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoED25519}},
		{"10.0.0.12:22", []string{ssh.KeyAlgoED25519}}, // hashed entry
		{"10.0.0.13:2222", []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256}},
		{"10.0.0.13:22", nil}, // known on another port only
		{"10.0.0.99:22", nil},
	}
	for _, tt := range tests {
		if got := knownAlgorithms(db, tt.addr); !slices.Equal(got, tt.want) {
			t.Errorf("knownAlgorithms(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestHostKeyChecker(t *testing.T) {
	key, other := newKey(t), newKey(t)
	const addr = "10.0.0.10:2222"
	remote := fakeAddr(addr)
	known := writeFile(t, KnownHostsLine("10.0.0.9:22", other)+"\n"+KnownHostsLine(addr, other)+"\n")

	t.Run("unknown host is refused with fingerprint and line", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "known_hosts") // missing: empty
		h, algos, err := newHostKeyChecker(file, false, addr)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(algos, preferredUnknownAlgorithms) {
			t.Errorf("algorithms for an unknown host = %v", algos)
		}
		err = h.check(addr, remote, key)
		var u *UnknownHostKeyError
		if !errors.As(err, &u) {
			t.Fatalf("err = %v, want *UnknownHostKeyError", err)
		}
		wantLine := "[10.0.0.10]:2222 " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
		if u.Line != wantLine || u.Fingerprint != ssh.FingerprintSHA256(key) {
			t.Errorf("got line %q fingerprint %q", u.Line, u.Fingerprint)
		}
		for _, want := range []string{ssh.FingerprintSHA256(key), wantLine, file, "trust_on_first_use"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message lacks %q:\n%s", want, err)
			}
		}
		if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
			t.Error("refusing an unknown key created the known_hosts file")
		}
	})

	t.Run("changed key is refused naming file and line", func(t *testing.T) {
		for _, tofu := range []bool{false, true} {
			h, _, err := newHostKeyChecker(known, tofu, addr)
			if err != nil {
				t.Fatal(err)
			}
			err = h.check(addr, remote, key)
			var c *HostKeyChangedError
			if !errors.As(err, &c) {
				t.Fatalf("tofu=%v: err = %v, want *HostKeyChangedError", tofu, err)
			}
			if c.File != known || c.LineNumber != 2 || c.OldFingerprint != ssh.FingerprintSHA256(other) {
				t.Errorf("tofu=%v: %+v", tofu, c)
			}
			for _, want := range []string{"HAS CHANGED", "man-in-the-middle", known + ":2", ssh.FingerprintSHA256(key)} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message lacks %q:\n%s", want, err)
				}
			}
		}
		b, _ := os.ReadFile(known)
		if strings.Count(string(b), "\n") != 2 {
			t.Errorf("known_hosts was modified:\n%s", b)
		}
	})

	t.Run("trust on first use records a plain line once", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "sub", "known_hosts")
		h, _, err := newHostKeyChecker(file, true, addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.check(addr, remote, key); err != nil {
			t.Fatal(err)
		}
		if !h.trusted {
			t.Error("not marked as trusted on first use")
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != KnownHostsLine(addr, key)+"\n" {
			t.Errorf("file = %q", b)
		}
		if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want 0600", st.Mode().Perm())
		}
		// A second checker, without TOFU, now knows the host.
		h2, algos, err := newHostKeyChecker(file, false, addr)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(algos, []string{ssh.KeyAlgoED25519}) {
			t.Errorf("algorithms after TOFU = %v", algos)
		}
		if err := h2.check(addr, remote, key); err != nil || h2.trusted {
			t.Errorf("second check: %v (trusted again: %v)", err, h2.trusted)
		}
	})

	t.Run("append starts a fresh line", func(t *testing.T) {
		file := writeFile(t, "# no final newline")
		if err := appendLine(file, "x"); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(file); string(b) != "# no final newline\nx\n" {
			t.Errorf("file = %q", b)
		}
	})

	t.Run("revoked key", func(t *testing.T) {
		file := writeFile(t, "@revoked * "+strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))+"\n")
		h, _, err := newHostKeyChecker(file, true, addr)
		if err != nil {
			t.Fatal(err)
		}
		var r *RevokedHostKeyError
		if err := h.check(addr, remote, key); !errors.As(err, &r) || r.LineNumber != 1 {
			t.Errorf("err = %v, want *RevokedHostKeyError at line 1", err)
		}
	})
}
