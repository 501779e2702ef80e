// Package gke is the provider for Google Kubernetes Engine clusters.
//
// It creates the cluster of a gke block through the ClusterManager API
// (cloud.google.com/go/container), follows the long-running operation with
// progress, and records the operation's name in state the moment GKE
// accepts the create, so that an apply killed mid-create resumes waiting
// on it instead of creating a second cluster. With create = false it
// adopts an existing cluster and never changes or deletes it.
//
// Authentication is Application Default Credentials throughout: the
// container client finds them itself, and the Kubernetes client is built
// in process from the cluster's endpoint and CA and a refreshing OAuth2
// token source (golang.org/x/oauth2/google), so neither gcloud nor
// gke-gcloud-auth-plugin is needed and no token is ever written to state.
//
// Decisions, as documented for users:
//   - ALREADY_EXISTS on create: podlab takes the cluster up only when it
//     carries this environment's podlab-lab and podlab-env labels (a create
//     whose operation name was lost to a crash); any other cluster of that
//     name is refused, with advice (another name, or create = false).
//   - Drift: node_count and the cluster's labels are changed in place
//     (SetNodePoolSize, SetLabels). A change GKE cannot make in place
//     (machine type, disks, node pools added or removed, network, ...) is
//     refused with the setting named: podlab never replaces a class
//     cluster on its own; destroy and apply again to rebuild it.
//   - deletion_protection = true makes podlab destroy refuse to delete the
//     cluster; the default is false, so a class cluster can always be
//     destroyed by podlab destroy.
package gke

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/container/apiv1/containerpb"
	"golang.org/x/oauth2/google"
	"google.golang.org/grpc/codes"
	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// Provider creates, connects to and deletes one GKE cluster.
type Provider struct {
	Name string
	Cfg  Config
	// Lab and Env name the lab and environment, for the cluster's labels.
	Lab, Env string
	// EmulatorHost, when set, is a fake GKE to talk to (EmulatorHostEnv).
	EmulatorHost string

	timing timing
}

// New returns the provider for a gke block.
func New(name string, cfg *Config) *Provider {
	return &Provider{Name: name, Cfg: *cfg, timing: defaultTiming}
}

// The OAuth2 scopes of the tokens podlab sends to the cluster's API server,
// as gke-gcloud-auth-plugin asks for them: with userinfo.email, GKE knows
// the caller's e-mail, so RBAC bindings that name a service account (or a
// user) by e-mail match.
const (
	CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"
	UserinfoEmailScope = "https://www.googleapis.com/auth/userinfo.email"
)

// Attribute names recorded in state (public facts only).
const (
	attrResource = "resource" // projects/P/locations/L/clusters/N
	attrEndpoint = "endpoint"
	attrCA       = "ca_certificate"
	attrLocation = "location"
	attrSelfLink = "self_link"
	attrVersion  = "version"
	attrContext  = "context"
	attrLabels   = "labels"
)

func attrPoolCount(pool string) string { return "node_pool." + pool + ".node_count" }

// lookup reads the cluster podlab works with: the one state records, or,
// for an adopted cluster, the one the block names. cl is nil when GKE has
// no such cluster; ErrNotCreated when podlab has not created it yet. The
// caller closes the session.
func (p *Provider) lookup(ctx context.Context, prior *state.Cluster) (ref, *session, *containerpb.Cluster, error) {
	if p.Cfg.Create && (prior == nil || !prior.Created || prior.Status != state.ClusterReady) {
		return ref{}, nil, nil, providers.ErrNotCreated
	}
	r := p.configRef()
	if p.Cfg.Create {
		r = p.knownRef(prior)
	}
	s, err := p.session(ctx, r, nil, nil)
	if err != nil {
		return r, nil, nil, err
	}
	cl, err := s.get(ctx)
	if err != nil {
		s.close()
		return r, nil, nil, err
	}
	return r, s, cl, nil
}

// configRef is the cluster the block names.
func (p *Provider) configRef() ref { return ref{p.Cfg.Project, p.Cfg.Location, p.Cfg.Name} }

