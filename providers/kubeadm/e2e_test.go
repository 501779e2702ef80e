package kubeadm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/testcluster"
	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/state"
)

// TestOnPremThroughTheBinary is the course's on-prem class end to end:
// the built podlab binary turns three test hosts into a "cluster" over SSH
// (kubeadm, kubectl and friends are the recording stand-ins; the admin
// kubeconfig they hand out is the real local test cluster's), then applies
// the course lab to that real cluster with every check passing. A second
// apply runs no init or join; destroy deletes the lab's objects and resets
// the hosts.
func TestOnPremThroughTheBinary(t *testing.T) {
	t.Parallel()
	cluster := testcluster.Get(t)
	admin, err := os.ReadFile(cluster.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	env := testhosts.New(t, 3, testhosts.WithAdminConf(admin))
	cp, workers := env.Hosts[0], env.Hosts[1:]
	l := onpremLab(t, env)
	t.Cleanup(func() { wipeLab(t, cluster, "pod-basics", "onprem@"+l.workspace) })

	// The first apply fails at one worker's join: the error names host,
	// phase, command and output, and the next apply resumes there.
	workers[0].FailNext("kubeadm join", 1, "error execution phase kubelet-start: timed out waiting for the condition")
	res := l.must(1, "apply", "-auto-approve")
	for _, want := range []string{
		"host " + workers[0].Addr + " (node-1), phase join",
		"kubeadm join " + cp.Addr + ":6443 --token <redacted>",
		"timed out waiting for the condition",
		"run podlab apply again to resume",
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("the failed apply does not say %q:\n%s", want, res.all())
		}
	}
	t.Logf("a failed apply says:\n%s", res.stderr)

	start := time.Now()
	res = l.must(0, "apply", "-auto-approve")
	t.Logf("the resumed apply took %s", time.Since(start).Round(time.Millisecond))
	for _, want := range []string{
		"preflight: already done on " + cp.Addr,
		"init: already done on " + cp.Addr,
		"join: already done on " + workers[1].Addr,
		"join on " + workers[0].Addr + ": done",
		"ready on " + cp.Addr + ": done",
		"6 checks: 6 passed, 0 failed.",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("apply output lacks %q:\n%s", want, res.all())
		}
	}
	if c := cp.CommandLog(); !slices.Contains(c, "kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml --skip-token-print") {
		t.Errorf("the control plane ran no kubeadm init: %v", c)
	}
	for _, w := range workers {
		if !slices.ContainsFunc(w.CommandLog(), func(c string) bool { return strings.HasPrefix(c, "kubeadm join "+cp.Addr+":6443 ") }) {
			t.Errorf("%s did not join: %v", w.Name, w.CommandLog())
		}
	}

	// The kubeconfig is a 0600 file beside the state, the state holds no
	// secret of it, and each host has its log.
	envDir := filepath.Join(l.dir, ".podlab", "envs", "onprem@"+l.workspace)
	fi, err := os.Stat(filepath.Join(envDir, "admin.conf"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin.conf: %v (mode %v), want a 0600 file", err, fi)
	}
	raw, err := os.ReadFile(filepath.Join(envDir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"client-key-data", "BEGIN", cluster.Token, testhosts.Token} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("state holds %q", secret)
		}
	}
	var st state.State
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	if st.Cluster == nil || st.Cluster.Status != state.ClusterReady || !st.Cluster.Created || !slices.Contains(st.Cluster.Phases, cp.Addr+"/init") {
		t.Errorf("state's cluster: %+v", st.Cluster)
	}
	for _, h := range env.Hosts {
		if _, err := os.Stat(filepath.Join(envDir, "logs", h.Addr+".log")); err != nil {
			t.Errorf("no log for %s: %v", h.Name, err)
		}
	}

	// podlab kubeconfig writes the fetched admin kubeconfig out.
	kcOut := filepath.Join(t.TempDir(), "onprem.kubeconfig")
	l.must(0, "kubeconfig", "-out", kcOut)
	if b, err := os.ReadFile(kcOut); err != nil || !strings.Contains(string(b), "server: https://") {
		t.Errorf("podlab kubeconfig: %v\n%s", err, b)
	}

	// A second apply finds the cluster built: its plan reads the hosts'
	// facts and has nothing to do.
	for _, h := range env.Hosts {
		h.ClearCommandLog()
	}
	start = time.Now()
	res = l.must(0, "apply", "-auto-approve")
	t.Logf("second apply took %s", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(res.stdout, "No changes.") {
		t.Errorf("the second apply changed something:\n%s", res.all())
	}
	for _, h := range env.Hosts {
		if got := h.CommandLog(); !slices.Equal(got, []string{"swapon --show=NAME --noheadings", "kubeadm version -o short"}) {
			t.Errorf("the second apply ran more than the facts on %s: %v", h.Name, got)
		}
	}

	// A worker reset behind podlab's back is seen by the plan and joined
	// again, alone.
	gone := workers[1]
	if _, err := gone.Exec("kubeadm reset -f"); err != nil {
		t.Fatal(err)
	}
	for _, h := range env.Hosts {
		h.ClearCommandLog()
	}
	start = time.Now()
	res = l.must(0, "apply", "-auto-approve")
	t.Logf("apply after a node was reset took %s:\n%s", time.Since(start).Round(time.Millisecond), res.stdout)
	if !strings.Contains(res.stdout, "join "+gone.Addr+" (node-2) again") || !strings.Contains(res.stdout, "6 checks: 6 passed, 0 failed.") {
		t.Errorf("the apply after a node was reset:\n%s", res.all())
	}
	for _, h := range env.Hosts {
		for _, c := range h.CommandLog() {
			switch {
			case strings.HasPrefix(c, "kubeadm init"), strings.HasPrefix(c, "kubeadm join") && h != gone:
				t.Errorf("%s ran %q", h.Name, c)
			}
		}
	}
	if !slices.ContainsFunc(gone.CommandLog(), func(c string) bool { return strings.HasPrefix(c, "kubeadm join ") }) {
		t.Errorf("%s was not joined again: %v", gone.Name, gone.CommandLog())
	}

	// Destroy resets the hosts. It deletes no objects one by one: kubeadm
	// reset wipes etcd, and with it the lab. (Here the cluster behind the
	// stand-ins is the shared test cluster, which a stand-in reset does
	// not wipe: the test deletes the lab's namespaces itself at the end.)
	start = time.Now()
	res = l.must(0, "destroy", "-auto-approve")
	t.Logf("destroy took %s:\n%s", time.Since(start).Round(time.Millisecond), res.stdout)
	for _, h := range env.Hosts {
		if !slices.Contains(h.CommandLog(), "kubeadm reset -f --cri-socket unix:///run/containerd/containerd.sock") {
			t.Errorf("%s was not reset:\n%s", h.Name, res.all())
		}
		if _, err := h.ReadFile("/etc/kubernetes/kubelet.conf"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s still has its kubelet kubeconfig (%v)", h.Name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(envDir, "admin.conf")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("admin.conf is still there after destroy (%v)", err)
	}
	raw, err = os.ReadFile(filepath.Join(envDir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	st = state.State{}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	if st.Cluster != nil || len(st.Objects) > 0 {
		t.Errorf("state after destroy still records the cluster (%+v) or %d objects", st.Cluster, len(st.Objects))
	}
}

// wipeLab deletes what the lab put on the shared test cluster, which the
// stand-ins' kubeadm reset cannot: pods at once, then their namespaces.
func wipeLab(t *testing.T, cluster *testcluster.Cluster, lab, env string) {
	t.Helper()
	cs := cluster.Clientset(t)
	ctx := context.Background()
	nss, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: engine.EnvSelector(lab, env)})
	if err != nil {
		t.Errorf("list the lab's namespaces: %v", err)
		return
	}
	now := int64(0)
	for _, ns := range nss.Items {
		if err := cs.CoreV1().Pods(ns.Name).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &now}, metav1.ListOptions{}); err != nil {
			t.Errorf("delete the pods in %s: %v", ns.Name, err)
		}
		if err := cs.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{}); err != nil {
			t.Errorf("delete namespace %s: %v", ns.Name, err)
		}
	}
}

