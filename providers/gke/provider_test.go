package gke

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
	"k8s.io/client-go/rest"

	"github.com/podlab/podlab/internal/fakegke"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

func TestEmulatorHostEnvMatchesTheFake(t *testing.T) {
	if EmulatorHostEnv != fakegke.EmulatorHostEnv {
		t.Fatalf("provider reads %s, the fake documents %s", EmulatorHostEnv, fakegke.EmulatorHostEnv)
	}
}

// getVersion asks the API server behind a connection for /version.
func getVersion(t *testing.T, conn *providers.Connection) error {
	t.Helper()
	cfg := rest.CopyConfig(conn.REST)
	cfg.GroupVersion = nil
	cfg.NegotiatedSerializer = nil
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get(cfg.Host + "/version")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return errors.New(resp.Status)
	}
	return nil
}

func TestCreateConnectDestroy(t *testing.T) {
	f := newFixture(t)
	p := f.provider(nil)
	st := &memState{}
	prog := &progress{}
	ctx := context.Background()

	ch, err := p.Plan(ctx, nil, true)
	if err != nil || ch.Action != plan.Create {
		t.Fatalf("plan before create: %v, %+v", err, ch)
	}
	conn, err := p.Ensure(ctx, nil, st.rec, prog)
	if err != nil {
		t.Fatalf("ensure: %v", err)
	}
	// The operation was in state before it was done.
	first := st.history[0]
	if first.Status != state.ClusterCreating || !first.Created || !strings.Contains(first.Operation, "/operations/operation-") {
		t.Fatalf("first state write = %+v, want creating with the operation recorded", first)
	}
	got := st.get()
	if got.Status != state.ClusterReady || !got.Created || got.Operation != "" {
		t.Fatalf("state after create = %+v", got)
	}
	if got.Attributes[attrEndpoint] != "https://"+f.srv.Endpoint() || got.Attributes[attrCA] == "" {
		t.Fatalf("attributes = %v", got.Attributes)
	}
	for k, v := range got.Attributes {
		if strings.Contains(v, f.token) {
			t.Fatalf("state attribute %s holds the token", k)
		}
	}
	step := "creating GKE cluster podlab-t"
	if s := prog.statuses(step); strings.Join(s, ",") != "PENDING,RUNNING,done" {
		t.Fatalf("create progress = %v, want PENDING, RUNNING, done", s)
	}
	if n := f.srv.Calls("CreateCluster"); n != 1 {
		t.Fatalf("CreateCluster calls = %d", n)
	}
	req := f.srv.Log()[0].Request.(*containerpb.CreateClusterRequest)
	if l := req.GetCluster().GetResourceLabels(); l[LabelLab] != "pod-basics" || l[LabelEnv] != "gke" || l["course"] != "k8s-pods" {
		t.Fatalf("labels sent = %v", l)
	}
	if err := getVersion(t, conn); err != nil {
		t.Fatalf("the connection does not reach the API server with the ADC token: %v", err)
	}

	// A refreshed plan of the unchanged cluster is a no-op, and Connect
	// reaches it the same way.
	ch, err = p.Plan(ctx, got, true)
	if err != nil || ch.Action != plan.NoOp {
		t.Fatalf("plan after create: %v, %+v", err, ch)
	}
	conn2, err := p.Connect(ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	if err := getVersion(t, conn2); err != nil {
		t.Fatal(err)
	}

	if err := p.Destroy(ctx, got, st.rec, prog); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if n := f.srv.Calls("DeleteCluster"); n != 1 {
		t.Fatalf("DeleteCluster calls = %d", n)
	}
	if s := prog.statuses("deleting GKE cluster podlab-t"); len(s) == 0 || s[len(s)-1] != "done" {
		t.Fatalf("delete progress = %v", s)
	}
	_, err = f.rawClient(t).GetCluster(ctx, &containerpb.GetClusterRequest{Name: p.configRef().path()})
	if !isNotFound(err) {
		t.Fatalf("after destroy, GetCluster = %v, want NOT_FOUND", err)
	}
}

// An apply killed while GKE creates the cluster resumes on the recorded
// operation: GKE sees one CreateCluster.
func TestResumeRecordedCreate(t *testing.T) {
	f := newFixture(t)
	p := f.provider(nil)
	ctx, cancel := context.WithCancel(context.Background())
	st := &memState{onSave: func(c state.Cluster) {
		if c.Operation != "" {
			cancel() // as if podlab was killed right after recording it
		}
	}}
	_, err := p.Ensure(ctx, nil, st.rec, &progress{})
	if !isInterrupt(err) {
		t.Fatalf("interrupted ensure = %v, want an interrupt", err)
	}
	prior := st.get()
	if prior.Status != state.ClusterCreating || prior.Operation == "" {
		t.Fatalf("state after the interrupt = %+v", prior)
	}
	ch, err := p.Plan(context.Background(), prior, true)
	if err != nil || ch.Action != plan.Create || !strings.Contains(ch.Reason, "waits for that operation") {
		t.Fatalf("plan after interrupt: %v %+v", err, ch)
	}
	st.onSave = nil
	prog := &progress{}
	if _, err := p.Ensure(context.Background(), prior, st.rec, prog); err != nil {
		t.Fatalf("resumed ensure: %v", err)
	}
	if n := f.srv.Calls("CreateCluster"); n != 1 {
		t.Fatalf("GKE saw %d CreateCluster calls, want 1", n)
	}
	if st.get().Status != state.ClusterReady {
		t.Fatalf("state = %+v", st.get())
	}
	if len(prog.statuses("creating GKE cluster podlab-t")) == 0 {
		t.Fatal("the resumed wait reported no progress")
	}
}

// A create whose operation name never reached state (killed between the
// call and the write) finds the cluster by its labels.
func TestAlreadyExists(t *testing.T) {
	for _, tc := range []struct {
		name    string
		labels  map[string]string
		wantErr string
	}{
		{name: "ours", labels: map[string]string{LabelLab: "pod-basics", LabelEnv: "gke", "course": "k8s-pods"}},
		{name: "another environment's", labels: map[string]string{LabelLab: "pod-basics", LabelEnv: "onprem"}, wantErr: "was not created by this environment"},
		{name: "not podlab's", labels: nil, wantErr: "set create = false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			p := f.provider(nil)
			req := createRequest(&p.Cfg, p.Lab, p.Env)
			req.Cluster.ResourceLabels = tc.labels
			if _, err := f.rawClient(t).CreateCluster(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			st := &memState{}
			prog := &progress{}
			_, err := p.Ensure(context.Background(), nil, st.rec, prog)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), `"podlab-t"`) {
					t.Fatalf("err = %v, want it to name the cluster and say %q", err, tc.wantErr)
				}
				if c := st.get(); c != nil && c.Created {
					t.Fatalf("state claims a foreign cluster: %+v", c)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c := st.get(); c.Status != state.ClusterReady || !c.Created {
				t.Fatalf("state = %+v", c)
			}
			if f.srv.Calls("CreateCluster") != 2 {
				t.Fatalf("CreateCluster calls = %d, want the test's and podlab's", f.srv.Calls("CreateCluster"))
			}
			// It waited on the operation in flight that it found.
			if len(prog.statuses("creating GKE cluster podlab-t")) == 0 {
				t.Fatalf("no progress while taking up a cluster being created: %+v", prog.steps)
			}
		})
	}
}

func TestInjectedErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		method string
		code   codes.Code
		msg    string
		n      int
		want   []string // in the error; none means success
		calls  int      // of method
	}{
		{name: "permission denied", method: "CreateCluster", code: codes.PermissionDenied,
			msg: "Required \"container.clusters.create\" permission(s) for \"projects/podlab-test\".", n: 1,
			want: []string{`"podlab-t"`, "permission denied", "roles/container.admin", "container.clusters.create"}, calls: 1},
		{name: "quota", method: "CreateCluster", code: codes.ResourceExhausted,
			msg: "Insufficient regional quota to satisfy request: resource \"CPUS\": request requires '4.0' and is short '2.0'.", n: 1,
			want: []string{`"podlab-t"`, "quota exceeded", "CPUS", "node_count"}, calls: 1},
		{name: "unavailable, then fine", method: "CreateCluster", code: codes.Unavailable, msg: "The service is currently unavailable.", n: 2, calls: 3},
		{name: "unavailable for good", method: "CreateCluster", code: codes.Unavailable, msg: "The service is currently unavailable.", n: 10,
			want: []string{`"podlab-t"`, "did not answer after several tries", "run podlab again"}, calls: fastTiming.attempts},
		{name: "operation polling unavailable, then fine", method: "GetOperation", code: codes.Unavailable, msg: "unavailable", n: 3},
		{name: "get cluster refused", method: "GetCluster", code: codes.PermissionDenied, msg: "Required \"container.clusters.get\" permission", n: 1,
			want: []string{"permission denied", "roles/container.admin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			p := f.provider(nil)
			f.srv.FailNext(tc.method, tc.code, tc.msg, tc.n)
			_, err := p.Ensure(context.Background(), nil, (&memState{}).rec, &progress{})
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("ensure: %v", err)
				}
			} else {
				if err == nil {
					t.Fatal("ensure succeeded")
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				var ae *APIError
				if !errors.As(err, &ae) || ae.Code != tc.code {
					t.Errorf("error is not an APIError with code %v: %#v", tc.code, err)
				}
			}
			if tc.calls > 0 && f.srv.Calls(tc.method) != tc.calls {
				t.Errorf("%s calls = %d, want %d", tc.method, f.srv.Calls(tc.method), tc.calls)
			}
			if f.srv.Calls("CreateCluster") > 0 && len(tc.want) == 0 && clusterCount(t, f) != 1 {
				t.Errorf("clusters = %d, want 1", clusterCount(t, f))
			}
		})
	}
}

