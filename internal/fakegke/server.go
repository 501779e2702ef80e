package fakegke

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Default timings: short enough for tests, long enough that a client polling
// every few tens of milliseconds sees every state.
const (
	DefaultPendingFor    = 300 * time.Millisecond
	DefaultRunningFor    = time.Second
	DefaultTokenLifetime = time.Hour
	// DefaultVersion is reported when a create request names no version;
	// it matches the Kubernetes minor of the local test cluster.
	DefaultVersion = "1.34.4-gke.1000"
	// DefaultSystemOperationFor is how long GKE's own operations run.
	DefaultSystemOperationFor = 5 * time.Second
)

// Options configure a Server. The zero value is usable: loopback listeners on
// free ports, default timings, no backing cluster.
type Options struct {
	// GRPCAddr and TokenAddr are the listen addresses of the ClusterManager
	// gRPC server and the OAuth2 token endpoint. Empty means 127.0.0.1:0.
	// Only loopback addresses are accepted: the fake checks no credentials.
	GRPCAddr  string
	TokenAddr string

	// Backing is the real cluster every created cluster reports.
	Backing Backing

	// PendingFor and RunningFor are how long each operation stays PENDING
	// and then RUNNING before it is DONE. Zero means the default.
	PendingFor time.Duration
	RunningFor time.Duration

	// TokenLifetime is the expires_in of access tokens the token endpoint
	// issues. Zero means one hour. golang.org/x/oauth2 refreshes a token 10 s
	// before it expires, so a lifetime under 10 s makes every use refresh.
	TokenLifetime time.Duration

	// Projects, when not empty, are the only projects that exist; requests
	// for others fail as GKE fails them. Empty means every project exists.
	Projects []string

	// DefaultVersion is the master and node version of clusters created
	// without one. Empty means [DefaultVersion].
	DefaultVersion string

	// CredentialsProject is the project_id written into credential files.
	// Empty means "podlab-test".
	CredentialsProject string

	// SystemOperationFor is how long an operation GKE starts itself
	// (UPGRADE_MASTER, REPAIR_CLUSTER) runs. Zero means
	// DefaultSystemOperationFor.
	SystemOperationFor time.Duration

	// UpgradeMasterAfterCreate starts an UPGRADE_MASTER of GKE's own the
	// moment each cluster's creation is DONE, as GKE does to a new cluster
	// whose release channel has moved on: user operations are refused and
	// the endpoint is unreachable until it is DONE. See StartSystemOperation.
	UpgradeMasterAfterCreate bool
}

// Server is a fake GKE ClusterManager plus an OAuth2 token endpoint.
// Create it with New, then Start it; it is safe for concurrent use.
type Server struct {
	containerpb.UnimplementedClusterManagerServer

	opts Options

	mu         sync.Mutex
	clusters   map[clusterKey]*cluster
	operations map[string]*operation // by operation name; names are unique in GKE
	opOrder    []*operation          // in start order, for ListOperations
	faults     map[string][]fault    // method → queued injected failures
	failCreate map[string]fault      // cluster name → how its next create ends
	quotas     map[quotaKey]Quota
	scopes     []string // OAuth2 scopes granted, in order
	calls      []Call
	accounts   map[string]*serviceAccount // private_key_id → account
	users      map[string]userCredential  // refresh_token → client
	fallback   string                     // access token issued when Backing.Token is empty

	// public and private front the backing API server: they are the
	// endpoints clusters report, and StartSystemOperation cuts them.
	public, private *endpointProxy
	// dns serves the clusters' DNS-based endpoints (see dns.go).
	dns *dnsFront

	grpcServer *grpc.Server
	grpcLis    net.Listener
	httpServer *http.Server
	tokenLis   net.Listener
	closeOnce  sync.Once
	closed     chan struct{}
	closeErr   error
}

// New returns a server configured by opts; nothing listens until Start.
func New(opts Options) *Server {
	if opts.PendingFor <= 0 {
		opts.PendingFor = DefaultPendingFor
	}
	if opts.RunningFor <= 0 {
		opts.RunningFor = DefaultRunningFor
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = DefaultTokenLifetime
	}
	if opts.DefaultVersion == "" {
		opts.DefaultVersion = DefaultVersion
	}
	if opts.SystemOperationFor <= 0 {
		opts.SystemOperationFor = DefaultSystemOperationFor
	}
	if opts.CredentialsProject == "" {
		opts.CredentialsProject = "podlab-test"
	}
	return &Server{
		opts:       opts,
		clusters:   map[clusterKey]*cluster{},
		operations: map[string]*operation{},
		faults:     map[string][]fault{},
		failCreate: map[string]fault{},
		quotas:     map[quotaKey]Quota{},
		accounts:   map[string]*serviceAccount{},
		users:      map[string]userCredential{},
		closed:     make(chan struct{}),
	}
}

