package kubeadm

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlab/podlab/internal/bundle"
	"github.com/podlab/podlab/internal/testhosts"
)

// fakeELF is the smallest ELF64 file debug/elf reads: a header naming the
// machine, no sections.
func fakeELF(machine elf.Machine) []byte {
	var b bytes.Buffer
	b.Write([]byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)})
	b.Write(make([]byte, 9))
	le := binary.LittleEndian
	h := make([]byte, 48)
	le.PutUint16(h[0:], uint16(elf.ET_EXEC))
	le.PutUint16(h[2:], uint16(machine))
	le.PutUint32(h[4:], uint32(elf.EV_CURRENT))
	le.PutUint16(h[36:], 64) // ehsize
	b.Write(h)
	return b.Bytes()
}

// dockerArchive is an image archive as far as the bundle reads one: a tar
// with a docker-archive manifest.json naming refs.
func dockerArchive(t *testing.T, refs ...string) []byte {
	t.Helper()
	man, _ := json.Marshal([]map[string]any{{"Config": "c.json", "RepoTags": refs, "Layers": []string{}}})
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o644, Size: int64(len(man)), Typeflag: tar.TypeReg})
	tw.Write(man)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// kubeadmImages are what kubeadm v1.34.4 runs (kubeadm config images list).
var kubeadmImages = []string{
	"registry.k8s.io/kube-apiserver:v1.34.4", "registry.k8s.io/kube-controller-manager:v1.34.4",
	"registry.k8s.io/kube-scheduler:v1.34.4", "registry.k8s.io/kube-proxy:v1.34.4",
	"registry.k8s.io/coredns/coredns:v1.12.1", "registry.k8s.io/pause:3.10.1", "registry.k8s.io/etcd:3.6.5-0",
}

// fakeBundleDir writes a complete bundle source directory of fake files
// for machine, then lets edit change it.
func fakeBundleDir(t *testing.T, machine elf.Machine, edit func(dir string)) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{}
	for _, b := range []string{"kubeadm", "kubelet", "kubectl", "crictl"} {
		files["bin/"+b] = fakeELF(machine)
	}
	for _, p := range []string{"bridge", "host-local", "loopback", "portmap"} {
		files["cni/"+p] = fakeELF(machine)
	}
	files["images/control-plane.tar"] = dockerArchive(t, kubeadmImages...)
	for p, data := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if edit != nil {
		edit(dir)
	}
	return dir
}

