package fakegke

import (
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
)

// Backing is the real Kubernetes cluster behind every cluster the fake
// creates: its API server, the CA that signed that server's certificate, and
// a bearer token it accepts. The fake hands out Endpoint and CA in
// Cluster.endpoint and Cluster.master_auth, and Token from its OAuth2 token
// endpoint, so a client that "created a GKE cluster" then really talks to
// Kubernetes.
type Backing struct {
	// Endpoint is host:port of the API server, e.g. 127.0.0.1:6443.
	Endpoint string
	// CAPEM is the PEM-encoded CA certificate of the API server.
	CAPEM []byte
	// Token is a bearer token the API server accepts.
	Token string
}

func (b Backing) validate() error {
	if b.Endpoint != "" {
		if strings.Contains(b.Endpoint, "://") {
			return fmt.Errorf("endpoint %q: want host:port, not a URL", b.Endpoint)
		}
		if _, _, err := net.SplitHostPort(b.Endpoint); err != nil {
			return fmt.Errorf("endpoint %q: %w", b.Endpoint, err)
		}
	}
	if len(b.CAPEM) > 0 {
		block, _ := pem.Decode(b.CAPEM)
		if block == nil || block.Type != "CERTIFICATE" {
			return errors.New("CA is not a PEM certificate")
		}
	}
	return nil
}

// caBase64 is the CA as GKE reports it in master_auth.cluster_ca_certificate:
// the PEM text, base64-encoded.
func (b Backing) caBase64() string {
	if len(b.CAPEM) == 0 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b.CAPEM)
}

// BackingFromKubeconfig reads the server, CA and bearer token of a context
// (the current one when contextName is empty) from a kubeconfig file, such as
// the one the local test cluster writes.
func BackingFromKubeconfig(path, contextName string) (Backing, error) {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return Backing{}, fmt.Errorf("load kubeconfig %s: %w", path, err)
	}
	if contextName == "" {
		contextName = cfg.CurrentContext
	}
	kctx, ok := cfg.Contexts[contextName]
	if !ok {
		return Backing{}, fmt.Errorf("kubeconfig %s: no context %q", path, contextName)
	}
	cl, ok := cfg.Clusters[kctx.Cluster]
	if !ok {
		return Backing{}, fmt.Errorf("kubeconfig %s: context %q names missing cluster %q", path, contextName, kctx.Cluster)
	}
	user, ok := cfg.AuthInfos[kctx.AuthInfo]
	if !ok {
		return Backing{}, fmt.Errorf("kubeconfig %s: context %q names missing user %q", path, contextName, kctx.AuthInfo)
	}

	var b Backing
	u, err := url.Parse(cl.Server)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return Backing{}, fmt.Errorf("kubeconfig %s: server %q is not an https URL", path, cl.Server)
	}
	b.Endpoint = u.Host
	if u.Port() == "" {
		b.Endpoint = net.JoinHostPort(u.Hostname(), "443")
	}

	b.CAPEM = cl.CertificateAuthorityData
	if len(b.CAPEM) == 0 && cl.CertificateAuthority != "" {
		if b.CAPEM, err = os.ReadFile(cl.CertificateAuthority); err != nil {
			return Backing{}, fmt.Errorf("kubeconfig %s: read CA: %w", path, err)
		}
	}
	if len(b.CAPEM) == 0 {
		return Backing{}, fmt.Errorf("kubeconfig %s: cluster %q has no CA (GKE always reports one)", path, kctx.Cluster)
	}

	b.Token = user.Token
	if b.Token == "" && user.TokenFile != "" {
		raw, err := os.ReadFile(user.TokenFile)
		if err != nil {
			return Backing{}, fmt.Errorf("kubeconfig %s: read token file: %w", path, err)
		}
		b.Token = strings.TrimSpace(string(raw))
	}
	if b.Token == "" {
		// GKE clients authenticate with OAuth2 access tokens only, so the
		// backing cluster must accept a bearer token.
		return Backing{}, fmt.Errorf("kubeconfig %s: user %q has no bearer token", path, kctx.AuthInfo)
	}
	return b, b.validate()
}
