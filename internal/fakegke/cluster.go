package fakegke

import (
	"strings"
	"time"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// cluster is the fake's record of one GKE cluster.
type cluster struct {
	pb *containerpb.Cluster
	// sizes is each node pool's current node count per zone. GKE keeps a
	// pool's initial_node_count as it was created; a resize shows only in
	// the cluster's current_node_count (and in Compute Engine).
	sizes map[string]int32
	// busy is the operation in flight on the cluster, if any. GKE runs one
	// at a time and refuses others.
	busy *operation
}

// newCluster builds the record of a cluster from a validated create request.
func (s *Server) newCluster(now time.Time, k clusterKey, req *containerpb.Cluster) *cluster {
	pb := proto.Clone(req).(*containerpb.Cluster)
	c := &cluster{pb: pb, sizes: map[string]int32{}}

	version := s.resolveVersion(pb.GetInitialClusterVersion())
	if len(pb.Locations) == 0 {
		pb.Locations = defaultNodeLocations(k.location)
	}
	if len(pb.NodePools) == 0 {
		// The deprecated form: GKE makes a pool named default-pool from it.
		count, config := legacyPool(pb)
		pb.NodePools = []*containerpb.NodePool{{Name: "default-pool", InitialNodeCount: count, Config: config}}
	}
	for _, p := range pb.NodePools {
		s.initNodePool(c, k, p, version, pb.Locations)
		p.Status = containerpb.NodePool_PROVISIONING
	}

	pb.Name = k.name
	pb.Location = k.location
	setDeprecatedClusterFields(pb, k.location, version)
	pb.SelfLink = clusterLink(k)
	pb.Id = randomHex(32)
	pb.CreateTime = now.UTC().Format(time.RFC3339)
	pb.Status = containerpb.Cluster_PROVISIONING
	pb.Conditions = nil
	pb.InitialClusterVersion = version
	pb.CurrentMasterVersion = version
	if pb.ReleaseChannel == nil {
		// GKE enrolls a cluster created without a channel in REGULAR.
		pb.ReleaseChannel = &containerpb.ReleaseChannel{Channel: containerpb.ReleaseChannel_REGULAR}
	}
	pb.LabelFingerprint = labelFingerprint(pb.ResourceLabels)
	// The master has no address and no CA until it is up.
	pb.Endpoint = ""
	pb.MasterAuth = &containerpb.MasterAuth{ClientCertificateConfig: req.GetMasterAuth().GetClientCertificateConfig()}
	return c
}

// setDeprecatedClusterFields fills output fields GKE still reports although
// the API marks them deprecated.
func setDeprecatedClusterFields(pb *containerpb.Cluster, location, version string) {
	setString(pb, "zone", location)
	setString(pb, "current_node_version", version)
	// GKE answers with the first node pool's configuration here.
	setMessage(pb, "node_config", proto.Clone(pb.NodePools[0].Config))
}

// initNodePool fills a new node pool's output fields and GKE's defaults.
func (s *Server) initNodePool(c *cluster, k clusterKey, p *containerpb.NodePool, version string, clusterLocations []string) {
	if p.Config == nil {
		p.Config = &containerpb.NodeConfig{}
	}
	cfg := p.Config
	if cfg.MachineType == "" {
		cfg.MachineType = "e2-medium"
	}
	if cfg.DiskSizeGb == 0 {
		cfg.DiskSizeGb = 100
	}
	if cfg.DiskType == "" {
		cfg.DiskType = "pd-balanced"
	}
	if cfg.ImageType == "" {
		cfg.ImageType = "COS_CONTAINERD"
	}
	if len(p.Locations) == 0 {
		p.Locations = append([]string(nil), clusterLocations...)
	}
	p.Version = version
	p.SelfLink = nodePoolLink(k, p.Name)
	c.sizes[p.Name] = p.InitialNodeCount
}

// resolveVersion picks the version GKE would for a requested one: the
// default for "", "-" and "latest", and the default for an alias it matches
// ("1.34", "1.34.4"); an explicit version is taken as given.
func (s *Server) resolveVersion(requested string) string {
	def := s.opts.DefaultVersion
	switch {
	case requested == "" || requested == "-" || requested == "latest":
		return def
	case strings.HasPrefix(def, requested+".") || strings.HasPrefix(def, requested+"-"):
		return def
	}
	return requested
}

// defaultNodeLocations: a zonal cluster's nodes live in its zone; a regional
// cluster's spread over three of the region's zones.
func defaultNodeLocations(location string) []string {
	if isZone(location) {
		return []string{location}
	}
	return []string{location + "-a", location + "-b", location + "-c"}
}

// view is the cluster as GetCluster returns it.
func (c *cluster) view() *containerpb.Cluster {
	v := proto.Clone(c.pb).(*containerpb.Cluster)
	var nodes int32
	for _, p := range c.pb.NodePools {
		if p.Status == containerpb.NodePool_RUNNING || p.Status == containerpb.NodePool_RECONCILING {
			nodes += c.sizes[p.Name] * int32(len(p.Locations))
		}
	}
	// Deprecated but still reported by GKE: the only place a resize shows.
	setInt32(v, "current_node_count", nodes)
	return v
}

func (c *cluster) nodePool(name string) *containerpb.NodePool {
	for _, p := range c.pb.NodePools {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// busyError is GKE's refusal of a second operation on a cluster.
func (c *cluster) busyError() error {
	op := c.busy
	if op == nil || op.applied {
		return nil
	}
	verb := map[containerpb.Operation_Type]string{
		containerpb.Operation_CREATE_CLUSTER: "creating",
		containerpb.Operation_DELETE_CLUSTER: "deleting",
	}[op.base.OperationType]
	if verb == "" {
		// Seen from GKE for operations other than create and delete.
		return status.Errorf(codes.FailedPrecondition, "Cluster is running incompatible operation %s.", op.base.Name)
	}
	// Seen from GKE.
	return status.Errorf(codes.FailedPrecondition,
		"Operation %s is currently %s cluster %s. Please wait and try again once it is done.",
		op.base.Name, verb, c.pb.Name)
}

// finishCreate is the effect of a CREATE_CLUSTER operation.
func (s *Server) finishCreate(op *operation) {
	c := s.clusters[op.cluster]
	if c == nil {
		return
	}
	if f := op.failure; f != nil {
		c.pb.Status = containerpb.Cluster_ERROR
		setString(c.pb, "status_message", f.GetMessage()) // deprecated, still filled by GKE
		c.pb.Conditions = []*containerpb.StatusCondition{{
			Message:       f.GetMessage(),
			CanonicalCode: code.Code(f.GetCode()),
		}}
		for _, p := range c.pb.NodePools {
			p.Status = containerpb.NodePool_ERROR
		}
		return
	}
	c.pb.Status = containerpb.Cluster_RUNNING
	c.pb.Endpoint = s.opts.Backing.Endpoint
	c.pb.MasterAuth.ClusterCaCertificate = s.opts.Backing.caBase64()
	for _, p := range c.pb.NodePools {
		p.Status = containerpb.NodePool_RUNNING
	}
}