// knownRef is the cluster state records, else the one the block names.
func (p *Provider) knownRef(prior *state.Cluster) ref {
	if prior != nil {
		if r, ok := parsePath(prior.Attributes[attrResource]); ok {
			return r
		}
	}
	return p.configRef()
}

// checkIdentity refuses a block that now names another cluster than the
// one state records: that would be a replacement.
func (p *Provider) checkIdentity(prior *state.Cluster) error {
	if prior == nil || !prior.Created {
		return nil
	}
	known := p.knownRef(prior)
	if want := p.configRef(); known != want {
		return fmt.Errorf("cluster %q: the state records GKE cluster %s, but the gke block now names %s. podlab does not replace a cluster on its own: set project, location and name back, or run podlab destroy with the old settings first and then podlab apply", p.Name, known, want)
	}
	return nil
}

func (p *Provider) configError(err error) error {
	return fmt.Errorf("cluster %q: the gke block is not valid for GKE:\n  %s", p.Name, strings.ReplaceAll(err.Error(), "\n", "\n  "))
}

func duration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 45m or 1h30m", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}

// ready statuses: the API server answers.
func usable(st containerpb.Cluster_Status) bool {
	return st == containerpb.Cluster_RUNNING || st == containerpb.Cluster_RECONCILING || st == containerpb.Cluster_DEGRADED
}

func (s *session) statusError(cl *containerpb.Cluster) error {
	msg := ""
	for _, c := range cl.GetConditions() {
		if c.GetMessage() != "" {
			msg = c.GetMessage()
		}
	}
	if msg != "" {
		msg = " (" + msg + ")"
	}
	switch cl.GetStatus() {
	case containerpb.Cluster_ERROR:
		return fmt.Errorf("GKE cluster %s is in ERROR%s: GKE could not finish it and it cannot be used. Run podlab destroy to delete it, then podlab apply to create it again", s.r, msg)
	case containerpb.Cluster_STOPPING:
		return fmt.Errorf("GKE cluster %s is being deleted (STOPPING)%s, by podlab destroy or in the console: wait for that, then run podlab apply to create it again", s.r, msg)
	}
	return fmt.Errorf("GKE cluster %s is %s%s, not ready for use: wait and run podlab again", s.r, cl.GetStatus(), msg)
}

// Connect returns a connection to the cluster without changing it:
// endpoint and CA from GetCluster, the token from Application Default
// Credentials. A cluster podlab is to create and has not yet is
// ErrNotCreated.
func (p *Provider) Connect(ctx context.Context, prior *state.Cluster) (*providers.Connection, error) {
	r, s, cl, err := p.lookup(ctx, prior)
	if err != nil {
		return nil, err
	}
	defer s.close()
	if cl == nil {
		if p.Cfg.Create {
			return nil, fmt.Errorf("%w: GKE cluster %s was deleted outside podlab", providers.ErrNotCreated, r)
		}
		return nil, p.missingAdopted(r)
	}
	if cl.GetStatus() == containerpb.Cluster_PROVISIONING {
		return nil, fmt.Errorf("%w: GKE cluster %s is still PROVISIONING", providers.ErrNotCreated, r)
	}
	if !usable(cl.GetStatus()) {
		return nil, s.statusError(cl)
	}
	conn, err := s.connection(ctx, cl, prior)
	if err == nil && cl.GetStatus() != containerpb.Cluster_RUNNING {
		// An operation runs; a control-plane upgrade makes the API
		// server unreachable for a while.
		err = s.waitReachable(ctx, conn.REST)
	}
	return conn, err
}

func (p *Provider) missingAdopted(r ref) error {
	return fmt.Errorf("GKE cluster %s does not exist, and create = false tells podlab to use an existing cluster: check project, location and name in the gke block, create the cluster first, or set create = true to let podlab create (and later delete) it", r)
}

