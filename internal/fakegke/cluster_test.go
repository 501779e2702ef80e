package fakegke_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/reflect/protoreflect"
)

func TestCreateClusterGoesThroughEveryState(t *testing.T) {
	t.Parallel()
	e := newEnv(t, stateTimings)
	c := newCluster("class-a")
	c.ResourceLabels = map[string]string{"podlab-lab": "pods", "podlab-env": "gke"}

	op := e.create(t, c)
	if op.GetOperationType() != containerpb.Operation_CREATE_CLUSTER {
		t.Errorf("operation type %v, want CREATE_CLUSTER", op.GetOperationType())
	}
	if !strings.HasPrefix(op.GetName(), "operation-") {
		t.Errorf("operation name %q, want operation-...", op.GetName())
	}
	if want := "/projects/" + project + "/zones/" + zone + "/clusters/class-a"; !strings.HasSuffix(op.GetTargetLink(), want) {
		t.Errorf("target_link %q, want ...%s", op.GetTargetLink(), want)
	}
	if !strings.HasSuffix(op.GetSelfLink(), "/operations/"+op.GetName()) {
		t.Errorf("self_link %q does not name the operation", op.GetSelfLink())
	}
	if _, err := time.Parse(time.RFC3339Nano, op.GetStartTime()); err != nil {
		t.Errorf("start_time %q: %v", op.GetStartTime(), err)
	}
	if op.GetEndTime() != "" {
		t.Errorf("end_time %q on an unfinished operation", op.GetEndTime())
	}

	during := e.get(t, zone, "class-a")
	if during.GetStatus() != containerpb.Cluster_PROVISIONING {
		t.Errorf("status while creating %v, want PROVISIONING", during.GetStatus())
	}
	if during.GetEndpoint() != "" {
		t.Errorf("endpoint %q before the master is up", during.GetEndpoint())
	}

	final, seen := e.wait(t, op)
	want := []containerpb.Operation_Status{containerpb.Operation_PENDING, containerpb.Operation_RUNNING, containerpb.Operation_DONE}
	if !slices.Equal(seen, want) {
		t.Errorf("operation states seen %v, want %v", seen, want)
	}
	if final.GetError() != nil {
		t.Errorf("operation error %v, want none", final.GetError())
	}
	if _, err := time.Parse(time.RFC3339Nano, final.GetEndTime()); err != nil {
		t.Errorf("end_time %q: %v", final.GetEndTime(), err)
	}
	metrics := map[string]int64{}
	for _, m := range final.GetProgress().GetMetrics() {
		metrics[m.GetName()] = m.GetIntValue()
	}
	if metrics["CLUSTER_DEPLOYING_TOTAL"] == 0 || metrics["CLUSTER_DEPLOYING"] != metrics["CLUSTER_DEPLOYING_TOTAL"] {
		t.Errorf("progress of a finished create %v, want every stage done", metrics)
	}

	got := e.get(t, zone, "class-a")
	if got.GetStatus() != containerpb.Cluster_RUNNING {
		t.Fatalf("status %v, want RUNNING", got.GetStatus())
	}
	if got.GetEndpoint() != e.srv.Endpoint() || e.srv.Endpoint() == "" {
		t.Errorf("endpoint %q, want the proxy in front of the backing cluster, %q", got.GetEndpoint(), e.srv.Endpoint())
	}
	ca, err := base64.StdEncoding.DecodeString(got.GetMasterAuth().GetClusterCaCertificate())
	if err != nil || string(ca) != string(e.backing.CAPEM) {
		t.Errorf("cluster_ca_certificate does not decode to the backing CA PEM (err %v)", err)
	}
	if got.GetResourceLabels()["podlab-lab"] != "pods" || got.GetResourceLabels()["podlab-env"] != "gke" {
		t.Errorf("resource labels %v, want those of the request", got.GetResourceLabels())
	}
	if got.GetLocation() != zone || got.GetCurrentMasterVersion() == "" || got.GetSelfLink() == "" {
		t.Errorf("location %q, version %q, self_link %q: want all set", got.GetLocation(), got.GetCurrentMasterVersion(), got.GetSelfLink())
	}
	if n := deprecatedInt32(got, "current_node_count"); n != 2 {
		t.Errorf("current_node_count %d, want 2", n)
	}
	if p := got.GetNodePools(); len(p) != 1 || p[0].GetStatus() != containerpb.NodePool_RUNNING || p[0].GetConfig().GetDiskSizeGb() == 0 {
		t.Errorf("node pools %v, want one RUNNING pool with GKE's defaults", p)
	}
}

