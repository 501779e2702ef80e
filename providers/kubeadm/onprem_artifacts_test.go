package kubeadm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/podlab/podlab/internal/bundle"
)

// What the real on-prem tests build, from the Go module proxy, into the
// cache the test cluster's harness uses (built once, reused by later
// runs): the CNI plugins, flannel, CoreDNS, etcd and kubectl, next to the
// harness's own Kubernetes binaries.
const (
	onpremK8sVersion = "v1.34.4"
	cniPluginsModule = "github.com/containernetworking/plugins"
	cniPluginsVer    = "v1.10.0"
	flannelModule    = "github.com/flannel-io/flannel"
	flannelVer       = "v0.28.11"
	corednsModule    = "github.com/coredns/coredns"
	corednsVer       = "v1.12.1"
	// bundleRecipe changes when the way the test bundle is made changes.
	bundleRecipe = "6"
)

// cacheDir is the test cluster harness's cache.
func cacheDir() string {
	if d := os.Getenv("PODLAB_CACHE_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "podlab")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "podlab")
}

var buildMu sync.Mutex

// goBuild runs the go command in dir (a module of its own), statically.
func goBuild(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, out)
	}
}

// cached returns path, building it with build first when it is missing;
// build writes to the path it is given, which is renamed into place.
func cached(t *testing.T, path string, build func(tmp string)) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if fileExists(path) {
		return path
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := path + ".partial"
	os.RemoveAll(tmp)
	t.Logf("building %s (once; cached)", path)
	build(tmp)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// moduleDir downloads module@version and returns its directory.
func moduleDir(t *testing.T, mod, version string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", mod+"@"+version)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download %s@%s: %v", mod, version, err)
	}
	var info struct{ Dir string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		t.Fatalf("go mod download %s@%s: %v %s", mod, version, err, out)
	}
	return info.Dir
}

