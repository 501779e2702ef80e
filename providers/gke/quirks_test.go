package gke

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/podlab/podlab/internal/fakegke"
	"github.com/podlab/podlab/plan"
)

// GKE answers quota and permission problems alike, with PERMISSION_DENIED:
// podlab tells them apart by the message.
func TestExplainQuotaOrPermission(t *testing.T) {
	zonal := ref{"podlab-class", "asia-northeast3-a", "c"}
	regional := ref{"podlab-class", "asia-northeast3", "c"}
	for _, tc := range []struct {
		name    string
		r       ref
		msg     string
		want    []string
		notWant []string
	}{
		{name: "regional CPUS", r: regional,
			msg:     `Insufficient regional quota to satisfy request: resource "CPUS": request requires '12.0' and is short '4.0'. project has a quota of '8.0' with '8.0' available.`,
			want:    []string{"over quota", "CPUS quota of project podlab-class in region asia-northeast3", "zonal location such as asia-northeast3-a", "fewer or smaller nodes"},
			notWant: []string{"roles/container.admin"}},
		{name: "zonal SSD", r: zonal,
			msg:     `Insufficient regional quota to satisfy request: resource "SSD_TOTAL_GB": request requires '300.0' and is short '50.0'.`,
			want:    []string{"SSD_TOTAL_GB quota", "region asia-northeast3", "Use fewer or smaller nodes"},
			notWant: []string{"zonal location", "roles/container.admin"}},
		{name: "older wording", r: zonal,
			msg:  `Insufficient regional quota to satisfy request for resource: "IN_USE_ADDRESSES". The request requires '2.0' and is short '1.0'.`,
			want: []string{"IN_USE_ADDRESSES quota"}},
		{name: "cluster count", r: zonal,
			msg:     `Insufficient quota to satisfy request: cannot create more than 1 clusters in region "asia-northeast3".`,
			want:    []string{"may not have more clusters in asia-northeast3"},
			notWant: []string{"roles/container.admin"}},
		{name: "a real permission problem", r: zonal,
			msg:  "Required \"container.clusters.create\" permission(s) for \"projects/podlab-class\".",
			want: []string{"permission denied", "roles/container.admin"}, notWant: []string{"quota"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := explain(tc.r, "create", status.Error(codes.PermissionDenied, tc.msg)).Error()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("error lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("error has %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestEndpointFor(t *testing.T) {
	cl := &containerpb.Cluster{
		Endpoint: "34.1.2.3",
		ControlPlaneEndpointsConfig: &containerpb.ControlPlaneEndpointsConfig{
			IpEndpointsConfig: &containerpb.ControlPlaneEndpointsConfig_IPEndpointsConfig{PrivateEndpoint: "10.0.0.2"},
			DnsEndpointConfig: &containerpb.ControlPlaneEndpointsConfig_DNSEndpointConfig{Endpoint: "gke-abc.asia-northeast3.gke.goog"},
		},
	}
	for _, tc := range []struct {
		setting   string
		cl        *containerpb.Cluster
		host      string
		clusterCA bool
		err       string
	}{
		{setting: "public", cl: cl, host: "34.1.2.3", clusterCA: true},
		{setting: "", cl: cl, host: "34.1.2.3", clusterCA: true},
		{setting: "private", cl: cl, host: "10.0.0.2", clusterCA: true},
		{setting: "dns", cl: cl, host: "gke-abc.asia-northeast3.gke.goog"},
		{setting: "private", cl: &containerpb.Cluster{Endpoint: "34.1.2.3"}, err: "no private endpoint"},
		{setting: "dns", cl: &containerpb.Cluster{Endpoint: "34.1.2.3"}, err: "no DNS-based endpoint"},
	} {
		host, ca, err := endpointFor(tc.setting, tc.cl)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.setting, err, tc.err)
			}
			continue
		}
		if err != nil || host != tc.host || ca != tc.clusterCA {
			t.Errorf("%s: %q, %t, %v; want %q, %t", tc.setting, host, ca, err, tc.host, tc.clusterCA)
		}
	}
}

// The tokens podlab sends to the API server carry userinfo.email too, as
// gke-gcloud-auth-plugin's do.
func TestTokenScopes(t *testing.T) {
	f := newFixture(t)
	if _, err := f.provider(nil).Ensure(context.Background(), nil, (&memState{}).rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	scopes := f.srv.Scopes()
	if len(scopes) == 0 {
		t.Fatal("no token was granted")
	}
	for _, want := range []string{CloudPlatformScope, UserinfoEmailScope} {
		if !strings.Contains(scopes[0], want) {
			t.Errorf("scope %q lacks %s", scopes[0], want)
		}
	}
}

// GKE upgrades the control plane right after the create: the API server
// does not answer for a while; Ensure waits for it, saying why.
func TestEnsureThroughControlPlaneUpgrade(t *testing.T) {
	f := newFixtureWith(t, func(o *fakegke.Options) {
		o.UpgradeMasterAfterCreate = true
		o.SystemOperationFor = 1500 * time.Millisecond
	})
	prog := &progress{}
	if _, err := f.provider(nil).Ensure(context.Background(), nil, (&memState{}).rec, prog); err != nil {
		t.Fatalf("ensure during the upgrade: %v", err)
	}
	step := "waiting for the API server of GKE cluster podlab-t"
	got := strings.Join(prog.statuses(step), ",")
	if !strings.Contains(got, "unreachable while GKE runs UPGRADE_MASTER") || !strings.HasSuffix(got, "done") {
		t.Fatalf("progress of %q = %q", step, got)
	}
}

// A change refused for an operation in progress is retried; the bound is
// kept.
func TestBusyRefusalsAreRetried(t *testing.T) {
	f := newFixture(t)
	p := f.provider(nil)
	st := &memState{}
	ctx := context.Background()
	if _, err := p.Ensure(ctx, nil, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	busyMsg := "Operation operation-1 is currently upgrading cluster podlab-t. Please wait and try again once it is done."
	f.srv.FailNext("SetLabels", codes.FailedPrecondition, busyMsg, 2)
	p.Cfg.Labels = map[string]string{"course": "changed"}
	if _, err := p.Ensure(ctx, st.get(), st.rec, &progress{}); err != nil {
		t.Fatalf("ensure with two busy refusals: %v", err)
	}
	if n := f.srv.Calls("SetLabels"); n != 3 {
		t.Fatalf("SetLabels calls = %d, want 3", n)
	}

	// Never done: podlab gives up after its bound, naming the reason.
	f.srv.FailNext("SetNodePoolSize", codes.FailedPrecondition, busyMsg, 100)
	p.Cfg.NodePools["default"] = withCount(p.Cfg.NodePools["default"], 3)
	_, err := p.Ensure(ctx, st.get(), st.rec, &progress{})
	if err == nil || !strings.Contains(err.Error(), "currently upgrading cluster") {
		t.Fatalf("ensure against a cluster that stays busy = %v", err)
	}
	if n := f.srv.Calls("SetNodePoolSize"); n != fastTiming.busyAttempts {
		t.Fatalf("SetNodePoolSize calls = %d, want %d", n, fastTiming.busyAttempts)
	}
	// A fingerprint mismatch is FAILED_PRECONDITION too, and not retried.
	if busy(status.Error(codes.FailedPrecondition, "Labels could not be set due to fingerprint mismatch")) {
		t.Fatal("a fingerprint mismatch counted as busy")
	}
}

// Destroy waits for GKE's own operation before deleting.
func TestDestroyWaitsForGKEsOperation(t *testing.T) {
	f := newFixtureWith(t, func(o *fakegke.Options) { o.SystemOperationFor = time.Second })
	p := f.provider(nil)
	st := &memState{}
	ctx := context.Background()
	if _, err := p.Ensure(ctx, nil, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.StartSystemOperation("podlab-t", containerpb.Operation_REPAIR_CLUSTER); err != nil {
		t.Fatal(err)
	}
	prog := &progress{}
	if err := p.Destroy(ctx, st.get(), st.rec, prog); err != nil {
		t.Fatalf("destroy during a repair: %v", err)
	}
	if !strings.Contains(strings.Join(prog.logs, "\n"), "RECONCILING") {
		t.Errorf("destroy did not say why it waited: %v", prog.logs)
	}
	for _, c := range f.srv.Log() {
		if c.Method == "DeleteCluster" && c.Code != codes.OK {
			t.Errorf("DeleteCluster was sent while the repair ran: %v", c.Code)
		}
	}
}

// An update waits for GKE's own operation to finish instead of sending a
// change GKE refuses: without the wait, the retry of refused changes would
// hide the missing wait from every other test.
func TestUpdateWaitsForGKEsOperation(t *testing.T) {
	f := newFixtureWith(t, func(o *fakegke.Options) { o.SystemOperationFor = time.Second })
	p := f.provider(nil)
	st := &memState{}
	ctx := context.Background()
	if _, err := p.Ensure(ctx, nil, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.StartSystemOperation("podlab-t", containerpb.Operation_REPAIR_CLUSTER); err != nil {
		t.Fatal(err)
	}
	p.Cfg.Labels = map[string]string{"course": "changed"}
	p.Cfg.NodePools["default"] = withCount(p.Cfg.NodePools["default"], 3)
	prog := &progress{}
	if _, err := p.Ensure(ctx, st.get(), st.rec, prog); err != nil {
		t.Fatalf("update during a repair: %v", err)
	}
	if !strings.Contains(strings.Join(prog.logs, "\n"), "RECONCILING") {
		t.Errorf("the update did not say why it waited: %v", prog.logs)
	}
	for _, c := range f.srv.Log() {
		if (c.Method == "SetLabels" || c.Method == "SetNodePoolSize") && c.Code != codes.OK {
			t.Errorf("%s was sent while the repair ran: %v", c.Method, c.Code)
		}
	}
	if f.srv.Calls("SetLabels") != 1 || f.srv.Calls("SetNodePoolSize") != 1 {
		t.Errorf("SetLabels calls = %d, SetNodePoolSize calls = %d; want 1 each", f.srv.Calls("SetLabels"), f.srv.Calls("SetNodePoolSize"))
	}
}

// A certificate that does not verify is a wrong trust, not an outage: the
// first connection fails at once, naming it, instead of waiting out
// timing.reach as if GKE were upgrading the control plane.
func TestUntrustedCertificateFailsFast(t *testing.T) {
	f := newFixtureWith(t, func(o *fakegke.Options) { o.Backing.CAPEM = otherCA(t) })
	p := f.provider(nil)
	p.timing.reach = time.Minute
	start := time.Now()
	_, err := p.Ensure(context.Background(), nil, (&memState{}).rec, &progress{})
	if err == nil || !strings.Contains(err.Error(), "presents a certificate podlab does not trust") || !strings.Contains(err.Error(), "unknown authority") {
		t.Fatalf("ensure against an API server the cluster CA does not sign = %v", err)
	}
	if waited := time.Since(start); waited > 20*time.Second {
		t.Fatalf("ensure took %s: it waited for a certificate to start verifying", waited)
	}
}

// otherCA is a CA certificate (PEM) that signed nothing the fixture serves.
func otherCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "another CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// A failure reported only in status_message is a failure.
func TestQuietOperationFailure(t *testing.T) {
	f := newFixture(t)
	f.srv.FailOperationQuietly("podlab-t", "Failed to create the node pool: no e2-medium left in the zone.")
	_, err := f.provider(nil).Ensure(context.Background(), nil, (&memState{}).rec, &progress{})
	var oe *OperationError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "no e2-medium left") {
		t.Fatalf("ensure = %v, want the operation's failure", err)
	}
}

// Autopilot: regional, GKE's pools are no drift, the plan says GKE manages
// the nodes.
func TestAutopilotCluster(t *testing.T) {
	f := newFixture(t)
	auto := func(c *Config) { c.Autopilot = true; c.NodePools = nil; c.Location = "asia-northeast3" }
	p := f.provider(auto)
	ch, err := p.Plan(context.Background(), nil, true)
	if err != nil || !hasAttr(ch, "node pools", "managed by GKE") {
		t.Fatalf("plan = %v %+v", err, ch)
	}
	st := &memState{}
	if _, err := p.Ensure(context.Background(), nil, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	for k := range st.get().Attributes {
		if strings.HasPrefix(k, "node_pool.") {
			t.Errorf("state records GKE's pool: %s", k)
		}
	}
	if ch, err := p.Plan(context.Background(), st.get(), true); err != nil || ch.Action != plan.NoOp {
		t.Fatalf("plan after create = %v %+v", err, ch)
	}
	zonal := f.provider(func(c *Config) { auto(c); c.Location = "asia-northeast3-a" })
	if _, err := zonal.Plan(context.Background(), nil, false); err == nil || !strings.Contains(err.Error(), "needs a region") {
		t.Fatalf("plan of a zonal Autopilot cluster = %v", err)
	}
}

// endpoint = "private" connects through the cluster's private endpoint.
func TestPrivateEndpoint(t *testing.T) {
	f := newFixture(t)
	st := &memState{}
	conn, err := f.provider(func(c *Config) { c.Endpoint = "private" }).Ensure(context.Background(), nil, st.rec, &progress{})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://" + f.srv.PrivateEndpoint()
	if conn.REST.Host != want || st.get().Attributes[attrEndpoint] != want || f.srv.PrivateEndpoint() == f.srv.Endpoint() {
		t.Fatalf("host %q, state %q; want the private endpoint %q", conn.REST.Host, st.get().Attributes[attrEndpoint], want)
	}
	if err := getVersion(t, conn); err != nil {
		t.Fatal(err)
	}
	// An adopted cluster (create = false) is reached the same way.
	adopted := &memState{}
	conn, err = f.provider(func(c *Config) { c.Endpoint = "private"; c.Create = false }).Ensure(context.Background(), nil, adopted.rec, &progress{})
	if err != nil {
		t.Fatal(err)
	}
	if conn.REST.Host != want || adopted.get().Attributes[attrEndpoint] != want {
		t.Fatalf("adopted: host %q, state %q; want the private endpoint %q", conn.REST.Host, adopted.get().Attributes[attrEndpoint], want)
	}
	if err := getVersion(t, conn); err != nil {
		t.Fatal(err)
	}
}