// Start binds both listeners and serves in the background until Close is
// called or ctx is done.
func (s *Server) Start(ctx context.Context) error {
	if s.grpcLis != nil {
		return errors.New("fakegke: server already started")
	}
	if err := s.opts.Backing.validate(); err != nil {
		return fmt.Errorf("fakegke: backing cluster: %w", err)
	}
	grpcLis, err := listenLoopback(ctx, s.opts.GRPCAddr)
	if err != nil {
		return fmt.Errorf("fakegke: gRPC listener: %w", err)
	}
	tokenLis, err := listenLoopback(ctx, s.opts.TokenAddr)
	if err != nil {
		_ = grpcLis.Close()
		return fmt.Errorf("fakegke: token listener: %w", err)
	}
	if b := s.opts.Backing.Endpoint; b != "" {
		if s.public, err = startProxy(ctx, b); err == nil {
			s.private, err = startProxy(ctx, b)
		}
		if err == nil {
			s.dns, err = startDNSFront(ctx, s.isDNSEndpoint, s.dialBacking)
		}
		if err != nil {
			_ = grpcLis.Close()
			_ = tokenLis.Close()
			if s.public != nil {
				s.public.close()
			}
			if s.private != nil {
				s.private.close()
			}
			return fmt.Errorf("fakegke: endpoint proxy: %w", err)
		}
	}
	if s.opts.Backing.Token == "" {
		s.fallback = "ya29.fakegke-" + randomHex(16)
	}
	s.grpcLis, s.tokenLis = grpcLis, tokenLis
	s.grpcServer = grpc.NewServer(grpc.UnaryInterceptor(s.intercept))
	containerpb.RegisterClusterManagerServer(s.grpcServer, s)
	s.httpServer = &http.Server{Handler: s.tokenHandler(), ReadHeaderTimeout: 10 * time.Second}

	go func() { _ = s.grpcServer.Serve(grpcLis) }()
	go func() { _ = s.httpServer.Serve(tokenLis) }()
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-s.closed:
		}
	}()
	return nil
}

// Close stops both servers. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		if s.grpcServer != nil {
			s.grpcServer.Stop()
		}
		if s.httpServer != nil {
			s.closeErr = s.httpServer.Close()
		}
		if s.public != nil {
			s.public.close()
			s.private.close()
			s.dns.close()
		}
	})
	return s.closeErr
}

// GRPCAddr is the host:port of the ClusterManager service, the value of
// PODLAB_GKE_EMULATOR_HOST.
func (s *Server) GRPCAddr() string {
	if s.grpcLis == nil {
		return ""
	}
	return s.grpcLis.Addr().String()
}

// Endpoint is host:port of the public endpoint clusters report: a proxy in
// front of the backing API server, which the fake can cut. Empty without a
// backing cluster.
func (s *Server) Endpoint() string {
	if s.public == nil {
		return ""
	}
	return s.public.addr()
}

// PrivateEndpoint is host:port clusters report as their private endpoint
// (private_cluster_config.private_endpoint): another proxy to the same
// backing API server.
func (s *Server) PrivateEndpoint() string {
	if s.private == nil {
		return ""
	}
	return s.private.addr()
}

// TokenURL is the OAuth2 token endpoint, written as token_uri into
// credential files.
func (s *Server) TokenURL() string {
	if s.tokenLis == nil {
		return ""
	}
	return "http://" + s.tokenLis.Addr().String() + "/token"
}

// ClientOptions are the options to pass to container.NewClusterManagerClient
// to talk to this server.
func (s *Server) ClientOptions() []option.ClientOption {
	return EmulatorClientOptions(s.GRPCAddr())
}

// EmulatorHostEnv names the environment variable podlab reads to talk to a
// fake GKE instead of Google. For tests and demos only.
const EmulatorHostEnv = "PODLAB_GKE_EMULATOR_HOST"

// EmulatorClientOptions are the client options for a fake GKE at host:port.
// Without the insecure transport the client speaks TLS to a plain-text
// server and every call hangs until its deadline. Without
// WithoutAuthentication the client needs Application Default Credentials,
// and with a service-account key it then sends a JWT it signs itself (it
// never calls token_uri for gRPC), over plain text; the fake checks no RPC
// credentials, so they would only be a needless requirement.
func EmulatorClientOptions(host string) []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(host),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}

// listenLoopback listens on addr, refusing anything but a loopback address.
func listenLoopback(ctx context.Context, addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("listen address %q: only loopback addresses are allowed", addr)
	}
	var lc net.ListenConfig
	lis, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return lis, nil
}
