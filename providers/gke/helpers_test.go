package gke

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	container "cloud.google.com/go/container/apiv1"
	"cloud.google.com/go/container/apiv1/containerpb"
	"github.com/googleapis/gax-go/v2"

	"github.com/podlab/podlab/internal/fakegke"
	"github.com/podlab/podlab/state"
)

// fixture is a fake GKE whose clusters are backed by a small TLS server
// standing in for an API server: it answers /version to requests that
// carry the backing token, and 401 to others. That is enough to prove
// the in-process connection (endpoint, CA, ADC token); e2e_test.go runs
// podlab itself against the real test cluster.
type fixture struct {
	srv   *fakegke.Server
	api   *httptest.Server
	token string

	mu      sync.Mutex
	authz   []string // Authorization headers the API server saw
	creds   string
	rawOnce sync.Once
	raw     *container.ClusterManagerClient
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, nil)
}

// newFixtureWith is newFixture with the fake's options changed by mutate.
func newFixtureWith(t *testing.T, mutate func(*fakegke.Options)) *fixture {
	t.Helper()
	f := &fixture{token: "backing-token-" + t.Name()}
	f.api = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.authz = append(f.authz, r.Header.Get("Authorization"))
		f.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+f.token {
			http.Error(w, `{"kind":"Status","status":"Failure","code":401}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"major":"1","minor":"34","gitVersion":"v1.34.4"}`))
	}))
	f.api.TLS = &tls.Config{}
	f.api.StartTLS()
	t.Cleanup(f.api.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.api.Certificate().Raw})
	opts := fakegke.Options{
		Backing:    fakegke.Backing{Endpoint: f.api.Listener.Addr().String(), CAPEM: ca, Token: f.token},
		PendingFor: 60 * time.Millisecond,
		RunningFor: 240 * time.Millisecond,
	}
	if mutate != nil {
		mutate(&opts)
	}
	f.srv = fakegke.StartForTest(t, opts)
	creds, err := f.srv.WriteCredentials(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.creds = creds
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", creds)
	return f
}

// rawClient is a container client of the test's own, for arranging what
// happened "outside podlab".
func (f *fixture) rawClient(t *testing.T) *container.ClusterManagerClient {
	t.Helper()
	f.rawOnce.Do(func() {
		c, err := container.NewClusterManagerClient(context.Background(), f.srv.ClientOptions()...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		f.raw = c
	})
	return f.raw
}

// await polls an operation the test started itself until it is DONE.
func (f *fixture) await(t *testing.T, op *containerpb.Operation, r ref) {
	t.Helper()
	for {
		got, err := f.rawClient(t).GetOperation(context.Background(), &containerpb.GetOperationRequest{Name: r.operation(op.GetName())})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetStatus() == containerpb.Operation_DONE {
			if got.GetError() != nil {
				t.Fatalf("operation failed: %v", got.GetError())
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testConfig() Config {
	return Config{
		Project: "podlab-test", Location: "asia-northeast3-a", Name: "podlab-t", Create: true,
		Labels:        map[string]string{"course": "k8s-pods"},
		CreateTimeout: "45m", DeleteTimeout: "30m",
		NodePools: map[string]NodePool{"default": {
			MachineType: "e2-medium", NodeCount: 2, DiskSizeGB: 100, DiskType: "pd-balanced", ImageType: "COS_CONTAINERD",
		}},
	}
}

var fastTiming = timing{
	poll: 10 * time.Millisecond, maxPoll: 40 * time.Millisecond,
	retry:    gax.Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond, Multiplier: 2},
	attempts: 4, busyAttempts: 4, reach: 30 * time.Second,
}

func (f *fixture) provider(mutate func(*Config)) *Provider {
	cfg := testConfig()
	if mutate != nil {
		mutate(&cfg)
	}
	p := New("gke", &cfg)
	p.Lab, p.Env = "Pod Basics", "gke"
	p.EmulatorHost = f.srv.GRPCAddr()
	p.timing = fastTiming
	return p
}

// memState is the state's cluster record, with every saved version kept.
type memState struct {
	mu      sync.Mutex
	cur     *state.Cluster
	history []state.Cluster
	// onSave, when set, sees each saved version (to interrupt an apply at
	// a chosen point).
	onSave func(c state.Cluster)
}

func (m *memState) rec(update func(c *state.Cluster)) error {
	m.mu.Lock()
	if m.cur == nil {
		m.cur = &state.Cluster{Name: "gke", Kind: Kind}
	}
	update(m.cur)
	snap := clone(m.cur)
	m.history = append(m.history, *snap)
	hook := m.onSave
	m.mu.Unlock()
	if hook != nil {
		hook(*snap)
	}
	return nil
}

func (m *memState) get() *state.Cluster {
	m.mu.Lock()
	defer m.mu.Unlock()
	return clone(m.cur)
}

func clone(c *state.Cluster) *state.Cluster {
	if c == nil {
		return nil
	}
	out := *c
	out.Attributes = map[string]string{}
	for k, v := range c.Attributes {
		out.Attributes[k] = v
	}
	return &out
}

// progress records what a provider reports.
type progress struct {
	mu    sync.Mutex
	steps []stepEvent
	logs  []string
}

type stepEvent struct {
	name, status string
	elapsed      time.Duration
}

func (p *progress) Step(name, status string, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.steps = append(p.steps, stepEvent{name, status, elapsed})
}

func (p *progress) Log(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logs = append(p.logs, msg)
}

// statuses lists the distinct statuses a step went through, in order.
func (p *progress) statuses(step string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, s := range p.steps {
		if s.name != step {
			continue
		}
		st := s.status
		if i := indexByte(st, ':'); i >= 0 {
			st = st[:i]
		}
		if len(out) == 0 || out[len(out)-1] != st {
			out = append(out, st)
		}
	}
	return out
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}
