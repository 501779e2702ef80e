package kubeconfig

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"

	"github.com/podlab/podlab/config"
)

// Kind is the block an existing cluster is written as.
const Kind = "kubeconfig"

func init() {
	config.RegisterClusterKind(config.ClusterKind{Name: Kind, Spec: kubeconfigSpec, Decode: decode})
}

// Config is a kubeconfig block: an existing cluster, never created or
// deleted by podlab.
type Config struct {
	Path    string `cty:"path"`
	Context string `cty:"context"`
}

var kubeconfigSpec = hcldec.ObjectSpec{
	"path":    config.StringAttr("path", ""),
	"context": config.StringAttr("context", ""),
}

func decode(b *config.KindBlock) (any, hcl.Diagnostics) {
	c := &Config{}
	return c, b.Into(c)
}
