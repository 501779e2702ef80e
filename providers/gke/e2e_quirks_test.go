package gke_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/container/apiv1/containerpb"

	"github.com/podlab/podlab/internal/fakegke"
)

// End-to-end tests of GKE's own behaviour: podlab, built, against the fake
// GKE with the real test cluster behind it. Each fails without the
// provider's handling of the behaviour it names.

// editClusters rewrites the lab's clusters file: each pair replaces old
// with new, and must match.
func (l *gkeLab) editClusters(pairs ...string) {
	l.t.Helper()
	l.editFile("clusters.podlab.hcl", pairs...)
}

func (l *gkeLab) editFile(name string, pairs ...string) {
	l.t.Helper()
	path := filepath.Join(l.dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		l.t.Fatal(err)
	}
	s := string(b)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			l.t.Fatalf("%s has no %q", name, pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		l.t.Fatal(err)
	}
}

func wantAll(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	// The views wrap long lines: compare with whitespace collapsed.
	flat := strings.Join(strings.Fields(out), " ")
	for _, w := range wants {
		if !strings.Contains(flat, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, out)
		}
	}
}

// GKE upgrades the control plane of the new cluster right after creating
// it, and its API server does not answer meanwhile: the class apply waits
// for it, saying why, instead of failing with "Cannot reach cluster".
func TestE2EApplyDuringControlPlaneUpgrade(t *testing.T) {
	l := newGKELab(t, fakegke.Options{
		PendingFor: 300 * time.Millisecond, RunningFor: time.Second,
		UpgradeMasterAfterCreate: true, SystemOperationFor: 8 * time.Second,
	})
	out := l.must(0, "apply", "-var", "target=gke", "-auto-approve", "-checks=false")
	wantAll(t, "apply", out, "waiting for the API server of GKE cluster podlab-e2e-", "UPGRADE_MASTER", "Apply complete!")
	if l.labelled() == 0 {
		t.Fatal("apply put nothing in the cluster")
	}
	l.must(0, "destroy", "-var", "target=gke", "-auto-approve")
	if n := len(l.clusters()); n != 0 {
		t.Fatalf("%d clusters left", n)
	}
}

// A resize brings surge nodes, and GKE adds more when it repairs nodes:
// current_node_count moves by itself. podlab resizes once, and plans no
// resize for the surge.
func TestE2EResizeWithSurgeNodes(t *testing.T) {
	l := newGKELab(t, fakegke.Options{PendingFor: 300 * time.Millisecond, RunningFor: 3 * time.Second})
	l.must(0, "apply", "-var", "target=gke", "-auto-approve", "-checks=false")
	name := l.clusters()[0].GetName()

	l.editClusters("node_count   = 2", "node_count   = 3")
	out := l.must(0, "apply", "-var", "target=gke", "-auto-approve", "-checks=false")
	wantAll(t, "resize apply", out, "resizing node pool default of GKE cluster "+name)
	if n := l.fake.Calls("SetNodePoolSize"); n != 1 {
		t.Fatalf("SetNodePoolSize calls = %d, want 1", n)
	}
	// GKE repairs two nodes with surge for a while.
	if err := l.fake.Surge(name, 2, time.Hour); err != nil {
		t.Fatal(err)
	}
	out = l.must(0, "plan", "-var", "target=gke", "-detailed-exitcode")
	wantAll(t, "plan with surge nodes", out, "No changes.")
	out = l.must(0, "apply", "-var", "target=gke", "-auto-approve", "-checks=false")
	wantAll(t, "apply with surge nodes", out, "No changes.")
	if n := l.fake.Calls("SetNodePoolSize"); n != 1 {
		t.Fatalf("SetNodePoolSize calls = %d after the surge, want still 1", n)
	}
	l.must(0, "destroy", "-var", "target=gke", "-auto-approve")
}

// The README's regional class needs 12 vCPUs; the project has 8 in the
// region. The plan says how much quota the class needs; GKE refuses the
// create with a 403, and podlab calls it quota, not permission.
func TestE2EOverQuotaCreate(t *testing.T) {
	l := newGKELab(t, fakegke.Options{PendingFor: 300 * time.Millisecond, RunningFor: time.Second})
	l.fake.SetQuota("podlab-class", "asia-northeast3", fakegke.Quota{CPUs: 8})
	regional := []string{"-var", "target=gke", "-var", "gke_location=asia-northeast3"}
	out := l.must(0, append([]string{"plan"}, regional...)...)
	wantAll(t, "plan", out, "6 node(s) (quota in asia-northeast3 ≈ 12 CPUS, 600 GB SSD_TOTAL_GB)")
	out = l.must(1, append([]string{"apply", "-auto-approve"}, regional...)...)
	wantAll(t, "apply", out,
		`resource "CPUS"`,
		"the CPUS quota of project podlab-class in region asia-northeast3 is too small",
		"zonal location such as asia-northeast3-a")
	if strings.Contains(out, "roles/container.admin") {
		t.Errorf("a quota refusal is explained as a missing role:\n%s", out)
	}
	if n := len(l.clusters()); n != 0 {
		t.Fatalf("%d clusters after a refused create", n)
	}
}

