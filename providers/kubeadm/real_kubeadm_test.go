package kubeadm

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// realKubeadm is the kubeadm v1.34.4 the test cluster's harness builds
// ($PODLAB_KUBEADM overrides), or "" when this machine has none.
func realKubeadm(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PODLAB_KUBEADM"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	cache := os.Getenv("PODLAB_CACHE_DIR")
	if cache == "" {
		cache = filepath.Join(home, ".cache", "podlab")
	}
	p := filepath.Join(cache, "k8s", "v1.34.4", "bin", "kubeadm")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// TestRealKubeadmAcceptsTheConfig: kubeadm itself validates every
// configuration the golden files hold.
func TestRealKubeadmAcceptsTheConfig(t *testing.T) {
	kubeadm := realKubeadm(t)
	if kubeadm == "" {
		t.Skip("no kubeadm v1.34.4 built on this machine (make cluster-up builds it)")
	}
	files, err := filepath.Glob(filepath.Join("testdata", "kubeadm-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden kubeadm configurations (%v)", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			out, err := exec.Command(kubeadm, "config", "validate", "--config", f).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "ok" {
				t.Errorf("kubeadm config validate %s: %v\n%s", f, err, out)
			}
		})
	}
}
