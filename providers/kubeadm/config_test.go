package kubeadm

import (
	"reflect"
	"testing"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/labtest"
)

func TestKubeadmSchema(t *testing.T) {
	t.Run("every attribute", func(t *testing.T) {
		env := labtest.MustEvaluate(t, labtest.Files{"lab.podlab.hcl": `
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
`}, config.EvalOptions{})
		want := &Config{
			ControlPlane: []string{"10.0.0.10", "cp.class.local:2222"}, Workers: []string{"10.0.0.11"},
			KubernetesVersion: "v1.33.2", PodNetworkCIDR: "192.168.0.0/16", ServiceCIDR: "10.100.0.0/16",
			APIEndpoint: "10.0.0.100:6443", CertSANs: []string{"k8s.class.local"}, CNIManifest: "cni/flannel.yaml",
			Install: true, PackageVersion: "1.33", CRISocket: "unix:///var/run/crio/crio.sock", NodeReadyTimeout: "10m",
			ExtraConfig: "kind: KubeletConfiguration", IgnorePreflightErrors: []string{"Swap"},
			SSH: SSH{User: "ubuntu", Port: 2200, PrivateKeyFile: "~/.ssh/class", UseAgent: true, KnownHostsFile: "known_hosts",
				TrustOnFirstUse: true, ConnectTimeout: "30s",
				Bastion: &Bastion{Host: "bastion.class.local", Port: 22022, User: "jump", PrivateKeyFile: "~/.ssh/jump"}},
		}
		if !reflect.DeepEqual(env.Cluster.Settings.(*Config), want) {
			t.Errorf("got  %+v\nwant %+v", env.Cluster.Settings.(*Config), want)
		}
	})
	t.Run("defaults", func(t *testing.T) {
		env := labtest.MustEvaluate(t, labtest.Files{"lab.podlab.hcl": `
cluster "onprem" {
  kubeadm {
    control_plane = ["10.0.0.10"]
    ssh {}
  }
}
`}, config.EvalOptions{})
		want := &Config{
			ControlPlane: []string{"10.0.0.10"}, Workers: []string{}, KubernetesVersion: "v1.34.4",
			PodNetworkCIDR: "10.244.0.0/16", ServiceCIDR: "10.96.0.0/12", CertSANs: []string{},
			CRISocket: "unix:///run/containerd/containerd.sock", NodeReadyTimeout: "5m", IgnorePreflightErrors: []string{},
			SSH: SSH{User: "root", Port: 22, KnownHostsFile: "~/.ssh/known_hosts", ConnectTimeout: "15s"},
		}
		if !reflect.DeepEqual(env.Cluster.Settings.(*Config), want) {
			t.Errorf("got  %+v\nwant %+v", env.Cluster.Settings.(*Config), want)
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
			labtest.Check(t, labtest.Files{"lab.podlab.hcl": head + tt.body[1:] + "\n  }\n}\n"}, tt.err, tt.line, tt.details...)
		})
	}
}
