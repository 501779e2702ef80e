package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// recipeAnnotation records on every pushed manifest which inputs it was
// built from, so a later run can tell that the registry is already current
// without recompressing the whole rootfs.
const recipeAnnotation = "dev.podlab.testcluster.recipe"

// nginxSite is Debian's default site; its IPv6 listener has to go because
// pods get no IPv6 address on the test cluster and nginx would not start.
const nginxSite = "etc/nginx/sites-available/default"

const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// curlEntrypoint mirrors the upstream curl image's entrypoint: arguments
// that start with a dash are options for curl, anything else is a command.
const curlEntrypoint = `#!/bin/sh
set -e
if [ "${1#-}" != "$1" ]; then
	set -- curl "$@"
fi
exec "$@"
`

// file is one entry of a small layer added on top of the Debian rootfs.
type file struct {
	name     string // path without a leading slash
	mode     int64
	contents []byte
	linkname string // set for a symlink
}

// imageSet is every image the test cluster serves, by reference relative
// to docker.io (the registry containerd mirrors), sharing one rootfs layer.
type imageSet map[string]v1.Image

// courseImages builds the images the course's manifests and podlab's
// node-side checks pull, all from one debootstrapped Debian rootfs tarball.
func courseImages(rootfsTar, recipe string) (imageSet, error) {
	base, err := tarball.LayerFromFile(rootfsTar,
		tarball.WithMediaType(types.OCILayer), tarball.WithCompressedCaching)
	if err != nil {
		return nil, fmt.Errorf("rootfs layer from %s: %w", rootfsTar, err)
	}

	site, err := readTarFile(rootfsTar, nginxSite)
	if err != nil {
		return nil, err
	}
	site, err = dropIPv6Listen(site)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", nginxSite, err)
	}
	nginxFiles := []file{
		{name: nginxSite, mode: 0o644, contents: site},
		// Like the official image: logs go to the container's stdout and
		// stderr, where the kubelet's log API finds them.
		{name: "var/log/nginx/access.log", linkname: "/dev/stdout"},
		{name: "var/log/nginx/error.log", linkname: "/dev/stderr"},
	}
	nginx, err := newImage(recipe, []v1.Layer{base}, nginxFiles, v1.Config{
		Cmd:          []string{"nginx", "-g", "daemon off;"},
		Env:          []string{defaultPath},
		ExposedPorts: map[string]struct{}{"80/tcp": {}},
		StopSignal:   "SIGQUIT",
	})
	if err != nil {
		return nil, fmt.Errorf("nginx image: %w", err)
	}

	sidecar, err := newImage(recipe, []v1.Layer{base}, nil, v1.Config{
		Cmd: []string{"bash"},
		Env: []string{defaultPath},
	})
	if err != nil {
		return nil, fmt.Errorf("sidecar image: %w", err)
	}

	probe, err := newImage(recipe, []v1.Layer{base},
		[]file{{name: "entrypoint.sh", mode: 0o755, contents: []byte(curlEntrypoint)}},
		v1.Config{
			Entrypoint: []string{"/entrypoint.sh"},
			Cmd:        []string{"curl"},
			Env:        []string{defaultPath},
		})
	if err != nil {
		return nil, fmt.Errorf("probe image: %w", err)
	}

	return imageSet{
		"library/nginx:latest":   nginx,
		"alicek106/rr-test:curl": sidecar,
		"curlimages/curl:8.11.1": probe,
		"curlimages/curl:latest": probe,
	}, nil
}

// newImage stacks layers (plus one made of extra, when given) into an OCI
// image for this machine's platform with cfg as its run configuration.
func newImage(recipe string, layers []v1.Layer, extra []file, cfg v1.Config) (v1.Image, error) {
	if len(extra) > 0 {
		l, err := layerOf(extra)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err := mutate.AppendLayers(img, layers...)
	if err != nil {
		return nil, fmt.Errorf("append layers: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS = "linux"
	cf.Architecture = runtime.GOARCH
	cf.Config = cfg
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("set config: %w", err)
	}
	if recipe != "" {
		img = mutate.Annotations(img, map[string]string{recipeAnnotation: recipe}).(v1.Image)
	}
	return img, nil
}

// layerOf builds an uncompressed-tar layer holding files, owned by root.
func layerOf(files []file) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: f.mode, Format: tar.FormatPAX}
		if f.linkname != "" {
			hdr.Typeflag = tar.TypeSymlink
			hdr.Linkname = f.linkname
			hdr.Mode = 0o777
		} else {
			hdr.Typeflag = tar.TypeReg
			hdr.Size = int64(len(f.contents))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("tar header %s: %w", f.name, err)
		}
		if _, err := tw.Write(f.contents); err != nil {
			return nil, fmt.Errorf("tar contents %s: %w", f.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("close tar: %w", err)
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// readTarFile returns the contents of the regular file name in the tarball.
func readTarFile(tarPath, name string) ([]byte, error) {
	f, err := os.Open(tarPath)
	if err != nil {
		return nil, fmt.Errorf("open rootfs: %w", err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s has no %s: is nginx installed in the rootfs?", tarPath, name)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", tarPath, err)
		}
		if path.Clean(strings.TrimPrefix(hdr.Name, "./")) != name {
			continue
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("%s in %s is not a regular file", name, tarPath)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("read %s from %s: %w", name, tarPath, err)
		}
		return data, nil
	}
}

// dropIPv6Listen removes every `listen [::]...` directive from an nginx
// server block. Finding none means the stock file changed shape, which is
// reported rather than silently shipping an untested config.
func dropIPv6Listen(conf []byte) ([]byte, error) {
	var out []string
	dropped := 0
	for _, line := range strings.SplitAfter(string(conf), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "listen [::]") {
			dropped++
			continue
		}
		out = append(out, line)
	}
	if dropped == 0 {
		return nil, errors.New("no `listen [::]` line found to remove")
	}
	return []byte(strings.Join(out, "")), nil
}
