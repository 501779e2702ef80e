package command

import (
	"flag"
	"fmt"
	"io"

	"github.com/podlab/podlab/providers/kubeadm"
)

// bundleUsage is the bundle command's synopsis line.
const bundleUsage = "bundle [-kubernetes-version VERSION] DIR"

// bundleFlags are the bundle command's options; also used for completion.
func bundleFlags() (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("bundle", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	version := fs.String("kubernetes-version", "v1.34.4", "the Kubernetes version the bundle's binaries and images are")
	return fs, version
}

// runBundle writes an offline bundle's manifest: DIR holds bin/ (kubeadm,
// kubelet, kubectl, optionally crictl), cni/ (bridge, host-local,
// loopback, ...) and images/ (image archives), and gets bundle.json with
// each file's size and checksum, the binaries' architecture and the
// images it holds. A kubeadm block's bundle = "DIR" then installs from it.
func runBundle(m *Meta, args []string) int {
	fs, version := bundleFlags()
	if err := fs.Parse(args); err != nil {
		return parseError(m, "bundle", bundleUsage, fs, err)
	}
	if fs.NArg() != 1 {
		return parseError(m, "bundle", bundleUsage, fs, fmt.Errorf("bundle takes one directory, holding bin/, cni/ and images/"))
	}
	dir := fs.Arg(0)
	man, err := kubeadm.AssembleBundle(dir, *version)
	if err != nil {
		fmt.Fprintf(m.Stderr, "Error: %s\n", err)
		return ExitError
	}
	var size int64
	for _, f := range man.Files {
		size += f.Size
	}
	fmt.Fprintf(m.Stdout, "Wrote %s/%s: Kubernetes %s for %s, %d files (%.1f MB), images from %s.\n",
		dir, kubeadm.BundleManifestName, man.KubernetesVersion, man.Arch, len(man.Files), float64(size)/1e6, man.ImageRepository)
	fmt.Fprintf(m.Stdout, "Use it with bundle = %q in a kubeadm block.\n", dir)
	return ExitOK
}
