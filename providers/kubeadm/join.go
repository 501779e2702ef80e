package kubeadm

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// joinCommand is what a node needs to join: the API endpoint, a bootstrap
// token and the hash that pins the cluster CA, and for a control-plane
// node the key of the uploaded certificates. The token and key are
// secrets: never logged, never stored.
type joinCommand struct {
	endpoint, token, caHash string
	certKey                 string
}

// joinWorkers joins each worker not joined yet; joinControlPlanes joins
// the other control-plane hosts, one at a time. A node counts as joined
// when it has a kubelet kubeconfig, unless kubeadm init made a new
// cluster in this apply: then it belongs to the old one and is reset and
// joined again.
type (
	joinWorkers       struct{}
	joinControlPlanes struct{}
)

func (joinWorkers) name() string                            { return "join" }
func (joinWorkers) hosts(c *cluster) []*host                { return c.byRole(worker) }
func (joinControlPlanes) name() string                      { return "join" }
func (joinControlPlanes) oneAtATime()                       {}
func (joinWorkers) done(c *cluster, h *host) (bool, string) { return joinedAlready(c, h) }
func (joinControlPlanes) done(c *cluster, h *host) (bool, string) {
	return joinedAlready(c, h)
}

func (joinControlPlanes) hosts(c *cluster) []*host {
	first := c.initHost()
	var out []*host
	for _, h := range c.byRole(controlPlane) {
		if h != first {
			out = append(out, h)
		}
	}
	return out
}

func joinedAlready(c *cluster, h *host) (bool, string) {
	if !h.facts.joined() || c.initRan {
		return false, ""
	}
	return true, "already a node of a cluster (" + kubeletConf + " exists)"
}

func (joinWorkers) run(ctx context.Context, c *cluster, h *host) error {
	return join(ctx, c, h, false)
}

func (joinControlPlanes) run(ctx context.Context, c *cluster, h *host) error {
	return join(ctx, c, h, true)
}

func join(ctx context.Context, c *cluster, h *host, asControlPlane bool) error {
	if h.facts.leftovers() {
		c.logf("join on %s: resetting it first (%s)", h, leftoverReason(c, h))
		if err := kubeadmReset(ctx, c, h); err != nil {
			return err
		}
	}
	jc, err := c.joinCommand(ctx, asControlPlane)
	if err != nil {
		return err
	}
	if c.recorded(h, "join") && !c.initRan {
		// It was a node of this cluster and was reset behind podlab's
		// back: its old Node object, still Ready for a while, makes
		// kubeadm join refuse ("a Node with name ... already exists").
		cp := c.initHost()
		c.logf("join on %s: deleting its old Node %s first", h, h.facts.nodeName())
		if _, err := cp.run(ctx, []string{"kubectl", "--kubeconfig", adminConf, "delete", "node", h.facts.nodeName(), "--ignore-not-found", "--wait=false"}); err != nil {
			return fmt.Errorf("on %s: %w", cp, err)
		}
	}
	argv := []string{"kubeadm", "join", jc.endpoint, "--token", jc.token, "--discovery-token-ca-cert-hash", jc.caHash, "--cri-socket", c.spec.criSocket}
	if asControlPlane {
		argv = append(argv, "--control-plane", "--certificate-key", jc.certKey)
		if ip := hostOnly(h.addr); net.ParseIP(ip) != nil && h.facts.hasAddr(ip) {
			argv = append(argv, "--apiserver-advertise-address", ip)
		}
	}
	argv = append(argv, c.spec.preflightFlags()...)
	if _, err := h.run(ctx, argv, sshx.Redact(jc.token, jc.certKey)); err != nil {
		return err
	}
	h.facts.files[kubeletConf] = true
	// A new node: the cluster is not Ready until it is.
	return c.forget(nil, "ready")
}

func leftoverReason(c *cluster, h *host) string {
	if h.facts.joined() && c.initRan {
		return "it belonged to the cluster that kubeadm init just replaced"
	}
	return "an earlier kubeadm run left files behind"
}

// joinCommand asks the control-plane host for a fresh token (valid one
// hour) and, for control-plane joins, uploads the certificates for them.
// It asks once per apply.
func (c *cluster) joinCommand(ctx context.Context, asControlPlane bool) (*joinCommand, error) {
	c.joinMu.Lock()
	defer c.joinMu.Unlock()
	cp := c.initHost()
	if c.join == nil {
		out, err := cp.run(ctx, []string{"kubeadm", "token", "create", "--print-join-command", "--ttl", "1h", "--description", "podlab join"}, sshx.SecretOutput())
		if err != nil {
			return nil, fmt.Errorf("on %s: %w", cp, err)
		}
		jc, err := parseJoinCommand(out)
		if err != nil {
			return nil, fmt.Errorf("on %s: kubeadm token create --print-join-command: %w", cp, err)
		}
		c.join = jc
	}
	if asControlPlane && c.join.certKey == "" {
		out, err := cp.run(ctx, []string{"kubeadm", "init", "phase", "upload-certs", "--upload-certs"}, sshx.SecretOutput())
		if err != nil {
			return nil, fmt.Errorf("on %s: %w", cp, err)
		}
		key := certKeyRE.FindString(out)
		if key == "" {
			return nil, fmt.Errorf("on %s: kubeadm init phase upload-certs printed no certificate key", cp)
		}
		c.join.certKey = key
	}
	return c.join, nil
}

var certKeyRE = regexp.MustCompile(`(?m)^[0-9a-f]{64}$`)

// parseJoinCommand reads "kubeadm join EP --token T
// --discovery-token-ca-cert-hash H" from kubeadm's output (which may end
// with a space, or be split with a backslash over lines).
func parseJoinCommand(out string) (*joinCommand, error) {
	i := strings.Index(out, "kubeadm join ")
	if i < 0 {
		return nil, fmt.Errorf("no join command in its output")
	}
	words := strings.Fields(strings.ReplaceAll(out[i:], "\\\n", " "))
	jc := &joinCommand{}
	for j := 2; j < len(words); j++ {
		switch w := words[j]; {
		case w == "--token" && j+1 < len(words):
			jc.token = words[j+1]
			j++
		case w == "--discovery-token-ca-cert-hash" && j+1 < len(words):
			jc.caHash = words[j+1]
			j++
		case !strings.HasPrefix(w, "-") && jc.endpoint == "":
			jc.endpoint = w
		}
	}
	if jc.endpoint == "" || jc.token == "" || jc.caHash == "" {
		return nil, fmt.Errorf("the join command lacks an endpoint, token or CA hash")
	}
	return jc, nil
}
