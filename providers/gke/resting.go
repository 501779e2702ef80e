package gke

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
	"k8s.io/client-go/rest"

	"github.com/podlab/podlab/providers"
)

// GKE runs operations of its own on a cluster (control-plane upgrades and
// repairs, UPGRADE_MASTER and REPAIR_CLUSTER), one at a time with the
// user's: while one runs the cluster is RECONCILING and every change is
// refused with FAILED_PRECONDITION. The Terraform Google provider copes by
// waiting for a resting state before each update or delete
// (containerClusterAwaitRestingState in
// google/services/container/resource_container_cluster.go) and by retrying
// calls refused for an operation in progress
// (retryWhileIncompatibleOperation); podlab does both, each bounded.

// resting statuses: no operation holds the cluster and a change may start.
// DEGRADED is resting too (Terraform treats it so): GKE runs nothing on it.
func resting(st containerpb.Cluster_Status) bool {
	return st == containerpb.Cluster_RUNNING || st == containerpb.Cluster_DEGRADED
}

// busy reports whether GKE refused a call because an operation holds the
// cluster, by the messages GKE gives: "Operation ... is currently upgrading
// cluster ... Please wait and try again once it is done." and "Cluster is
// running incompatible operation ...". A fingerprint mismatch is also
// FAILED_PRECONDITION and is not retried.
func busy(err error) bool {
	if codeOf(err) != codes.FailedPrecondition {
		return false
	}
	m := strings.ToLower(messageOf(err))
	return strings.Contains(m, "incompatible operation") || strings.Contains(m, "please wait and try again") || strings.Contains(m, "is currently")
}

// awaitResting waits until no operation holds the cluster: the operation
// in flight is followed (and recorded in state meanwhile), else the status
// polled. It returns the cluster then, nil when it is gone; a cluster in
// ERROR is returned for the caller to judge.
func (s *session) awaitResting(ctx context.Context) (*containerpb.Cluster, error) {
	for {
		cl, err := s.get(ctx)
		if err != nil || cl == nil {
			return cl, err
		}
		if resting(cl.GetStatus()) || cl.GetStatus() == containerpb.Cluster_ERROR {
			return cl, nil
		}
		s.prog.Log(fmt.Sprintf("GKE cluster %s is %s (an operation runs on it, perhaps one of GKE's own such as a control-plane upgrade): podlab waits for it before changing the cluster", s.r, cl.GetStatus()))
		if cl, err = s.settle(ctx, cl); err != nil || cl == nil {
			return cl, err
		}
		if resting(cl.GetStatus()) || cl.GetStatus() == containerpb.Cluster_ERROR {
			return cl, nil
		}
	}
}

// retryIncompatible makes a call that changes the cluster, retrying it
// with backoff while GKE refuses it for an operation in progress, after
// waiting for the cluster to rest. It gives up after timing.busyAttempts.
func (s *session) retryIncompatible(ctx context.Context, doing string, call func() (*containerpb.Operation, error)) (*containerpb.Operation, error) {
	bo := s.p.timing.retry
	for attempt := 1; ; attempt++ {
		op, err := call()
		if !busy(err) {
			return op, err
		}
		if attempt >= s.p.timing.busyAttempts {
			return nil, explain(s.r, doing, err)
		}
		s.prog.Log(fmt.Sprintf("GKE cluster %s: %s refused while another operation runs (%s): waiting, then trying again (%d/%d)", s.r, doing, messageOf(err), attempt, s.p.timing.busyAttempts-1))
		if _, werr := s.awaitResting(ctx); werr != nil {
			return nil, werr
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(bo.Pause()):
		}
	}
}

