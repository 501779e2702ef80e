package config

import (
	"reflect"
	"testing"
)

func TestGKESchema(t *testing.T) {
	t.Run("every attribute", func(t *testing.T) {
		env := mustEvaluate(t, files{"lab.podlab.hcl": `
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
`}, EvalOptions{})
		want := &GKE{
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
		if env.Cluster == nil || env.Cluster.Kind != KindGKE || env.Cluster.Name != "gke" {
			t.Fatalf("cluster: %+v", env.Cluster)
		}
		if !reflect.DeepEqual(env.Cluster.GKE, want) {
			t.Errorf("got  %+v\nwant %+v", env.Cluster.GKE, want)
		}
	})
	t.Run("defaults", func(t *testing.T) {
		env := mustEvaluate(t, files{"lab.podlab.hcl": `
cluster "gke" {
  gke {
    project   = "p"
    location  = "europe-west1"
    name      = "c"
    autopilot = true
  }
}
`}, EvalOptions{})
		g := env.Cluster.GKE
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
			checkLab(t, files{"lab.podlab.hcl": head + tt.body[1:] + "\n  }\n}\n"}, tt.err, tt.line, tt.details...)
		})
	}
}

// checkLab loads and evaluates a lab (as plan does), and expects exactly
// one error with summary on line of lab.podlab.hcl, or none when summary
// is "".
func checkLab(t *testing.T, lab files, summary string, line int, details ...string) {
	t.Helper()
	m, diags := load(t, lab)
	if !diags.HasErrors() {
		_, diags = Evaluate(m, EvalOptions{})
	}
	if summary == "" {
		if diags.HasErrors() {
			t.Fatalf("unexpected errors:%s", describe(diags))
		}
		return
	}
	d := wantDiag(t, diags, summary, details...)
	if d.Subject == nil || d.Subject.Filename != "lab.podlab.hcl" || d.Subject.Start.Line != line {
		t.Errorf("%q points at %v, want lab.podlab.hcl:%d", summary, d.Subject, line)
	}
}