// connection builds the in-process client configuration for a ready
// cluster.
func (s *session) connection(ctx context.Context, cl *containerpb.Cluster, prior *state.Cluster) (*providers.Connection, error) {
	host, clusterCA, err := endpointFor(s.p.Cfg.Endpoint, cl)
	if err != nil {
		return nil, fmt.Errorf("GKE cluster %s: %w", s.r, err)
	}
	var ca []byte
	if clusterCA {
		ca, err = base64.StdEncoding.DecodeString(cl.GetMasterAuth().GetClusterCaCertificate())
		if err != nil || len(ca) == 0 {
			return nil, fmt.Errorf("GKE cluster %s reports no usable CA certificate (%v): run podlab again in a minute", s.r, err)
		}
	}
	rc, err := restConfig(ctx, host, ca)
	if err != nil {
		return nil, fmt.Errorf("GKE cluster %s: %w", s.r, err)
	}
	return &providers.Connection{REST: rc, Attributes: s.attributes(cl, prior), Context: s.r.context()}, nil
}

// attributes are the public facts state keeps about the cluster.
func (s *session) attributes(cl *containerpb.Cluster, prior *state.Cluster) map[string]string {
	a := map[string]string{
		attrResource: s.r.path(),
		attrEndpoint: "https://" + s.endpointHost(cl),
		attrCA:       cl.GetMasterAuth().GetClusterCaCertificate(),
		attrLocation: cl.GetLocation(),
		attrSelfLink: cl.GetSelfLink(),
		attrVersion:  cl.GetCurrentMasterVersion(),
		attrContext:  s.r.context(),
	}
	if s.p.Cfg.Create {
		a[attrLabels] = formatLabels(cl.GetResourceLabels())
		recorded := recordedCounts(prior)
		for pool, n := range s.applied {
			recorded[pool] = n // resized by this run
		}
		for _, np := range cl.GetNodePools() {
			if cl.GetAutopilot().GetEnabled() {
				break // GKE's own pools: podlab records and sizes none
			}
			n, ok := recorded[np.GetName()]
			if !ok {
				n = int(np.GetInitialNodeCount())
			}
			a[attrPoolCount(np.GetName())] = fmt.Sprint(n)
		}
	}
	return a
}

// Ensure creates the cluster (or adopts it, with create = false), waiting
// for GKE with progress, and returns a connection once it is RUNNING.
// Every operation's name is in state while it runs, so an interrupted
// apply resumes it.
func (p *Provider) Ensure(ctx context.Context, prior *state.Cluster, rec providers.Recorder, prog providers.Progress) (*providers.Connection, error) {
	if err := validate(&p.Cfg); err != nil {
		return nil, p.configError(err)
	}
	if err := p.checkIdentity(prior); err != nil {
		return nil, err
	}
	if !p.Cfg.Create {
		return p.adopt(ctx, prior, rec, prog)
	}
	s, err := p.session(ctx, p.knownRef(prior), rec, prog)
	if err != nil {
		return nil, err
	}
	defer s.close()

	// Finish what an earlier run left in flight.
	known := prior != nil && prior.Created
	if prior != nil && prior.Operation != "" {
		op, err := s.wait(ctx, prior.Operation, p.createTimeout(), "create_timeout")
		var oe *OperationError
		switch {
		case errors.As(err, &oe) && op.GetOperationType() == containerpb.Operation_CREATE_CLUSTER:
			_ = s.record(func(c *state.Cluster) { c.Operation = "" })
			oe.Hint = "The cluster is left in ERROR at GKE. Run podlab destroy to delete it, then podlab apply to create it again"
			return nil, oe
		case errors.As(err, &oe):
			prog.Log(fmt.Sprintf("An earlier operation on GKE cluster %s failed: %s", s.r, oe.Op.GetError().GetMessage()))
		case isNotFound(err):
			// GKE forgets old operations; the cluster tells the rest.
		case err != nil:
			return nil, err
		}
		if err := s.record(func(c *state.Cluster) { c.Operation = "" }); err != nil {
			return nil, err
		}
	}

	var cl *containerpb.Cluster
	if known {
		if cl, err = s.get(ctx); err != nil {
			return nil, err
		}
		if cl == nil && prior.Status == state.ClusterReady {
			prog.Log(fmt.Sprintf("GKE cluster %s was deleted outside podlab: creating it again", s.r))
		}
	}
	if cl != nil && cl.GetStatus() == containerpb.Cluster_STOPPING {
		if cl, err = s.settle(ctx, cl); err != nil {
			return nil, err
		}
	}
	if cl == nil {
		if cl, err = s.create(ctx); err != nil {
			return nil, err
		}
	}
	if cl.GetStatus() == containerpb.Cluster_PROVISIONING {
		if cl, err = s.settle(ctx, cl); err != nil {
			return nil, err
		}
		if cl == nil {
			return nil, fmt.Errorf("GKE cluster %s disappeared while it was being created: run podlab apply again", s.r)
		}
	}
	if !usable(cl.GetStatus()) {
		return nil, s.statusError(cl)
	}
	if cl, err = s.reconcile(ctx, cl, prior); err != nil {
		return nil, err
	}
	conn, err := s.connection(ctx, cl, prior)
	if err != nil {
		return nil, err
	}
	if err := s.waitReachable(ctx, conn.REST); err != nil {
		return nil, err
	}
	err = s.record(func(c *state.Cluster) {
		c.Status = state.ClusterReady
		c.Created = true
		c.Operation = ""
		c.Attributes = conn.Attributes
	})
	return conn, err
}