// An Autopilot class, from create to destroy: regional, GKE's own node
// pools are not drift, and the plan says GKE manages the nodes.
func TestE2EAutopilotClass(t *testing.T) {
	l := newGKELab(t, fakegke.Options{PendingFor: 300 * time.Millisecond, RunningFor: time.Second})
	l.editClusters(`    node_pool "default" {
      machine_type = "e2-medium"
      node_count   = 2
    }`, `    autopilot = true`)
	zonal := l.must(1, "plan", "-var", "target=gke")
	wantAll(t, "plan of a zonal Autopilot cluster", zonal, "Autopilot needs a region", `use location = "asia-northeast3"`)

	// The region as the variable's default, so that the cleanup's destroy
	// (-var target=gke only) finds the cluster too.
	l.editFile("variables.podlab.hcl", `default     = "asia-northeast3-a"`, `default     = "asia-northeast3"`)
	args := []string{"-var", "target=gke"}
	out := l.must(0, append([]string{"plan"}, args...)...)
	wantAll(t, "plan", out, "autopilot", "managed by GKE")
	l.must(0, append([]string{"apply", "-auto-approve", "-checks=false"}, args...)...)
	cls := l.clusters()
	if len(cls) != 1 || !cls[0].GetAutopilot().GetEnabled() || len(cls[0].GetNodePools()) == 0 {
		t.Fatalf("clusters = %v", cls)
	}
	for _, p := range cls[0].GetNodePools() {
		if p.GetStatus() != containerpb.NodePool_RUNNING {
			t.Errorf("pool %s is %v", p.GetName(), p.GetStatus())
		}
	}
	out = l.must(0, append([]string{"plan", "-detailed-exitcode"}, args...)...)
	wantAll(t, "plan after apply", out, "No changes.")
	l.must(0, append([]string{"destroy", "-auto-approve"}, args...)...)
	if n := len(l.clusters()); n != 0 {
		t.Fatalf("%d clusters left", n)
	}
	if n := l.labelled(); n != 0 {
		t.Fatalf("%d labelled objects left", n)
	}
}

// endpoint = "dns": podlab reaches the API server by the name of the
// cluster's DNS-based endpoint on port 443, with that name as the TLS
// server name, and trusts its certificate by the system's roots, not by the
// cluster CA. The name does not resolve here, and no public CA signs for
// it: podlab reaches it as from behind an HTTPS proxy (the fake's, which
// goes to DNS endpoints only), and the system's roots are the fake's
// (SSL_CERT_FILE, with SSL_CERT_DIR emptied).
func TestE2EDNSEndpoint(t *testing.T) {
	l := newGKELab(t, fakegke.Options{PendingFor: 300 * time.Millisecond, RunningFor: time.Second})
	roots, err := l.fake.WriteDNSRoots(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l.env = append(l.env,
		"HTTPS_PROXY="+l.fake.DNSProxyURL(), "https_proxy=", "NO_PROXY=", "no_proxy=",
		"SSL_CERT_FILE="+roots, "SSL_CERT_DIR="+t.TempDir())
	l.editClusters(`release_channel = "REGULAR"`, `release_channel = "REGULAR"
    endpoint        = "dns"`)
	out := l.must(0, "apply", "-var", "target=gke", "-auto-approve")
	wantAll(t, "apply", out, "Apply complete!")
	if strings.Contains(out, "FAIL") {
		t.Errorf("a check failed:\n%s", out)
	}
	cls := l.clusters()
	if len(cls) != 1 {
		t.Fatalf("clusters = %v", cls)
	}
	name := cls[0].GetControlPlaneEndpointsConfig().GetDnsEndpointConfig().GetEndpoint()
	hs := l.fake.DNSHandshakes()
	if len(hs) == 0 {
		t.Fatalf("podlab never reached the DNS endpoint %s:\n%s", name, out)
	}
	for _, h := range hs {
		if h != name {
			t.Fatalf("TLS server name %q at the DNS endpoint, want %q", h, name)
		}
	}
	if got := l.state().Cluster.Attributes["endpoint"]; got != "https://"+name {
		t.Errorf("state records endpoint %q, want https://%s", got, name)
	}
	if l.labelled() == 0 {
		t.Fatal("apply put nothing in the cluster")
	}
	kcFile := filepath.Join(t.TempDir(), "class.kubeconfig")
	l.must(0, "kubeconfig", "-var", "target=gke", "-out", kcFile)
	kc, err := os.ReadFile(kcFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(kc), "server: https://"+name+"\n") || strings.Contains(string(kc), "certificate-authority-data") {
		t.Errorf("kubeconfig for the DNS endpoint:\n%s", kc)
	}
	l.must(0, "destroy", "-var", "target=gke", "-auto-approve")
	if n := l.labelled(); n != 0 {
		t.Fatalf("%d labelled objects left", n)
	}
	if n := len(l.clusters()); n != 0 {
		t.Fatalf("%d clusters left", n)
	}
}
