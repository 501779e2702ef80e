// Package bundle is podlab's offline install source for on-prem hosts. An
// offline bundle is a directory holding everything install needs on a
// host with no internet: the Kubernetes binaries (bin/), the CNI plugins
// (cni/), the container images as archives ctr can import (images/), and
// a manifest (bundle.json) of versions and checksums. `podlab bundle DIR`
// writes the manifest; apply verifies every file against it before it
// touches any host, uploads what a host lacks, checks it again there,
// installs it and imports the images into containerd.
package bundle

import (
	"archive/tar"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// ManifestName is the manifest's file name in a bundle directory.
const ManifestName = "bundle.json"

// format is the manifest format this podlab writes and reads.
const format = 1

// What a bundle must hold: kubeadm, kubelet and kubectl, and the CNI
// plugins the usual pod networks delegate to.
var (
	binaries   = []string{"kubeadm", "kubelet", "kubectl"}
	cniPlugins = []string{"bridge", "host-local", "loopback"}
	// The control-plane images kubeadm runs at the bundle's version; etcd,
	// CoreDNS and pause are checked against kubeadm's own list on the host.
	coreImages = []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"}
)

// Manifest is bundle.json.
type Manifest struct {
	Format            int    `json:"format"`
	KubernetesVersion string `json:"kubernetes_version"`
	// Arch is the binaries' architecture as Go and Kubernetes name it
	// (amd64, arm64), read from their ELF headers.
	Arch string `json:"arch"`
	// ImageRepository is where the bundle's control-plane images are
	// named (registry.k8s.io): kubeadm's imageRepository.
	ImageRepository string `json:"image_repository"`
	Files           []File `json:"files"`
}

// File is one file of the bundle, by its path relative to the
// bundle directory (with forward slashes).
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Images are the references an image archive holds.
	Images []string `json:"images,omitempty"`
}

// Bundle is a bundle directory and its manifest, as Load read them.
type Bundle struct {
	Dir string
	Manifest
}

// kind is the bundle part a file belongs to: "bin", "cni" or "images".
func (f File) Kind() string {
	k, _, _ := strings.Cut(f.Path, "/")
	return k
}

func (f File) Base() string { return path.Base(f.Path) }

// Assemble scans dir's bin/, cni/ and images/ and writes its
// manifest for Kubernetes version. It refuses a directory that lacks a
// required file, mixes architectures, or whose images do not include
// the control plane at that version.
func Assemble(dir, version string) (*Manifest, error) {
	if !strings.HasPrefix(version, "v") || strings.Count(version, ".") != 2 {
		return nil, fmt.Errorf("kubernetes version %q: write it as kubeadm does, such as \"v1.34.4\"", version)
	}
	m := &Manifest{Format: format, KubernetesVersion: version}
	var errs []error
	archOf := map[string]string{} // arch -> a file that has it
	for _, kind := range []string{"bin", "cni", "images"} {
		ents, err := os.ReadDir(filepath.Join(dir, kind))
		if err != nil {
			errs = append(errs, fmt.Errorf("bundle %s: %w", dir, err))
			continue
		}
		for _, e := range ents {
			if !e.Type().IsRegular() {
				continue
			}
			rel := kind + "/" + e.Name()
			full := filepath.Join(dir, kind, e.Name())
			f := File{Path: rel}
			if f.Size, f.SHA256, err = hashFile(full); err != nil {
				errs = append(errs, err)
				continue
			}
			switch kind {
			case "bin", "cni":
				arch, err := elfArch(full)
				if err != nil {
					errs = append(errs, fmt.Errorf("bundle %s: %s: %w", dir, rel, err))
					continue
				}
				if _, ok := archOf[arch]; !ok {
					archOf[arch] = rel
				}
				if m.Arch == "" {
					m.Arch = arch
				}
			case "images":
				if f.Images, err = archiveRefs(full); err != nil {
					errs = append(errs, fmt.Errorf("bundle %s: %s: %w", dir, rel, err))
					continue
				}
			}
			m.Files = append(m.Files, f)
		}
	}
	if len(archOf) > 1 {
		var parts []string
		for a, f := range archOf {
			parts = append(parts, fmt.Sprintf("%s is %s", f, a))
		}
		slices.Sort(parts)
		errs = append(errs, fmt.Errorf("bundle %s mixes architectures (%s): every binary must be for the hosts' architecture", dir, strings.Join(parts, ", ")))
	}
	if len(errs) == 0 {
		errs = append(errs, m.complete(dir))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), append(data, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("bundle %s: %w", dir, err)
	}
	return m, nil
}