func (p *Provider) createTimeout() time.Duration { d, _ := duration(p.Cfg.CreateTimeout); return d }
func (p *Provider) deleteTimeout() time.Duration { d, _ := duration(p.Cfg.DeleteTimeout); return d }

func (s *session) record(update func(c *state.Cluster)) error {
	if err := s.rec(update); err != nil {
		return fmt.Errorf("GKE cluster %s: save state: %w", s.r, err)
	}
	return nil
}

// identity is what state records of a cluster before it is ready.
func (s *session) identity(c *state.Cluster) {
	if c.Attributes == nil {
		c.Attributes = map[string]string{}
	}
	c.Attributes[attrResource] = s.r.path()
	c.Attributes[attrLocation] = s.r.Location
	c.Attributes[attrContext] = s.r.context()
}

// ours reports whether a cluster carries this environment's labels.
func (s *session) ours(cl *containerpb.Cluster) bool {
	l := cl.GetResourceLabels()
	return l[LabelLab] == labelValue(s.p.Lab) && l[LabelEnv] == labelValue(s.p.Env)
}

// create sends CreateCluster, records the operation at once and waits for
// it. ALREADY_EXISTS is taken up only for a cluster with this
// environment's labels.
func (s *session) create(ctx context.Context) (*containerpb.Cluster, error) {
	req := createRequest(&s.p.Cfg, s.p.Lab, s.p.Env)
	op, err := s.c.CreateCluster(ctx, req, s.p.callOpts()...)
	if codeOf(err) == codes.AlreadyExists {
		return s.takeUp(ctx)
	}
	if err != nil {
		return nil, explain(s.r, "create", err)
	}
	opPath := s.r.operation(op.GetName())
	err = s.record(func(c *state.Cluster) {
		c.Status = state.ClusterCreating
		c.Created = true
		c.Operation = opPath
		s.identity(c)
	})
	if err != nil {
		return nil, fmt.Errorf("%w. GKE is creating the cluster (operation %s) but podlab could not record it: once the state is writable, podlab apply finds the cluster by its labels", err, op.GetName())
	}
	if _, err := s.wait(ctx, opPath, s.p.createTimeout(), "create_timeout"); err != nil {
		var oe *OperationError
		if errors.As(err, &oe) {
			_ = s.record(func(c *state.Cluster) { c.Operation = "" })
			oe.Hint = "The cluster is left in ERROR at GKE. Run podlab destroy to delete it, then podlab apply to create it again (check quotas and the settings of the gke block first)"
		}
		return nil, err
	}
	if err := s.record(func(c *state.Cluster) { c.Operation = "" }); err != nil {
		return nil, err
	}
	cl, err := s.get(ctx)
	if err == nil && cl == nil {
		err = fmt.Errorf("GKE cluster %s is gone right after its creation finished: someone deleted it; run podlab apply again", s.r)
	}
	return cl, err
}

