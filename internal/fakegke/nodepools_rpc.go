package fakegke

import (
	"context"
	"slices"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Node pool operations put the pool in a transitional state (PROVISIONING,
// STOPPING, RECONCILING) until DONE. Creating and deleting a pool also puts
// the cluster in RECONCILING; a resize leaves the cluster RUNNING, the pool
// being "generally usable" meanwhile (API documentation of
// SET_NODE_POOL_SIZE).

func (s *Server) findNodePool(r ref) (*cluster, *containerpb.NodePool, error) {
	c, err := s.findCluster(r)
	if err != nil {
		return nil, nil, err
	}
	p := c.nodePool(r.nodePool)
	if p == nil {
		return nil, nil, status.Errorf(codes.NotFound, "Not found: %s.", r.path())
	}
	return c, p, nil
}

// idleNodePool finds a node pool whose cluster no operation is changing.
func (s *Server) idleNodePool(r ref) (*cluster, *containerpb.NodePool, error) {
	c, p, err := s.findNodePool(r)
	if err != nil {
		return nil, nil, err
	}
	if err := c.autopilotError(); err != nil {
		return nil, nil, err
	}
	return c, p, c.busyError()
}

// autopilotError refuses a change to node pools of an Autopilot cluster:
// GKE manages them (Autopilot overview; the Terraform Google provider
// forbids node_pool blocks with enable_autopilot).
func (c *cluster) autopilotError() error {
	if !c.pb.GetAutopilot().GetEnabled() {
		return nil
	}
	// approximated
	return status.Errorf(codes.InvalidArgument, "Node pools of Autopilot cluster %s are managed by GKE and cannot be created, resized or deleted.", c.pb.Name)
}

// CreateNodePool adds a node pool to a cluster.
func (s *Server) CreateNodePool(_ context.Context, req *containerpb.CreateNodePoolRequest) (*containerpb.Operation, error) {
	r, err := s.parse(req, false, "clusters")
	if err != nil {
		return nil, err
	}
	if err := checkNodePool("node_pool", req.GetNodePool()); err != nil {
		return nil, err
	}
	now, unlock := s.begin()
	defer unlock()
	c, err := s.findCluster(r)
	if err != nil {
		return nil, err
	}
	r.nodePool = req.GetNodePool().GetName()
	if err := c.autopilotError(); err != nil {
		return nil, err
	}
	if c.nodePool(r.nodePool) != nil {
		return nil, status.Errorf(codes.AlreadyExists, "Already exists: %s.", r.path())
	}
	if err := c.busyError(); err != nil {
		return nil, err
	}
	k := r.key()
	p := proto.Clone(req.GetNodePool()).(*containerpb.NodePool)
	s.initNodePool(c, k, p, c.pb.CurrentMasterVersion, c.pb.Locations)
	p.Status = containerpb.NodePool_PROVISIONING
	c.pb.NodePools = append(c.pb.NodePools, p)
	c.pb.Status = containerpb.Cluster_RECONCILING
	op := s.startOperation(now, k, containerpb.Operation_CREATE_NODE_POOL, nodePoolLink(k, p.Name), func(op *operation) {
		p.Status = containerpb.NodePool_RUNNING
		s.settle(op.cluster)
	})
	return op.view(now), nil
}

// DeleteNodePool removes a node pool from a cluster.
func (s *Server) DeleteNodePool(_ context.Context, req *containerpb.DeleteNodePoolRequest) (*containerpb.Operation, error) {
	r, err := s.parse(req, false, "clusters", "nodePools")
	if err != nil {
		return nil, err
	}
	now, unlock := s.begin()
	defer unlock()
	c, p, err := s.idleNodePool(r)
	if err != nil {
		return nil, err
	}
	p.Status = containerpb.NodePool_STOPPING
	c.pb.Status = containerpb.Cluster_RECONCILING
	k := r.key()
	op := s.startOperation(now, k, containerpb.Operation_DELETE_NODE_POOL, nodePoolLink(k, p.Name), func(op *operation) {
		if c := s.clusters[op.cluster]; c != nil {
			c.pb.NodePools = slices.DeleteFunc(c.pb.NodePools, func(q *containerpb.NodePool) bool { return q == p })
			delete(c.sizes, p.Name)
		}
		s.settle(op.cluster)
	})
	return op.view(now), nil
}

// GetNodePool returns one node pool of a cluster.
func (s *Server) GetNodePool(_ context.Context, req *containerpb.GetNodePoolRequest) (*containerpb.NodePool, error) {
	r, err := s.parse(req, false, "clusters", "nodePools")
	if err != nil {
		return nil, err
	}
	_, unlock := s.begin()
	defer unlock()
	_, p, err := s.findNodePool(r)
	if err != nil {
		return nil, err
	}
	return proto.Clone(p).(*containerpb.NodePool), nil
}

// ListNodePools lists a cluster's node pools.
func (s *Server) ListNodePools(_ context.Context, req *containerpb.ListNodePoolsRequest) (*containerpb.ListNodePoolsResponse, error) {
	r, err := s.parse(req, false, "clusters")
	if err != nil {
		return nil, err
	}
	now, unlock := s.begin()
	defer unlock()
	c, err := s.findCluster(r)
	if err != nil {
		return nil, err
	}
	return &containerpb.ListNodePoolsResponse{NodePools: c.view(now).NodePools}, nil
}

// SetNodePoolSize resizes a node pool: node_count nodes per zone of the pool.
func (s *Server) SetNodePoolSize(_ context.Context, req *containerpb.SetNodePoolSizeRequest) (*containerpb.Operation, error) {
	r, err := s.parse(req, false, "clusters", "nodePools")
	if err != nil {
		return nil, err
	}
	if err := checkNodeCount(req.GetNodeCount()); err != nil {
		return nil, err
	}
	now, unlock := s.begin()
	defer unlock()
	_, p, err := s.idleNodePool(r)
	if err != nil {
		return nil, err
	}
	n := req.GetNodeCount()
	p.Status = containerpb.NodePool_RECONCILING
	k := r.key()
	op := s.startOperation(now, k, containerpb.Operation_SET_NODE_POOL_SIZE, nodePoolLink(k, p.Name), func(op *operation) {
		if c := s.clusters[op.cluster]; c != nil {
			c.sizes[p.Name] = n
		}
		p.Status = containerpb.NodePool_RUNNING
	})
	return op.view(now), nil
}

// settle returns a cluster to RUNNING after a node pool operation.
func (s *Server) settle(k clusterKey) {
	if c := s.clusters[k]; c != nil && c.pb.Status == containerpb.Cluster_RECONCILING {
		c.pb.Status = containerpb.Cluster_RUNNING
	}
}
