package main

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

const stockSite = `server {
	listen 80 default_server;
	listen [::]:80 default_server;
	root /var/www/html;
}
`

// writeRootfs writes a tiny stand-in for the Debian rootfs tarball.
func writeRootfs(t *testing.T, site string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "rootfs.tar")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	entries := []struct{ name, body string }{
		{"./usr/bin/curl", "#!/bin/sh\n"},
		{"./" + nginxSite, site},
	}
	for _, e := range entries {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// layerFiles lists a layer's entries: name -> contents, or "-> target" for links.
func layerFiles(t *testing.T, l v1.Layer) map[string]string {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	out := map[string]string{}
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeSymlink {
			out[hdr.Name] = "-> " + hdr.Linkname
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[hdr.Name] = string(b)
	}
}

func TestCourseImages(t *testing.T) {
	set, err := courseImages(writeRootfs(t, stockSite), "r1")
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for ref := range set {
		refs = append(refs, ref)
	}
	slices.Sort(refs)
	want := slices.Clone(courseRefs)
	slices.Sort(want)
	if !slices.Equal(refs, want) {
		t.Fatalf("images %v, want %v", refs, want)
	}

	nginx := set["library/nginx:latest"]
	cf, err := nginx.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cf.Config.Cmd, " "); got != "nginx -g daemon off;" {
		t.Errorf("nginx Cmd = %q", got)
	}
	if _, ok := cf.Config.ExposedPorts["80/tcp"]; !ok {
		t.Errorf("nginx does not expose 80/tcp: %v", cf.Config.ExposedPorts)
	}
	if cf.OS != "linux" || cf.Architecture == "" {
		t.Errorf("nginx platform %s/%s", cf.OS, cf.Architecture)
	}
	layers, err := nginx.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 2 {
		t.Fatalf("nginx has %d layers, want rootfs + overlay", len(layers))
	}
	files := layerFiles(t, layers[1])
	if files["var/log/nginx/access.log"] != "-> /dev/stdout" || files["var/log/nginx/error.log"] != "-> /dev/stderr" {
		t.Errorf("nginx logs not linked to stdout/stderr: %v", files)
	}
	site := files[nginxSite]
	if strings.Contains(site, "[::]") || !strings.Contains(site, "listen 80 default_server;") {
		t.Errorf("nginx site should keep the IPv4 listener only:\n%s", site)
	}

	probe := set["curlimages/curl:latest"]
	pcf, err := probe.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pcf.Config.Entrypoint, []string{"/entrypoint.sh"}) {
		t.Errorf("probe entrypoint %v", pcf.Config.Entrypoint)
	}
	sidecar := set["alicek106/rr-test:curl"]
	sl, err := sidecar.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(sl) != 1 {
		t.Errorf("sidecar has %d layers, want the rootfs only", len(sl))
	}
	nd, _ := layers[0].Digest()
	sd, _ := sl[0].Digest()
	if nd != sd {
		t.Errorf("nginx and sidecar should share the rootfs layer: %s vs %s", nd, sd)
	}
}

func TestCourseImagesRejectsUnexpectedSite(t *testing.T) {
	_, err := courseImages(writeRootfs(t, "server {\n\tlisten 80;\n}\n"), "r1")
	if err == nil || !strings.Contains(err.Error(), "listen [::]") {
		t.Fatalf("want an error about the missing IPv6 listener, got %v", err)
	}
}

func TestPushAndStale(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	reg := u.Host
	ctx := context.Background()

	todo, err := stale(ctx, reg, "r1", courseRefs)
	if err != nil {
		t.Fatal(err)
	}
	if len(todo) != len(courseRefs) {
		t.Fatalf("empty registry: stale = %v, want all", todo)
	}
	set, err := courseImages(writeRootfs(t, stockSite), "r1")
	if err != nil {
		t.Fatal(err)
	}
	if err := push(ctx, reg, set); err != nil {
		t.Fatal(err)
	}
	if todo, err = stale(ctx, reg, "r1", courseRefs); err != nil || len(todo) != 0 {
		t.Fatalf("after push: stale = %v, %v; want none", todo, err)
	}
	if todo, err = stale(ctx, reg, "r2", courseRefs); err != nil || len(todo) != len(courseRefs) {
		t.Fatalf("new recipe: stale = %v, %v; want all", todo, err)
	}
}

func TestPauseArchive(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "pause")
	if err := os.WriteFile(bin, []byte("\x7fELF stand-in"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "pause.tar")
	const tag = "registry.k8s.io/pause:3.10"
	if err := writePauseArchive(bin, tag, out); err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewTag(tag)
	if err != nil {
		t.Fatal(err)
	}
	img, err := tarball.ImageFromPath(out, &ref)
	if err != nil {
		t.Fatalf("archive does not hold %s: %v", tag, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cf.Config.Entrypoint, []string{"/pause"}) {
		t.Errorf("entrypoint %v", cf.Config.Entrypoint)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers %d, %v", len(layers), err)
	}
	if got := layerFiles(t, layers[0])["pause"]; got != "\x7fELF stand-in" {
		t.Errorf("pause binary not in the layer: %q", got)
	}
}
