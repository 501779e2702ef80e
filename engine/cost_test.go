package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/podlab/podlab/config"
)

func TestCostEstimateQuota(t *testing.T) {
	pool := func(machine string, n int, disk string) config.NodePool {
		return config.NodePool{MachineType: machine, NodeCount: n, DiskSizeGB: 100, DiskType: disk}
	}
	for _, tc := range []struct {
		name     string
		gke      config.GKE
		want     string
		overWith int // max_nodes that the estimate exceeds; 0: none
	}{
		{name: "README's regional example",
			gke:  config.GKE{Location: "asia-northeast3", NodePools: map[string]config.NodePool{"default": pool("e2-medium", 2, "pd-balanced")}},
			want: "6 node(s) (quota in asia-northeast3 ≈ 12 CPUS, 600 GB SSD_TOTAL_GB), 24.0 node-hours", overWith: 5},
		{name: "zonal, two pools and standard disks",
			gke: config.GKE{Location: "asia-northeast3-a", NodePools: map[string]config.NodePool{
				"a": pool("n2-standard-4", 1, "pd-standard"), "b": pool("e2-small", 2, "pd-ssd")}},
			want: "3 node(s) (quota in asia-northeast3 ≈ 8 CPUS, 100 GB DISKS_TOTAL_GB, 200 GB SSD_TOTAL_GB)"},
		{name: "autopilot has no estimate", gke: config.GKE{Location: "asia-northeast3", Autopilot: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.gke
			env := &config.Env{Cluster: &config.ClusterConfig{GKE: &g}, Lab: config.LabSettings{TTL: 4 * time.Hour, MaxNodes: tc.overWith}}
			text, over := CostEstimate(env)
			if tc.want == "" && text != "" || !strings.Contains(text, tc.want) {
				t.Errorf("estimate = %q, want it to contain %q", text, tc.want)
			}
			if over != (tc.overWith > 0) {
				t.Errorf("over = %t with max_nodes %d", over, tc.overWith)
			}
		})
	}
}