// waitReachable waits until the cluster's API server answers. Right after
// a create, GKE often upgrades the control plane, and a zonal cluster's API
// server is then unreachable for a while. Any HTTP answer counts (even
// 401: the server is there); connection errors are retried with backoff,
// for at most timing.reach, with progress saying why podlab waits.
func (s *session) waitReachable(ctx context.Context, rc *rest.Config) error {
	hc, err := rest.HTTPClientFor(rc)
	if err != nil {
		return fmt.Errorf("GKE cluster %s: %w", s.r, err)
	}
	defer hc.CloseIdleConnections()
	bound := s.p.timing.reach
	wctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	start := time.Now()
	step := "waiting for the API server of GKE cluster " + s.r.Name
	bo := s.p.timing.retry
	waited := false
	for {
		err := ping(wctx, hc, rc.Host)
		if err == nil {
			if waited {
				s.prog.Step(step, providers.StepDone, time.Since(start))
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if untrusted(err) {
			// No upgrade ends this: waiting would only hide it.
			return fmt.Errorf("GKE cluster %s: the API server at %s presents a certificate podlab does not trust (%v). With endpoint = \"dns\" it is checked against the system's certificate roots (behind a proxy that intercepts TLS, add the proxy's CA to them, e.g. with SSL_CERT_FILE); otherwise against the cluster CA GKE reports. Nothing was changed in the cluster", s.r, rc.Host, err)
		}
		if wctx.Err() != nil {
			return fmt.Errorf("GKE cluster %s: its API server at %s did not answer within %s (%v). GKE may still be upgrading or repairing the control plane: run podlab again in a few minutes; nothing was changed in the cluster", s.r, rc.Host, bound, err)
		}
		why := "unreachable"
		if op, oerr := s.runningOperation(ctx); oerr == nil && op != nil {
			why = fmt.Sprintf("unreachable while GKE runs %s", op.GetOperationType())
		}
		waited = true
		s.prog.Step(step, why, time.Since(start))
		select {
		case <-wctx.Done():
		case <-time.After(bo.Pause()):
		}
	}
}

// untrusted reports whether a connection failed because the server's
// certificate does not verify: a wrong trust, not an outage.
func untrusted(err error) bool {
	var cve *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &cve) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci)
}

// ping asks the API server for /version once.
func ping(ctx context.Context, hc *http.Client, host string) error {
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, strings.TrimSuffix(host, "/")+"/version", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	return nil
}

// errNoEndpoint says the cluster has no endpoint of the kind the block asks for.
var errNoEndpoint = errors.New("no such endpoint")

// endpointFor picks the address podlab connects to, by the gke block's
// endpoint setting, and whether the cluster's CA verifies it. The DNS
// endpoint is served with a publicly trusted certificate, so it is
// verified with the system's roots, not the cluster CA (GKE's
// documentation of the DNS-based endpoint).
func endpointFor(setting string, cl *containerpb.Cluster) (host string, clusterCA bool, err error) {
	cp := cl.GetControlPlaneEndpointsConfig()
	switch setting {
	case "private":
		host = cp.GetIpEndpointsConfig().GetPrivateEndpoint()
		if host == "" {
			//lint:ignore SA1019 clusters made before control_plane_endpoints_config report it only here.
			host = cl.GetPrivateClusterConfig().GetPrivateEndpoint()
		}
		if host == "" {
			return "", false, fmt.Errorf("%w: endpoint = \"private\", but GKE reports no private endpoint for the cluster (it is not a private cluster): use endpoint = \"public\" or \"dns\"", errNoEndpoint)
		}
		return host, true, nil
	case "dns":
		host = cp.GetDnsEndpointConfig().GetEndpoint()
		if host == "" {
			return "", false, fmt.Errorf("%w: endpoint = \"dns\", but the cluster has no DNS-based endpoint: enable it (gcloud container clusters update NAME --enable-dns-access) or use endpoint = \"public\" or \"private\"", errNoEndpoint)
		}
		return host, false, nil
	}
	host = cl.GetEndpoint()
	if host == "" {
		return "", false, fmt.Errorf("%w: GKE reports no endpoint although the cluster is %s: run podlab again in a minute", errNoEndpoint, cl.GetStatus())
	}
	return host, true, nil
}
