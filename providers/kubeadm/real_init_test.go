package kubeadm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/podlab/podlab/internal/testhosts"
)

// realInitEnv opts in to TestRealKubeadmInit: it runs a second control
// plane (etcd, kube-apiserver, controller-manager, scheduler, kubelet,
// containerd) on this machine for a minute or two.
const realInitEnv = "PODLAB_REAL_KUBEADM"

// TestRealKubeadmInit is podlab's init, kubeconfig and reset phases with
// kubeadm itself: a test host runs the real kubeadm v1.34.4, kubelet and
// containerd, with control-plane images built here from the binaries of
// the local test cluster's build (and etcd 3.6 built from its module),
// and podlab turns it into a one-node cluster whose API server answers
// from this machine, then resets it.
func TestRealKubeadmInit(t *testing.T) {
	if os.Getenv(realInitEnv) != "1" {
		t.Skipf("set %s=1 to run kubeadm init for real on a test host (a second control plane on this machine)", realInitEnv)
	}
	kubeadm := realKubeadm(t)
	if kubeadm == "" {
		t.Fatal("no kubeadm v1.34.4 on this machine: make cluster-up builds it")
	}
	bins := filepath.Dir(kubeadm)
	// The machine's own containerd: the host's PATH has a stand-in first.
	for _, tool := range []string{"/usr/bin/containerd", "containerd-shim-runc-v2", "runc", "ctr"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (Debian packages containerd and runc): %v", tool, err)
		}
	}
	etcd := buildEtcd(t)
	// The pause binary the test cluster's harness builds.
	pause := "/var/lib/podlab-testcluster/bin/pause"
	if !fileExists(pause) {
		t.Fatalf("no %s: make cluster-up builds it", pause)
	}

	// The kubelet's cgroups live under a root of their own, away from the
	// test cluster's kubelet; it is removed once the host's processes
	// are gone (cleanups run last registered first, so this one runs
	// after the hosts' teardown).
	cgroupRoot := fmt.Sprintf("podlab-kubeadm-test-%d", os.Getpid())
	t.Cleanup(func() { removeCgroups(t, cgroupRoot) })
	makeCgroups(t, cgroupRoot)

	env := testhosts.New(t, 1)
	h := env.Hosts[0]
	stage := filepath.Join(env.Dir(), "real")
	images := filepath.Join(stage, "images.tar")
	start := time.Now()
	buildImages(t, images, map[string]imageSpec{
		"registry.k8s.io/kube-apiserver:v1.34.4":          {bin: filepath.Join(bins, "kube-apiserver")},
		"registry.k8s.io/kube-controller-manager:v1.34.4": {bin: filepath.Join(bins, "kube-controller-manager")},
		"registry.k8s.io/kube-scheduler:v1.34.4":          {bin: filepath.Join(bins, "kube-scheduler")},
		"registry.k8s.io/kube-proxy:v1.34.4":              {bin: filepath.Join(bins, "kube-proxy")},
		"registry.k8s.io/etcd:3.6.5-0":                    {bin: etcd},
		"registry.k8s.io/pause:3.10.1":                    {bin: pause, entrypoint: "/usr/local/bin/pause"},
		// CoreDNS only has to exist for kubeadm's image check; without a
		// pod network its pods never start anyway.
		"registry.k8s.io/coredns/coredns:v1.12.1": {bin: pause, entrypoint: "/usr/local/bin/pause"},
	})
	t.Logf("images built in %s", time.Since(start).Round(time.Millisecond))
	for _, b := range []string{kubeadm, filepath.Join(bins, "kubelet")} {
		copyFile(t, b, filepath.Join(stage, filepath.Base(b)))
	}
	if err := os.MkdirAll(filepath.Join(stage, "containerd-root"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stage, "systemctl"), []byte(systemctlKubelet), 0o755); err != nil {
		t.Fatal(err)
	}
	// Inside the host: the real kubeadm and kubelet replace the stand-ins,
	// systemctl starts the kubelet as systemd would, and containerd runs
	// with its root on a plain filesystem (overlayfs cannot sit on the
	// host's overlay /var/lib).
	setup := fmt.Sprintf(`set -e
S=%[1]s
cp "$S/kubeadm" "$S/kubelet" "$S/systemctl" /usr/local/bin/
mkdir -p /var/lib/containerd /etc/containerd /run/containerd
mount --bind "$S/containerd-root" /var/lib/containerd
cat >/etc/containerd/config.toml <<'EOF'
%[2]sEOF
echo 1 >/proc/sys/net/ipv4/ip_forward
setsid /usr/bin/containerd --config /etc/containerd/config.toml </dev/null >/var/log/containerd.log 2>&1 &
timeout 30 sh -c 'until ctr version >/dev/null 2>&1; do sleep 0.1; done' || { tail -n 30 /var/log/containerd.log; exit 1; }
ctr -n k8s.io images import "$S/images.tar" >/dev/null
ctr -n k8s.io images ls -q`, stage, hostContainerdConfig)
	out, err := h.Exec(cgroupMounts(t) + setup)
	if err != nil {
		t.Fatalf("setting up the host: %v", err)
	}
	t.Logf("images on the host:\n%s", out)

	l := newLab(t, env, func(k *Config) {
		k.CNIManifest = ""
		k.ExtraConfig = fmt.Sprintf(hostKubeletConfig, "/"+cgroupRoot)
		// The host is a network namespace, not a VM: the kernel's cgroup
		// v1 and its configuration are the machine's, and the bridge
		// sysctls are not per namespace on every kernel.
		k.IgnorePreflightErrors = []string{"SystemVerification", "FileContent--proc-sys-net-bridge-bridge-nf-call-iptables"}
	})
	l.p.probe = nil // the real probe, against the real API server
	s, err := l.p.spec()
	if err != nil {
		t.Fatal(err)
	}
	c := newCluster(s, nil, l.rec, l.prog)
	defer c.close()
	start = time.Now()
	if err := c.runPhases(t.Context(), []phase{connect{}, gatherFacts{}, preflight{}, initControlPlane{}, fetchKubeconfig{}}); err != nil {
		logs, _ := h.Exec("tail -n 40 /var/log/kubelet.log; tail -n 20 /var/log/containerd.log")
		t.Fatalf("building the cluster: %v\nkubelet and containerd said:\n%s", err, logs)
	}
	t.Logf("kubeadm init through podlab took %s", time.Since(start).Round(time.Millisecond))

	// The kubeconfig podlab fetched reaches the host's API server, which
	// knows the node and runs its control plane as static pods.
	if want := "https://" + h.Addr + ":6443"; c.conn.REST.Host != want {
		t.Errorf("kubeconfig server = %q, want %q", c.conn.REST.Host, want)
	}
	cs, err := kubernetes.NewForConfig(c.conn.REST)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	if _, err := cs.CoreV1().Nodes().Get(ctx, "node-0", metav1.GetOptions{}); err != nil {
		t.Errorf("node node-0: %v", err)
	}
	waitRunning(ctx, t, cs, "kube-system", "kube-apiserver-node-0")
	v, err := cs.Discovery().ServerVersion()
	if err != nil || v.GitVersion != "v1.34.4" {
		t.Errorf("server version %v, %v", v, err)
	}

	// podlab's reset runs kubeadm reset for real.
	h.ClearCommandLog()
	if err := c.runPhases(t.Context(), []phase{resetControlPlanes{}, cleanupNodes{}}); err != nil {
		t.Fatalf("reset: %v", err)
	}
	left, err := h.Exec("ls -A /etc/kubernetes/manifests /etc/kubernetes/pki; ls /etc/kubernetes; ctr -n k8s.io containers ls -q")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(left, ".yaml") || strings.Contains(left, "admin.conf") || strings.Contains(left, ".crt") {
		t.Errorf("kubeadm reset left:\n%s", left)
	}
	t.Logf("after reset:\n%s", left)
}

