package fakegke_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	container "cloud.google.com/go/container/apiv1"
	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/podlab/podlab/internal/fakegke"
)

const (
	project = "podlab-test"
	zone    = "asia-northeast3-a"
	region  = "asia-northeast3"
)

// fastTimings are for tests that only need operations to finish.
// stateTimings are for tests that assert on a state an operation holds while
// it runs (RUNNING, STOPPING, "operation in progress"): a second of RUNNING
// leaves room for a loaded machine. PENDING needs no window: an operation is
// always PENDING in the response that starts it.
var (
	fastTimings  = fakegke.Options{PendingFor: 20 * time.Millisecond, RunningFor: 60 * time.Millisecond}
	stateTimings = fakegke.Options{PendingFor: 100 * time.Millisecond, RunningFor: time.Second}
)

// env is a started fake with a real ClusterManager client pointed at it.
type env struct {
	srv     *fakegke.Server
	client  *container.ClusterManagerClient
	backing fakegke.Backing
}

func newEnv(t *testing.T, opts fakegke.Options) *env {
	t.Helper()
	if opts.Backing.Endpoint == "" {
		opts.Backing = fakegke.Backing{Endpoint: "127.0.0.1:6443", CAPEM: testCA(t), Token: "backing-token"}
	}
	srv := fakegke.StartForTest(t, opts)
	client, err := container.NewClusterManagerClient(context.Background(), srv.ClientOptions()...)
	if err != nil {
		t.Fatalf("new ClusterManager client: %v", err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return &env{srv: srv, client: client, backing: opts.Backing}
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func parent(location string) string {
	return "projects/" + project + "/locations/" + location
}

func clusterPath(location, name string) string {
	return parent(location) + "/clusters/" + name
}

// newCluster is a small valid cluster with one node pool.
func newCluster(name string) *containerpb.Cluster {
	return &containerpb.Cluster{
		Name: name,
		NodePools: []*containerpb.NodePool{{
			Name:             "default",
			InitialNodeCount: 2,
			Config:           &containerpb.NodeConfig{MachineType: "e2-medium"},
		}},
	}
}

// create starts creating a cluster in zone and returns its operation.
func (e *env) create(t *testing.T, c *containerpb.Cluster) *containerpb.Operation {
	t.Helper()
	op, err := e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: parent(zone), Cluster: c})
	if err != nil {
		t.Fatalf("CreateCluster %s: %v", c.GetName(), err)
	}
	return op
}

// createRunning creates a cluster in zone and waits until it is RUNNING.
func (e *env) createRunning(t *testing.T, c *containerpb.Cluster) {
	t.Helper()
	e.wait(t, e.create(t, c))
	if got := e.get(t, zone, c.GetName()).GetStatus(); got != containerpb.Cluster_RUNNING {
		t.Fatalf("cluster %s after create: status %v, want RUNNING", c.GetName(), got)
	}
}

func (e *env) get(t *testing.T, location, name string) *containerpb.Cluster {
	t.Helper()
	c, err := e.client.GetCluster(ctxT(t), &containerpb.GetClusterRequest{Name: clusterPath(location, name)})
	if err != nil {
		t.Fatalf("GetCluster %s: %v", name, err)
	}
	return c
}

// wait polls an operation until it is DONE, as a provider does, and returns
// the final operation and the distinct statuses seen in order (starting with
// the one op carried).
func (e *env) wait(t *testing.T, op *containerpb.Operation) (*containerpb.Operation, []containerpb.Operation_Status) {
	t.Helper()
	ctx := ctxT(t)
	name := parent(op.GetLocation()) + "/operations/" + op.GetName()
	seen := []containerpb.Operation_Status{op.GetStatus()}
	for op.GetStatus() != containerpb.Operation_DONE {
		select {
		case <-ctx.Done():
			t.Fatalf("operation %s not DONE (seen %v): %v", op.GetName(), seen, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
		var err error
		if op, err = e.client.GetOperation(ctx, &containerpb.GetOperationRequest{Name: name}); err != nil {
			t.Fatalf("GetOperation %s: %v", name, err)
		}
		if op.GetStatus() != seen[len(seen)-1] {
			seen = append(seen, op.GetStatus())
		}
	}
	return op, seen
}

// wantCode fails unless err is a gRPC error with code whose message contains
// every one of msgParts.
func wantCode(t *testing.T, err error, code codes.Code, msgParts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got success, want %v", code)
	}
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("got non-gRPC error %v, want %v", err, code)
	}
	if st.Code() != code {
		t.Fatalf("got %v (%s), want %v", st.Code(), st.Message(), code)
	}
	for _, p := range msgParts {
		if !strings.Contains(st.Message(), p) {
			t.Fatalf("message %q does not contain %q", st.Message(), p)
		}
	}
}

// deprecatedInt32 reads a deprecated field that GKE still fills (for example
// current_node_count) without the deprecated accessor.
func deprecatedInt32(m proto.Message, name string) int32 {
	r := m.ProtoReflect()
	return int32(r.Get(r.Descriptor().Fields().ByName(protoreflect.Name(name))).Int())
}

func deprecatedString(m proto.Message, name string) string {
	r := m.ProtoReflect()
	return r.Get(r.Descriptor().Fields().ByName(protoreflect.Name(name))).String()
}

// setDeprecated sets a deprecated request field GKE still accepts.
func setDeprecated(m proto.Message, name string, v protoreflect.Value) {
	r := m.ProtoReflect()
	r.Set(r.Descriptor().Fields().ByName(protoreflect.Name(name)), v)
}

// testCA is a throwaway self-signed CA certificate in PEM.
func testCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate CA key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "fakegke-test-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("create CA certificate: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Fatalf("%s did not panic", what)
		}
	}()
	f()
}
