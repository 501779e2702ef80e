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
	// surge nodes are counted in current_node_count until surgeUntil; see
	// Server.Surge.
	surge      int32
	surgeUntil time.Time
}

// newCluster builds the record of a cluster from a validated create request.
func (s *Server) newCluster(now time.Time, k clusterKey, req *containerpb.Cluster) *cluster {
	pb := proto.Clone(req).(*containerpb.Cluster)
	c := &cluster{pb: pb, sizes: map[string]int32{}}

	version := s.resolveVersion(pb.GetInitialClusterVersion())
	if len(pb.Locations) == 0 {
		pb.Locations = defaultNodeLocations(k.location)
	}
	if pb.GetAutopilot().GetEnabled() {
		pb.NodePools = autopilotPools(pb.Locations)
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

// autopilotPools are the node pools GKE creates and manages in an
// Autopilot cluster: users cannot create, resize or delete node pools there
// (the Autopilot overview: "GKE manages nodes"), yet ListNodePools and
// GetCluster list them. Their names follow what GKE shows: default-pool,
// and node auto-provisioning's nap-<machine>-<hash> pools.
func autopilotPools(locations []string) []*containerpb.NodePool {
	managed := func(name, machine string, nodes int32) *containerpb.NodePool {
		return &containerpb.NodePool{
			Name:             name,
			InitialNodeCount: nodes,
			Locations:        append([]string(nil), locations...),
			Config:           &containerpb.NodeConfig{MachineType: machine, DiskSizeGb: 100, DiskType: "pd-balanced", ImageType: "COS_CONTAINERD"},
			Autoscaling:      &containerpb.NodePoolAutoscaling{Enabled: true, Autoprovisioned: true, MaxNodeCount: 1000},
			Management:       &containerpb.NodeManagement{AutoRepair: true, AutoUpgrade: true},
		}
	}
	return []*containerpb.NodePool{
		managed("default-pool", "e2-small", 0),
		managed("nap-e2-standard-2-"+randomHex(4), "e2-standard-2", 1),
	}
}

// view is the cluster as GetCluster returns it at now.
func (c *cluster) view(now time.Time) *containerpb.Cluster {
	v := proto.Clone(c.pb).(*containerpb.Cluster)
	var nodes int32
	for _, p := range c.pb.NodePools {
		if p.Status == containerpb.NodePool_RUNNING || p.Status == containerpb.NodePool_RECONCILING {
			nodes += c.sizes[p.Name] * int32(len(p.Locations))
		}
	}
	// A resize brings nodes up before it drains others: while it runs, one
	// surge node per zone is counted (GKE's default max_surge is 1,
	// NodePool.UpgradeSettings in cluster_service.proto).
	if op := c.busy; op != nil && op.base.OperationType == containerpb.Operation_SET_NODE_POOL_SIZE && op.statusAt(now) == containerpb.Operation_RUNNING {
		if p := c.nodePool(lastSegment(op.base.TargetLink)); p != nil {
			nodes += int32(len(p.Locations))
		}
	}
	if now.Before(c.surgeUntil) {
		nodes += c.surge
	}
	// Deprecated, and moved by surge and repair nodes: GKE still reports it.
	setInt32(v, "current_node_count", nodes)
	return v
}

func lastSegment(s string) string { return s[strings.LastIndex(s, "/")+1:] }

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
	s.setEndpoints(c.pb)
	c.pb.MasterAuth.ClusterCaCertificate = s.opts.Backing.caBase64()
	for _, p := range c.pb.NodePools {
		p.Status = containerpb.NodePool_RUNNING
	}
	if s.opts.UpgradeMasterAfterCreate {
		s.startSystemOperation(op.doneAt, op.cluster, containerpb.Operation_UPGRADE_MASTER)
	}
}

// setEndpoints fills in where the control plane answers, as
// cluster_service.proto describes it: endpoint (the public IP, or the
// private one when the public endpoint is disabled),
// private_cluster_config.private_endpoint, and
// control_plane_endpoints_config's IP and DNS endpoints (a cluster whose
// public endpoint is disabled is not modelled). The DNS endpoint
// is a name GKE serves with a publicly trusted certificate; the fake
// serves it behind an HTTPS proxy of its own (dns.go).
func (s *Server) setEndpoints(pb *containerpb.Cluster) {
	if s.public == nil {
		return
	}
	pub, priv := s.public.addr(), s.private.addr()
	if pb.PrivateClusterConfig == nil {
		pb.PrivateClusterConfig = &containerpb.PrivateClusterConfig{}
	}
	// Deprecated in favour of control_plane_endpoints_config, still filled.
	setString(pb.PrivateClusterConfig, "private_endpoint", priv)
	setString(pb.PrivateClusterConfig, "public_endpoint", pub)
	pb.Endpoint = pub
	pb.ControlPlaneEndpointsConfig = &containerpb.ControlPlaneEndpointsConfig{
		IpEndpointsConfig: &containerpb.ControlPlaneEndpointsConfig_IPEndpointsConfig{
			PublicEndpoint: pub, PrivateEndpoint: priv,
		},
		DnsEndpointConfig: &containerpb.ControlPlaneEndpointsConfig_DNSEndpointConfig{
			Endpoint: "gke-" + pb.Id[:16] + "." + pb.Location + ".gke.goog",
		},
	}
}
