package kubeadm

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// waitReady waits, with kubectl wait on the control-plane host, until
// every node of the block exists and is Ready: kubectl watches, so this
// returns as soon as they are, or fails at node_ready_timeout.
type waitReady struct{}

func (waitReady) name() string             { return "ready" }
func (waitReady) hosts(c *cluster) []*host { return []*host{c.initHost()} }

func (waitReady) run(ctx context.Context, c *cluster, h *host) error {
	var nodes []string
	for _, n := range c.hosts {
		nodes = append(nodes, "node/"+n.facts.nodeName())
	}
	kubectl := []string{"kubectl", "--kubeconfig", adminConf, "wait"}
	deadline := time.Now().Add(c.spec.readyTimeout)
	for _, cond := range []string{"create", "condition=Ready"} {
		left := time.Until(deadline).Round(time.Second)
		if left < time.Second {
			left = time.Second
		}
		argv := append(append(append([]string{}, kubectl...), "--for="+cond), nodes...)
		argv = append(argv, "--timeout="+left.String())
		for {
			_, err := h.run(ctx, argv)
			if err == nil {
				break
			}
			// kubectl wait --for=create still fails at once with NotFound
			// when a named node does not exist yet: a node that has just
			// joined registers a moment after kubeadm join returns.
			if cond == "create" && strings.Contains(err.Error(), "NotFound") && time.Now().Add(time.Second).Before(deadline) && ctx.Err() == nil {
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
				continue
			}
			return notReady(ctx, c, h, err)
		}
	}
	return nil
}

// notReady explains a wait that failed with the nodes as kubectl shows
// them, and the likely cause.
func notReady(ctx context.Context, c *cluster, h *host, err error) error {
	msg := fmt.Sprintf("the nodes did not become Ready within node_ready_timeout (%s)", c.spec.readyTimeout)
	if ctx.Err() != nil {
		return err
	}
	if out, gerr := h.run(ctx, []string{"kubectl", "--kubeconfig", adminConf, "get", "nodes", "-o", "wide"}); gerr == nil {
		msg += ":\n" + out
	}
	if c.spec.cniManifest == "" {
		msg += "\nno cni_manifest is set: nodes stay NotReady until a pod network is installed"
	}
	return fmt.Errorf("%w\n%s", err, msg)
}
