package fakegke_test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"

	"github.com/podlab/podlab/internal/fakegke"
)

// GKE answers a create over quota at once with PERMISSION_DENIED and its
// "Insufficient regional quota" message; zonal clusters count against
// their region, regional ones in each of three zones.
func TestQuota(t *testing.T) {
	e := newEnv(t, fastTimings)
	e.srv.SetQuota(project, region, fakegke.Quota{CPUs: 8})
	// 2 e2-medium nodes (2 vCPUs each) in each of three zones: 12 vCPUs.
	_, err := e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: parent(region), Cluster: newCluster("regional")})
	wantCode(t, err, codes.PermissionDenied,
		`Insufficient regional quota to satisfy request: resource "CPUS": request requires '12.0' and is short '4.0'. project has a quota of '8.0' with '8.0' available.`,
		"project="+project)
	// Zonal: 4 vCPUs, twice, fills the quota; a third is short.
	e.createRunning(t, newCluster("zonal-a"))
	e.createRunning(t, newCluster("zonal-b"))
	_, err = e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: parent(zone), Cluster: newCluster("zonal-c")})
	wantCode(t, err, codes.PermissionDenied, `resource "CPUS": request requires '4.0' and is short '4.0'. project has a quota of '8.0' with '0.0' available.`)
	// Other regions and projects have their own quota.
	_, err = e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: "projects/" + project + "/locations/us-central1-a", Cluster: newCluster("elsewhere")})
	if err != nil {
		t.Fatalf("create in another region: %v", err)
	}

	e.srv.SetQuota(project, "europe-west1", fakegke.Quota{Clusters: 1, SSDTotalGB: 1000})
	op, err := e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: parent("europe-west1-b"), Cluster: newCluster("one")})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(t, op)
	_, err = e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: parent("europe-west1-c"), Cluster: newCluster("two")})
	wantCode(t, err, codes.PermissionDenied, "cannot create more than 1 clusters", "europe-west1")
}

// Autopilot: regional only, no node pools of the user's, GKE's own pools
// listed and not to be changed.
func TestAutopilot(t *testing.T) {
	e := newEnv(t, fastTimings)
	auto := func(name string) *containerpb.Cluster {
		return &containerpb.Cluster{Name: name, Autopilot: &containerpb.Autopilot{Enabled: true}}
	}
	_, err := e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: parent(zone), Cluster: auto("zonal")})
	wantCode(t, err, codes.InvalidArgument, "Autopilot clusters must be regional clusters.")
	withPool := auto("pools")
	withPool.NodePools = newCluster("x").NodePools
	_, err = e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: parent(region), Cluster: withPool})
	wantCode(t, err, codes.InvalidArgument, "Autopilot")

	op, err := e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: parent(region), Cluster: auto("auto")})
	if err != nil {
		t.Fatalf("regional Autopilot create: %v", err)
	}
	e.wait(t, op)
	cl := e.get(t, region, "auto")
	if cl.GetStatus() != containerpb.Cluster_RUNNING || len(cl.GetNodePools()) == 0 {
		t.Fatalf("Autopilot cluster: %v, %d pools", cl.GetStatus(), len(cl.GetNodePools()))
	}
	for _, p := range cl.GetNodePools() {
		if !p.GetAutoscaling().GetAutoprovisioned() {
			t.Errorf("pool %s is not GKE-managed: %v", p.GetName(), p.GetAutoscaling())
		}
	}
	pool := clusterPath(region, "auto") + "/nodePools/" + cl.GetNodePools()[0].GetName()
	_, err = e.client.SetNodePoolSize(ctxT(t), &containerpb.SetNodePoolSizeRequest{Name: pool, NodeCount: 3})
	wantCode(t, err, codes.InvalidArgument, "managed by GKE")
	_, err = e.client.CreateNodePool(ctxT(t), &containerpb.CreateNodePoolRequest{Parent: clusterPath(region, "auto"), NodePool: newCluster("x").NodePools[0]})
	wantCode(t, err, codes.InvalidArgument, "managed by GKE")
}

// echoServer is a TCP server that answers each line with the same line:
// a stand-in backing API server that shows whether the fake's endpoint
// forwards.
func echoServer(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lis.Close() })
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return lis.Addr().String()
}

// reachable reports whether a line sent to addr comes back.
func reachable(t *testing.T, addr string) bool {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "ping\n"); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "ping\n"
}

