package testhosts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRealNodes: real-node hosts are separate machines as far as a
// kubelet can tell (machine-id, hostname, address, cgroup root, mounts),
// and their systemctl runs the machine's real containerd inside the host
// and stops it; the cleanup leaves no cgroup behind.
func TestRealNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd")
	}
	if _, err := exec.LookPath("containerd"); err != nil {
		Require(t) // skips, or fails with PODLAB_E2E=1, when hosts cannot be made
		if os.Getenv(E2EEnv) == "1" {
			t.Fatalf("real nodes need containerd (Debian package containerd): %v", err)
		}
		t.Skip("real nodes need containerd")
	}
	var roots []string
	t.Run("nodes", func(t *testing.T) {
		env := New(t, 2, WithRealNodes())
		ids := map[string]bool{}
		for _, h := range env.Hosts {
			roots = append(roots, h.CgroupRoot())
			out, err := h.Exec("cat /etc/machine-id; hostname; ip -4 route show default; ls /sys/fs/cgroup/memory" + h.CgroupRoot() + " >/dev/null && echo cgroup; grep -c ' / / .*shared:' /proc/self/mountinfo; cat /etc/default/kubelet")
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) < 6 || ids[lines[0]] || lines[1] != h.Name || !strings.Contains(lines[2], "via 10.231.") || lines[3] != "cgroup" || lines[4] != "1" || !strings.Contains(lines[5], "--cgroup-root="+h.CgroupRoot()) {
				t.Errorf("%s:\n%s", h.Name, out)
			}
			ids[lines[0]] = true
		}
		h := env.Hosts[0]
		if out, err := h.Exec("systemctl enable --now containerd && timeout 20 sh -c 'until ctr version >/dev/null 2>&1; do sleep 0.1; done' && systemctl is-active containerd && ls /var/lib/containerd"); err != nil {
			t.Fatalf("containerd: %v\n%s", err, out)
		}
		// The other host has no containerd: each host has its own /run.
		if out, err := env.Hosts[1].Exec("ctr version"); err == nil {
			t.Errorf("node-1 reaches node-0's containerd:\n%s", out)
		}
		if out, err := h.Exec("systemctl stop containerd; systemctl is-active containerd"); err == nil || !strings.Contains(out, "inactive") {
			t.Errorf("after stop: %v\n%s", err, out)
		}
	})
	for _, r := range roots {
		if m, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup/*", r)); len(m) > 0 {
			t.Errorf("cgroups left after the test: %v", m)
		}
	}
}