// binLab is a copy of the course lab whose on-prem environment points at
// the test hosts, run through the built binary.
type binLab struct {
	t         *testing.T
	dir       string
	workspace string
	env       []string
}

// onpremLab copies examples/pod-basics and points target=onprem at env:
// a var file names the hosts, the sudo user and a small local CNI
// manifest; HOME holds the test hosts' key and known_hosts where the
// example's ssh block expects them (~/.ssh).
func onpremLab(t *testing.T, env *testhosts.Env) *binLab {
	t.Helper()
	dir := t.TempDir()
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "..", "..", "examples", "pod-basics")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "home")
	sshDir := filepath.Join(home, ".ssh")
	if err := os.MkdirAll(sshDir, 0o700); err != nil {
		t.Fatal(err)
	}
	for from, to := range map[string]string{env.KeyFile(): "id_ed25519", env.KnownHostsFile(): "known_hosts"} {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sshDir, to), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cni := "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: podlab-test-cni\n  namespace: kube-system\n"
	if err := os.WriteFile(filepath.Join(dir, "cni.yaml"), []byte(cni), 0o644); err != nil {
		t.Fatal(err)
	}
	var workers []string
	for _, h := range env.Hosts[1:] {
		workers = append(workers, fmt.Sprintf("%q", h.Addr))
	}
	vars := fmt.Sprintf("onprem_control_plane = [%q]\nonprem_workers = [%s]\nonprem_ssh_user = %q\nonprem_cni_manifest = \"cni.yaml\"\n",
		env.Hosts[0].Addr, strings.Join(workers, ", "), testhosts.SudoUser)
	if err := os.WriteFile(filepath.Join(dir, "onprem.podlabvars"), []byte(vars), 0o644); err != nil {
		t.Fatal(err)
	}
	ws := fmt.Sprintf("k%x", time.Now().UnixNano()&0xffffffff)
	l := &binLab{t: t, dir: dir, workspace: ws, env: []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"), "PODLAB_WORKSPACE=" + ws, "NO_COLOR=1",
	}}
	t.Cleanup(func() {
		// Leave the shared cluster clean even when the test failed half-way.
		if _, err := os.Stat(filepath.Join(dir, ".podlab", "envs", "onprem@"+ws, "admin.conf")); err == nil {
			l.run("destroy", "-auto-approve")
		}
	})
	return l
}

