package gke

import (
	"reflect"
	"testing"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/labtest"
)

func TestWorkspaceClusterName(t *testing.T) {
	long := "podlab-a-cluster-name-of-thirty-six"
	tests := []struct {
		name, ws, want string
	}{
		{"podlab-pods", "", "podlab-pods"},
		{"podlab-pods", "default", "podlab-pods"},
		{"podlab-pods", "evening", "podlab-pods-evening"},
		{long, "evening", WorkspaceClusterName(long, "evening")},
	}
	for _, tt := range tests {
		got := WorkspaceClusterName(tt.name, tt.ws)
		if got != tt.want {
			t.Errorf("WorkspaceClusterName(%q, %q) = %q, want %q", tt.name, tt.ws, got, tt.want)
		}
		if len(got) > 40 || !nameRE.MatchString(got) {
			t.Errorf("WorkspaceClusterName(%q, %q) = %q: not a valid GKE name", tt.name, tt.ws, got)
		}
	}
	a, b := WorkspaceClusterName(long, "evening-one"), WorkspaceClusterName(long, "evening-two")
	if a == b {
		t.Errorf("two workspaces share the cluster %q", a)
	}
}

func TestGKESchema(t *testing.T) {
	t.Run("every attribute", func(t *testing.T) {
		env := labtest.MustEvaluate(t, labtest.Files{"lab.podlab.hcl": `
cluster "gke" {
  gke {
    project             = "podlab-class"
    location            = "asia-northeast3"
    name                = "podlab-pods"
    create              = true
    release_channel     = "stable"
    kubernetes_version  = "1.34"
    network             = "default"
    subnetwork          = "class"
    autopilot           = false
    deletion_protection = true
    labels              = { course = "k8s" }
    create_timeout      = "1h"
    delete_timeout      = "20m"

    node_pool "default" {
      machine_type   = "e2-standard-4"
      node_count     = 3
      disk_size_gb   = 50
      disk_type      = "pd-ssd"
      image_type     = "UBUNTU_CONTAINERD"
      spot           = true
      labels         = { pool = "default" }
      min_node_count = 1
      max_node_count = 5
    }

    node_pool "small" {}
  }
}
`}, config.EvalOptions{})
		want := &Config{
			Project: "podlab-class", Location: "asia-northeast3", Name: "podlab-pods", Create: true,
			ReleaseChannel: "stable", KubernetesVersion: "1.34", Network: "default", Subnetwork: "class",
			DeletionProtection: true, Labels: map[string]string{"course": "k8s"}, CreateTimeout: "1h", DeleteTimeout: "20m", Endpoint: "public",
			NodePools: map[string]NodePool{
				"default": {MachineType: "e2-standard-4", NodeCount: 3, DiskSizeGB: 50, DiskType: "pd-ssd", ImageType: "UBUNTU_CONTAINERD",
					Spot: true, Labels: map[string]string{"pool": "default"}, MinNodeCount: 1, MaxNodeCount: 5},
				// Defaults.
				"small": {MachineType: "e2-medium", NodeCount: 1, DiskSizeGB: 100, DiskType: "pd-balanced", ImageType: "COS_CONTAINERD",
					Labels: map[string]string{}},
			},
		}
		if env.Cluster == nil || env.Cluster.Kind != Kind || env.Cluster.Name != "gke" {
			t.Fatalf("cluster: %+v", env.Cluster)
		}
		if !reflect.DeepEqual(env.Cluster.Settings.(*Config), want) {
			t.Errorf("got  %+v\nwant %+v", env.Cluster.Settings.(*Config), want)
		}
	})
	t.Run("defaults", func(t *testing.T) {
		env := labtest.MustEvaluate(t, labtest.Files{"lab.podlab.hcl": `
cluster "gke" {
  gke {
    project   = "p"
    location  = "europe-west1"
    name      = "c"
    autopilot = true
  }
}
`}, config.EvalOptions{})
		g := env.Cluster.Settings.(*Config)
		if !g.Create || g.CreateTimeout != "45m" || g.DeleteTimeout != "30m" || g.DeletionProtection || len(g.NodePools) != 0 || g.Labels == nil {
			t.Errorf("defaults: %+v", g)
		}
	})

	const head = "cluster \"gke\" {\n  gke {\n"
	tests := []struct {
		name, body string
		err        string // "" for valid
		line       int
		details    []string
	}{
		{"create = false needs no node pool", `
    project  = "p"
    location = "us-central1"
    name     = "existing"
    create   = false`, "", 0, nil},
		{"missing project", `
    location = "us-central1"
    name     = "c"
    node_pool "a" {}`, "Missing required argument", 2, []string{`"project" is required`}},
		{"empty project", `
    project  = ""
    location = "us-central1"
    name     = "c"
    node_pool "a" {}`, "Missing GKE project", 3, nil},
		{"name with capitals", `
    project  = "p"
    location = "us-central1"
    name     = "Pods"
    node_pool "a" {}`, "Invalid GKE cluster name", 5, nil},
		{"name ending in a dash", `
    project  = "p"
    location = "us-central1"
    name     = "pods-"
    node_pool "a" {}`, "Invalid GKE cluster name", 5, nil},
		{"name of 41 characters", `
    project  = "p"
    location = "us-central1"
    name     = "a234567890123456789012345678901234567890z"
    node_pool "a" {}`, "Invalid GKE cluster name", 5, nil},
		{"location", `
    project  = "p"
    location = "seoul"
    name     = "c"
    node_pool "a" {}`, "Invalid GKE location", 4, nil},
		{"release channel", `
    project         = "p"
    location        = "us-central1"
    name            = "c"
    release_channel = "FAST"
    node_pool "a" {}`, "Invalid release channel", 6, nil},
		{"no node pool", `
    project  = "p"
    location = "us-central1"
    name     = "c"`, "No node pool", 2, nil},
		{"negative node count", `
    project  = "p"
    location = "us-central1"
    name     = "c"
    node_pool "a" {
      node_count = -1
    }`, "Invalid node pool", 6, nil},
		{"max below min", `
    project  = "p"
    location = "us-central1"
    name     = "c"
    node_pool "a" {
      min_node_count = 3
      max_node_count = 2
    }`, "Invalid node pool", 6, []string{`node_pool "a"`}},
		{"create_timeout", `
    project        = "p"
    location       = "us-central1"
    name           = "c"
    create_timeout = "an hour"
    node_pool "a" {}`, "Invalid duration", 6, nil},
		{"node pool attribute misspelt", `
    project  = "p"
    location = "us-central1"
    name     = "c"
    node_pool "a" {
      machine_typ = "e2-small"
    }`, "Unsupported argument", 7, []string{`Did you mean "machine_type"?`}},
		{"wrong type", `
    project  = "p"
    location = "us-central1"
    name     = "c"
    spot     = true
    node_pool "a" {}`, "Unsupported argument", 6, nil},
		{"node pool without a name", `
    project  = "p"
    location = "us-central1"
    name     = "c"
    node_pool {}`, "Missing name for node_pool", 6, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labtest.Check(t, labtest.Files{"lab.podlab.hcl": head + tt.body[1:] + "\n  }\n}\n"}, tt.err, tt.line, tt.details...)
		})
	}
}
