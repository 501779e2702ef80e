package kubeadm

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestKubeadmConfig compares the generated kubeadm configuration with
// golden files (go test -run TestKubeadmConfig -update rewrites them).
func TestKubeadmConfig(t *testing.T) {
	tests := []struct {
		golden string
		edit   func(*Config)
		addrs  []string // the init host's own addresses
	}{
		{golden: "kubeadm-defaults.yaml", addrs: []string{"10.0.0.10"}},
		{golden: "kubeadm-behind-nat.yaml", addrs: []string{"192.168.1.5"}},
		{golden: "kubeadm-endpoint-sans.yaml", addrs: []string{"10.0.0.10"}, edit: func(k *Config) {
			k.ControlPlane = []string{"10.0.0.10", "10.0.0.11:2222"}
			k.APIEndpoint = "k8s.example.test:6443"
			k.CertSANs = []string{"k8s.example.test", "203.0.113.7"}
			k.PodNetworkCIDR = "192.168.0.0/16"
			k.ServiceCIDR = "10.112.0.0/12"
			k.KubernetesVersion = "v1.33.2"
			k.CRISocket = "unix:///var/run/crio/crio.sock"
		}},
		{golden: "kubeadm-extra-config.yaml", addrs: []string{"10.0.0.10"}, edit: func(k *Config) {
			k.ExtraConfig = "---\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: cgroupfs\nfailSwapOn: false\n---\napiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ipvs"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			cfg := blockFor(tt.edit)
			s, err := newSpec("onprem", &cfg, t.TempDir(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			h := s.hosts()[0]
			h.facts = &facts{addrs: tt.addrs, files: map[string]bool{}}
			got, err := kubeadmConfig(s, h)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("kubeadm configuration differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

// blockFor is a kubeadm block with the language's defaults.
func blockFor(edit func(*Config)) Config {
	k := Config{
		ControlPlane:      []string{"10.0.0.10"},
		Workers:           []string{"10.0.0.11", "10.0.0.12"},
		KubernetesVersion: "v1.34.4",
		PodNetworkCIDR:    "10.244.0.0/16",
		ServiceCIDR:       "10.96.0.0/12",
		CRISocket:         "unix:///run/containerd/containerd.sock",
		NodeReadyTimeout:  "5m",
		SSH:               SSH{User: "ubuntu", Port: 22, KnownHostsFile: "~/.ssh/known_hosts", ConnectTimeout: "15s"},
	}
	if edit != nil {
		edit(&k)
	}
	return k
}