func TestKubeadmSchema(t *testing.T) {
	t.Run("every attribute", func(t *testing.T) {
		env := mustEvaluate(t, files{"lab.podlab.hcl": `
cluster "onprem" {
  kubeadm {
    control_plane        = ["10.0.0.10", "cp.class.local:2222"]
    workers              = ["10.0.0.11"]
    kubernetes_version   = "v1.33.2"
    pod_network_cidr     = "192.168.0.0/16"
    service_cidr         = "10.100.0.0/16"
    api_server_endpoint  = "10.0.0.100:6443"
    api_server_cert_sans = ["k8s.class.local"]
    cni_manifest         = "cni/flannel.yaml"
    install              = true
    package_version      = "1.33"
    cri_socket           = "unix:///var/run/crio/crio.sock"
    node_ready_timeout   = "10m"
    kubeadm_extra_config = "kind: KubeletConfiguration"
    ignore_preflight_errors = ["Swap"]

    ssh {
      user               = "ubuntu"
      port               = 2200
      private_key_file   = "~/.ssh/class"
      use_agent          = true
      known_hosts_file   = "known_hosts"
      trust_on_first_use = true
      connect_timeout    = "30s"

      bastion {
        host             = "bastion.class.local"
        port             = 22022
        user             = "jump"
        private_key_file = "~/.ssh/jump"
      }
    }
  }
}
`}, EvalOptions{})
		want := &Kubeadm{
			ControlPlane: []string{"10.0.0.10", "cp.class.local:2222"}, Workers: []string{"10.0.0.11"},
			KubernetesVersion: "v1.33.2", PodNetworkCIDR: "192.168.0.0/16", ServiceCIDR: "10.100.0.0/16",
			APIEndpoint: "10.0.0.100:6443", CertSANs: []string{"k8s.class.local"}, CNIManifest: "cni/flannel.yaml",
			Install: true, PackageVersion: "1.33", CRISocket: "unix:///var/run/crio/crio.sock", NodeReadyTimeout: "10m",
			ExtraConfig: "kind: KubeletConfiguration", IgnorePreflightErrors: []string{"Swap"},
			SSH: SSH{User: "ubuntu", Port: 2200, PrivateKeyFile: "~/.ssh/class", UseAgent: true, KnownHostsFile: "known_hosts",
				TrustOnFirstUse: true, ConnectTimeout: "30s",
				Bastion: &Bastion{Host: "bastion.class.local", Port: 22022, User: "jump", PrivateKeyFile: "~/.ssh/jump"}},
		}
		if !reflect.DeepEqual(env.Cluster.Kubeadm, want) {
			t.Errorf("got  %+v\nwant %+v", env.Cluster.Kubeadm, want)
		}
	})
	t.Run("defaults", func(t *testing.T) {
		env := mustEvaluate(t, files{"lab.podlab.hcl": `
cluster "onprem" {
  kubeadm {
    control_plane = ["10.0.0.10"]
    ssh {}
  }
}
`}, EvalOptions{})
		want := &Kubeadm{
			ControlPlane: []string{"10.0.0.10"}, Workers: []string{}, KubernetesVersion: "v1.34.4",
			PodNetworkCIDR: "10.244.0.0/16", ServiceCIDR: "10.96.0.0/12", CertSANs: []string{},
			CRISocket: "unix:///run/containerd/containerd.sock", NodeReadyTimeout: "5m", IgnorePreflightErrors: []string{},
			SSH: SSH{User: "root", Port: 22, KnownHostsFile: "~/.ssh/known_hosts", ConnectTimeout: "15s"},
		}
		if !reflect.DeepEqual(env.Cluster.Kubeadm, want) {
			t.Errorf("got  %+v\nwant %+v", env.Cluster.Kubeadm, want)
		}
	})

	const head = "cluster \"onprem\" {\n  kubeadm {\n"
	tests := []struct {
		name, body string
		err        string
		line       int
		details    []string
	}{
		{"no ssh block", `
    control_plane = ["10.0.0.10"]`, "Missing ssh block", 2, nil},
		{"no control plane", `
    control_plane = []
    ssh {}`, "No control-plane host", 3, nil},
		{"control plane is not a list", `
    control_plane = "10.0.0.10"
    ssh {}`, "Incorrect attribute value type", 3, nil},
		{"host name", `
    control_plane = ["cp_1"]
    ssh {}`, "Invalid host", 3, []string{`"cp_1": not an IP address or host name`}},
		{"worker listed twice", `
    control_plane = ["10.0.0.10"]
    workers       = ["10.0.0.11", "10.0.0.11"]
    ssh {}`, "Host listed twice", 4, nil},
		{"service CIDR", `
    control_plane = ["10.0.0.10"]
    service_cidr  = "10.96.0.0"
    ssh {}`, "Invalid CIDR", 4, []string{"service_cidr"}},
		{"version without v", `
    control_plane      = ["10.0.0.10"]
    kubernetes_version = "1.34.4"
    ssh {}`, "Invalid Kubernetes version", 4, nil},
		{"node_ready_timeout", `
    control_plane      = ["10.0.0.10"]
    node_ready_timeout = "5"
    ssh {}`, "Invalid duration", 4, nil},
		{"ssh connect_timeout", `
    control_plane = ["10.0.0.10"]
    ssh {
      connect_timeout = "soon"
    }`, "Invalid duration", 4, []string{"connect_timeout"}},
		{"bastion without host", `
    control_plane = ["10.0.0.10"]
    ssh {
      bastion {}
    }`, "Missing required argument", 5, []string{`"host" is required`}},
		{"ssh attribute misspelt", `
    control_plane = ["10.0.0.10"]
    ssh {
      private_key_fil = "~/.ssh/id"
    }`, "Unsupported argument", 5, []string{`Did you mean "private_key_file"?`}},
		{"two ssh blocks", `
    control_plane = ["10.0.0.10"]
    ssh {}
    ssh {}`, "Duplicate ssh block", 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLab(t, files{"lab.podlab.hcl": head + tt.body[1:] + "\n  }\n}\n"}, tt.err, tt.line, tt.details...)
		})
	}
}