// wrapperModule writes a module that requires mod@version, with files.
func wrapperModule(t *testing.T, mod, version string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = fmt.Sprintf("module podlab.test/build\n\ngo 1.26\n\nrequire %s %s\n", mod, version)
	for f, text := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// cniPlugins builds bridge, host-local, loopback and portmap.
func cniPlugins(t *testing.T) string {
	return cached(t, filepath.Join(cacheDir(), "onprem", "cni-plugins-"+cniPluginsVer), func(tmp string) {
		dir := wrapperModule(t, cniPluginsModule, cniPluginsVer, map[string]string{"tools.go": "//go:build tools\n\npackage tools\n\nimport _ \"" + cniPluginsModule + "/pkg/ip\"\n"})
		goBuild(t, dir, "mod", "tidy")
		for _, p := range []string{"main/bridge", "ipam/host-local", "main/loopback", "meta/portmap"} {
			goBuild(t, dir, "build", "-ldflags=-s -w", "-o", filepath.Join(tmp, filepath.Base(p)), cniPluginsModule+"/plugins/"+p)
		}
	})
}

// flanneld builds flannel's main package with the backends whose modules
// the proxy serves (tencentvpc's SDK is not served; udp needs cgo).
func flanneld(t *testing.T) string {
	return cached(t, filepath.Join(cacheDir(), "onprem", "flannel-"+flannelVer, "flanneld"), func(tmp string) {
		src, err := os.ReadFile(filepath.Join(moduleDir(t, flannelModule, flannelVer), "main.go"))
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, l := range strings.Split(string(src), "\n") {
			if !strings.Contains(l, "/pkg/backend/tencentvpc\"") && !strings.Contains(l, "/pkg/backend/udp\"") {
				kept = append(kept, l)
			}
		}
		dir := wrapperModule(t, flannelModule, flannelVer, map[string]string{"main.go": strings.Join(kept, "\n")})
		goBuild(t, dir, "mod", "tidy")
		goBuild(t, dir, "build", "-ldflags=-s -w -X "+flannelModule+"/pkg/version.Version="+flannelVer, "-o", tmp, ".")
	})
}

// coredns builds CoreDNS, which kubeadm deploys as the cluster's DNS.
func coredns(t *testing.T) string {
	return cached(t, filepath.Join(cacheDir(), "onprem", "coredns-"+corednsVer, "coredns"), func(tmp string) {
		dir := wrapperModule(t, corednsModule, corednsVer, map[string]string{"tools.go": "//go:build tools\n\npackage tools\n\nimport _ \"" + corednsModule + "\"\n"})
		goBuild(t, dir, "mod", "tidy")
		goBuild(t, dir, "build", "-ldflags=-s -w", "-o", tmp, corednsModule)
	})
}

// kubectl builds kubectl in the harness's Kubernetes build module.
func kubectl(t *testing.T) string {
	return cached(t, filepath.Join(cacheDir(), "k8s", onpremK8sVersion, "extra", "kubectl"), func(tmp string) {
		src := filepath.Join(cacheDir(), "k8s", onpremK8sVersion, "src")
		if !fileExists(filepath.Join(src, "go.mod")) {
			t.Fatalf("no Kubernetes build module in %s: make cluster-up makes it", src)
		}
		ldflags := "-s -w"
		for _, pkg := range []string{"k8s.io/component-base/version", "k8s.io/client-go/pkg/version"} {
			ldflags += fmt.Sprintf(" -X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=34 -X %s.gitTreeState=clean", pkg, onpremK8sVersion, pkg, pkg, pkg)
		}
		goBuild(t, src, "build", "-ldflags="+ldflags, "-o", tmp, "k8s.io/kubernetes/cmd/kubectl")
	})
}

// pauseBinary builds the test cluster harness's pause program.
func pauseBinary(t *testing.T) string {
	return cached(t, filepath.Join(cacheDir(), "onprem", "pause"), func(tmp string) {
		repo, err := filepath.Abs("../..")
		if err != nil {
			t.Fatal(err)
		}
		goBuild(t, repo, "build", "-o", tmp, "./test/cluster/pause")
	})
}

// imageFile is a file of an image layer: its content comes from a file on
// this machine, or it is a symlink.
type imageFile struct {
	path, from, link string
	mode             int64
}

// netTools are iptables (nf_tables, as this machine's iptables) and
// conntrack with their libraries, for the kube-proxy and flannel images:
// both run iptables in the node's network namespace, which must use the
// machine's backend.
func netTools(t *testing.T) []imageFile {
	t.Helper()
	bins := []string{"/usr/sbin/xtables-nft-multi", "/usr/sbin/conntrack"}
	var files []imageFile
	seen := map[string]bool{}
	// Each file keeps the name it is looked up by (a library's soname),
	// in its directory with /lib resolved to /usr/lib.
	add := func(p string) {
		dir, err := filepath.EvalSymlinks(filepath.Dir(p))
		if err != nil {
			t.Fatalf("%s: %v (Debian packages iptables and conntrack)", p, err)
		}
		at := filepath.Join(dir, filepath.Base(p))
		if !seen[at] {
			seen[at] = true
			files = append(files, imageFile{path: strings.TrimPrefix(at, "/"), from: p, mode: 0o755})
		}
	}
	// The binaries, iptables' extension modules (loaded at run time), and
	// every library either needs.
	mods, _ := filepath.Glob("/usr/lib/x86_64-linux-gnu/xtables/*.so")
	for _, b := range append(bins, mods...) {
		add(b)
		out, err := exec.Command("ldd", b).Output()
		if err != nil {
			t.Fatalf("ldd %s: %v", b, err)
		}
		for _, f := range strings.Fields(string(out)) {
			if strings.HasPrefix(f, "/") {
				add(f)
			}
		}
	}
	for _, l := range []string{"iptables", "iptables-save", "iptables-restore", "ip6tables", "ip6tables-save", "ip6tables-restore"} {
		files = append(files, imageFile{path: "usr/sbin/" + l, link: "xtables-nft-multi"})
	}
	// Debian's merged /usr: libraries are found through /lib (the loader
	// is where the binaries name it, /lib64, which ldd lists).
	files = append(files, imageFile{path: "lib", link: "usr/lib"}, imageFile{path: "lib64", link: "usr/lib64"})
	return files
}

// image is a single-layer image of files, with its entrypoint.
func image(t *testing.T, files []imageFile, entrypoint ...string) v1.Image {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	dirs := map[string]bool{}
	mkdirs := func(p string) {
		parts := strings.Split(filepath.Dir(p), "/")
		for i := range parts {
			d := strings.Join(parts[:i+1], "/")
			if d == "." || dirs[d] {
				continue
			}
			dirs[d] = true
			tw.WriteHeader(&tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755})
		}
	}
	for _, d := range []string{"tmp/", "etc/", "var/", "run/"} {
		mode := int64(0o755)
		if d == "tmp/" {
			mode = 0o1777
		}
		dirs[strings.TrimSuffix(d, "/")] = true
		tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: mode})
	}
	for _, f := range files {
		mkdirs(f.path)
		if f.link != "" {
			tw.WriteHeader(&tar.Header{Name: f.path, Typeflag: tar.TypeSymlink, Linkname: f.link, Mode: 0o777})
			continue
		}
		data, err := os.ReadFile(f.from)
		if err != nil {
			t.Fatal(err)
		}
		mode := f.mode
		if mode == 0 {
			mode = 0o755
		}
		tw.WriteHeader(&tar.Header{Name: f.path, Typeflag: tar.TypeReg, Mode: mode, Size: int64(len(data))})
		tw.Write(data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
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
	cfg.Config.Env = []string{"PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	cfg.Config.Entrypoint = entrypoint
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	return img
}

func binFile(bin, at string) imageFile {
	return imageFile{path: strings.TrimPrefix(at, "/"), from: bin, mode: 0o755}
}

// flannelImage is flanneld where kube-flannel.yml runs it (/opt/bin),
// with iptables.
func flannelImage(t *testing.T) v1.Image {
	return image(t, append(netTools(t), binFile(flanneld(t), "/opt/bin/flanneld")), "/opt/bin/flanneld")
}

// pushFlannel puts the flannel image into the local test cluster's
// registry, where the nodes' containerd finds ghcr.io's images.
func pushFlannel(t *testing.T, registry string) {
	t.Helper()
	ref, err := name.ParseReference(registry+"/flannel-io/flannel:"+flannelVer, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, flannelImage(t), remote.WithContext(t.Context())); err != nil {
		t.Fatalf("pushing flannel to %s (the test cluster's registry: make cluster-up): %v", registry, err)
	}
}

// testBundle assembles an offline bundle, with podlab's own
// AssembleBundle, from this machine's Kubernetes v1.34.4 build: kubeadm,
// kubelet, kubectl, the CNI plugins, and the images kubeadm runs, each
// built from those binaries (kube-proxy with iptables), etcd 3.6.5,
// CoreDNS and pause. It is cached by its inputs.
func testBundle(t *testing.T) string {
	t.Helper()
	kubeadm := realKubeadm(t)
	if kubeadm == "" {
		t.Fatal("no kubeadm v1.34.4 on this machine: make cluster-up builds it")
	}
	bins := filepath.Dir(kubeadm)
	plugins := cniPlugins(t)
	// Built (or found) before the bundle's lock is taken.
	etcdBin, corednsBin, pauseBin, kubectlBin := buildEtcd(t), coredns(t), pauseBinary(t), kubectl(t)
	inputs := map[string]string{
		"bin/kubeadm": kubeadm, "bin/kubelet": filepath.Join(bins, "kubelet"), "bin/kubectl": kubectlBin,
	}
	for _, p := range []string{"bridge", "host-local", "loopback", "portmap"} {
		inputs["cni/"+p] = filepath.Join(plugins, p)
	}
	images := map[string]func() v1.Image{
		"kube-apiserver": func() v1.Image {
			return image(t, []imageFile{binFile(filepath.Join(bins, "kube-apiserver"), "/usr/local/bin/kube-apiserver")})
		},
		"kube-controller-manager": func() v1.Image {
			return image(t, []imageFile{binFile(filepath.Join(bins, "kube-controller-manager"), "/usr/local/bin/kube-controller-manager")})
		},
		"kube-scheduler": func() v1.Image {
			return image(t, []imageFile{binFile(filepath.Join(bins, "kube-scheduler"), "/usr/local/bin/kube-scheduler")})
		},
		"kube-proxy": func() v1.Image {
			return image(t, append(netTools(t), binFile(filepath.Join(bins, "kube-proxy"), "/usr/local/bin/kube-proxy")))
		},
		"etcd":    func() v1.Image { return image(t, []imageFile{binFile(etcdBin, "/usr/local/bin/etcd")}) },
		"coredns": func() v1.Image { return image(t, []imageFile{binFile(corednsBin, "/coredns")}, "/coredns") },
		"pause":   func() v1.Image { return image(t, []imageFile{binFile(pauseBin, "/pause")}, "/pause") },
	}
	refs := map[string]string{
		"kube-apiserver": "registry.k8s.io/kube-apiserver:" + onpremK8sVersion, "kube-controller-manager": "registry.k8s.io/kube-controller-manager:" + onpremK8sVersion,
		"kube-scheduler": "registry.k8s.io/kube-scheduler:" + onpremK8sVersion, "kube-proxy": "registry.k8s.io/kube-proxy:" + onpremK8sVersion,
		"etcd": "registry.k8s.io/etcd:3.6.5-0", "coredns": "registry.k8s.io/coredns/coredns:" + corednsVer, "pause": "registry.k8s.io/pause:3.10.1",
	}
	// The key: the recipe and every input binary's identity.
	h := sha256.New()
	fmt.Fprintln(h, bundleRecipe)
	for _, p := range []string{kubeadm, filepath.Join(bins, "kubelet"), filepath.Join(bins, "kube-proxy"), filepath.Join(bins, "kube-apiserver"), kubectlBin, corednsBin, etcdBin, pauseBin, filepath.Join(plugins, "bridge")} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(h, p, fi.Size(), fi.ModTime().UnixNano())
	}
	dir := filepath.Join(cacheDir(), "onprem", "bundle-"+hex.EncodeToString(h.Sum(nil))[:12])
	if fileExists(filepath.Join(dir, bundle.ManifestName)) {
		return dir
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	tmp := dir + ".partial"
	os.RemoveAll(tmp)
	for rel, from := range inputs {
		copyFile(t, from, filepath.Join(tmp, rel))
	}
	if err := os.MkdirAll(filepath.Join(tmp, "images"), 0o755); err != nil {
		t.Fatal(err)
	}
	for n, build := range images {
		tag, err := name.NewTag(refs[n])
		if err != nil {
			t.Fatal(err)
		}
		if err := tarball.WriteToFile(filepath.Join(tmp, "images", n+".tar"), tag, build()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bundle.Assemble(tmp, onpremK8sVersion); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// flannelManifest is flannel v0.28.11's own kube-flannel.yml, from its
// module, without the two init containers that install the flannel CNI
// plugin and its configuration: the plugin is not served by the module
// proxy, and the nodes' containerd renders the bridge configuration the
// plugin would have delegated to (testhosts.WithRealNodes).
func flannelManifest(t *testing.T, dir string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(moduleDir(t, flannelModule, flannelVer), "Documentation", "kube-flannel.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	skipping := false
	for _, l := range strings.Split(string(src), "\n") {
		switch {
		case l == "      initContainers:":
			skipping = true
			continue
		case skipping && l == "      containers:":
			skipping = false
		case skipping:
			continue
		}
		out = append(out, l)
	}
	text := strings.Join(out, "\n")
	if !strings.Contains(text, "image: ghcr.io/flannel-io/flannel:"+flannelVer) || strings.Contains(text, "initContainers") || !strings.Contains(text, `"Type": "vxlan"`) {
		t.Fatalf("kube-flannel.yml of flannel %s is not as expected:\n%s", flannelVer, text)
	}
	p := filepath.Join(dir, "kube-flannel.yml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