func TestAssembleBundle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		machine elf.Machine
		version string
		edit    func(dir string)
		arch    string
		errSays []string
	}{
		{name: "complete, amd64", machine: elf.EM_X86_64, version: "v1.34.4", arch: "amd64"},
		{name: "complete, arm64", machine: elf.EM_AARCH64, version: "v1.34.4", arch: "arm64"},
		{name: "kubectl missing", machine: elf.EM_X86_64, version: "v1.34.4",
			edit:    func(d string) { os.Remove(filepath.Join(d, "bin", "kubectl")) },
			errSays: []string{"lacks bin/kubectl"}},
		{name: "images for another version", machine: elf.EM_X86_64, version: "v1.35.0",
			errSays: []string{"lacks an image archive holding kube-apiserver:v1.35.0"}},
		{name: "mixed architectures", machine: elf.EM_X86_64, version: "v1.34.4",
			edit: func(d string) {
				os.WriteFile(filepath.Join(d, "bin", "kubelet"), fakeELF(elf.EM_AARCH64), 0o755)
			},
			errSays: []string{"mixes architectures", "bin/kubelet is arm64"}},
		{name: "a script among the binaries", machine: elf.EM_X86_64, version: "v1.34.4",
			edit: func(d string) {
				os.WriteFile(filepath.Join(d, "bin", "kubeadm"), []byte("#!/bin/sh\n"), 0o755)
			},
			errSays: []string{"bin/kubeadm: not a Linux executable"}},
		{name: "an image archive that is not one", machine: elf.EM_X86_64, version: "v1.34.4",
			edit: func(d string) {
				os.WriteFile(filepath.Join(d, "images", "junk.tar"), []byte("<html>not a tar</html>"), 0o644)
			},
			errSays: []string{"images/junk.tar: not an image archive"}},
		{name: "no kube-proxy image", machine: elf.EM_X86_64, version: "v1.34.4",
			edit: func(d string) {
				os.WriteFile(filepath.Join(d, "images", "control-plane.tar"), dockerArchive(t, kubeadmImages[:3]...), 0o644)
			},
			errSays: []string{"lacks an image archive holding registry.k8s.io/kube-proxy:v1.34.4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := fakeBundleDir(t, tt.machine, tt.edit)
			m, err := bundle.Assemble(dir, tt.version)
			if len(tt.errSays) > 0 {
				if err == nil {
					t.Fatal("AssembleBundle accepted the directory")
				}
				for _, want := range tt.errSays {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error does not say %q:\n%v", want, err)
					}
				}
				if _, err := os.Stat(filepath.Join(dir, bundle.ManifestName)); err == nil {
					t.Error("a manifest was written for a refused bundle")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Arch != tt.arch || m.ImageRepository != "registry.k8s.io" || len(m.Files) != 9 {
				t.Errorf("manifest: arch %q, repository %q, %d files", m.Arch, m.ImageRepository, len(m.Files))
			}
			b, err := bundle.Load(dir, tt.version)
			if err != nil {
				t.Fatalf("loadBundle: %v", err)
			}
			if err := b.Verify(); err != nil {
				t.Errorf("verify: %v", err)
			}
			if got := b.PauseImage(); got != "registry.k8s.io/pause:3.10.1" {
				t.Errorf("pause image %q", got)
			}
		})
	}
}

// TestBundleRefused: a bundle that does not match its manifest, or is for
// another version, is refused naming the file, before anything is read
// from or written to a host.
func TestBundleRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(dir string)
		version string
		errSays []string
	}{
		{name: "a binary changed after assembly",
			edit: func(d string) {
				os.WriteFile(filepath.Join(d, "bin", "kubelet"), append(fakeELF(elf.EM_X86_64), 0), 0o755)
			},
			errSays: []string{"bin/kubelet does not match bundle.json", "damaged or was replaced"}},
		{name: "an image archive missing",
			edit:    func(d string) { os.Remove(filepath.Join(d, "images", "control-plane.tar")) },
			errSays: []string{"images/control-plane.tar is missing (bundle.json lists it)"}},
		{name: "no manifest",
			edit:    func(d string) { os.Remove(filepath.Join(d, bundle.ManifestName)) },
			errSays: []string{"has no bundle.json", "podlab bundle"}},
		{name: "another Kubernetes version", version: "v1.33.0",
			errSays: []string{"is for Kubernetes v1.34.4, but kubernetes_version is v1.33.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := fakeBundleDir(t, elf.EM_X86_64, nil)
			if _, err := bundle.Assemble(dir, "v1.34.4"); err != nil {
				t.Fatal(err)
			}
			if tt.edit != nil {
				tt.edit(dir)
			}
			version := tt.version
			if version == "" {
				version = "v1.34.4"
			}
			b, err := bundle.Load(dir, version)
			if err == nil {
				err = b.Verify()
			}
			if err == nil {
				t.Fatal("the bundle was accepted")
			}
			for _, want := range tt.errSays {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
		})
	}
}

