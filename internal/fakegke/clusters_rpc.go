package fakegke

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// begin locks the server and brings it up to date with the clock. Every RPC
// starts with it, so effects of finished operations are always visible.
func (s *Server) begin() (now time.Time, unlock func()) {
	s.mu.Lock()
	now = time.Now()
	s.advance(now)
	return now, s.mu.Unlock
}

// checkProject refuses projects that do not exist when Options.Projects
// lists the ones that do.
func (s *Server) checkProject(project string) error {
	if len(s.opts.Projects) == 0 || slices.Contains(s.opts.Projects, project) {
		return nil
	}
	return status.Errorf(codes.InvalidArgument, "Project 'project:%s' not found or deleted.", project)
}

// parse reads a reference from a request and checks its project exists.
func (s *Server) parse(req proto.Message, allowAll bool, collections ...string) (ref, error) {
	r, err := parseRef(req, allowAll, collections...)
	if err != nil {
		return ref{}, err
	}
	return r, s.checkProject(r.project)
}

// findCluster returns the cluster r names, or GKE's NOT_FOUND.
func (s *Server) findCluster(r ref) (*cluster, error) {
	if c := s.clusters[r.key()]; c != nil {
		return c, nil
	}
	cr := r
	cr.nodePool = ""
	return nil, status.Errorf(codes.NotFound, "Not found: %s.", cr.path())
}

// idleCluster finds a cluster that no operation is changing, as GKE
// requires of every change.
func (s *Server) idleCluster(r ref) (*cluster, error) {
	c, err := s.findCluster(r)
	if err != nil {
		return nil, err
	}
	return c, c.busyError()
}

// CreateCluster starts creating a cluster: PROVISIONING now, RUNNING (or
// ERROR, when a failure was injected) once its operation is DONE.
func (s *Server) CreateCluster(_ context.Context, req *containerpb.CreateClusterRequest) (*containerpb.Operation, error) {
	r, err := s.parse(req, false)
	if err != nil {
		return nil, err
	}
	if err := checkNewCluster(req.GetCluster(), r.location); err != nil {
		return nil, err
	}
	now, unlock := s.begin()
	defer unlock()

	r.cluster = req.GetCluster().GetName()
	k := r.key()
	if s.clusters[k] != nil {
		// Seen from GKE.
		return nil, status.Errorf(codes.AlreadyExists, "Already exists: %s.", r.path())
	}
	c := s.newCluster(now, k, req.GetCluster())
	if err := s.checkQuota(k, c); err != nil {
		return nil, err
	}
	s.clusters[k] = c
	op := s.startOperation(now, k, containerpb.Operation_CREATE_CLUSTER, clusterLink(k), s.finishCreate)
	if f, ok := s.failCreate[k.name]; ok {
		op.failure = f.status()
		op.quiet = f.quiet
		delete(s.failCreate, k.name)
	}
	return op.view(now), nil
}

// GetCluster returns a cluster in its current state.
func (s *Server) GetCluster(_ context.Context, req *containerpb.GetClusterRequest) (*containerpb.Cluster, error) {
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
	return c.view(now), nil
}

// ListClusters lists the clusters of a location, or of all with "-".
func (s *Server) ListClusters(_ context.Context, req *containerpb.ListClustersRequest) (*containerpb.ListClustersResponse, error) {
	r, err := s.parse(req, true)
	if err != nil {
		return nil, err
	}
	now, unlock := s.begin()
	defer unlock()
	resp := &containerpb.ListClustersResponse{}
	keys := slices.SortedFunc(maps.Keys(s.clusters), func(a, b clusterKey) int {
		return strings.Compare(a.location+"/"+a.name, b.location+"/"+b.name)
	})
	for _, k := range keys {
		if k.project == r.project && (r.location == "-" || k.location == r.location) {
			resp.Clusters = append(resp.Clusters, s.clusters[k].view(now))
		}
	}
	return resp, nil
}

// DeleteCluster starts deleting a cluster: STOPPING now, NOT_FOUND once its
// operation is DONE.
func (s *Server) DeleteCluster(_ context.Context, req *containerpb.DeleteClusterRequest) (*containerpb.Operation, error) {
	r, err := s.parse(req, false, "clusters")
	if err != nil {
		return nil, err
	}
	now, unlock := s.begin()
	defer unlock()
	c, err := s.idleCluster(r)
	if err != nil {
		return nil, err
	}
	c.pb.Status = containerpb.Cluster_STOPPING
	k := r.key()
	op := s.startOperation(now, k, containerpb.Operation_DELETE_CLUSTER, clusterLink(k), func(op *operation) {
		delete(s.clusters, op.cluster)
	})
	return op.view(now), nil
}

// SetLabels replaces a cluster's resource labels. Like GKE it insists on the
// current label fingerprint, so two writers cannot overwrite each other.
// Label updates are UPDATE_CLUSTER operations (SET_LABELS is unused).
func (s *Server) SetLabels(_ context.Context, req *containerpb.SetLabelsRequest) (*containerpb.Operation, error) {
	r, err := s.parse(req, false, "clusters")
	if err != nil {
		return nil, err
	}
	if err := checkLabels("resource_labels", req.GetResourceLabels()); err != nil {
		return nil, err
	}
	now, unlock := s.begin()
	defer unlock()
	c, err := s.idleCluster(r)
	if err != nil {
		return nil, err
	}
	if want := c.pb.LabelFingerprint; req.GetLabelFingerprint() != want {
		// Seen from GKE.
		return nil, status.Errorf(codes.FailedPrecondition,
			"Labels could not be set due to fingerprint mismatch; try again with the proper fingerprint: incorrect fingerprint supplied was %q, the expected one is %q.",
			req.GetLabelFingerprint(), want)
	}
	labels := maps.Clone(req.GetResourceLabels())
	k := r.key()
	op := s.startOperation(now, k, containerpb.Operation_UPDATE_CLUSTER, clusterLink(k), func(op *operation) {
		if c := s.clusters[op.cluster]; c != nil {
			c.pb.ResourceLabels = labels
			c.pb.LabelFingerprint = labelFingerprint(labels)
		}
	})
	return op.view(now), nil
}
