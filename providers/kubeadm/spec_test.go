package kubeadm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewSpec(t *testing.T) {
	lab := t.TempDir()
	if err := os.WriteFile(filepath.Join(lab, "flannel.yml"), []byte("apiVersion: v1\nkind: List\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(*Config)
		check func(t *testing.T, s *spec)
		err   []string
	}{{
		name: "defaults and relative paths",
		edit: func(k *Config) {
			k.CNIManifest = "flannel.yml"
			k.SSH.PrivateKeyFile = "keys/id_ed25519"
			k.SSH.Bastion = &Bastion{Host: "jump.example.test"}
			k.Workers = []string{"10.0.0.11:2222"}
		},
		check: func(t *testing.T, s *spec) {
			if s.cniManifest != filepath.Join(lab, "flannel.yml") || s.keyFile != filepath.Join(lab, "keys/id_ed25519") || s.known != "~/.ssh/known_hosts" {
				t.Errorf("paths: cni %q key %q known %q", s.cniManifest, s.keyFile, s.known)
			}
			if s.packageVersion != "1.34.4-*" || s.readyTimeout != 5*time.Minute || s.connect != 15*time.Second {
				t.Errorf("defaults: package %q ready %v connect %v", s.packageVersion, s.readyTimeout, s.connect)
			}
			if b := s.bastion; b == nil || b.User != "ubuntu" || b.PrivateKeyFile != s.keyFile {
				t.Errorf("bastion does not default to the hosts' user and key: %+v", b)
			}
			w := s.sshConfig("10.0.0.11:2222")
			if w.Host != "10.0.0.11" || w.Port != 2222 || w.LogFile != filepath.Join(s.workDir, "logs", "10.0.0.11_2222.log") {
				t.Errorf("ssh config for a host with a port: %+v", w)
			}
		},
	}, {
		name: "several control planes need an endpoint",
		edit: func(k *Config) { k.ControlPlane = []string{"a", "b"} },
		err:  []string{"control_plane lists 2 hosts, which needs api_server_endpoint"},
	}, {
		name: "every mistake at once",
		edit: func(k *Config) {
			k.CNIManifest = "missing.yml"
			k.NodeReadyTimeout = "soon"
			k.KubernetesVersion = "1.34"
		},
		err: []string{`cluster "onprem"`, "cni_manifest", "missing.yml", "class VMs may be offline", `node_ready_timeout: "soon"`, `kubernetes_version "1.34"`},
	}, {
		name: "extra config without a kind",
		edit: func(k *Config) { k.ExtraConfig = "apiVersion: v1\n---\nfoo: [" },
		err:  []string{"kubeadm_extra_config: document 1 has no apiVersion or kind"},
	}, {
		name: "extra config replacing podlab's own",
		edit: func(k *Config) {
			k.ExtraConfig = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n"
		},
		err: []string{"document 2 is a ClusterConfiguration, which podlab writes from the block's settings"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := blockFor(tt.edit)
			s, err := newSpec("onprem", &cfg, lab, t.TempDir())
			if len(tt.err) > 0 {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tt.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error does not say %q:\n%v", w, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}