// takeUp handles ALREADY_EXISTS: a cluster of this name exists.
func (s *session) takeUp(ctx context.Context) (*containerpb.Cluster, error) {
	cl, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	if cl == nil {
		return nil, fmt.Errorf("GKE cluster %s: GKE said it already exists, then that it does not (it is being deleted?): run podlab apply again", s.r)
	}
	if !s.ours(cl) {
		l := cl.GetResourceLabels()
		return nil, fmt.Errorf("GKE cluster %s already exists and was not created by this environment (its labels %s=%q, %s=%q; this environment's are %q, %q). podlab does not take over a cluster it did not create: choose another name in the gke block, or set create = false to use this cluster as it is (podlab then never changes or deletes it)",
			s.r, LabelLab, l[LabelLab], LabelEnv, l[LabelEnv], labelValue(s.p.Lab), labelValue(s.p.Env))
	}
	s.prog.Log(fmt.Sprintf("GKE cluster %s already exists with this environment's labels (an earlier create that the state lost): podlab takes it up", s.r))
	err = s.record(func(c *state.Cluster) {
		c.Status = state.ClusterCreating
		c.Created = true
		s.identity(c)
	})
	return cl, err
}

// settle waits for a cluster in a transitional status: the operation in
// flight when GKE lists one (recorded in state meanwhile), else the
// cluster's status. It returns the cluster afterwards, nil when gone.
func (s *session) settle(ctx context.Context, cl *containerpb.Cluster) (*containerpb.Cluster, error) {
	op, err := s.runningOperation(ctx)
	if err != nil {
		return nil, err
	}
	if op != nil {
		opPath := s.r.operation(op.GetName())
		if err := s.record(func(c *state.Cluster) { c.Operation = opPath }); err != nil {
			return nil, err
		}
		timeout, setting := s.p.createTimeout(), "create_timeout"
		if op.GetOperationType() == containerpb.Operation_DELETE_CLUSTER {
			timeout, setting = s.p.deleteTimeout(), "delete_timeout"
		}
		_, err := s.wait(ctx, opPath, timeout, setting)
		var oe *OperationError
		if err != nil && !errors.As(err, &oe) {
			return nil, err
		}
		if err := s.record(func(c *state.Cluster) { c.Operation = "" }); err != nil {
			return nil, err
		}
		return s.get(ctx)
	}
	step := fmt.Sprintf("waiting for GKE cluster %s", s.r.Name)
	return s.waitStatus(ctx, cl.GetStatus(), step)
}

