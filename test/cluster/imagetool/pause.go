package main

import (
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// writePauseArchive packs the pause binary into a docker-archive tarball
// tagged tag, the form `ctr images import` loads.
func writePauseArchive(binary, tag, out string) error {
	data, err := os.ReadFile(binary)
	if err != nil {
		return fmt.Errorf("read pause binary: %w", err)
	}
	ref, err := name.NewTag(tag)
	if err != nil {
		return fmt.Errorf("parse tag %q: %w", tag, err)
	}
	img, err := newImage("", nil, []file{{name: "pause", mode: 0o755, contents: data}}, v1.Config{
		Entrypoint: []string{"/pause"},
	})
	if err != nil {
		return fmt.Errorf("pause image: %w", err)
	}
	if err := tarball.WriteToFile(out, ref, img); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}