func TestKubeconfigSchema(t *testing.T) {
	env := mustEvaluate(t, files{"lab.podlab.hcl": `
cluster "kind" {
  kubeconfig {
    path    = "~/.kube/kind"
    context = "kind-class"
  }
}
`}, EvalOptions{})
	if got := env.Cluster.Kubeconfig; got == nil || *got != (Kubeconfig{Path: "~/.kube/kind", Context: "kind-class"}) {
		t.Errorf("kubeconfig: %+v", got)
	}
	env = mustEvaluate(t, files{"lab.podlab.hcl": localCluster}, EvalOptions{})
	if got := env.Cluster.Kubeconfig; got == nil || *got != (Kubeconfig{}) {
		t.Errorf("kubeconfig defaults: %+v", got)
	}
	checkLab(t, files{"lab.podlab.hcl": "cluster \"kind\" {\n  kubeconfig {\n    file = \"x\"\n  }\n}\n"}, "Unsupported argument", 3)
}

func TestClusterBlocks(t *testing.T) {
	tests := []struct {
		name string
		lab  string
		err  string
		line int
	}{
		{"no kind", "cluster \"c\" {\n}\n", "A cluster block needs exactly one kind", 1},
		{"unknown kind", "cluster \"c\" {\n  eks {}\n}\n", "Unsupported block type", 2},
		{"misspelt kind", "cluster \"c\" {\n  kubeconf {}\n}\n", "Unsupported block type", 2},
		{"name that is not an identifier", "cluster \"my cluster\" {\n  kubeconfig {}\n}\n", "Invalid cluster name", 1},
		{"duplicate", "cluster \"c\" {\n  kubeconfig {}\n}\ncluster \"c\" {\n  kubeconfig {}\n}\n", "Duplicate cluster \"c\"", 4},
		{"refers to an exercise", "cluster \"c\" {\n  kubeconfig {\n    path = exercise.web.namespace\n  }\n}\nexercise \"web\" {\n  manifests = []\n}\n", "Invalid reference", 3},
		{"uses a local that depends on an exercise", "locals {\n  ns = exercise.web.namespace\n}\ncluster \"c\" {\n  kubeconfig {\n    context = local.ns\n  }\n}\nexercise \"web\" {\n  manifests = []\n}\n", "Invalid reference", 6},
		{"refers to another cluster", "cluster \"a\" {\n  kubeconfig {}\n}\ncluster \"b\" {\n  kubeconfig {\n    context = cluster.a.name\n  }\n}\n", "Invalid reference", 6},
		{"uses path.lab", "cluster \"c\" {\n  kubeconfig {\n    path = \"${path.lab}/kubeconfig\"\n  }\n}\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLab(t, files{"lab.podlab.hcl": tt.lab}, tt.err, tt.line)
		})
	}
}

// TestClusterChoice: the lab block chooses the environment's cluster; only
// that one is decoded and validated in a plan, while validate checks them
// all.
func TestClusterChoice(t *testing.T) {
	lab := files{"lab.podlab.hcl": `
variable "target" {
  default = "kubeconfig"
}

lab {
  cluster = var.target
}

cluster "gke" {
  gke {
    project  = "p"
    location = "us-central1"
    name     = "Not_Valid"
    node_pool "a" {
      node_count = "two"
    }
  }
}

cluster "kubeconfig" {
  kubeconfig {}
}
`}
	env, diags := evaluate(t, lab, EvalOptions{})
	if diags.HasErrors() {
		t.Fatalf("the unchosen gke block was evaluated:%s", describe(diags))
	}
	if env.Name != "kubeconfig" || env.Cluster.Name != "kubeconfig" || env.Cluster.Kind != KindKubeconfig {
		t.Errorf("environment %q, cluster %+v", env.Name, env.Cluster)
	}
	_, diags = evaluate(t, lab, EvalOptions{Inputs: cli(t, "target=gke")})
	wantDiag(t, diags, "Incorrect attribute value type")
	_, diags = evaluate(t, lab, EvalOptions{Validate: true})
	wantDiag(t, diags, "Incorrect attribute value type")

	// One cluster needs no choosing; a workspace names the environment.
	env = mustEvaluate(t, files{"lab.podlab.hcl": localCluster}, EvalOptions{Workspace: "evening"})
	if env.Name != "local@evening" || env.Cluster.Name != "local" || env.Workspace != "evening" {
		t.Errorf("environment %q, cluster %+v", env.Name, env.Cluster)
	}
	env = mustEvaluate(t, files{"lab.podlab.hcl": localCluster}, EvalOptions{Workspace: "default"})
	if env.Name != "local" {
		t.Errorf("the default workspace names the environment %q", env.Name)
	}
	_, diags = evaluate(t, files{"lab.podlab.hcl": "variable \"x\" {\n  default = 1\n}\n"}, EvalOptions{})
	wantDiag(t, diags, "No cluster chosen", "no cluster block")
}