var podlabBin string

// buildPodlab builds cmd/podlab once per test binary.
func buildPodlab(t *testing.T) string {
	t.Helper()
	if podlabBin != "" {
		return podlabBin
	}
	dir, err := os.MkdirTemp("", "podlab-kubeadm-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "podlab")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/podlab/podlab/cmd/podlab").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	podlabBin = bin
	return bin
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) all() string { return r.stdout + r.stderr }

// run runs the built podlab in the lab: podlab COMMAND -var target=onprem
// -var-file onprem.podlabvars ARGS...
func (l *binLab) run(command string, args ...string) result {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args = append([]string{command, "-var", "target=onprem", "-var-file", "onprem.podlabvars"}, args...)
	cmd := exec.CommandContext(ctx, buildPodlab(l.t), args...)
	cmd.Dir = l.dir
	cmd.Env = l.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		l.t.Fatalf("podlab %s: %v", strings.Join(args, " "), err)
	}
	return result{out.String(), errb.String(), code}
}

func (l *binLab) must(want int, command string, args ...string) result {
	l.t.Helper()
	res := l.run(command, args...)
	if res.code != want {
		l.t.Fatalf("podlab %s %s: exit %d, want %d\n%s", command, strings.Join(args, " "), res.code, want, res.all())
	}
	return res
}
