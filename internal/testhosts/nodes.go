package testhosts

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// WithRealNodes makes every host a machine fit to become a real Kubernetes
// node, with no stand-in but systemctl: kubeadm, the kubelet, kubectl and
// the CNI plugins are whatever gets installed on it (podlab's install from
// a bundle), and the machine's own containerd, runc, iptables, curl and ip
// run for real inside the host. On top of the usual isolation each host
// gets:
//
//   - its own cgroup root (CgroupRoot, created in every hierarchy and
//     mounted inside the host, since ip netns exec drops /sys/fs/cgroup),
//     which the kubelet uses through KUBELET_EXTRA_ARGS=--cgroup-root in
//     /etc/default/kubelet, so no two kubelets ever touch each other's
//     pods;
//   - a mount tree shared inside the host (kubelet, containerd and runc see
//     each other's mounts), containerd's root on a plain filesystem
//     (overlayfs cannot stack on the host's overlay /var/lib), and an
//     overlay over /usr/lib too, for the host paths pods create there
//     (kube-proxy's /lib/modules);
//   - a unique /etc/machine-id, /etc/hosts naming its address,
//     resolv.conf pointing at no server (never at 127.x), and a default
//     route through an address no machine has (10.231.2K.254), so that
//     node components find their interface and Service addresses route,
//     yet nothing can leave the machine;
//   - a containerd configuration for this machine (cgroupfs driver,
//     restrict_oom_score_adj, which this VM needs), registry mirrors for
//     docker.io and ghcr.io at the slot's gateway (see Forward), and a CNI
//     config template containerd renders with the node's pod CIDR:
//     bridge and host-local over the node's subnet, as the flannel CNI
//     plugin itself would delegate;
//   - systemctl (standins/systemctl-node) starting and stopping the real
//     containerd and kubelet as systemd would, with Restart=always for the
//     kubelet.
func WithRealNodes() Option { return func(o *options) { o.nodes = true } }

// noRouteOctet is the default gateway real nodes get: no machine has it,
// so a packet for anywhere outside the slot's networks goes nowhere.
const noRouteOctet = 254

// nodeOverlaid are the extra overlays of a real node.
var nodeOverlaid = []string{"usr/lib"}

// Gateway is the root namespace's address on the hosts' network: what
// Forward listens on.
func (e *Env) Gateway() string { return frontAddr(e.slot.n, frontGateway) }

// Forward relays TCP connections made to the gateway's port (from any
// host) to target on this machine, such as the local test cluster's
// image registry on 127.0.0.1:5000, until the test ends.
func (e *Env) Forward(port int, target string) error {
	l, err := net.Listen("tcp", net.JoinHostPort(e.Gateway(), strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("testhosts: forward: %w", err)
	}
	var wg sync.WaitGroup
	e.t.Cleanup(func() {
		l.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				u, err := net.DialTimeout("tcp", target, 10*time.Second)
				if err != nil {
					return
				}
				defer u.Close()
				done := make(chan struct{}, 2)
				go func() { io.Copy(u, c); u.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
				go func() { io.Copy(c, u); c.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
				<-done
				<-done
			}()
		}
	}()
	return nil
}

// CgroupRoot is the host's own cgroup (the kubelet's cgroupRoot), such as
// "/plh0-node-1"; "" unless WithRealNodes.
func (h *Host) CgroupRoot() string { return h.cgroupRoot }

// setupNode turns a booted host into a real node-to-be.
func (e *Env) setupNode(h *Host) error {
	h.cgroupRoot = "/" + e.slot.prefix() + h.Name
	if err := makeCgroup(strings.TrimPrefix(h.cgroupRoot, "/")); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(h.root, ".containerd"), 0o711); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	nowhere := frontAddr(e.slot.n, noRouteOctet)
	mounts, err := cgroupMountScript()
	if err != nil {
		return err
	}
	r := strings.NewReplacer(
		"@ROOT@", h.root, "@ADDR@", h.Addr, "@NAME@", h.Name, "@NOWHERE@", nowhere,
		"@MACHINEID@", hex.EncodeToString(id[:]), "@CGROUP@", h.cgroupRoot,
		"@MIRROR@", "http://"+net.JoinHostPort(e.Gateway(), "5000"),
		"@CGROUPMOUNTS@", mounts,
	)
	if _, err := h.Exec(r.Replace(nodeSetup)); err != nil {
		return err
	}
	return nil
}

// nodeSetup runs inside the host, as root, once its sshd runs.
const nodeSetup = `set -e
@CGROUPMOUNTS@
mkdir -p /var/lib/containerd
mount --bind @ROOT@/.containerd /var/lib/containerd
mount --make-rshared /
echo @MACHINEID@ >/etc/machine-id
printf '127.0.0.1\tlocalhost\n@ADDR@\t@NAME@\n' >/etc/hosts
rm -f /etc/resolv.conf
echo 'nameserver @NOWHERE@' >/etc/resolv.conf
mkdir -p /etc/default
echo 'KUBELET_EXTRA_ARGS="--cgroup-root=@CGROUP@ --node-ip=@ADDR@"' >/etc/default/kubelet
ip route add default via @NOWHERE@ dev eth0 onlink
mkdir -p /etc/containerd/certs.d/docker.io /etc/containerd/certs.d/ghcr.io /etc/cni/net.d /opt/cni/bin
for r in docker.io:https://registry-1.docker.io ghcr.io:https://ghcr.io; do
	cat >/etc/containerd/certs.d/${r%%:*}/hosts.toml <<EOF
server = "${r#*:}"

[host."@MIRROR@"]
  capabilities = ["pull", "resolve"]
EOF
done
cat >/etc/containerd/config.toml <<'EOF'
` + nodeContainerdConfig + `EOF
cat >/etc/containerd/cni-template.json <<'EOF'
` + nodeCNITemplate + `EOF
`

// nodeContainerdConfig is containerd's configuration on a real node.
const nodeContainerdConfig = `version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = "/run/containerd/containerd.sock"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10.1"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/opt/cni/bin"
    conf_dir = "/etc/cni/net.d"
    conf_template = "/etc/containerd/cni-template.json"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "/etc/containerd/certs.d"
`

// nodeCNITemplate is what containerd writes into /etc/cni/net.d once the
// kubelet tells it the node's pod CIDR: the bridge the flannel CNI plugin
// would delegate to, with flannel's VXLAN MTU.
const nodeCNITemplate = `{
  "name": "cbr0",
  "cniVersion": "1.0.0",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isDefaultGateway": true,
      "hairpinMode": true,
      "ipMasq": false,
      "mtu": 1450,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "{{.PodCIDR}}"}]]
      }
    },
    {
      "type": "portmap",
      "capabilities": {"portMappings": true}
    }
  ]
}
`

// cgroupMountScript mounts the machine's cgroup hierarchies inside a
// host: ip netns exec remounts /sys there, which drops them.
func cgroupMountScript() (string, error) {
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return "", fmt.Errorf("testhosts: %w", err)
	}
	var sb strings.Builder
	sb.WriteString("mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup\n")
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[1], "/sys/fs/cgroup/") || (f[2] != "cgroup" && f[2] != "cgroup2") {
			continue
		}
		fmt.Fprintf(&sb, "mkdir -p %s && mount -t %s -o %s %s %s\n", f[1], f[2], f[3], f[2], f[1])
	}
	return sb.String(), nil
}