// reconcile makes the in-place changes the block asks for (labels, node
// counts), one operation at a time as GKE requires, and refuses changes
// GKE cannot make in place.
func (s *session) reconcile(ctx context.Context, cl *containerpb.Cluster, prior *state.Cluster) (*containerpb.Cluster, error) {
	d := computeDrift(&s.p.Cfg, s.p.Lab, s.p.Env, cl, recordedCounts(prior))
	if err := d.refusal(s.p.Name, s.r); err != nil {
		return nil, err
	}
	if !d.changes() {
		return cl, nil
	}
	if !resting(cl.GetStatus()) {
		// The cluster as it is once GKE's operation ended: its label
		// fingerprint has changed if the operation touched labels, and it
		// may have ended in ERROR.
		rested, err := s.awaitResting(ctx)
		if err == nil && rested == nil {
			err = fmt.Errorf("GKE cluster %s disappeared while podlab waited to update it: run podlab apply again", s.r)
		}
		if err != nil {
			return nil, err
		}
		if rested.GetStatus() == containerpb.Cluster_ERROR {
			return nil, s.statusError(rested)
		}
		cl = rested
	}
	if d.Labels != nil {
		fp := cl.GetLabelFingerprint()
		if fp == "" {
			// GKE reports this for a cluster without labels and insists on
			// it even for the first labels.
			fp = emptyLabelFingerprint
		}
		op, err := s.retryIncompatible(ctx, "set labels", func() (*containerpb.Operation, error) {
			return s.c.SetLabels(ctx, &containerpb.SetLabelsRequest{
				Name: s.r.path(), ResourceLabels: d.Labels.To, LabelFingerprint: fp,
			}, s.p.callOpts()...)
		})
		if err != nil {
			return nil, explain(s.r, "set labels", err)
		}
		if err := s.follow(ctx, op); err != nil {
			return nil, err
		}
	}
	for _, rz := range d.Resize {
		op, err := s.retryIncompatible(ctx, "resize node pool "+rz.Pool, func() (*containerpb.Operation, error) {
			return s.c.SetNodePoolSize(ctx, &containerpb.SetNodePoolSizeRequest{
				Name: s.r.nodePool(rz.Pool), NodeCount: int32(rz.To),
			}, s.p.callOpts()...)
		})
		if err != nil {
			return nil, explain(s.r, "resize node pool "+rz.Pool, err)
		}
		if err := s.follow(ctx, op); err != nil {
			return nil, err
		}
		err = s.record(func(c *state.Cluster) {
			if c.Attributes == nil {
				c.Attributes = map[string]string{}
			}
			c.Attributes[attrPoolCount(rz.Pool)] = fmt.Sprint(rz.To)
		})
		if s.applied == nil {
			s.applied = map[string]int{}
		}
		s.applied[rz.Pool] = rz.To
		if err != nil {
			return nil, err
		}
	}
	cl, err := s.get(ctx)
	if err == nil && cl == nil {
		err = fmt.Errorf("GKE cluster %s disappeared while podlab updated it: run podlab apply again", s.r)
	}
	return cl, err
}

// emptyLabelFingerprint is the label fingerprint GKE reports for a cluster
// without labels.
const emptyLabelFingerprint = "a9dc16a7"

// follow records an update operation in state and waits for it.
func (s *session) follow(ctx context.Context, op *containerpb.Operation) error {
	opPath := s.r.operation(op.GetName())
	if err := s.record(func(c *state.Cluster) { c.Operation = opPath }); err != nil {
		return err
	}
	if _, err := s.wait(ctx, opPath, s.p.createTimeout(), "create_timeout"); err != nil {
		return err
	}
	return s.record(func(c *state.Cluster) { c.Operation = "" })
}

// adopt uses an existing cluster (create = false): it is read, never
// changed, and never deleted.
func (p *Provider) adopt(ctx context.Context, prior *state.Cluster, rec providers.Recorder, prog providers.Progress) (*providers.Connection, error) {
	s, err := p.session(ctx, p.configRef(), rec, prog)
	if err != nil {
		return nil, err
	}
	defer s.close()
	cl, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	if cl == nil {
		return nil, p.missingAdopted(s.r)
	}
	if cl.GetStatus() == containerpb.Cluster_PROVISIONING || cl.GetStatus() == containerpb.Cluster_RECONCILING {
		if cl, err = s.waitStatus(ctx, cl.GetStatus(), "waiting for GKE cluster "+s.r.Name); err != nil {
			return nil, err
		}
		if cl == nil {
			return nil, p.missingAdopted(s.r)
		}
	}
	if !usable(cl.GetStatus()) {
		return nil, s.statusError(cl)
	}
	conn, err := s.connection(ctx, cl, prior)
	if err != nil {
		return nil, err
	}
	if err := s.waitReachable(ctx, conn.REST); err != nil {
		return nil, err
	}
	err = s.record(func(c *state.Cluster) {
		c.Status = state.ClusterReady
		c.Created = false
		c.Operation = ""
		c.Attributes = conn.Attributes
	})
	return conn, err
}