// complete checks that the manifest lists every required file and the
// control-plane images at its version, and sets ImageRepository.
func (m *Manifest) complete(dir string) error {
	var missing []string
	has := func(p string) bool {
		return slices.ContainsFunc(m.Files, func(f File) bool { return f.Path == p })
	}
	for _, b := range binaries {
		if !has("bin/" + b) {
			missing = append(missing, "bin/"+b)
		}
	}
	for _, p := range cniPlugins {
		if !has("cni/" + p) {
			missing = append(missing, "cni/"+p)
		}
	}
	var refs []string
	for _, f := range m.Files {
		refs = append(refs, f.Images...)
	}
	repo := ""
	for _, r := range refs {
		if strings.HasSuffix(r, "/kube-apiserver:"+m.KubernetesVersion) {
			repo = strings.TrimSuffix(r, "/kube-apiserver:"+m.KubernetesVersion)
		}
	}
	if repo == "" {
		missing = append(missing, "an image archive holding kube-apiserver:"+m.KubernetesVersion)
	} else {
		for _, img := range coreImages {
			if ref := repo + "/" + img + ":" + m.KubernetesVersion; !slices.Contains(refs, ref) {
				missing = append(missing, "an image archive holding "+ref)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("bundle %s lacks %s (a bundle holds bin/{%s}, cni/{%s} and images/*.tar for Kubernetes %s)",
			dir, strings.Join(missing, ", "), strings.Join(binaries, ","), strings.Join(cniPlugins, ","), m.KubernetesVersion)
	}
	m.ImageRepository = repo
	return nil
}

// Load reads dir's manifest and checks the bundle is usable for
// version, without reading the files (see verify).
func Load(dir, version string) (*Bundle, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("bundle %s has no %s: assemble it with podlab bundle %s", dir, ManifestName, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	b := &Bundle{Dir: dir}
	if err := json.Unmarshal(data, &b.Manifest); err != nil {
		return nil, fmt.Errorf("bundle %s: %s: %w", dir, ManifestName, err)
	}
	if b.Format != format {
		return nil, fmt.Errorf("bundle %s: %s has format %d; this podlab reads format %d: assemble it again with this podlab's podlab bundle", dir, ManifestName, b.Format, format)
	}
	if b.KubernetesVersion != version {
		return nil, fmt.Errorf("bundle %s is for Kubernetes %s, but kubernetes_version is %s: assemble a bundle for %s, or set kubernetes_version = %q", dir, b.KubernetesVersion, version, version, b.KubernetesVersion)
	}
	for _, f := range b.Files {
		if f.Path != path.Clean(f.Path) || path.IsAbs(f.Path) || strings.HasPrefix(f.Path, "../") || !slices.Contains([]string{"bin", "cni", "images"}, f.Kind()) || !validSHA256(f.SHA256) {
			return nil, fmt.Errorf("bundle %s: %s lists %q, which is not a bin/, cni/ or images/ file with a sha256", dir, ManifestName, f.Path)
		}
	}
	if err := (&Manifest{KubernetesVersion: b.KubernetesVersion, Files: b.Files}).complete(dir); err != nil {
		return nil, err
	}
	return b, nil
}

// verify reads every file of the bundle and compares it with the
// manifest, naming each file that is missing or does not match.
func (b *Bundle) Verify() error {
	var errs []error
	for _, f := range b.Files {
		full := filepath.Join(b.Dir, filepath.FromSlash(f.Path))
		size, sum, err := hashFile(full)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			errs = append(errs, fmt.Errorf("bundle %s: %s is missing (%s lists it): copy the whole bundle directory", b.Dir, f.Path, ManifestName))
		case err != nil:
			errs = append(errs, err)
		case size != f.Size || sum != f.SHA256:
			errs = append(errs, fmt.Errorf("bundle %s: %s does not match %s (sha256 %s, %d bytes; want %s, %d bytes): the file is damaged or was replaced; copy it again, or run podlab bundle %s if you changed it on purpose", b.Dir, f.Path, ManifestName, short(sum), size, short(f.SHA256), f.Size, b.Dir))
		}
	}
	return errors.Join(errs...)
}

// checkArch says whether a host whose uname -m is machine can run the
// bundle's binaries.
func (b *Bundle) CheckArch(machine string) error {
	if goArch(machine) == b.Arch {
		return nil
	}
	return fmt.Errorf("the host is %s (%s) but bundle %s holds %s binaries: assemble a bundle for %s", machine, goArch(machine), b.Dir, b.Arch, goArch(machine))
}

// files of one kind.
func (b *Bundle) Part(kind string) []File {
	var out []File
	for _, f := range b.Files {
		if f.Kind() == kind {
			out = append(out, f)
		}
	}
	return out
}

// pauseImage is the bundle's sandbox image, which containerd must use
// (it cannot pull its default one offline), or "" if it has none.
func (b *Bundle) PauseImage() string {
	var best string
	for _, f := range b.Part("images") {
		for _, r := range f.Images {
			if strings.HasPrefix(r, b.ImageRepository+"/pause:") && r > best {
				best = r
			}
		}
	}
	return best
}

func hashFile(p string) (int64, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("read %s: %w", p, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

func validSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12] + "…"
	}
	return sum
}

// elfArch is the architecture of an ELF executable, as Go names it.
func elfArch(p string) (string, error) {
	f, err := elf.Open(p)
	if err != nil {
		return "", fmt.Errorf("not a Linux executable (%v)", err)
	}
	defer f.Close()
	switch f.Machine {
	case elf.EM_X86_64:
		return "amd64", nil
	case elf.EM_AARCH64:
		return "arm64", nil
	case elf.EM_ARM:
		return "arm", nil
	case elf.EM_PPC64:
		return "ppc64le", nil
	case elf.EM_S390:
		return "s390x", nil
	case elf.EM_RISCV:
		return "riscv64", nil
	}
	return "", fmt.Errorf("ELF machine %s is not one Kubernetes is built for", f.Machine)
}

// goArch turns uname -m into Go's name for the architecture.
func goArch(machine string) string {
	switch machine {
	case "x86_64":
		return "amd64"
	case "aarch64", "arm64":
		return "arm64"
	case "armv7l", "armv6l":
		return "arm"
	}
	return machine
}

// archiveRefs lists the image references in an image archive: a
// docker-archive (manifest.json with RepoTags) or an OCI image layout
// (index.json whose manifests carry io.containerd.image.name or
// org.opencontainers.image.ref.name annotations), which ctr images import
// reads both.
func archiveRefs(p string) ([]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var refs []string
	seen := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not an image archive (a tar file): %w", err)
		}
		switch strings.TrimPrefix(h.Name, "./") {
		case "manifest.json":
			var dm []struct{ RepoTags []string }
			if err := json.NewDecoder(tr).Decode(&dm); err != nil {
				return nil, fmt.Errorf("manifest.json: %w", err)
			}
			seen = true
			for _, m := range dm {
				refs = append(refs, m.RepoTags...)
			}
		case "index.json":
			var idx struct {
				Manifests []struct {
					Annotations map[string]string `json:"annotations"`
				} `json:"manifests"`
			}
			if err := json.NewDecoder(tr).Decode(&idx); err != nil {
				return nil, fmt.Errorf("index.json: %w", err)
			}
			seen = true
			for _, m := range idx.Manifests {
				if r := m.Annotations["io.containerd.image.name"]; r != "" {
					refs = append(refs, r)
				} else if r := m.Annotations["org.opencontainers.image.ref.name"]; strings.Contains(r, ":") {
					refs = append(refs, r)
				}
			}
		}
	}
	if !seen {
		return nil, fmt.Errorf("not an image archive: it has neither manifest.json (docker-archive) nor index.json (OCI layout)")
	}
	if len(refs) == 0 {
		return nil, fmt.Errorf("the archive names no image (no RepoTags, no image name annotation), so containerd would import it without a name")
	}
	slices.Sort(refs)
	return slices.Compact(refs), nil
}
