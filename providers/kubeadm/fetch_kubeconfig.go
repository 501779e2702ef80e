package kubeadm

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// fetchKubeconfig copies the admin kubeconfig from the control-plane host
// into a 0600 file in the environment's directory (never into state).
// When its server does not answer from this machine (kubeadm wrote an
// address only the hosts can reach), it is rewritten to one that does:
// the api_server_endpoint, else the control-plane host as the block names
// it, which podlab put into the certificate's SANs. It runs on every
// apply, so a renewed certificate is picked up.
type fetchKubeconfig struct{}

func (fetchKubeconfig) name() string             { return "kubeconfig" }
func (fetchKubeconfig) hosts(c *cluster) []*host { return []*host{c.initHost()} }
func (fetchKubeconfig) everyTime()               {}

func (fetchKubeconfig) run(ctx context.Context, c *cluster, h *host) error {
	raw, err := h.client.ReadFile(ctx, adminConf, sshx.SecretOutput())
	if err != nil {
		return err
	}
	kc, err := clientcmd.Load(raw)
	if err != nil {
		return fmt.Errorf("%s is not a kubeconfig: %w", adminConf, err)
	}
	cl := currentCluster(kc)
	if cl == nil {
		return fmt.Errorf("%s names no cluster for its current context %q", adminConf, kc.CurrentContext)
	}
	server, tried := reachableServer(ctx, kc, serverCandidates(c, h, cl.Server), c.probe)
	switch {
	case server == "":
		c.logf("kubeconfig: the API server answers at none of %v from this machine; keeping %s", tried, cl.Server)
	case server != cl.Server:
		c.logf("kubeconfig: %s does not answer from this machine; using %s instead", cl.Server, server)
		cl.Server = server
	}
	out, err := clientcmd.Write(*kc)
	if err != nil {
		return err
	}
	path := c.spec.kubeconfigPath()
	if err := writePrivate(path, out); err != nil {
		return err
	}
	conn, err := connectionFrom(path)
	if err != nil {
		return err
	}
	c.conn = conn
	return nil
}

func currentCluster(kc *clientcmdapi.Config) *clientcmdapi.Cluster {
	ctx := kc.Contexts[kc.CurrentContext]
	if ctx == nil {
		return nil
	}
	return kc.Clusters[ctx.Cluster]
}

// serverCandidates: the kubeconfig's own server first, then the endpoint,
// then the control-plane host's address on 6443.
func serverCandidates(c *cluster, h *host, current string) []string {
	out := []string{current}
	add := func(hostport string) {
		u := "https://" + hostport
		for _, o := range out {
			if o == u {
				return
			}
		}
		out = append(out, u)
	}
	if ep := c.spec.endpoint; ep != "" {
		if _, _, err := net.SplitHostPort(ep); err != nil {
			ep = net.JoinHostPort(ep, "6443")
		}
		add(ep)
	}
	add(net.JoinHostPort(hostOnly(h.addr), strconv.Itoa(6443)))
	return out
}

// probeFunc asks an API server for its version.
type probeFunc func(ctx context.Context, rc *rest.Config) error

func probeServer(ctx context.Context, rc *rest.Config) error {
	rc = rest.CopyConfig(rc)
	rc.Timeout = 5 * time.Second
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	_, err = cs.Discovery().ServerVersion()
	return err
}

// reachableServer returns the first candidate whose API server answers
// with the kubeconfig's CA and credentials, or "".
func reachableServer(ctx context.Context, kc *clientcmdapi.Config, candidates []string, probe probeFunc) (string, []string) {
	if probe == nil {
		probe = probeServer
	}
	var tried []string
	for _, s := range candidates {
		if _, err := url.Parse(s); err != nil {
			continue
		}
		rc, err := clientcmd.NewDefaultClientConfig(*kc, &clientcmd.ConfigOverrides{ClusterInfo: clientcmdapi.Cluster{Server: s}}).ClientConfig()
		if err != nil {
			continue
		}
		tried = append(tried, s)
		if probe(ctx, rc) == nil {
			return s, tried
		}
	}
	return "", tried
}

// writePrivate writes data to path with mode 0600, whole or not at all.
func writePrivate(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".admin-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// connectionFrom builds a connection from the fetched kubeconfig, or says
// the cluster is not there yet.
func connectionFrom(path string) (*providers.Connection, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, providers.ErrNotCreated
	}
	if err != nil {
		return nil, err
	}
	kc, err := clientcmd.Load(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rc, err := clientcmd.NewDefaultClientConfig(*kc, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &providers.Connection{
		REST:       rc,
		Attributes: map[string]string{"endpoint": rc.Host, "kubeconfig": path},
		Kubeconfig: path,
		Context:    kc.CurrentContext,
	}, nil
}