// CheckDestroy says whether destroy may delete the cluster: it refuses
// when the gke block sets deletion_protection. Commands call it before
// deleting anything, so a protected cluster keeps its objects too.
func (p *Provider) CheckDestroy(prior *state.Cluster) error {
	if prior == nil || !prior.Created || !p.Cfg.DeletionProtection {
		return nil
	}
	return fmt.Errorf("cluster %q: GKE cluster %s has deletion_protection = true in its gke block, so podlab destroy will not delete it. To delete it, set deletion_protection = false (or remove the line) and run podlab destroy again",
		p.Name, p.knownRef(prior))
}

// Destroy deletes a cluster podlab created and waits until GKE no longer
// knows it. An operation recorded in state (an interrupted destroy, or a
// create still running) is waited on first.
func (p *Provider) Destroy(ctx context.Context, prior *state.Cluster, rec providers.Recorder, prog providers.Progress) error {
	if prior == nil || !prior.Created {
		return nil
	}
	if err := p.CheckDestroy(prior); err != nil {
		return err
	}
	s, err := p.session(ctx, p.knownRef(prior), rec, prog)
	if err != nil {
		return err
	}
	defer s.close()
	if prior.Operation != "" {
		op, err := s.wait(ctx, prior.Operation, p.deleteTimeout(), "delete_timeout")
		var oe *OperationError
		if err != nil && !errors.As(err, &oe) && !isNotFound(err) {
			return err
		}
		if err := s.record(func(c *state.Cluster) { c.Operation = "" }); err != nil {
			return err
		}
		if err == nil && op.GetOperationType() == containerpb.Operation_DELETE_CLUSTER {
			return s.gone(ctx)
		}
	}
	// Another operation may hold the cluster (a create the state lost, a
	// resize, one of GKE's own): wait for it to rest, then delete,
	// retrying while GKE still refuses.
	cl, err := s.awaitResting(ctx)
	if err != nil {
		return err
	}
	if cl == nil {
		prog.Log(fmt.Sprintf("GKE cluster %s is already gone", s.r))
		return nil
	}
	op, err := s.retryIncompatible(ctx, "delete", func() (*containerpb.Operation, error) {
		return s.c.DeleteCluster(ctx, &containerpb.DeleteClusterRequest{Name: s.r.path()}, p.callOpts()...)
	})
	if isNotFound(err) {
		prog.Log(fmt.Sprintf("GKE cluster %s is already gone", s.r))
		return nil
	}
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			return err
		}
		return explain(s.r, "delete", err)
	}
	opPath := s.r.operation(op.GetName())
	if err := s.record(func(c *state.Cluster) { c.Status = state.ClusterDeleting; c.Operation = opPath }); err != nil {
		return err
	}
	if _, err := s.wait(ctx, opPath, p.deleteTimeout(), "delete_timeout"); err != nil {
		var oe *OperationError
		if errors.As(err, &oe) {
			_ = s.record(func(c *state.Cluster) { c.Operation = "" })
			oe.Hint = fmt.Sprintf("Run podlab destroy again; if it fails again, delete the cluster yourself: gcloud container clusters delete %s --location %s --project %s", s.r.Name, s.r.Location, s.r.Project)
		}
		return err
	}
	if err := s.gone(ctx); err != nil {
		return err
	}
	return s.record(func(c *state.Cluster) { c.Operation = "" })
}

// gone waits until GKE answers NOT_FOUND for the cluster.
func (s *session) gone(ctx context.Context) error {
	cl, err := s.get(ctx)
	if err != nil || cl == nil {
		return err
	}
	cl, err = s.waitStatus(ctx, cl.GetStatus(), "deleting GKE cluster "+s.r.Name)
	if err != nil {
		return err
	}
	if cl != nil {
		return fmt.Errorf("GKE cluster %s is still there (%s) after its deletion finished: run podlab destroy again", s.r, cl.GetStatus())
	}
	return nil
}

// endpointHost is the address podlab connects to, for state.
func (s *session) endpointHost(cl *containerpb.Cluster) string {
	host, _, _ := endpointFor(s.p.Cfg.Endpoint, cl)
	return host
}