// imageSpec is one control-plane image: a static binary on PATH.
type imageSpec struct {
	bin        string
	entrypoint string
}

// buildImages writes the images as one docker-archive tarball, which
// ctr imports.
func buildImages(t *testing.T, path string, specs map[string]imageSpec) {
	t.Helper()
	refs := map[name.Reference]v1.Image{}
	for ref, sp := range specs {
		tag, err := name.NewTag(ref)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(sp.bin)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		for _, d := range []string{"usr/", "usr/local/", "usr/local/bin/", "tmp/", "var/", "var/lib/", "etc/"} {
			mode := int64(0o755)
			if d == "tmp/" {
				mode = 0o1777
			}
			tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: mode})
		}
		tw.WriteHeader(&tar.Header{Name: "usr/local/bin/" + filepath.Base(sp.bin), Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(data))})
		tw.Write(data)
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b.Bytes())), nil },
			tarball.WithCompressionLevel(gzip.BestSpeed))
		if err != nil {
			t.Fatal(err)
		}
		img, err := mutate.AppendLayers(empty.Image, layer)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cfg = cfg.DeepCopy()
		cfg.OS, cfg.Architecture = "linux", "amd64"
		cfg.Config.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
		if sp.entrypoint != "" {
			cfg.Config.Entrypoint = []string{sp.entrypoint}
		}
		if img, err = mutate.ConfigFile(img, cfg); err != nil {
			t.Fatal(err)
		}
		refs[tag] = img
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := tarball.MultiRefWriteToFile(path, refs); err != nil {
		t.Fatal(err)
	}
}

