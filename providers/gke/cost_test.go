package gke

import (
	"strings"
	"testing"
	"time"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
)

func TestCostEstimateQuota(t *testing.T) {
	pool := func(machine string, n int, disk string) NodePool {
		return NodePool{MachineType: machine, NodeCount: n, DiskSizeGB: 100, DiskType: disk}
	}
	for _, tc := range []struct {
		name     string
		gke      Config
		want     string
		overWith int // max_nodes that the estimate exceeds; 0: none
	}{
		{name: "README's regional example",
			gke:  Config{Location: "asia-northeast3", NodePools: map[string]NodePool{"default": pool("e2-medium", 2, "pd-balanced")}},
			want: "6 node(s) (quota in asia-northeast3 ≈ 12 CPUS, 600 GB SSD_TOTAL_GB), 24.0 node-hours", overWith: 5},
		{name: "zonal, two pools and standard disks",
			gke: Config{Location: "asia-northeast3-a", NodePools: map[string]NodePool{
				"a": pool("n2-standard-4", 1, "pd-standard"), "b": pool("e2-small", 2, "pd-ssd")}},
			want: "3 node(s) (quota in asia-northeast3 ≈ 8 CPUS, 100 GB DISKS_TOTAL_GB, 200 GB SSD_TOTAL_GB)"},
		{name: "autopilot has no estimate", gke: Config{Location: "asia-northeast3", Autopilot: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := &config.Env{Lab: config.LabSettings{TTL: 4 * time.Hour, MaxNodes: tc.overWith}}
			text, over := engine.CostEstimate(env, (&Provider{Cfg: tc.gke}).Describe())
			if tc.want == "" && text != "" || !strings.Contains(text, tc.want) {
				t.Errorf("estimate = %q, want it to contain %q", text, tc.want)
			}
			if over != (tc.overWith > 0) {
				t.Errorf("over = %t with max_nodes %d", over, tc.overWith)
			}
		})
	}
}