// GKE's own operations: the cluster is RECONCILING, user changes are
// refused with FAILED_PRECONDITION, and during a control-plane upgrade the
// endpoints do not answer; all is back once the operation is DONE.
func TestSystemOperations(t *testing.T) {
	opts := stateTimings
	opts.Backing = fakegke.Backing{Endpoint: echoServer(t), CAPEM: testCA(t), Token: "t"}
	opts.SystemOperationFor = 2 * time.Second
	e := newEnv(t, opts)
	e.createRunning(t, newCluster("class"))
	if !reachable(t, e.srv.Endpoint()) || !reachable(t, e.srv.PrivateEndpoint()) {
		t.Fatal("the endpoints do not forward to the backing cluster")
	}
	if _, err := e.srv.StartSystemOperation("class", containerpb.Operation_CREATE_CLUSTER); err == nil {
		t.Fatal("GKE does not start creates itself")
	}
	name, err := e.srv.StartSystemOperation("class", containerpb.Operation_UPGRADE_MASTER)
	if err != nil {
		t.Fatal(err)
	}
	if st := e.get(t, zone, "class").GetStatus(); st != containerpb.Cluster_RECONCILING {
		t.Fatalf("status during the upgrade = %v", st)
	}
	if reachable(t, e.srv.Endpoint()) || reachable(t, e.srv.PrivateEndpoint()) {
		t.Fatal("the API server answers during a control-plane upgrade")
	}
	cl := e.get(t, zone, "class")
	_, err = e.client.SetLabels(ctxT(t), &containerpb.SetLabelsRequest{Name: clusterPath(zone, "class"), ResourceLabels: map[string]string{"a": "b"}, LabelFingerprint: cl.GetLabelFingerprint()})
	wantCode(t, err, codes.FailedPrecondition, "Cluster is running incompatible operation "+name)
	ops, err := e.client.ListOperations(ctxT(t), &containerpb.ListOperationsRequest{Parent: parent(zone)})
	if err != nil {
		t.Fatal(err)
	}
	last := ops.GetOperations()[len(ops.GetOperations())-1]
	if last.GetName() != name || last.GetOperationType() != containerpb.Operation_UPGRADE_MASTER || last.GetStatus() != containerpb.Operation_RUNNING {
		t.Fatalf("GKE's operation as listed: %v", last)
	}
	e.wait(t, last)
	if st := e.get(t, zone, "class").GetStatus(); st != containerpb.Cluster_RUNNING {
		t.Fatalf("status after the upgrade = %v", st)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !reachable(t, e.srv.Endpoint()) {
		if time.Now().After(deadline) {
			t.Fatal("the endpoint does not answer after the upgrade")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// On a schedule: right after a create.
	opts.UpgradeMasterAfterCreate = true
	e = newEnv(t, opts)
	e.wait(t, e.create(t, newCluster("fresh")))
	if st := e.get(t, zone, "fresh").GetStatus(); st != containerpb.Cluster_RECONCILING {
		t.Fatalf("status right after create with UpgradeMasterAfterCreate = %v", st)
	}
	if reachable(t, e.srv.Endpoint()) {
		t.Fatal("the API server answers during the upgrade after create")
	}
}

// Surge nodes move current_node_count, during a resize and while GKE
// repairs or upgrades nodes, and nothing else.
func TestSurgeNodes(t *testing.T) {
	e := newEnv(t, stateTimings)
	e.createRunning(t, newCluster("class"))
	count := func() int32 { return deprecatedInt32(e.get(t, zone, "class"), "current_node_count") }
	if n := count(); n != 2 {
		t.Fatalf("current_node_count = %d, want 2", n)
	}
	op, err := e.client.SetNodePoolSize(ctxT(t), &containerpb.SetNodePoolSizeRequest{Name: clusterPath(zone, "class") + "/nodePools/default", NodeCount: 3})
	if err != nil {
		t.Fatal(err)
	}
	opName := parent(zone) + "/operations/" + op.GetName()
	var during []int32
	for op.GetStatus() != containerpb.Operation_DONE {
		if op.GetStatus() == containerpb.Operation_RUNNING {
			during = append(during, count())
		}
		time.Sleep(20 * time.Millisecond)
		if op, err = e.client.GetOperation(ctxT(t), &containerpb.GetOperationRequest{Name: opName}); err != nil {
			t.Fatal(err)
		}
	}
	if len(during) == 0 || during[0] != 3 {
		t.Fatalf("current_node_count while the resize runs = %v, want 3 (2 nodes and a surge node)", during)
	}
	if n := count(); n != 3 {
		t.Fatalf("current_node_count after the resize = %d, want 3", n)
	}
	if err := e.srv.Surge("class", 2, time.Hour); err != nil {
		t.Fatal(err)
	}
	cl := e.get(t, zone, "class")
	if n := deprecatedInt32(cl, "current_node_count"); n != 5 {
		t.Fatalf("current_node_count with 2 surge nodes = %d, want 5", n)
	}
	if n := cl.GetNodePools()[0].GetInitialNodeCount(); n != 2 {
		t.Fatalf("initial_node_count = %d: GKE keeps it as created", n)
	}
}

// Some failures are reported only in the operation's status_message.
func TestQuietFailure(t *testing.T) {
	e := newEnv(t, fastTimings)
	e.srv.FailOperationQuietly("class", "Failed to create the node pool: the zone has no e2-medium left.")
	op, _ := e.wait(t, e.create(t, newCluster("class")))
	if op.GetError() != nil {
		t.Fatalf("error = %v, want none", op.GetError())
	}
	if msg := deprecatedString(op, "status_message"); !strings.Contains(msg, "no e2-medium left") {
		t.Fatalf("status_message = %q", msg)
	}
	if st := e.get(t, zone, "class").GetStatus(); st != containerpb.Cluster_ERROR {
		t.Fatalf("cluster status = %v, want ERROR", st)
	}
}
