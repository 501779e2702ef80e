package kubeadm

import (
	"fmt"
	"strings"

	"github.com/podlab/podlab/plan"
)

// describe lists the cluster's settings as a plan shows them.
func describe(cfg *Config) []plan.Attribute {
	q := func(list []string) string {
		parts := make([]string, len(list))
		for i, s := range list {
			parts[i] = fmt.Sprintf("%q", s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	attrs := []plan.Attribute{
		{Name: "control_plane", Value: q(cfg.ControlPlane)},
		{Name: "workers", Value: q(cfg.Workers)},
		{Name: "kubernetes_version", Value: fmt.Sprintf("%q", cfg.KubernetesVersion)},
		{Name: "pod_network_cidr", Value: fmt.Sprintf("%q", cfg.PodNetworkCIDR)},
		{Name: "ssh", Value: fmt.Sprintf("%s@host:%d", cfg.SSH.User, cfg.SSH.Port)},
	}
	if b := cfg.SSH.Bastion; b != nil {
		user := b.User
		if user == "" {
			user = cfg.SSH.User
		}
		attrs[len(attrs)-1].Value += fmt.Sprintf(" via bastion %s@%s:%d", user, b.Host, b.Port)
	}
	if cfg.CNIManifest != "" {
		attrs = append(attrs, plan.Attribute{Name: "cni_manifest", Value: fmt.Sprintf("%q", cfg.CNIManifest)})
	}
	if len(cfg.IgnorePreflightErrors) > 0 {
		attrs = append(attrs, plan.Attribute{Name: "ignore_preflight_errors", Value: q(cfg.IgnorePreflightErrors)})
	}
	if cfg.ExtraConfig != "" {
		attrs = append(attrs, plan.Attribute{Name: "kubeadm_extra_config", Value: fmt.Sprintf("(%d lines)", strings.Count(strings.TrimSpace(cfg.ExtraConfig), "\n")+1)})
	}
	if cfg.Install {
		attrs = append(attrs, plan.Attribute{Name: "install", Value: "containerd, kubeadm, kubelet, kubectl"})
	}
	attrs = append(attrs, plan.Attribute{Name: "kubeconfig", Value: "(known after apply)"})
	return attrs
}
