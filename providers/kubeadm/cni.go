package kubeadm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/podlab/podlab/state"
)

const (
	cniRemoteFile = podlabRemoteDir + "/cni.yaml"
	// cniHashAttr records which manifest was applied, so a changed file is
	// applied again and an unchanged one is not.
	cniHashAttr = "cni_manifest_sha256"
)

// applyCNI uploads the pod network manifest named by cni_manifest (read
// on this machine: class VMs may have no internet) and applies it with
// kubectl on the control-plane host.
type applyCNI struct{}

func (applyCNI) name() string             { return "cni" }
func (applyCNI) hosts(c *cluster) []*host { return []*host{c.initHost()} }

func (applyCNI) done(c *cluster, h *host) (bool, string) {
	if c.spec.cniManifest == "" {
		return true, "no cni_manifest set, so no pod network is installed: nodes stay NotReady until one is"
	}
	_, sum, err := readCNI(c.spec)
	if err != nil {
		return false, "" // run reports it
	}
	c.mu.Lock()
	applied := c.attrs[cniHashAttr]
	c.mu.Unlock()
	return c.recorded(h, "cni") && applied == sum, ""
}

func (applyCNI) run(ctx context.Context, c *cluster, h *host) error {
	data, sum, err := readCNI(c.spec)
	if err != nil {
		return err
	}
	if err := h.client.WriteFile(ctx, cniRemoteFile, data, 0o644); err != nil {
		return err
	}
	if _, err := h.run(ctx, []string{"kubectl", "--kubeconfig", adminConf, "apply", "-f", cniRemoteFile}); err != nil {
		return err
	}
	c.mu.Lock()
	c.attrs[cniHashAttr] = sum
	c.mu.Unlock()
	return c.update(func(sc *state.Cluster) {
		if sc.Attributes == nil {
			sc.Attributes = map[string]string{}
		}
		sc.Attributes[cniHashAttr] = sum
	})
}

func readCNI(s *spec) ([]byte, string, error) {
	data, err := os.ReadFile(s.cniManifest)
	if err != nil {
		return nil, "", fmt.Errorf("cni_manifest: %w", err)
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:]), nil
}
