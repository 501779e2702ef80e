package kubeadm

import (
	"bytes"
	"fmt"
	"net"
	"slices"

	"sigs.k8s.io/yaml"
)

// The kubeadm configuration podlab generates for kubeadm init, in the
// kubeadm.k8s.io/v1beta4 format (kubeadm 1.31 and later). Only the fields
// the block sets are written; kubeadm defaults the rest.

const kubeadmAPIVersion = "kubeadm.k8s.io/v1beta4"

type initConfiguration struct {
	APIVersion       string           `json:"apiVersion"`
	Kind             string           `json:"kind"`
	LocalAPIEndpoint *apiEndpoint     `json:"localAPIEndpoint,omitempty"`
	NodeRegistration nodeRegistration `json:"nodeRegistration"`
}

type apiEndpoint struct {
	AdvertiseAddress string `json:"advertiseAddress,omitempty"`
}

type nodeRegistration struct {
	CRISocket string `json:"criSocket,omitempty"`
}

type clusterConfiguration struct {
	APIVersion           string     `json:"apiVersion"`
	Kind                 string     `json:"kind"`
	KubernetesVersion    string     `json:"kubernetesVersion"`
	ControlPlaneEndpoint string     `json:"controlPlaneEndpoint,omitempty"`
	ImageRepository      string     `json:"imageRepository,omitempty"`
	Networking           networking `json:"networking"`
	APIServer            apiServer  `json:"apiServer,omitempty"`
}

type networking struct {
	PodSubnet     string `json:"podSubnet,omitempty"`
	ServiceSubnet string `json:"serviceSubnet,omitempty"`
}

type apiServer struct {
	CertSANs []string `json:"certSANs,omitempty"`
}

// kubeadmConfig is the configuration for kubeadm init on h. The API
// server's certificate names every control-plane host as the block writes
// it, the endpoint and the extra SANs, so the kubeconfig works whichever
// of those addresses reaches it. advertiseAddress is the host's address
// when the host really has it (behind NAT it does not, and kubeadm then
// picks the address of the default route). kubeadm_extra_config follows
// as it is written.
func kubeadmConfig(s *spec, h *host) ([]byte, error) {
	ic := initConfiguration{
		APIVersion:       kubeadmAPIVersion,
		Kind:             "InitConfiguration",
		NodeRegistration: nodeRegistration{CRISocket: s.criSocket},
	}
	if ip := hostOnly(h.addr); net.ParseIP(ip) != nil && h.facts != nil && h.facts.hasAddr(ip) {
		ic.LocalAPIEndpoint = &apiEndpoint{AdvertiseAddress: ip}
	}
	cc := clusterConfiguration{
		APIVersion:           kubeadmAPIVersion,
		Kind:                 "ClusterConfiguration",
		KubernetesVersion:    s.version,
		ControlPlaneEndpoint: s.endpoint,
		Networking:           networking{PodSubnet: s.podCIDR, ServiceSubnet: s.serviceCIDR},
		APIServer:            apiServer{CertSANs: certSANs(s)},
	}
	if s.bundle != nil {
		// The images the bundle imported, under the names it holds them.
		cc.ImageRepository = s.bundle.ImageRepository
	}
	var b bytes.Buffer
	for i, doc := range []any{ic, cc} {
		y, err := yaml.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("kubeadm configuration: %w", err)
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	if len(s.extraConfig) > 0 {
		b.WriteString("---\n")
		b.Write(bytes.TrimLeft(s.extraConfig, "-\n"))
		if !bytes.HasSuffix(s.extraConfig, []byte("\n")) {
			b.WriteString("\n")
		}
	}
	return b.Bytes(), nil
}

// certSANs: the extra SANs, the endpoint's host and every control-plane
// address, once each, in that order.
func certSANs(s *spec) []string {
	var out []string
	add := func(v string) {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, v := range s.certSANs {
		add(v)
	}
	if s.endpoint != "" {
		add(hostOnly(s.endpoint))
	}
	for _, cp := range s.controlPlanes {
		add(hostOnly(cp))
	}
	return out
}
