package fakegke_test

import (
	"context"
	"strings"
	"testing"

	container "cloud.google.com/go/container/apiv1"
	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"

	"github.com/podlab/podlab/internal/fakegke"
)

func TestInvalidRequestsAreRefusedAsGKERefusesThem(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fakegke.Options{
		PendingFor: fastTimings.PendingFor, RunningFor: fastTimings.RunningFor,
		Projects: []string{project},
	})
	e.createRunning(t, newCluster("exists"))

	createIn := func(parent string, c *containerpb.Cluster) func(context.Context, *container.ClusterManagerClient) error {
		return func(ctx context.Context, cl *container.ClusterManagerClient) error {
			_, err := cl.CreateCluster(ctx, &containerpb.CreateClusterRequest{Parent: parent, Cluster: c})
			return err
		}
	}
	create := func(c *containerpb.Cluster) func(context.Context, *container.ClusterManagerClient) error {
		return createIn(parent(zone), c)
	}
	named := func(name string) *containerpb.Cluster { return newCluster(name) }
	withPool := func(p *containerpb.NodePool) *containerpb.Cluster {
		c := newCluster("pooled")
		c.NodePools = []*containerpb.NodePool{p}
		return c
	}
	withLabels := func(l map[string]string) *containerpb.Cluster {
		c := newCluster("labelled")
		c.ResourceLabels = l
		return c
	}

	tests := []struct {
		name string
		call func(context.Context, *container.ClusterManagerClient) error
		code codes.Code
		msg  string
	}{
		{"upper-case name", create(named("Class-A")), codes.InvalidArgument,
			`Invalid value for field "cluster.name": "Class-A". Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)'`},
		{"underscore in name", create(named("class_a")), codes.InvalidArgument, `"cluster.name": "class_a"`},
		{"name starts with a digit", create(named("1class")), codes.InvalidArgument, `"cluster.name"`},
		{"name ends with a hyphen", create(named("class-")), codes.InvalidArgument, `"cluster.name"`},
		{"name of 41 characters", create(named("a" + strings.Repeat("b", 40))), codes.InvalidArgument, "no longer than 40 characters"},
		{"empty name", create(named("")), codes.InvalidArgument, `"cluster.name": ""`},
		{"no cluster", create(nil), codes.InvalidArgument, `"cluster"`},
		{"no node pool and no node count", create(&containerpb.Cluster{Name: "empty"}), codes.InvalidArgument,
			"Cluster.initial_node_count must be greater than zero."},
		// A nil pool cannot cross the wire; it arrives as an empty one.
		{"unnamed node pool", create(withPool(&containerpb.NodePool{InitialNodeCount: 1})), codes.InvalidArgument,
			`"cluster.node_pools[0].name": ""`},
		{"bad node pool name", create(withPool(&containerpb.NodePool{Name: "Pool", InitialNodeCount: 1})), codes.InvalidArgument,
			`"cluster.node_pools[0].name": "Pool"`},
		{"negative node count", create(withPool(&containerpb.NodePool{Name: "pool", InitialNodeCount: -1})), codes.InvalidArgument,
			"initial_node_count"},
		{"upper-case label value", create(withLabels(map[string]string{"podlab-lab": "Pods"})), codes.InvalidArgument, `"Pods"`},
		{"label key with a dot", create(withLabels(map[string]string{"podlab.lab": "pods"})), codes.InvalidArgument, `"podlab.lab"`},
		{"zones in a v1 parent", createIn("projects/"+project+"/zones/"+zone, named("ok")), codes.InvalidArgument,
			`"projects/*/locations/*"`},
		{"parent without location", createIn("projects/"+project, named("ok")), codes.InvalidArgument, `"parent"`},
		{"unknown location", createIn(parent("mars-north1-z9"), named("ok")), codes.InvalidArgument,
			`Location "mars-north1-z9" does not exist.`},
		{"bad project ID", createIn("projects/P!/locations/"+zone, named("ok")), codes.InvalidArgument,
			"Project 'project:P!' not found or deleted."},
		{"project that does not exist", createIn("projects/someone-else/locations/"+zone, named("ok")), codes.InvalidArgument,
			"Project 'project:someone-else' not found or deleted."},
		{"neither name nor deprecated fields", func(ctx context.Context, cl *container.ClusterManagerClient) error {
			_, err := cl.GetCluster(ctx, &containerpb.GetClusterRequest{})
			return err
		}, codes.InvalidArgument, `"project_id"`},
		{"unknown cluster", func(ctx context.Context, cl *container.ClusterManagerClient) error {
			_, err := cl.GetCluster(ctx, &containerpb.GetClusterRequest{Name: clusterPath(zone, "nope")})
			return err
		}, codes.NotFound, "Not found: " + clusterPath(zone, "nope") + "."},
		{"unknown operation", func(ctx context.Context, cl *container.ClusterManagerClient) error {
			_, err := cl.GetOperation(ctx, &containerpb.GetOperationRequest{Name: parent(zone) + "/operations/operation-1-nope"})
			return err
		}, codes.NotFound, "operation-1-nope"},
		{"negative resize", func(ctx context.Context, cl *container.ClusterManagerClient) error {
			_, err := cl.SetNodePoolSize(ctx, &containerpb.SetNodePoolSizeRequest{
				Name: clusterPath(zone, "exists") + "/nodePools/default", NodeCount: -2,
			})
			return err
		}, codes.InvalidArgument, "node_count"},
		{"node pool request without pool", func(ctx context.Context, cl *container.ClusterManagerClient) error {
			_, err := cl.CreateNodePool(ctx, &containerpb.CreateNodePoolRequest{Parent: clusterPath(zone, "exists")})
			return err
		}, codes.InvalidArgument, `"node_pool"`},
		{"unknown node pool", func(ctx context.Context, cl *container.ClusterManagerClient) error {
			_, err := cl.GetNodePool(ctx, &containerpb.GetNodePoolRequest{Name: clusterPath(zone, "exists") + "/nodePools/nope"})
			return err
		}, codes.NotFound, "Not found: " + clusterPath(zone, "exists") + "/nodePools/nope."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.call(ctxT(t), e.client), tt.code, tt.msg)
		})
	}

	// None of the refused creates left a cluster behind.
	list, err := e.client.ListClusters(ctxT(t), &containerpb.ListClustersRequest{Parent: parent("-")})
	if err != nil {
		t.Fatalf("ListClusters: %v", err)
	}
	if n := len(list.GetClusters()); n != 1 {
		t.Errorf("%d clusters after refused creates, want only the one created", n)
	}
}