// buildEtcd builds etcd v3.6.5 from its Go module once, into the cache the
// test cluster's harness uses.
func buildEtcd(t *testing.T) string {
	t.Helper()
	home, _ := os.UserHomeDir()
	cache := os.Getenv("PODLAB_CACHE_DIR")
	if cache == "" {
		cache = filepath.Join(home, ".cache", "podlab")
	}
	bin := filepath.Join(cache, "etcd", "v3.6.5", "etcd")
	if fileExists(bin) {
		return bin
	}
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join("testdata", "etcd", "main.go"), filepath.Join(src, "main.go"))
	copyFile(t, filepath.Join("testdata", "etcd", "go.mod.txt"), filepath.Join(src, "go.mod"))
	for _, argv := range [][]string{{"go", "mod", "tidy"}, {"go", "build", "-o", bin, "."}} {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building etcd: %s: %v\n%s", strings.Join(argv, " "), err, out)
		}
	}
	return bin
}

// waitRunning watches the pod until it runs.
func waitRunning(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns, pod string) {
	t.Helper()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", pod).String()
			return cs.CoreV1().Pods(ns).List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", pod).String()
			return cs.CoreV1().Pods(ns).Watch(ctx, o)
		},
	}
	_, err := watchtools.UntilWithSync(ctx, lw, &corev1.Pod{}, nil, func(e watch.Event) (bool, error) {
		p, ok := e.Object.(*corev1.Pod)
		return ok && p.Status.Phase == corev1.PodRunning, nil
	})
	if err != nil {
		t.Errorf("pod %s/%s never ran: %v", ns, pod, err)
	}
}

// cgroupMounts is a script that mounts the machine's cgroup hierarchies
// in a host's mount namespace: ip netns exec remounts /sys there, which
// drops them, and the kubelet needs them.
func cgroupMounts(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
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
	return sb.String()
}

// The machine runs cgroup v1: the kubelet's root exists in every
// hierarchy, with the cpuset's CPUs and memory nodes of its parent.
func makeCgroups(t *testing.T, root string) {
	t.Helper()
	for _, d := range cgroupHierarchies(t) {
		p := filepath.Join(d, root)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			if v, err := os.ReadFile(filepath.Join(d, f)); err == nil {
				if err := os.WriteFile(filepath.Join(p, f), v, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// removeCgroups removes the kubelet's cgroups, deepest first; the
// processes in them are gone with the host.
func removeCgroups(t *testing.T, root string) {
	for _, d := range cgroupHierarchies(t) {
		var dirs []string
		filepath.WalkDir(filepath.Join(d, root), func(p string, e os.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			if err := os.Remove(dirs[i]); err != nil {
				t.Errorf("remove cgroup %s: %v", dirs[i], err)
			}
		}
	}
}

func cgroupHierarchies(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir("/sys/fs/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	seen := map[string]bool{}
	for _, e := range ents {
		p, err := filepath.EvalSymlinks(filepath.Join("/sys/fs/cgroup", e.Name()))
		if err != nil || seen[p] || e.Name() == "unified" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// hostContainerdConfig runs containerd inside a test host: its own socket and
// state (the host's /run), the cgroupfs driver (no systemd), and what the
// test cluster's harness found this machine needs.
const hostContainerdConfig = `version = 2
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
`

// hostKubeletConfig is the kubeadm_extra_config for the test host's kubelet
// (%s: its cgroup root).
const hostKubeletConfig = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
cgroupRoot: %s
failCgroupV1: false
failSwapOn: false
makeIPTablesUtilChains: false
evictionHard:
  memory.available: "50Mi"
  nodefs.available: "1%%"
  nodefs.inodesFree: "1%%"
  imagefs.available: "1%%"
  imagefs.inodesFree: "1%%"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
`

// systemctlKubelet stands in for systemd on the test host: it records the
// call like the other stand-ins and runs the real kubelet the way
// kubeadm's systemd drop-in does.
const systemctlKubelet = `#!/bin/sh
. /run/podlab-testhost/lib.sh
plh_start systemctl "$@"
pidf=/run/podlab-kubelet.pid
running() { [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }
stop() {
	if running; then
		kill "$(cat "$pidf")"
		timeout 30 sh -c "while kill -0 $(cat "$pidf") 2>/dev/null; do sleep 0.1; done"
	fi
	rm -f "$pidf"
}
verb= unit=
for a in "$@"; do
	case $a in
	-*) ;;
	*) if [ -z "$verb" ]; then verb=$a; else unit=${a%.service}; break; fi ;;
	esac
done
[ "$unit" = kubelet ] || exit 0
case $verb in
start | restart)
	[ "$verb" = restart ] && stop
	running && exit 0
	KUBELET_KUBEADM_ARGS=
	[ -f /var/lib/kubelet/kubeadm-flags.env ] && . /var/lib/kubelet/kubeadm-flags.env
	# shellcheck disable=SC2086
	setsid /usr/local/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf \
		--kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml $KUBELET_KUBEADM_ARGS \
		</dev/null >>/var/log/kubelet.log 2>&1 &
	echo $! >"$pidf"
	;;
stop) stop ;;
is-active) if running; then echo active; else echo inactive; exit 3; fi ;;
is-enabled) echo enabled ;;
esac
exit 0
`