// Kubeconfig is a kubeconfig for people with gcloud: the cluster's
// endpoint and CA, and the gke-gcloud-auth-plugin credential plugin, as
// gcloud container clusters get-credentials writes it. It holds no token.
func (p *Provider) Kubeconfig(ctx context.Context, prior *state.Cluster) (*clientcmdapi.Config, error) {
	r, s, cl, err := p.lookup(ctx, prior)
	if errors.Is(err, providers.ErrNotCreated) {
		return nil, fmt.Errorf("cluster %q: %w: run podlab apply first", p.Name, err)
	}
	if err != nil {
		return nil, err
	}
	defer s.close()
	if cl == nil {
		return nil, fmt.Errorf("GKE cluster %s does not exist: run podlab apply", r)
	}
	if cl.GetEndpoint() == "" {
		return nil, s.statusError(cl)
	}
	return kubeconfig(r, p.Cfg.Endpoint, cl)
}

func kubeconfig(r ref, endpoint string, cl *containerpb.Cluster) (*clientcmdapi.Config, error) {
	host, clusterCA, err := endpointFor(endpoint, cl)
	if err != nil {
		return nil, fmt.Errorf("GKE cluster %s: %w", r, err)
	}
	var ca []byte
	if clusterCA {
		if ca, err = base64.StdEncoding.DecodeString(cl.GetMasterAuth().GetClusterCaCertificate()); err != nil {
			return nil, fmt.Errorf("GKE cluster %s: its CA certificate does not decode: %w", r, err)
		}
	}
	name := r.context()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[name] = &clientcmdapi.Cluster{Server: "https://" + host, CertificateAuthorityData: ca}
	cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
		APIVersion:         "client.authentication.k8s.io/v1beta1",
		Command:            "gke-gcloud-auth-plugin",
		InstallHint:        "Install gke-gcloud-auth-plugin for kubectl: gcloud components install gke-gcloud-auth-plugin (see https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin)",
		ProvideClusterInfo: true,
		InteractiveMode:    clientcmdapi.IfAvailableExecInteractiveMode,
	}}
	cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	cfg.CurrentContext = name
	return cfg, nil
}

// restConfig is a client configuration for the API server at endpoint,
// authenticated with an OAuth2 token from Application Default Credentials.
func restConfig(ctx context.Context, endpoint string, caPEM []byte) (*rest.Config, error) {
	// The token source outlives this call: it refreshes for as long as the
	// client is used, so it must not hang on a request's context.
	ts, err := google.DefaultTokenSource(context.WithoutCancel(ctx), CloudPlatformScope, UserinfoEmailScope)
	if err != nil {
		return nil, fmt.Errorf("no Application Default Credentials for the Kubernetes API (%w): run gcloud auth application-default login, or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file", err)
	}
	// Ask once now, so that bad credentials are reported as such rather
	// than as a failing Kubernetes request.
	if _, err := ts.Token(); err != nil {
		return nil, fmt.Errorf("cannot get an OAuth2 token from Application Default Credentials: %w. Run gcloud auth application-default login, or check the key file in GOOGLE_APPLICATION_CREDENTIALS", err)
	}
	return &rest.Config{
		Host:            "https://" + endpoint,
		TLSClientConfig: rest.TLSClientConfig{CAData: caPEM},
		WrapTransport:   wrapWithToken(ts),
	}, nil
}

var (
	_ providers.Cluster          = (*Provider)(nil)
	_ providers.KubeconfigSource = (*Provider)(nil)
)

// Build returns the provider of an environment's gke block, its expiry
// among the cluster's labels.
func Build(c *config.ClusterConfig, o providers.Options) providers.Cluster {
	p := New(c.Name, c.Settings.(*Config))
	p.Lab, p.Env = o.Lab, o.Env
	if o.Getenv != nil {
		p.EmulatorHost = o.Getenv(EmulatorHostEnv)
	}
	if o.ExpiresAt != nil {
		labels := maps.Clone(p.Cfg.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		labels[LabelExpires] = strconv.FormatInt(o.ExpiresAt.Unix(), 10)
		p.Cfg.Labels = labels
	}
	return p
}
