package sshx

import (
	"context"
	"crypto/ed25519"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestKeyFileErrors(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	encrypted := filepath.Join(dir, "id_encrypted")
	if err := os.WriteFile(encrypted, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "id_garbage")
	if err := os.WriteFile(garbage, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file      string
		encrypted bool
		want      string
	}{
		{encrypted, true, "ssh-add " + encrypted},
		{garbage, false, garbage},
		{filepath.Join(dir, "missing"), false, "no such file"},
	}
	for _, tt := range tests {
		// Dial fails before any network traffic: the key is read first.
		// Loopback port 1 all the same, in case that ever changes.
		_, err := Dial(context.Background(), Config{Host: "127.0.0.1", Port: 1, User: "u", PrivateKeyFile: tt.file, KnownHostsFile: filepath.Join(dir, "kh")})
		var kf *KeyFileError
		if !errors.As(err, &kf) || kf.Encrypted != tt.encrypted || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want *KeyFileError (encrypted %v) mentioning %q", tt.file, err, tt.encrypted, tt.want)
		}
	}
}

func TestNoCredentials(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	_, err := Dial(context.Background(), Config{Host: "127.0.0.1", Port: 1, User: "u", KnownHostsFile: filepath.Join(t.TempDir(), "kh")})
	if err == nil || !strings.Contains(err.Error(), "SSH_AUTH_SOCK is not set") {
		t.Errorf("err = %v", err)
	}
}

// testKeyFile writes a fresh passphrase-less key.
func testKeyFile(t *testing.T) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "id_test")
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
