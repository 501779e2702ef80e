package sshx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExpandHome(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip(err)
	}
	tests := []struct{ in, want, err string }{
		{"~/.ssh/id_ed25519", filepath.Join(home, ".ssh/id_ed25519"), ""},
		{"~", home, ""},
		{"/abs/key", "/abs/key", ""},
		{"rel/key", "rel/key", ""},
		{"", "", ""},
		{"~bob/key", "", "only ~/"},
	}
	for _, tt := range tests {
		got, err := expandHome(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("expandHome(%q) error = %v, want one containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("expandHome(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestConfigDefaultsAndValidation(t *testing.T) {
	s, err := Config{Host: "10.0.0.10", User: "ubuntu", PrivateKeyFile: "/k"}.settings()
	if err != nil {
		t.Fatal(err)
	}
	if s.target.port != 22 || s.connectTimeout != DefaultConnectTimeout || s.keepAlive != DefaultKeepAlive {
		t.Errorf("defaults not applied: %+v", s)
	}
	if !strings.HasSuffix(s.knownHosts, "/.ssh/known_hosts") {
		t.Errorf("known_hosts default = %q", s.knownHosts)
	}
	if s.target.useAgent {
		t.Error("agent used although a key file was given and UseAgent is false")
	}
	if s.target.addr() != "10.0.0.10:22" {
		t.Errorf("addr = %q", s.target.addr())
	}
	s, err = Config{Host: "[fd00::1]", Port: 2222, User: "u"}.settings()
	if err != nil {
		t.Fatal(err)
	}
	if s.target.addr() != "[fd00::1]:2222" || !s.target.useAgent {
		t.Errorf("IPv6 target: addr %q, agent %v", s.target.addr(), s.target.useAgent)
	}

	bad := []struct {
		cfg  Config
		want string
	}{
		{Config{User: "u"}, "no address"},
		{Config{Host: "h"}, "no user"},
		{Config{Host: "h", User: "u", Port: 70000}, "out of range"},
		{Config{Host: "h", User: "u", Bastion: &Jump{Host: "b"}}, "bastion b: no user"},
	}
	for _, b := range bad {
		if _, err := b.cfg.settings(); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%+v: error = %v, want one containing %q", b.cfg, err, b.want)
		}
	}
}