func TestCreateDuplicateIsAlreadyExists(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fastTimings)
	op := e.create(t, newCluster("dup"))

	// While the first is still being created, and after.
	_, err := e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: parent(zone), Cluster: newCluster("dup")})
	wantCode(t, err, codes.AlreadyExists, "Already exists: "+clusterPath(zone, "dup")+".")
	e.wait(t, op)
	_, err = e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: parent(zone), Cluster: newCluster("dup")})
	wantCode(t, err, codes.AlreadyExists)

	// Names are unique per location, not per project.
	e.wait(t, e.mustCreateIn(t, region, newCluster("dup")))
	if got := e.srv.Calls("CreateCluster"); got != 4 {
		t.Errorf("fake saw %d CreateCluster calls, want 4", got)
	}
}

func (e *env) mustCreateIn(t *testing.T, location string, c *containerpb.Cluster) *containerpb.Operation {
	t.Helper()
	op, err := e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: parent(location), Cluster: c})
	if err != nil {
		t.Fatalf("CreateCluster in %s: %v", location, err)
	}
	return op
}

func TestDeleteClusterStopsThenIsNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, stateTimings)
	e.createRunning(t, newCluster("gone"))

	op, err := e.client.DeleteCluster(ctxT(t), &containerpb.DeleteClusterRequest{Name: clusterPath(zone, "gone")})
	if err != nil {
		t.Fatalf("DeleteCluster: %v", err)
	}
	if op.GetOperationType() != containerpb.Operation_DELETE_CLUSTER {
		t.Errorf("operation type %v, want DELETE_CLUSTER", op.GetOperationType())
	}
	if got := e.get(t, zone, "gone").GetStatus(); got != containerpb.Cluster_STOPPING {
		t.Errorf("status while deleting %v, want STOPPING", got)
	}
	_, err = e.client.DeleteCluster(ctxT(t), &containerpb.DeleteClusterRequest{Name: clusterPath(zone, "gone")})
	wantCode(t, err, codes.FailedPrecondition, "Operation "+op.GetName()+" is currently deleting cluster gone. Please wait and try again once it is done.")

	e.wait(t, op)
	_, err = e.client.GetCluster(ctxT(t), &containerpb.GetClusterRequest{Name: clusterPath(zone, "gone")})
	wantCode(t, err, codes.NotFound, "Not found: "+clusterPath(zone, "gone")+".")
	_, err = e.client.DeleteCluster(ctxT(t), &containerpb.DeleteClusterRequest{Name: clusterPath(zone, "gone")})
	wantCode(t, err, codes.NotFound)

	list, err := e.client.ListClusters(ctxT(t), &containerpb.ListClustersRequest{Parent: parent("-")})
	if err != nil || len(list.GetClusters()) != 0 {
		t.Errorf("ListClusters after delete: %v, %v; want none", list.GetClusters(), err)
	}
	ops, err := e.client.ListOperations(ctxT(t), &containerpb.ListOperationsRequest{Parent: parent(zone)})
	if err != nil {
		t.Fatalf("ListOperations: %v", err)
	}
	var types []containerpb.Operation_Type
	for _, o := range ops.GetOperations() {
		if o.GetStatus() != containerpb.Operation_DONE {
			t.Errorf("operation %s is %v, want DONE", o.GetName(), o.GetStatus())
		}
		types = append(types, o.GetOperationType())
	}
	if want := []containerpb.Operation_Type{containerpb.Operation_CREATE_CLUSTER, containerpb.Operation_DELETE_CLUSTER}; !slices.Equal(types, want) {
		t.Errorf("operations %v, want %v (they outlive the cluster)", types, want)
	}
}

func TestSecondOperationWhileCreatingIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, stateTimings)
	op := e.create(t, newCluster("busy"))

	_, err := e.client.DeleteCluster(ctxT(t), &containerpb.DeleteClusterRequest{Name: clusterPath(zone, "busy")})
	wantCode(t, err, codes.FailedPrecondition, "Operation "+op.GetName()+" is currently creating cluster busy.")
	_, err = e.client.SetLabels(ctxT(t), &containerpb.SetLabelsRequest{
		Name: clusterPath(zone, "busy"), ResourceLabels: map[string]string{"a": "b"}, LabelFingerprint: "a9dc16a7",
	})
	wantCode(t, err, codes.FailedPrecondition, "is currently creating cluster busy")
}

func TestDeprecatedProjectZoneFieldsWork(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fastTimings)
	//lint:ignore SA1019 the deprecated form is what this test is about
	op, err := e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{ProjectId: project, Zone: zone, Cluster: newCluster("old-style")})
	if err != nil {
		t.Fatalf("CreateCluster with project_id/zone: %v", err)
	}
	//lint:ignore SA1019 the deprecated form is what this test is about
	got, err := e.client.GetOperation(ctxT(t), &containerpb.GetOperationRequest{ProjectId: project, Zone: zone, OperationId: op.GetName()})
	if err != nil || got.GetName() != op.GetName() {
		t.Fatalf("GetOperation with project_id/zone/operation_id: %v, %v", got, err)
	}
	e.wait(t, op)
	//lint:ignore SA1019 the deprecated form is what this test is about
	c, err := e.client.GetCluster(ctxT(t), &containerpb.GetClusterRequest{ProjectId: project, Zone: zone, ClusterId: "old-style"})
	if err != nil || c.GetStatus() != containerpb.Cluster_RUNNING {
		t.Fatalf("GetCluster with project_id/zone/cluster_id: %v, %v", c.GetStatus(), err)
	}
	if got := deprecatedString(c, "zone"); got != zone {
		t.Errorf("deprecated zone field %q, want %q (GKE still fills it)", got, zone)
	}
	// Messages echo the form the request used.
	//lint:ignore SA1019 the deprecated form is what this test is about
	_, err = e.client.GetCluster(ctxT(t), &containerpb.GetClusterRequest{ProjectId: project, Zone: zone, ClusterId: "nope"})
	wantCode(t, err, codes.NotFound, "Not found: projects/"+project+"/zones/"+zone+"/clusters/nope.")
}

func TestRegionalClusterSpreadsNodesOverThreeZones(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fastTimings)
	e.wait(t, e.mustCreateIn(t, region, newCluster("regional")))
	c := e.get(t, region, "regional")
	if len(c.GetLocations()) != 3 {
		t.Errorf("node locations %v, want three zones", c.GetLocations())
	}
	if n := deprecatedInt32(c, "current_node_count"); n != 6 {
		t.Errorf("current_node_count %d, want 2 per zone × 3 zones", n)
	}
	if !strings.Contains(c.GetSelfLink(), "/locations/"+region+"/") {
		t.Errorf("self_link %q, want a /locations/ link for a regional cluster", c.GetSelfLink())
	}
}

func TestLegacyInitialNodeCountMakesDefaultPool(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fastTimings)
	c := &containerpb.Cluster{Name: "legacy"}
	setDeprecated(c, "initial_node_count", protoreflect.ValueOfInt32(3))
	e.createRunning(t, c)
	pools := e.get(t, zone, "legacy").GetNodePools()
	if len(pools) != 1 || pools[0].GetName() != "default-pool" || pools[0].GetInitialNodeCount() != 3 {
		t.Errorf("node pools %v, want GKE's default-pool with 3 nodes", pools)
	}
}
