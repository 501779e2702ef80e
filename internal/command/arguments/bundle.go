package arguments

import (
	"errors"
	"flag"
)

// Bundle is "podlab bundle": an offline install bundle's manifest.
type Bundle struct {
	View
	// KubernetesVersion is the version the bundle's binaries and images
	// are.
	KubernetesVersion string
	// Dir holds bin/, cni/ and images/, and gets bundle.json.
	Dir string
}

// ParseBundle parses bundle's options and its directory.
func ParseBundle(args []string) (*Bundle, *flag.FlagSet, error) {
	a := &Bundle{}
	fs := newFlagSet("bundle")
	a.View.register(fs, false)
	fs.StringVar(&a.KubernetesVersion, "kubernetes-version", "v1.34.4", "the Kubernetes version the bundle's binaries and images are")
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) != 1 {
		err = errors.New("bundle takes one directory, holding bin/, cni/ and images/")
	}
	if len(pos) == 1 {
		a.Dir = pos[0]
	}
	return a, fs, err
}