// Nested blocks of a cluster may be generated by dynamic blocks, as in
// Terraform: an optional bastion, node pools from a variable.
func TestClusterDynamicBlocks(t *testing.T) {
	const lab = `
variable "bastion" {
  type    = string
  default = null
}
variable "pools" {
  default = { default = 2, big = 1 }
}
cluster "onprem" {
  kubeadm {
    control_plane = ["10.0.0.10"]
    ssh {
      dynamic "bastion" {
        for_each = var.bastion == null ? [] : [var.bastion]
        content {
          host = bastion.value
        }
      }
    }
  }
}
cluster "gke" {
  gke {
    project  = "p"
    location = "asia-northeast3-a"
    name     = "class"
    dynamic "node_pool" {
      for_each = var.pools
      iterator = pool
      labels   = [pool.key]
      content {
        node_count = pool.value
      }
    }
  }
}
`
	bastion := func(t *testing.T, vars ...string) *Bastion {
		t.Helper()
		env := mustEvaluate(t, files{"lab.podlab.hcl": lab}, EvalOptions{Inputs: cli(t, vars...), Cluster: "onprem"})
		return env.Cluster.Kubeadm.SSH.Bastion
	}
	if b := bastion(t); b != nil {
		t.Errorf("without a bastion variable, bastion %+v", b)
	}
	if b := bastion(t, "bastion=jump.class.local"); b == nil || b.Host != "jump.class.local" || b.Port != 22 {
		t.Errorf("bastion %+v, want jump.class.local:22", b)
	}
	env := mustEvaluate(t, files{"lab.podlab.hcl": lab}, EvalOptions{Cluster: "gke"})
	pools := env.Cluster.GKE.NodePools
	if len(pools) != 2 || pools["default"].NodeCount != 2 || pools["big"].NodeCount != 1 || pools["big"].MachineType != "e2-medium" {
		t.Errorf("node pools %+v", pools)
	}

	const head = "cluster \"onprem\" {\n  kubeadm {\n    control_plane = [\"10.0.0.10\"]\n    ssh {\n"
	tests := []struct {
		name, body string
		err        string
		line       int
		details    []string
	}{
		{"unknown block type", `
      dynamic "bastian" {
        for_each = []
        content {}
      }`, "Unsupported dynamic block type", 5, []string{`Did you mean "bastion"?`}},
		{"no content", `
      dynamic "bastion" {
        for_each = []
      }`, "A dynamic block needs one content block", 5, nil},
		{"content misspelt", `
      dynamic "bastion" {
        for_each = ["h"]
        content {
          host = bastion.value
          prot = 2222
        }
      }`, "Unsupported argument", 9, []string{`Did you mean "port"?`}},
		{"two bastions", `
      dynamic "bastion" {
        for_each = ["a", "b"]
        content {
          host = bastion.value
        }
      }`, "Duplicate bastion block", 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLab(t, files{"lab.podlab.hcl": head + tt.body[1:] + "\n    }\n  }\n}\n"}, tt.err, tt.line, tt.details...)
		})
	}
}
