package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// courseRefs are the references courseImages builds, relative to docker.io.
var courseRefs = []string{
	"library/nginx:latest",
	"alicek106/rr-test:curl",
	"curlimages/curl:8.11.1",
	"curlimages/curl:latest",
}

// registryRef names ref (relative to docker.io) in the local registry, which
// speaks plain HTTP on loopback.
func registryRef(registry, ref string) (name.Reference, error) {
	r, err := name.ParseReference(registry+"/"+ref, name.Insecure)
	if err != nil {
		return nil, fmt.Errorf("parse %s/%s: %w", registry, ref, err)
	}
	return r, nil
}

// stale returns the references in refs that the registry lacks or holds
// from a different recipe.
func stale(ctx context.Context, registry, recipe string, refs []string) ([]string, error) {
	var out []string
	for _, ref := range refs {
		r, err := registryRef(registry, ref)
		if err != nil {
			return nil, err
		}
		desc, err := remote.Get(r, remote.WithContext(ctx))
		var terr *transport.Error
		if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
			out = append(out, ref)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("look up %s: %w", r, err)
		}
		var m v1.Manifest
		if err := json.Unmarshal(desc.Manifest, &m); err != nil {
			return nil, fmt.Errorf("decode manifest of %s: %w", r, err)
		}
		if m.Annotations[recipeAnnotation] != recipe {
			out = append(out, ref)
		}
	}
	return out, nil
}

// push uploads every image of set to the registry; layers shared between
// images are uploaded once.
func push(ctx context.Context, registry string, set imageSet) error {
	todo := map[name.Reference]remote.Taggable{}
	refs := make([]string, 0, len(set))
	for ref, img := range set {
		r, err := registryRef(registry, ref)
		if err != nil {
			return err
		}
		todo[r] = img
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	if err := remote.MultiWrite(todo, remote.WithContext(ctx)); err != nil {
		return fmt.Errorf("push %v to %s: %w", refs, registry, err)
	}
	return nil
}
