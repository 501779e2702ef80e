package fakegke_test

import (
	"testing"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"

	"github.com/podlab/podlab/internal/fakegke"
)

func TestInjectedErrorsSurfaceWithTheirCodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fastTimings)
	cases := []struct {
		code codes.Code
		msg  string
	}{
		{codes.PermissionDenied, "Permission 'container.clusters.create' denied on 'projects/podlab-test'"},
		{codes.ResourceExhausted, "Insufficient regional quota to satisfy request: resource \"CPUS\""},
		// CreateCluster is not retried by the client, so UNAVAILABLE reaches
		// the caller.
		{codes.Unavailable, "The service is currently unavailable."},
	}
	for _, c := range cases {
		e.srv.FailNext("CreateCluster", c.code, c.msg, 1)
		_, err := e.client.CreateCluster(ctxT(t), &containerpb.CreateClusterRequest{Parent: parent(zone), Cluster: newCluster("quota")})
		wantCode(t, err, c.code, c.msg)
	}
	// The failures are used up: the next create goes through.
	e.wait(t, e.create(t, newCluster("quota")))

	if got := e.srv.Calls("CreateCluster"); got != 4 {
		t.Errorf("fake saw %d CreateCluster calls, want 4", got)
	}
	var got []codes.Code
	for _, c := range e.srv.Log() {
		if c.Method == "CreateCluster" {
			got = append(got, c.Code)
			if req, ok := c.Request.(*containerpb.CreateClusterRequest); !ok || req.GetCluster().GetName() != "quota" {
				t.Errorf("logged request %v, want the CreateClusterRequest for quota", c.Request)
			}
		}
	}
	want := []codes.Code{codes.PermissionDenied, codes.ResourceExhausted, codes.Unavailable, codes.OK}
	if len(got) != len(want) {
		t.Fatalf("logged codes %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("logged codes %v, want %v", got, want)
			break
		}
	}
}

// The real client retries GetCluster (and the other read methods) on
// UNAVAILABLE by itself: a provider never sees a brief outage there, and the
// fake sees every retry.
func TestClientRetriesUnavailableGetCluster(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fastTimings)
	e.createRunning(t, newCluster("flaky"))
	before := e.srv.Calls("GetCluster")

	e.srv.FailNext("GetCluster", codes.Unavailable, "try again", 2)
	if got := e.get(t, zone, "flaky"); got.GetName() != "flaky" {
		t.Fatalf("GetCluster after retries returned %q", got.GetName())
	}
	if n := e.srv.Calls("GetCluster") - before; n != 3 {
		t.Errorf("fake saw %d GetCluster calls, want 3 (two failed, one retried by the client)", n)
	}
}

func TestFailedCreateOperationLeavesClusterInError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fastTimings)
	const msg = "Google Compute Engine: Not enough resources available to fulfill the request."
	e.srv.FailOperation("doomed", codes.ResourceExhausted, msg)

	op := e.create(t, newCluster("doomed"))
	final, _ := e.wait(t, op)
	if final.GetStatus() != containerpb.Operation_DONE {
		t.Fatalf("operation status %v, want DONE", final.GetStatus())
	}
	if final.GetError().GetCode() != int32(codes.ResourceExhausted) || final.GetError().GetMessage() != msg {
		t.Errorf("operation error %v, want RESOURCE_EXHAUSTED %q", final.GetError(), msg)
	}
	if got := deprecatedString(final, "status_message"); got != msg {
		t.Errorf("operation status_message %q, want %q", got, msg)
	}

	c := e.get(t, zone, "doomed")
	if c.GetStatus() != containerpb.Cluster_ERROR {
		t.Errorf("cluster status %v, want ERROR", c.GetStatus())
	}
	if got := deprecatedString(c, "status_message"); got != msg {
		t.Errorf("cluster status_message %q, want %q", got, msg)
	}
	if len(c.GetConditions()) != 1 || c.GetConditions()[0].GetMessage() != msg {
		t.Errorf("cluster conditions %v, want one with the failure", c.GetConditions())
	}
	if c.GetEndpoint() != "" {
		t.Errorf("failed cluster has endpoint %q", c.GetEndpoint())
	}

	// A cluster in ERROR can be deleted, and the failure was used once.
	del, err := e.client.DeleteCluster(ctxT(t), &containerpb.DeleteClusterRequest{Name: clusterPath(zone, "doomed")})
	if err != nil {
		t.Fatalf("DeleteCluster of a failed cluster: %v", err)
	}
	e.wait(t, del)
	e.createRunning(t, newCluster("doomed"))
}

func TestFailOperationAppliesToCreateInFlight(t *testing.T) {
	t.Parallel()
	e := newEnv(t, stateTimings)
	op := e.create(t, newCluster("midway"))
	e.srv.FailOperation("midway", codes.Internal, "Internal error")
	final, _ := e.wait(t, op)
	if final.GetError().GetCode() != int32(codes.Internal) {
		t.Errorf("operation error %v, want INTERNAL", final.GetError())
	}
	if got := e.get(t, zone, "midway").GetStatus(); got != containerpb.Cluster_ERROR {
		t.Errorf("cluster status %v, want ERROR", got)
	}
}

func TestFailNextRefusesMistakes(t *testing.T) {
	t.Parallel()
	s := fakegke.New(fakegke.Options{})
	mustPanic(t, "FailNext of an unknown method", func() { s.FailNext("CreateClusters", codes.Internal, "x", 1) })
	mustPanic(t, "FailNext with codes.OK", func() { s.FailNext("CreateCluster", codes.OK, "x", 1) })
}
