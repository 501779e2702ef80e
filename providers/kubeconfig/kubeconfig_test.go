package kubeconfig

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes a kubeconfig fixture into dir.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The first file sets the current context; the context, its cluster and
// its user live in the second. kubectl merges the list; so must podlab.
const firstFile = `apiVersion: v1
kind: Config
current-context: class
preferences: {}
`

const secondFile = `apiVersion: v1
kind: Config
current-context: other
clusters:
- name: class-cluster
  cluster:
    server: https://127.0.0.1:7443
    insecure-skip-tls-verify: true
- name: other-cluster
  cluster:
    server: https://127.0.0.1:8443
users:
- name: teacher
  user:
    token: abc
contexts:
- name: class
  context: {cluster: class-cluster, user: teacher}
- name: other
  context: {cluster: other-cluster, user: teacher}
`

func TestKubeconfigListIsMerged(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.yaml", firstFile)
	b := writeFile(t, dir, "b.yaml", secondFile)
	missing := filepath.Join(dir, "missing.yaml")
	tests := []struct {
		name     string
		env      string
		context  string
		wantHost string
		wantCtx  string
	}{
		{"context named in the first, defined in the second", a + ":" + b, "", "https://127.0.0.1:7443", "class"},
		{"the first file's current context wins", b + ":" + a, "", "https://127.0.0.1:8443", "other"},
		{"a missing file is skipped, as kubectl does", missing + ":" + a + ":" + b, "", "https://127.0.0.1:7443", "class"},
		{"the block's context picks from the merged list", a + ":" + b, "other", "https://127.0.0.1:8443", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", tt.env)
			p := New("kubeconfig", &Config{Context: tt.context}, dir)
			conn, err := p.Connect(context.Background(), nil)
			if err != nil {
				t.Fatalf("Connect: %v", err)
			}
			if conn.REST.Host != tt.wantHost || conn.Context != tt.wantCtx {
				t.Errorf("connected to %s (context %q), want %s (context %q)", conn.REST.Host, conn.Context, tt.wantHost, tt.wantCtx)
			}
			cfg, err := p.Kubeconfig(context.Background(), nil)
			if err != nil {
				t.Fatalf("Kubeconfig: %v", err)
			}
			if cfg.CurrentContext != tt.wantCtx || len(cfg.Contexts) != 1 || len(cfg.Clusters) != 1 || cfg.Clusters[cfg.Contexts[tt.wantCtx].Cluster].Server != tt.wantHost {
				t.Errorf("written kubeconfig: current %q, %d contexts, %d clusters", cfg.CurrentContext, len(cfg.Contexts), len(cfg.Clusters))
			}
		})
	}
}

func TestKubeconfigErrors(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.yaml", firstFile)
	tests := []struct {
		name string
		env  string
		path string
		want string
	}{
		{"no file of the list exists", filepath.Join(dir, "x") + ":" + filepath.Join(dir, "y"), "", "none of the files KUBECONFIG names exists"},
		{"the context is defined nowhere", a, "", `has no context "class"`},
		{"the block's path does not exist", a, "nope.yaml", "nope.yaml does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", tt.env)
			p := New("kubeconfig", &Config{Path: tt.path}, dir)
			_, err := p.Connect(context.Background(), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Connect: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
