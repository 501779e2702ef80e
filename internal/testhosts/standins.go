package testhosts

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

//go:embed standins
var standinFS embed.FS

// Token is the bootstrap token every kubeadm stand-in prints and accepts.
const Token = "abcdef.0123456789abcdef"

// KubernetesVersion is the version the stand-ins report.
const KubernetesVersion = "v1.34.4"

// DefaultAdminConf is what kubeadm init writes to /etc/kubernetes/admin.conf
// unless WithAdminConf gives the real test cluster's kubeconfig.
const DefaultAdminConf = `apiVersion: v1
kind: Config
clusters:
- name: kubernetes
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: cG9kbGFiLXRlc3Rob3N0cy1wbGFjZWhvbGRlcg==
contexts:
- name: kubernetes-admin@kubernetes
  context:
    cluster: kubernetes
    user: kubernetes-admin
current-context: kubernetes-admin@kubernetes
users:
- name: kubernetes-admin
  user:
    token: podlab-testhosts-placeholder
`

// scripted are the stand-ins with behaviour of their own; recorders only
// record and succeed. All of them act on the host's private files or nothing:
// modprobe, sysctl, swapoff and iptables must never reach the shared kernel.
var (
	scripted = []string{"kubeadm", "kubectl", "systemctl", "apt-get", "sysctl",
		"swapon", "dpkg-query", "curl", "containerd", "iptables-save", "kubelet"}
	// aliases are scripted stand-ins installed under more names, which the
	// script tells apart by $0.
	aliases = map[string]string{
		"swapoff":           "swapon",
		"iptables-restore":  "iptables-save",
		"ip6tables-save":    "iptables-save",
		"ip6tables-restore": "iptables-save",
	}
	recorders = []string{"modprobe", "iptables", "ip6tables", "apt-mark", "ipvsadm"}
)

// standinFacts is what the stand-ins know about their host and cluster.
type standinFacts struct {
	name, addr, caHash string
	adminConf          []byte
	clusterDir         string
	extra              []string
	swaps              string
	realNode           bool // only systemctl, the real-node one
}

// installStandins puts the stand-ins into the host's /usr/local/bin layer and
// prepares their state directory in the host's /run.
func installStandins(root string, f standinFacts) error {
	bin := filepath.Join(root, "usr", "local", "bin")
	scripted, aliases, recorders := scripted, aliases, recorders
	if f.realNode {
		if err := copyStandin("systemctl-node", filepath.Join(bin, "systemctl")); err != nil {
			return err
		}
		scripted, aliases, recorders = nil, nil, nil
	}
	for _, name := range scripted {
		if err := copyStandin(name, filepath.Join(bin, name)); err != nil {
			return err
		}
	}
	for name, script := range aliases {
		if err := copyStandin(script, filepath.Join(bin, name)); err != nil {
			return err
		}
	}
	for _, name := range append(append([]string{}, recorders...), f.extra...) {
		if strings.ContainsRune(name, '/') || name == "" {
			return fmt.Errorf("testhosts: stand-in name %q is not a command name", name)
		}
		if err := copyStandin("recorder", filepath.Join(bin, name)); err != nil {
			return err
		}
	}
	state := filepath.Join(root, stateDir)
	if err := copyStandin("lib.sh", filepath.Join(state, "lib.sh")); err != nil {
		return err
	}
	facts := fmt.Sprintf("PLH_NAME=%s\nPLH_ADDR=%s\nPLH_VERSION=%s\nPLH_TOKEN=%s\nPLH_CA_HASH=%s\n",
		f.name, f.addr, KubernetesVersion, Token, f.caHash)
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{"facts", []byte(facts), 0o644},
		{"admin.conf", f.adminConf, 0o600},
		// Active swap devices, which the swapon/swapoff stand-ins manage.
		{"swaps", []byte(f.swaps), 0o644},
		// Writable by all: a stand-in run without sudo must still record.
		{"commands.log", nil, 0o666},
	}
	for _, file := range files {
		p := filepath.Join(state, file.name)
		if err := os.WriteFile(p, file.data, file.mode); err != nil {
			return fmt.Errorf("testhosts: %w", err)
		}
		if err := os.Chmod(p, file.mode); err != nil {
			return fmt.Errorf("testhosts: %w", err)
		}
	}
	if err := os.Symlink(f.clusterDir, filepath.Join(state, "cluster")); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	return nil
}

func copyStandin(name, dst string) error {
	b, err := standinFS.ReadFile("standins/" + name)
	if err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	return nil
}
