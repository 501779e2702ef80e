package testcluster

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestNamespacePrefix(t *testing.T) {
	for in, want := range map[string]string{
		"smoke":                          "smoke",
		"TestApply/Sub_Test":             "testapply-sub-test",
		"--":                             "test",
		strings.Repeat("a", 39) + "-bcd": strings.Repeat("a", 39),
	} {
		if got := namespacePrefix(in); got != want {
			t.Errorf("namespacePrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

// writeCluster lays out the files cluster.sh writes, with a stand-in CA.
func writeCluster(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "admin.kubeconfig")
	files := map[string]string{
		"ca.crt": "-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n",
		"token":  "s3cret\n",
		"admin.kubeconfig": `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443
    insecure-skip-tls-verify: true
users:
- name: u
  user:
    token: admin
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`,
		"env": strings.Join([]string{
			"PODLAB_TEST_CLUSTER=" + dir,
			"KUBECONFIG=" + kubeconfig,
			"PODLAB_TEST_TOKEN_KUBECONFIG=" + filepath.Join(dir, "token.kubeconfig"),
			"PODLAB_TEST_SERVER=https://127.0.0.1:6443",
			"PODLAB_TEST_CA_FILE=" + filepath.Join(dir, "ca.crt"),
			"PODLAB_TEST_TOKEN_FILE=" + filepath.Join(dir, "token"),
			"PODLAB_TEST_NODE_NAME=podlab-node",
			"PODLAB_TEST_NODE_IP=10.77.0.1",
			"PODLAB_TEST_K8S_VERSION=v1.34.4",
		}, "\n") + "\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoad(t *testing.T) {
	dir := writeCluster(t)
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != "s3cret" || c.NodeIP != "10.77.0.1" || c.NodeName != "podlab-node" || c.Version != "v1.34.4" {
		t.Errorf("loaded %+v", c)
	}
	if !strings.Contains(string(c.CAData), "stand-in") {
		t.Errorf("CAData = %q", c.CAData)
	}
	tok := c.TokenRESTConfig()
	if tok.BearerToken != "s3cret" || tok.CertData != nil || tok.Host != "https://127.0.0.1:6443" || string(tok.CAData) != string(c.CAData) {
		t.Errorf("token config %+v", tok)
	}
	if c.RESTConfig().BearerToken != "admin" {
		t.Error("admin config does not come from the admin kubeconfig")
	}
}

func TestFindPrefersEnvironment(t *testing.T) {
	dir := writeCluster(t)
	t.Setenv(EnvCluster, dir)
	c, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	if c.Dir != dir {
		t.Errorf("Find used %s, want %s", c.Dir, dir)
	}
	t.Setenv(EnvCluster, filepath.Join(dir, "missing"))
	if _, err := Find(); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing cluster: err %v", err)
	}
}

// outcome records how Get ended a test, without ending the real one.
type outcome struct {
	testing.TB
	skipped, failed string
}

func (o *outcome) Helper() {}
func (o *outcome) Skip(args ...any) {
	o.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}
func (o *outcome) Skipf(format string, args ...any) {
	o.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (o *outcome) Fatalf(format string, args ...any) {
	o.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func getOutcome(t *testing.T) *outcome {
	o := &outcome{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Get(o)
	}()
	<-done
	return o
}

func TestGetWithoutCluster(t *testing.T) {
	t.Setenv(EnvCluster, filepath.Join(t.TempDir(), "none"))

	t.Setenv(EnvE2E, "")
	o := getOutcome(t)
	want := "make cluster-up"
	if testing.Short() {
		want = "-short"
	}
	if !strings.Contains(o.skipped, want) || o.failed != "" {
		t.Errorf("without %s: skipped %q, failed %q; want a skip that says how to start one", EnvE2E, o.skipped, o.failed)
	}

	t.Setenv(EnvE2E, "1")
	o = getOutcome(t)
	if !strings.Contains(o.failed, EnvE2E+"=1") || o.skipped != "" {
		t.Errorf("with %s=1: skipped %q, failed %q; want a failure", EnvE2E, o.skipped, o.failed)
	}
}

func TestTestLock(t *testing.T) {
	dir := writeCluster(t)
	if err := os.Mkdir(filepath.Join(dir, "run"), 0o700); err != nil {
		t.Fatal(err)
	}
	reader, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	other, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := reader.holdTestLock(t, syscall.LOCK_SH, time.Second); err != nil {
		t.Fatalf("shared: %v", err)
	}
	if err := other.holdTestLock(t, syscall.LOCK_SH, time.Second); err != nil {
		t.Fatalf("second shared holder: %v", err)
	}
	if err := other.holdTestLock(t, syscall.LOCK_EX, 300*time.Millisecond); err == nil {
		t.Fatal("exclusive lock granted while another test holds it shared")
	}
	reader.lock.Close()
	if err := other.holdTestLock(t, syscall.LOCK_EX, time.Second); err != nil {
		t.Fatalf("exclusive once alone: %v", err)
	}
}
