package command

import (
	"github.com/podlab/podlab/internal/bundle"
	"github.com/podlab/podlab/internal/command/arguments"
)

// runBundle writes an offline bundle's manifest: DIR holds bin/ (kubeadm,
// kubelet, kubectl, optionally crictl), cni/ (bridge, host-local,
// loopback, ...) and images/ (image archives), and gets bundle.json with
// each file's size and checksum, the binaries' architecture and the
// images it holds. A kubeadm block's bundle = "DIR" then installs from it.
func runBundle(m *Meta, args []string) int {
	a, fs, err := arguments.ParseBundle(args)
	if err != nil {
		return parseError(m, "bundle", "bundle [-kubernetes-version VERSION] DIR", fs, err)
	}
	v := m.view(a.View)
	man, err := bundle.Assemble(a.Dir, a.KubernetesVersion)
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	var size int64
	for _, f := range man.Files {
		size += f.Size
	}
	v.BundleWritten(a.Dir, bundle.ManifestName, man.KubernetesVersion, man.Arch, man.ImageRepository, len(man.Files), size)
	return ExitOK
}