func clusterCount(t *testing.T, f *fixture) int {
	t.Helper()
	resp, err := f.rawClient(t).ListClusters(context.Background(), &containerpb.ListClustersRequest{Parent: "projects/podlab-test/locations/-"})
	if err != nil {
		t.Fatal(err)
	}
	return len(resp.GetClusters())
}

func TestFailedCreateOperation(t *testing.T) {
	f := newFixture(t)
	p := f.provider(nil)
	msg := "Google Compute Engine: Not enough resources available to fulfill the request."
	f.srv.FailOperation("podlab-t", codes.ResourceExhausted, msg)
	st := &memState{}
	_, err := p.Ensure(context.Background(), nil, st.rec, &progress{})
	var oe *OperationError
	if !errors.As(err, &oe) {
		t.Fatalf("err = %v, want an OperationError", err)
	}
	for _, w := range []string{`"podlab-t"`, msg, "ERROR", "podlab destroy"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	prior := st.get()
	if !prior.Created || prior.Operation != "" {
		t.Fatalf("state = %+v, want a created cluster with no operation", prior)
	}
	// apply again says what to do; destroy removes the broken cluster.
	if _, err := p.Ensure(context.Background(), prior, st.rec, &progress{}); err == nil || !strings.Contains(err.Error(), "podlab destroy") {
		t.Fatalf("second ensure = %v", err)
	}
	if err := p.Destroy(context.Background(), prior, st.rec, &progress{}); err != nil {
		t.Fatalf("destroy of the ERROR cluster: %v", err)
	}
	if clusterCount(t, f) != 0 {
		t.Fatal("the cluster is still there")
	}
}

func TestDeletionProtection(t *testing.T) {
	f := newFixture(t)
	p := f.provider(func(c *Config) { c.DeletionProtection = true })
	st := &memState{}
	if _, err := p.Ensure(context.Background(), nil, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	prior := st.get()
	if err := p.CheckDestroy(prior); err == nil {
		t.Fatal("CheckDestroy allowed a protected cluster")
	}
	err := p.Destroy(context.Background(), prior, st.rec, &progress{})
	if err == nil || !strings.Contains(err.Error(), "deletion_protection = false") || !strings.Contains(err.Error(), `"podlab-t"`) {
		t.Fatalf("destroy = %v, want a refusal naming the cluster and the setting", err)
	}
	if n := f.srv.Calls("DeleteCluster"); n != 0 {
		t.Fatalf("DeleteCluster calls = %d", n)
	}
	// Without the setting, destroy goes ahead.
	p.Cfg.DeletionProtection = false
	if err := p.Destroy(context.Background(), prior, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
}

// interruptedDestroy creates a cluster, then stops its destroy once GKE's
// delete operation is recorded, as a killed podlab would leave it.
func interruptedDestroy(t *testing.T) (*fixture, *Provider, *memState) {
	t.Helper()
	f := newFixture(t)
	p := f.provider(nil)
	st := &memState{}
	if _, err := p.Ensure(context.Background(), nil, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st.onSave = func(c state.Cluster) {
		if c.Status == state.ClusterDeleting && c.Operation != "" {
			cancel()
		}
	}
	if err := p.Destroy(ctx, st.get(), st.rec, &progress{}); !isInterrupt(err) {
		t.Fatalf("interrupted destroy = %v", err)
	}
	st.onSave = nil
	return f, p, st
}

// A destroy killed while GKE deletes resumes on the recorded operation.
func TestResumeRecordedDelete(t *testing.T) {
	f, p, st := interruptedDestroy(t)
	prior := st.get()
	if prior.Status != state.ClusterDeleting || prior.Operation == "" {
		t.Fatalf("state = %+v", prior)
	}
	if err := p.Destroy(context.Background(), prior, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Calls("DeleteCluster"); n != 1 {
		t.Fatalf("DeleteCluster calls = %d, want 1", n)
	}
	if clusterCount(t, f) != 0 {
		t.Fatal("cluster still there")
	}
}

func TestDriftInPlace(t *testing.T) {
	f := newFixture(t)
	p := f.provider(nil)
	st := &memState{}
	ctx := context.Background()
	if _, err := p.Ensure(ctx, nil, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	r := p.configRef()
	raw := f.rawClient(t)
	// Someone resizes the pool and relabels the cluster in the console.
	op, err := raw.SetNodePoolSize(ctx, &containerpb.SetNodePoolSizeRequest{Name: r.nodePool("default"), NodeCount: 5})
	if err != nil {
		t.Fatal(err)
	}
	f.await(t, op, r)
	cl, err := raw.GetCluster(ctx, &containerpb.GetClusterRequest{Name: r.path()})
	if err != nil {
		t.Fatal(err)
	}
	op, err = raw.SetLabels(ctx, &containerpb.SetLabelsRequest{Name: r.path(), LabelFingerprint: cl.GetLabelFingerprint(),
		ResourceLabels: map[string]string{LabelLab: "pod-basics", LabelEnv: "gke", "course": "other"}})
	if err != nil {
		t.Fatal(err)
	}
	f.await(t, op, r)

	prior := st.get()
	ch, err := p.Plan(ctx, prior, true)
	if err != nil {
		t.Fatal(err)
	}
	// The outside resize shows only in current_node_count, which surge
	// nodes move too: podlab does not read it, and plans the labels only.
	if ch.Action != plan.Update || hasAttr(ch, `node_pool["default"].node_count`, "") || !hasAttr(ch, "labels", `course = "other"`) {
		t.Fatalf("plan = %+v", ch)
	}
	// Without refresh, the plan compares with state only: no change known.
	if ch, err := p.Plan(ctx, prior, false); err != nil || ch.Action != plan.NoOp {
		t.Fatalf("plan -refresh=false = %v %+v", err, ch)
	}
	if _, err := p.Ensure(ctx, prior, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	if f.srv.Calls("SetNodePoolSize") != 1 || f.srv.Calls("SetLabels") != 2 {
		t.Fatalf("SetNodePoolSize %d, SetLabels %d calls", f.srv.Calls("SetNodePoolSize"), f.srv.Calls("SetLabels"))
	}
	if ch, err := p.Plan(ctx, st.get(), true); err != nil || ch.Action != plan.NoOp {
		t.Fatalf("plan after reconcile = %v %+v", err, ch)
	}
	// A configured change of node_count shows even without refresh.
	p.Cfg.NodePools["default"] = withCount(p.Cfg.NodePools["default"], 3)
	if ch, err := p.Plan(ctx, st.get(), false); err != nil || !hasAttr(ch, `node_pool["default"].node_count`, "2 → 3") {
		t.Fatalf("plan -refresh=false after a node_count change = %v %+v", err, ch)
	}

	// Deleted outside podlab: planned as a create.
	op, err = raw.DeleteCluster(ctx, &containerpb.DeleteClusterRequest{Name: r.path()})
	if err != nil {
		t.Fatal(err)
	}
	f.await(t, op, r)
	if ch, err := p.Plan(ctx, st.get(), true); err != nil || ch.Action != plan.Create || !strings.Contains(ch.Reason, "deleted outside podlab") {
		t.Fatalf("plan after an outside delete = %v %+v", err, ch)
	}
	if _, err := p.Connect(ctx, st.get()); !errors.Is(err, providers.ErrNotCreated) {
		t.Fatalf("connect after an outside delete = %v", err)
	}
}

func withCount(np NodePool, n int) NodePool { np.NodeCount = n; return np }

func hasAttr(ch *plan.ClusterChange, name, contains string) bool {
	for _, a := range ch.Attributes {
		if a.Name == name && strings.Contains(a.Value, contains) {
			return true
		}
	}
	return false
}

func TestDriftNeedingReplacementIsRefused(t *testing.T) {
	f := newFixture(t)
	p := f.provider(nil)
	st := &memState{}
	if _, err := p.Ensure(context.Background(), nil, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"machine type", func(c *Config) {
			np := c.NodePools["default"]
			np.MachineType = "e2-standard-4"
			c.NodePools["default"] = np
		}, `node_pool["default"].machine_type: "e2-medium" → "e2-standard-4"`},
		{"new pool", func(c *Config) { c.NodePools["extra"] = c.NodePools["default"] }, `node_pool["extra"]: not in the cluster`},
		{"another name", func(c *Config) { c.Name = "podlab-u" }, "now names"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := f.provider(tc.mutate)
			_, err := q.Plan(context.Background(), st.get(), true)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "podlab destroy") {
				t.Fatalf("plan = %v, want a refusal with %q", err, tc.want)
			}
			if _, err := q.Ensure(context.Background(), st.get(), st.rec, &progress{}); err == nil {
				t.Fatal("ensure went ahead")
			}
		})
	}
	if n := f.srv.Calls("CreateCluster"); n != 1 {
		t.Fatalf("CreateCluster calls = %d", n)
	}
}

func TestAdoptExisting(t *testing.T) {
	f := newFixture(t)
	p := f.provider(func(c *Config) { c.Create = false })
	st := &memState{}
	if _, err := p.Ensure(context.Background(), nil, st.rec, &progress{}); err == nil || !strings.Contains(err.Error(), "create = false") {
		t.Fatalf("adopting a missing cluster = %v", err)
	}
	r := p.configRef()
	req := createRequest(&p.Cfg, "other", "lab")
	op, err := f.rawClient(t).CreateCluster(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	f.await(t, op, r)
	conn, err := p.Ensure(context.Background(), nil, st.rec, &progress{})
	if err != nil {
		t.Fatal(err)
	}
	if err := getVersion(t, conn); err != nil {
		t.Fatal(err)
	}
	prior := st.get()
	if prior.Created || prior.Status != state.ClusterReady {
		t.Fatalf("state = %+v", prior)
	}
	if ch, err := p.Plan(context.Background(), prior, true); err != nil || ch.Action != plan.NoOp {
		t.Fatalf("plan = %v %+v", err, ch)
	}
	if err := p.Destroy(context.Background(), prior, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Calls("DeleteCluster"); n != 0 {
		t.Fatalf("DeleteCluster calls = %d for an adopted cluster", n)
	}
	if n := f.srv.Calls("CreateCluster"); n != 1 {
		t.Fatalf("CreateCluster calls = %d", n)
	}
	if n := f.srv.Calls("SetLabels"); n != 0 {
		t.Fatalf("podlab relabelled an adopted cluster")
	}
}

func TestKubeconfigUsesTheAuthPlugin(t *testing.T) {
	f := newFixture(t)
	p := f.provider(nil)
	st := &memState{}
	if _, err := p.Kubeconfig(context.Background(), nil); !errors.Is(err, providers.ErrNotCreated) {
		t.Fatalf("kubeconfig before apply = %v", err)
	}
	if _, err := p.Ensure(context.Background(), nil, st.rec, &progress{}); err != nil {
		t.Fatal(err)
	}
	kc, err := p.Kubeconfig(context.Background(), st.get())
	if err != nil {
		t.Fatal(err)
	}
	name := "gke_podlab-test_asia-northeast3-a_podlab-t"
	if kc.CurrentContext != name {
		t.Fatalf("context = %q", kc.CurrentContext)
	}
	cl := kc.Clusters[name]
	if cl == nil || cl.Server != "https://"+f.srv.Endpoint() || !strings.Contains(string(cl.CertificateAuthorityData), "BEGIN CERTIFICATE") {
		t.Fatalf("cluster = %+v", cl)
	}
	u := kc.AuthInfos[name]
	if u == nil || u.Exec == nil || u.Exec.Command != "gke-gcloud-auth-plugin" || u.Exec.APIVersion != "client.authentication.k8s.io/v1beta1" || !u.Exec.ProvideClusterInfo {
		t.Fatalf("user = %+v", u)
	}
	if u.Token != "" || u.TokenFile != "" {
		t.Fatal("the kubeconfig holds a token")
	}
}

// apply after an interrupted destroy waits for the deletion to finish,
// then creates the cluster again.
func TestApplyAfterInterruptedDestroy(t *testing.T) {
	f, p, st := interruptedDestroy(t)
	prior := st.get()
	ch, err := p.Plan(context.Background(), prior, true)
	if err != nil || ch.Action != plan.Create || !strings.Contains(ch.Reason, "interrupted destroy") {
		t.Fatalf("plan = %v %+v", err, ch)
	}
	prog := &progress{}
	if _, err := p.Ensure(context.Background(), prior, st.rec, prog); err != nil {
		t.Fatal(err)
	}
	if got := prog.statuses("deleting GKE cluster podlab-t"); len(got) == 0 || got[len(got)-1] != "done" {
		t.Fatalf("apply did not wait for the deletion: %v", got)
	}
	if f.srv.Calls("DeleteCluster") != 1 || f.srv.Calls("CreateCluster") != 2 || clusterCount(t, f) != 1 {
		t.Fatalf("DeleteCluster %d, CreateCluster %d, clusters %d", f.srv.Calls("DeleteCluster"), f.srv.Calls("CreateCluster"), clusterCount(t, f))
	}
	if c := st.get(); c.Status != state.ClusterReady || c.Operation != "" {
		t.Fatalf("state = %+v", c)
	}
}
