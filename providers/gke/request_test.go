package gke

import (
	"strconv"
	"strings"
	"testing"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

func TestCreateRequest(t *testing.T) {
	pool := NodePool{MachineType: "e2-medium", NodeCount: 2, DiskSizeGB: 50, DiskType: "pd-standard", ImageType: "COS_CONTAINERD"}
	for _, tc := range []struct {
		name     string
		mutate   func(*Config)
		lab, env string
		want     string // prototext of the request
	}{
		{
			name: "zonal, one pool, channel", lab: "pod-basics", env: "gke",
			mutate: func(c *Config) {
				c.ReleaseChannel = "regular"
				c.Labels = map[string]string{"course": "k8s-pods"}
				c.NodePools = map[string]NodePool{"default": pool}
			},
			want: `parent:"projects/podlab-class/locations/asia-northeast3-a"
cluster:{name:"podlab-pods" description:"podlab lab \"pod-basics\", environment \"gke\""
 node_pools:{name:"default" config:{machine_type:"e2-medium" disk_size_gb:50 image_type:"COS_CONTAINERD" disk_type:"pd-standard"} initial_node_count:2 management:{auto_upgrade:true auto_repair:true}}
 resource_labels:{key:"course" value:"k8s-pods"} resource_labels:{key:"podlab-env" value:"gke"} resource_labels:{key:"podlab-lab" value:"pod-basics"}
 release_channel:{channel:REGULAR}}`,
		},
		{
			name: "regional, version, network, pools sorted, spot, autoscaling, node labels", lab: "Pod Basics!", env: "gke@Class_2",
			mutate: func(c *Config) {
				c.Location = "europe-west1"
				c.KubernetesVersion = "1.34"
				c.Network, c.Subnetwork = "class-net", "class-subnet"
				spot := pool
				spot.Spot = true
				spot.Labels = map[string]string{"role": "students"}
				auto := pool
				auto.MinNodeCount, auto.MaxNodeCount = 1, 4
				c.NodePools = map[string]NodePool{"zeta": spot, "alpha": auto}
			},
			want: `parent:"projects/podlab-class/locations/europe-west1"
cluster:{name:"podlab-pods" description:"podlab lab \"Pod Basics!\", environment \"gke@Class_2\""
 node_pools:{name:"alpha" config:{machine_type:"e2-medium" disk_size_gb:50 image_type:"COS_CONTAINERD" disk_type:"pd-standard"} initial_node_count:2 autoscaling:{enabled:true min_node_count:1 max_node_count:4} management:{auto_upgrade:true auto_repair:true}}
 node_pools:{name:"zeta" config:{machine_type:"e2-medium" disk_size_gb:50 image_type:"COS_CONTAINERD" labels:{key:"role" value:"students"} disk_type:"pd-standard" spot:true} initial_node_count:2 management:{auto_upgrade:true auto_repair:true}}
 network:"class-net" resource_labels:{key:"podlab-env" value:"gke-class-2"} resource_labels:{key:"podlab-lab" value:"pod-basics"}
 subnetwork:"class-subnet" initial_cluster_version:"1.34"}`,
		},
		{
			name: "no node_pool block: the default pool", lab: "l", env: "e",
			mutate: func(c *Config) {},
			want: `parent:"projects/podlab-class/locations/asia-northeast3-a"
cluster:{name:"podlab-pods" description:"podlab lab \"l\", environment \"e\""
 node_pools:{name:"default-pool" config:{machine_type:"e2-medium" disk_size_gb:100 image_type:"COS_CONTAINERD" disk_type:"pd-balanced"} initial_node_count:1 management:{auto_upgrade:true auto_repair:true}}
 resource_labels:{key:"podlab-env" value:"e"} resource_labels:{key:"podlab-lab" value:"l"}}`,
		},
		{
			name: "autopilot: no pools", lab: "l", env: "e",
			mutate: func(c *Config) { c.Autopilot = true; c.Location = "asia-northeast3" },
			want: `parent:"projects/podlab-class/locations/asia-northeast3"
cluster:{name:"podlab-pods" description:"podlab lab \"l\", environment \"e\""
 resource_labels:{key:"podlab-env" value:"e"} resource_labels:{key:"podlab-lab" value:"l"} autopilot:{enabled:true}}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Project: "podlab-class", Location: "asia-northeast3-a", Name: "podlab-pods", Create: true}
			tc.mutate(&cfg)
			if err := validate(&cfg); err != nil {
				t.Fatalf("validate: %v", err)
			}
			got := createRequest(&cfg, tc.lab, tc.env)
			want := &containerpb.CreateClusterRequest{}
			if err := prototext.Unmarshal([]byte(tc.want), want); err != nil {
				t.Fatalf("bad want: %v", err)
			}
			if !proto.Equal(got, want) {
				t.Fatalf("request:\n%s\nwant:\n%s", prototext.Format(got), prototext.Format(want))
			}
			for k, v := range got.GetCluster().GetResourceLabels() {
				if err := checkLabel(k, v); err != nil {
					t.Errorf("label GKE would refuse: %v", err)
				}
			}
		})
	}
}

func TestLabelValueIsValidForGKE(t *testing.T) {
	for _, in := range []string{"pod-basics", "Pod Basics", "gke@ws", "x", strings.Repeat("long-name-", 12), "日本"} {
		v := labelValue(in)
		if err := checkLabel("k", v); err != nil {
			t.Errorf("labelValue(%q) = %q: %v", in, v, err)
		}
	}
	if labelValue(strings.Repeat("a", 80)) == labelValue(strings.Repeat("a", 81)) {
		t.Error("long names that differ get the same label")
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		want   string // "" means valid
	}{
		{"valid", func(*Config) {}, ""},
		{"region", func(c *Config) { c.Location = "us-central1" }, ""},
		{"project number", func(c *Config) { c.Project = "123456789012" }, "project ID"},
		{"bad location", func(c *Config) { c.Location = "Seoul" }, "neither a zone"},
		{"long name", func(c *Config) { c.Name = strings.Repeat("a", 41) }, "at most 40"},
		{"upper-case name", func(c *Config) { c.Name = "PodLab" }, "not a valid GKE cluster name"},
		{"channel", func(c *Config) { c.ReleaseChannel = "fast" }, "release_channel"},
		{"label key", func(c *Config) { c.Labels = map[string]string{"Course": "x"} }, `key "Course"`},
		{"label value", func(c *Config) { c.Labels = map[string]string{"course": "K8s Pods"} }, `value "K8s Pods"`},
		{"reserved label", func(c *Config) { c.Labels = map[string]string{LabelEnv: "x"} }, "set by podlab itself"},
		{"autopilot with pools", func(c *Config) {
			c.Autopilot = true
			c.NodePools = map[string]NodePool{"p": {NodeCount: 1, DiskSizeGB: 100}}
		}, "no node pools"},
		{"no nodes", func(c *Config) { c.NodePools = map[string]NodePool{"p": {NodeCount: 0, DiskSizeGB: 100}} }, "no nodes"},
		{"autoscaling bounds", func(c *Config) {
			c.NodePools = map[string]NodePool{"p": {NodeCount: 5, MinNodeCount: 1, MaxNodeCount: 3, DiskSizeGB: 100}}
		}, "min_node_count (1) <= node_count (5) <= max_node_count (3)"},
		{"timeout", func(c *Config) { c.CreateTimeout = "soon" }, "create_timeout"},
		{"several at once", func(c *Config) { c.Name = "X"; c.Location = "y" }, "location"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Project: "podlab-class", Location: "asia-northeast3-a", Name: "podlab-pods", Create: true, CreateTimeout: "45m"}
			tc.mutate(&cfg)
			err := validate(&cfg)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("validate: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("validate = %v, want %q", err, tc.want)
			}
		})
	}
}

// liveCluster is a cluster as GKE would report it after creating the
// request for cfg, with nodes nodes in all.
func liveCluster(cfg *Config, nodes int32) *containerpb.Cluster {
	cl := proto.Clone(createRequest(cfg, "lab", "env").GetCluster()).(*containerpb.Cluster)
	for _, np := range cl.NodePools {
		np.Locations = []string{cfg.Location}
	}
	cl.ReleaseChannel = &containerpb.ReleaseChannel{Channel: containerpb.ReleaseChannel_REGULAR}
	setCurrentNodeCount(cl, nodes)
	return cl
}

func setCurrentNodeCount(cl *containerpb.Cluster, n int32) {
	r := cl.ProtoReflect()
	fd := r.Descriptor().Fields().ByName("current_node_count")
	r.Set(fd, protoreflect.ValueOfInt32(n))
}

func TestComputeDrift(t *testing.T) {
	base := func() Config {
		return Config{Project: "podlab-class", Location: "asia-northeast3-a", Name: "c", Create: true,
			NodePools: map[string]NodePool{"a": {MachineType: "e2-medium", NodeCount: 2, DiskSizeGB: 100, DiskType: "pd-balanced", ImageType: "COS_CONTAINERD"}}}
	}
	for _, tc := range []struct {
		name     string
		cfg      func(*Config)
		live     func(*containerpb.Cluster)
		recorded map[string]int
		// built: GKE made the cluster from the changed block already.
		built   bool
		replace string
		resize  string
		labels  bool
	}{
		{name: "same"},
		// current_node_count moves with surge and repair nodes: never read.
		{name: "surge nodes are no drift", live: func(cl *containerpb.Cluster) { setCurrentNodeCount(cl, 5) }},
		{name: "recorded count differs from the block", recorded: map[string]int{"a": 3}, resize: "a:3→2"},
		{name: "autopilot: GKE's pools are no drift", cfg: func(c *Config) { c.Autopilot = true; c.NodePools = nil },
			live: func(cl *containerpb.Cluster) {
				cl.Autopilot = &containerpb.Autopilot{Enabled: true}
				cl.NodePools = append(cl.NodePools, &containerpb.NodePool{Name: "nap-e2-standard-2-abcd", Config: &containerpb.NodeConfig{}})
			}},
		{name: "node_count changed", cfg: func(c *Config) { setCount(c, "a", 3) }, resize: "a:2→3"},
		{name: "labels changed outside", live: func(cl *containerpb.Cluster) { cl.ResourceLabels["x"] = "y" }, labels: true},
		{name: "image type case", live: func(cl *containerpb.Cluster) { cl.NodePools[0].Config.ImageType = "cos_containerd" }},
		{name: "channel", cfg: func(c *Config) { c.ReleaseChannel = "STABLE" }, replace: `release_channel: "REGULAR" → "STABLE"`},
		{name: "channel unset keeps GKE's", cfg: func(c *Config) { c.ReleaseChannel = "" }},
		{name: "disk", cfg: func(c *Config) { p := c.NodePools["a"]; p.DiskSizeGB = 200; c.NodePools["a"] = p }, replace: `node_pool["a"].disk_size_gb: 100 → 200`},
		{name: "spot", cfg: func(c *Config) { p := c.NodePools["a"]; p.Spot = true; c.NodePools["a"] = p }, replace: `node_pool["a"].spot: false → true`},
		{name: "pool removed", live: func(cl *containerpb.Cluster) {
			cl.NodePools = append(cl.NodePools, &containerpb.NodePool{Name: "old", Config: &containerpb.NodeConfig{}})
		}, replace: `node_pool["old"]: in the cluster but not in the gke block`},
		{name: "two pools, total as recorded", built: true, cfg: func(c *Config) { c.NodePools["b"] = c.NodePools["a"] },
			live: func(cl *containerpb.Cluster) { setCurrentNodeCount(cl, 4) }, recorded: map[string]int{"a": 2, "b": 2}},
		{name: "two pools, surge nodes: no resize", built: true, cfg: func(c *Config) { c.NodePools["b"] = c.NodePools["a"] },
			live: func(cl *containerpb.Cluster) { setCurrentNodeCount(cl, 7) }, recorded: map[string]int{"a": 2, "b": 2}},
		{name: "autoscaled pool is the autoscaler's", built: true, cfg: func(c *Config) {
			p := c.NodePools["a"]
			p.MinNodeCount, p.MaxNodeCount = 1, 5
			c.NodePools["a"] = p
		}, live: func(cl *containerpb.Cluster) { setCurrentNodeCount(cl, 5) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			built := base()
			built.ReleaseChannel = "REGULAR"
			if tc.built {
				tc.cfg(&built)
			}
			live := liveCluster(&built, 2*int32(len(built.NodePools)))
			if tc.live != nil {
				tc.live(live)
			}
			cfg := base()
			cfg.ReleaseChannel = "REGULAR"
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			d := computeDrift(&cfg, "lab", "env", live, tc.recorded)
			if got := strings.Join(d.Replace, "; "); !strings.Contains(got, tc.replace) || (tc.replace == "" && got != "") {
				t.Errorf("replace = %q, want %q", got, tc.replace)
			}
			var rs []string
			for _, r := range d.Resize {
				rs = append(rs, r.Pool+":"+r.From+"→"+strconv.Itoa(r.To))
			}
			if got := strings.Join(rs, ","); got != tc.resize {
				t.Errorf("resize = %q, want %q", got, tc.resize)
			}
			if (d.Labels != nil) != tc.labels {
				t.Errorf("labels change = %+v, want %v", d.Labels, tc.labels)
			}
		})
	}
}

func setCount(c *Config, pool string, n int) {
	p := c.NodePools[pool]
	p.NodeCount = n
	c.NodePools[pool] = p
}

func TestOpStatus(t *testing.T) {
	metric := func(n string, v int64) *containerpb.OperationProgress_Metric {
		return &containerpb.OperationProgress_Metric{Name: n, Value: &containerpb.OperationProgress_Metric_IntValue{IntValue: v}}
	}
	for _, tc := range []struct {
		op   *containerpb.Operation
		want string
	}{
		{&containerpb.Operation{Status: containerpb.Operation_PENDING}, "PENDING"},
		{&containerpb.Operation{Status: containerpb.Operation_RUNNING}, "RUNNING"},
		{&containerpb.Operation{Status: containerpb.Operation_RUNNING, Progress: &containerpb.OperationProgress{Metrics: []*containerpb.OperationProgress_Metric{
			metric("CLUSTER_CONFIGURING", 8), metric("CLUSTER_CONFIGURING_TOTAL", 8),
			metric("CLUSTER_DEPLOYING", 5), metric("CLUSTER_DEPLOYING_TOTAL", 11),
		}}}, "RUNNING: CLUSTER_DEPLOYING 5/11"},
		{&containerpb.Operation{Status: containerpb.Operation_RUNNING, Progress: &containerpb.OperationProgress{Stages: []*containerpb.OperationProgress{
			{Name: "Creating control plane", Status: containerpb.Operation_DONE}, {Name: "Creating nodes", Status: containerpb.Operation_RUNNING},
		}}}, "RUNNING: Creating nodes"},
	} {
		if got := opStatus(tc.op); got != tc.want {
			t.Errorf("opStatus = %q, want %q", got, tc.want)
		}
	}
}