// cgroupHierarchies are the machine's cgroup v1 hierarchies (and the v2
// one, if mounted), once each.
func cgroupHierarchies() []string {
	ents, err := os.ReadDir("/sys/fs/cgroup")
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, e := range ents {
		p, err := filepath.EvalSymlinks(filepath.Join("/sys/fs/cgroup", e.Name()))
		if err != nil || seen[p] {
			continue
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// makeCgroup creates name at the top of every hierarchy, with its parent's
// CPUs and memory nodes in the cpuset one.
func makeCgroup(name string) error {
	for _, d := range cgroupHierarchies() {
		p := filepath.Join(d, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return fmt.Errorf("testhosts: cgroup: %w", err)
		}
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			if v, err := os.ReadFile(filepath.Join(d, f)); err == nil {
				if err := os.WriteFile(filepath.Join(p, f), v, 0o644); err != nil {
					return fmt.Errorf("testhosts: cgroup: %w", err)
				}
			}
		}
	}
	return nil
}

// sweepCgroups kills every process in the slot's cgroups (a pod's
// containers live in network namespaces of their own, so the sweep by
// namespace does not find them) and removes the cgroups, deepest first.
func sweepCgroups(prefix string) error {
	var dirs []string
	for _, d := range cgroupHierarchies() {
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if e.IsDir() && strings.HasPrefix(e.Name(), prefix) {
				filepath.WalkDir(filepath.Join(d, e.Name()), func(p string, de os.DirEntry, err error) error {
					if err == nil && de.IsDir() {
						dirs = append(dirs, p)
					}
					return nil
				})
			}
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	var errs []error
	for attempt := 0; attempt < 50; attempt++ {
		var pids []int
		for _, d := range dirs {
			b, _ := os.ReadFile(filepath.Join(d, "cgroup.procs"))
			for _, f := range strings.Fields(string(b)) {
				if p, err := strconv.Atoi(f); err == nil {
					pids = append(pids, p)
				}
			}
		}
		if len(pids) == 0 {
			break
		}
		// A frozen cgroup holds its processes: thaw it first.
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(d, "freezer.state")); err == nil {
				_ = os.WriteFile(filepath.Join(d, "freezer.state"), []byte("THAWED"), 0o644)
			}
		}
		killAndWait(pids)
		time.Sleep(20 * time.Millisecond)
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		var err error
		for try := 0; try < 50; try++ {
			if err = syscall.Rmdir(dirs[i]); err == nil || errors.Is(err, syscall.ENOENT) {
				err = nil
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("testhosts: remove cgroup %s: %w", dirs[i], err))
		}
	}
	return errors.Join(errs...)
}

// cgroupsLeft tells whether a killed run left cgroups of the slot.
func cgroupsLeft(prefix string) bool {
	for _, d := range cgroupHierarchies() {
		if m, _ := filepath.Glob(filepath.Join(d, prefix+"*")); len(m) > 0 {
			return true
		}
	}
	return false
}
