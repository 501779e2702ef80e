package fakegke_test

import (
	"testing"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
)

func TestNodePoolCreateResizeDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, stateTimings)
	e.createRunning(t, newCluster("pools"))
	cl := clusterPath(zone, "pools")

	op, err := e.client.CreateNodePool(ctxT(t), &containerpb.CreateNodePoolRequest{
		Parent:   cl,
		NodePool: &containerpb.NodePool{Name: "extra", InitialNodeCount: 1, Config: &containerpb.NodeConfig{Spot: true}},
	})
	if err != nil {
		t.Fatalf("CreateNodePool: %v", err)
	}
	if op.GetOperationType() != containerpb.Operation_CREATE_NODE_POOL {
		t.Errorf("operation type %v, want CREATE_NODE_POOL", op.GetOperationType())
	}
	if got := e.get(t, zone, "pools").GetStatus(); got != containerpb.Cluster_RECONCILING {
		t.Errorf("cluster status while adding a pool %v, want RECONCILING", got)
	}
	_, err = e.client.SetNodePoolSize(ctxT(t), &containerpb.SetNodePoolSizeRequest{Name: cl + "/nodePools/default", NodeCount: 3})
	wantCode(t, err, codes.FailedPrecondition, "Cluster is running incompatible operation "+op.GetName()+".")
	e.wait(t, op)

	extra, err := e.client.GetNodePool(ctxT(t), &containerpb.GetNodePoolRequest{Name: cl + "/nodePools/extra"})
	if err != nil {
		t.Fatalf("GetNodePool: %v", err)
	}
	if extra.GetStatus() != containerpb.NodePool_RUNNING || !extra.GetConfig().GetSpot() {
		t.Errorf("new pool %v, want RUNNING and spot", extra)
	}
	_, err = e.client.CreateNodePool(ctxT(t), &containerpb.CreateNodePoolRequest{
		Parent: cl, NodePool: &containerpb.NodePool{Name: "extra", InitialNodeCount: 1},
	})
	wantCode(t, err, codes.AlreadyExists, "Already exists: "+cl+"/nodePools/extra.")

	// Resize: nodes per zone, visible once the operation is DONE. As on GKE,
	// the pool's initial_node_count stays what it was.
	op, err = e.client.SetNodePoolSize(ctxT(t), &containerpb.SetNodePoolSizeRequest{Name: cl + "/nodePools/default", NodeCount: 5})
	if err != nil {
		t.Fatalf("SetNodePoolSize: %v", err)
	}
	if op.GetOperationType() != containerpb.Operation_SET_NODE_POOL_SIZE {
		t.Errorf("operation type %v, want SET_NODE_POOL_SIZE", op.GetOperationType())
	}
	if n := deprecatedInt32(e.get(t, zone, "pools"), "current_node_count"); n != 3 {
		t.Errorf("current_node_count before the resize is done %d, want 2+1", n)
	}
	e.wait(t, op)
	c := e.get(t, zone, "pools")
	if n := deprecatedInt32(c, "current_node_count"); n != 6 {
		t.Errorf("current_node_count after resize %d, want 5+1", n)
	}
	if c.GetStatus() != containerpb.Cluster_RUNNING || c.GetNodePools()[0].GetInitialNodeCount() != 2 {
		t.Errorf("after resize: cluster %v, default pool initial_node_count %d; want RUNNING and 2",
			c.GetStatus(), c.GetNodePools()[0].GetInitialNodeCount())
	}

	op, err = e.client.DeleteNodePool(ctxT(t), &containerpb.DeleteNodePoolRequest{Name: cl + "/nodePools/extra"})
	if err != nil {
		t.Fatalf("DeleteNodePool: %v", err)
	}
	e.wait(t, op)
	pools, err := e.client.ListNodePools(ctxT(t), &containerpb.ListNodePoolsRequest{Parent: cl})
	if err != nil {
		t.Fatalf("ListNodePools: %v", err)
	}
	if len(pools.GetNodePools()) != 1 || pools.GetNodePools()[0].GetName() != "default" {
		t.Errorf("node pools after delete %v, want only default", pools.GetNodePools())
	}
	_, err = e.client.GetNodePool(ctxT(t), &containerpb.GetNodePoolRequest{Name: cl + "/nodePools/extra"})
	wantCode(t, err, codes.NotFound)
}