// TestBadInputBeforeAnyChange: input that cannot work is refused, naming
// the file or host, before any host is changed: a damaged bundle before
// any SSH connection; a bundle for another architecture, two hosts with
// one hostname, a pod network holding a host's address once the hosts'
// facts are read (the verify phase, before preflight changes anything).
func TestBadInputBeforeAnyChange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		machine   elf.Machine
		edit      func(k *Config, env *testhosts.Env, bundleDir string)
		prepare   func(t *testing.T, env *testhosts.Env)
		phase     string // "" when refused before any phase
		errSays   []string
		noConnect bool
	}{{
		name:    "a damaged bundle",
		machine: elf.EM_X86_64,
		edit: func(k *Config, _ *testhosts.Env, dir string) {
			os.WriteFile(filepath.Join(dir, "cni", "bridge"), []byte("truncated"), 0o755)
		},
		errSays:   []string{"cni/bridge does not match bundle.json"},
		noConnect: true,
	}, {
		name:    "a bundle for arm64 hosts",
		machine: elf.EM_AARCH64,
		phase:   "verify",
		errSays: []string{"the host is x86_64 (amd64) but bundle", "holds arm64 binaries"},
	}, {
		name:    "two hosts with one hostname",
		machine: elf.EM_X86_64,
		prepare: func(t *testing.T, env *testhosts.Env) {
			if _, err := env.Hosts[1].Exec("hostname node-0"); err != nil {
				t.Fatal(err)
			}
		},
		phase:   "verify",
		errSays: []string{`both have the hostname "node-0"`, "give every host its own"},
	}, {
		name:    "a pod network holding the hosts' network",
		machine: elf.EM_X86_64,
		edit: func(k *Config, _ *testhosts.Env, _ string) {
			k.PodNetworkCIDR = "10.224.0.0/11" // holds 10.231.x.x
		},
		errSays:   []string{"pod_network_cidr 10.224.0.0/11 holds host 10.231.", "choose a network apart from the hosts'"},
		noConnect: true,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := testhosts.New(t, 2)
			dir := fakeBundleDir(t, tt.machine, nil)
			if _, err := bundle.Assemble(dir, "v1.34.4"); err != nil {
				t.Fatal(err)
			}
			if tt.prepare != nil {
				tt.prepare(t, env)
			}
			l := newLab(t, env, func(k *Config) {
				k.Bundle = dir
				if tt.edit != nil {
					tt.edit(k, env, dir)
				}
			})
			_, err := l.apply()
			if err == nil {
				t.Fatal("apply succeeded")
			}
			var pe *PhaseError
			switch {
			case tt.phase == "" && errors.As(err, &pe):
				t.Errorf("refused in phase %s on %s, want before any phase: %v", pe.Phase, pe.Host, err)
			case tt.phase != "" && (!errors.As(err, &pe) || pe.Phase != tt.phase):
				t.Errorf("err = %v, want phase %s", err, tt.phase)
			}
			for _, want := range tt.errSays {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
			for _, h := range env.Hosts {
				for _, c := range calls(h) {
					// The facts phase reads with these; none changes anything.
					if !strings.HasPrefix(c, "kubeadm version") && !strings.HasPrefix(c, "kubelet --version") && !strings.HasPrefix(c, "swapon --show") {
						t.Errorf("%s ran %q although the input was refused", h.Name, c)
					}
				}
				if tt.noConnect && strings.Contains(h.SSHDLog(), "Accepted publickey") {
					t.Errorf("%s was logged into although the input was refused before", h.Name)
				}
			}
		})
	}
}

// TestCNIManifestNotYAML: a CNI manifest that is not Kubernetes YAML (a
// web page saved instead of the file) is refused naming the file, before
// any host is reached.
func TestCNIManifestNotYAML(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"an HTML page":  "<!DOCTYPE html>\n<html><body>404</body></html>\n",
		"broken YAML":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n",
		"no kind":       "apiVersion: v1\nmetadata:\n  name: x\n",
		"only comments": "# kube-flannel.yml\n---\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			file := filepath.Join(dir, "kube-flannel.yml")
			if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := &Config{ControlPlane: []string{"10.0.0.10"}, KubernetesVersion: "v1.34.4", PodNetworkCIDR: "10.244.0.0/16", ServiceCIDR: "10.96.0.0/12", CNIManifest: "kube-flannel.yml"}
			_, err := newSpec("onprem", cfg, dir, filepath.Join(dir, "work"))
			if err == nil || !strings.Contains(err.Error(), "cni_manifest: "+file) {
				t.Errorf("err = %v, want one naming %s", err, file)
			}
		})
	}
}
