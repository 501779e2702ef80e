package gke_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	container "cloud.google.com/go/container/apiv1"
	"cloud.google.com/go/container/apiv1/containerpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/fakegke"
	"github.com/podlab/podlab/internal/testcluster"
	"github.com/podlab/podlab/providers/gke"
	"github.com/podlab/podlab/state"
)

// gkeLab is a copy of the course lab pointed at a fake GKE whose clusters
// are the real test cluster, with its own workspace so its objects never
// meet another test's.
type gkeLab struct {
	t       *testing.T
	dir     string
	bin     string
	env     []string
	envName string // the podlab environment: gke@WORKSPACE
	fake    *fakegke.Server
	cluster *testcluster.Cluster
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// podlabBinary builds cmd/podlab once per test binary.
func podlabBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "podlab-gke-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "podlab")
		out, err := exec.Command("go", "build", "-o", builtBin, "github.com/podlab/podlab/cmd/podlab").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func newGKELab(t *testing.T, opts fakegke.Options) *gkeLab {
	t.Helper()
	c := testcluster.Get(t)
	opts.Backing = fakegke.Backing{Endpoint: strings.TrimPrefix(c.Server, "https://"), CAPEM: c.CAData, Token: c.Token}
	fake := fakegke.StartForTest(t, opts)
	creds, err := fake.WriteCredentials(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ws := fmt.Sprintf("g%x", time.Now().UnixNano()&0xffffffff)
	l := &gkeLab{t: t, dir: t.TempDir(), bin: podlabBinary(t), fake: fake, cluster: c, envName: "gke@" + ws}
	l.env = append(os.Environ(),
		fakegke.EmulatorHostEnv+"="+fake.GRPCAddr(),
		"GOOGLE_APPLICATION_CREDENTIALS="+creds,
		"PODLAB_WORKSPACE="+ws,
		"PODLAB_VAR_class=e2e-"+ws,
		"NO_COLOR=1",
	)
	copyDir(t, filepath.Join(repoRoot(), "examples", "pod-basics"), l.dir)
	t.Cleanup(l.cleanup)
	return l
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// cleanup destroys what a failed test left in the real cluster.
func (l *gkeLab) cleanup() {
	if l.labelled() == 0 {
		return
	}
	if res := l.run("destroy", "-auto-approve", "-var", "target=gke"); res.code != 0 {
		l.t.Logf("cleanup destroy failed:\n%s", res.out)
	}
}

type result struct {
	out  string
	code int
}

func (l *gkeLab) command(args ...string) *exec.Cmd {
	cmd := exec.Command(l.bin, args...)
	cmd.Dir = l.dir
	cmd.Env = l.env
	return cmd
}

func (l *gkeLab) run(args ...string) result {
	l.t.Helper()
	cmd := l.command(args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(8 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		l.t.Fatalf("podlab %s did not finish:\n%s", strings.Join(args, " "), out.String())
	}
	return result{out.String(), cmd.ProcessState.ExitCode()}
}

func (l *gkeLab) must(want int, args ...string) string {
	l.t.Helper()
	start := time.Now()
	res := l.run(args...)
	l.t.Logf("podlab %s: exit %d after %s", strings.Join(args, " "), res.code, time.Since(start).Round(time.Millisecond))
	if res.code != want {
		l.t.Fatalf("podlab %s: exit %d, want %d\n%s", strings.Join(args, " "), res.code, want, res.out)
	}
	return res.out
}

func (l *gkeLab) statePath() string {
	return filepath.Join(l.dir, ".podlab", "envs", l.envName, "state.json")
}

func (l *gkeLab) state() *state.State {
	l.t.Helper()
	b, err := os.ReadFile(l.statePath())
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		l.t.Fatal(err)
	}
	st, err := state.Decode(b)
	if err != nil {
		l.t.Fatalf("state does not decode: %v\n%s", err, b)
	}
	return st
}

// labelled counts namespaces and pods of this environment in the real
// cluster, by podlab's env label.
func (l *gkeLab) labelled() int {
	l.t.Helper()
	cs := l.cluster.Clientset(l.t)
	sel := engine.EnvSelector("pod-basics", l.envName)
	ctx := context.Background()
	nss, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		l.t.Fatal(err)
	}
	pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		l.t.Fatal(err)
	}
	return len(nss.Items) + len(pods.Items)
}

// clusters lists what the fake GKE holds.
func (l *gkeLab) clusters() []*containerpb.Cluster {
	l.t.Helper()
	c, err := container.NewClusterManagerClient(context.Background(), l.fake.ClientOptions()...)
	if err != nil {
		l.t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.ListClusters(context.Background(), &containerpb.ListClustersRequest{Parent: "projects/podlab-class/locations/-"})
	if err != nil {
		l.t.Fatal(err)
	}
	return resp.GetClusters()
}

// The course lab on "GKE": one apply creates the cluster, connects to it in
// process with an ADC token, applies the exercises and passes every check;
// destroy deletes the objects and then the cluster, and waits for GKE.
func TestE2ECourseLabOnGKE(t *testing.T) {
	// Operations slow enough that podlab's polling (0.5 s, doubling) sees
	// both PENDING and RUNNING.
	l := newGKELab(t, fakegke.Options{PendingFor: time.Second, RunningFor: 2 * time.Second})
	start := time.Now()
	out := l.must(0, "apply", "-var", "target=gke", "-var", "ttl=4h", "-auto-approve")
	t.Logf("apply with cluster creation and checks took %s", time.Since(start).Round(time.Millisecond))
	for _, want := range []string{"creating GKE cluster podlab-e2e-", "PENDING", "RUNNING", "Apply complete!"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "FAIL") {
		t.Errorf("a check failed:\n%s", out)
	}
	st := l.state()
	if st.Cluster == nil || st.Cluster.Status != state.ClusterReady || !st.Cluster.Created || st.Cluster.Operation != "" {
		t.Fatalf("cluster in state = %+v", st.Cluster)
	}
	raw, _ := os.ReadFile(l.statePath())
	if bytes.Contains(raw, []byte(l.cluster.Token)) {
		t.Fatal("the state holds the cluster's token")
	}
	if n := l.fake.Calls("CreateCluster"); n != 1 {
		t.Fatalf("CreateCluster calls = %d", n)
	}
	if l.fake.Calls(fakegke.TokenMethod) == 0 {
		t.Fatal("podlab never asked the fake's token endpoint: the Kubernetes token did not come from ADC")
	}
	cls := l.clusters()
	if len(cls) != 1 || cls[0].GetResourceLabels()["podlab-env"] != engine.EnvID("", l.envName) {
		t.Fatalf("clusters = %v", cls)
	}
	// The class's expiry, from lab.ttl, is on the cluster as a label.
	if st.ExpiresAt == nil || cls[0].GetResourceLabels()[gke.LabelExpires] != strconv.FormatInt(st.ExpiresAt.Unix(), 10) {
		t.Fatalf("expiry %v, cluster labels %v", st.ExpiresAt, cls[0].GetResourceLabels())
	}
	if left := time.Until(*st.ExpiresAt); left < 3*time.Hour || left > 4*time.Hour {
		t.Errorf("the class expires in %s, want about 4h", left)
	}

	// The kubeconfig for people with gcloud: the auth plugin, no token.
	kcFile := filepath.Join(t.TempDir(), "class.kubeconfig")
	l.must(0, "kubeconfig", "-var", "target=gke", "-out", kcFile)
	kc, err := os.ReadFile(kcFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"command: gke-gcloud-auth-plugin", "server: https://" + l.fake.Endpoint(), "gke_podlab-class_asia-northeast3-a_podlab-e2e-"} {
		if !strings.Contains(string(kc), want) {
			t.Errorf("kubeconfig lacks %q:\n%s", want, kc)
		}
	}
	if strings.Contains(string(kc), l.cluster.Token) {
		t.Error("the kubeconfig holds the token")
	}

	// podlab check on its own, a second apply that changes nothing.
	l.must(0, "check", "-var", "target=gke")
	if out := l.must(0, "apply", "-var", "target=gke", "-var", "ttl=4h", "-auto-approve", "-checks=false"); !strings.Contains(out, "No changes.") {
		t.Errorf("second apply:\n%s", out)
	}

	out = l.must(0, "destroy", "-var", "target=gke", "-auto-approve")
	if !strings.Contains(out, "deleting GKE cluster") {
		t.Errorf("destroy output lacks the cluster's deletion:\n%s", out)
	}
	if n := l.fake.Calls("DeleteCluster"); n != 1 {
		t.Fatalf("DeleteCluster calls = %d", n)
	}
	if cls := l.clusters(); len(cls) != 0 {
		t.Fatalf("the fake still has %d clusters after destroy", len(cls))
	}
	if n := l.labelled(); n != 0 {
		t.Fatalf("%d labelled objects left in the cluster", n)
	}
	if st := l.state(); st != nil && st.Cluster != nil {
		t.Fatalf("state still records the cluster: %+v", st.Cluster)
	}
}

// SIGKILL while GKE creates the cluster: the next apply waits on the
// recorded operation instead of creating a second cluster.
func TestE2EKilledDuringCreate(t *testing.T) {
	l := newGKELab(t, fakegke.Options{PendingFor: time.Second, RunningFor: 4 * time.Second})
	cmd := l.command("apply", "-var", "target=gke", "-auto-approve")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill as soon as the state records the operation.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if st := readState(l.statePath()); st != nil && st.Cluster != nil && st.Cluster.Operation != "" {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the operation never reached state:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	st := l.state()
	if st.Cluster.Status != state.ClusterCreating || st.Cluster.Operation == "" {
		t.Fatalf("state after the kill = %+v", st.Cluster)
	}
	plan := l.must(0, "plan", "-var", "target=gke")
	if !strings.Contains(plan, "apply waits for that operation") {
		t.Errorf("plan after the kill does not say it resumes:\n%s", plan)
	}
	res := l.must(0, "apply", "-var", "target=gke", "-auto-approve")
	if n := l.fake.Calls("CreateCluster"); n != 1 {
		t.Fatalf("GKE saw %d CreateCluster calls, want 1:\n%s", n, res)
	}
	if len(l.clusters()) != 1 {
		t.Fatalf("clusters = %d", len(l.clusters()))
	}
	l.must(0, "destroy", "-var", "target=gke", "-auto-approve")
	if n := l.labelled(); n != 0 {
		t.Fatalf("%d labelled objects left", n)
	}
	if n := len(l.clusters()); n != 0 {
		t.Fatalf("%d clusters left", n)
	}
}

func readState(path string) *state.State {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	st, err := state.Decode(b)
	if err != nil {
		return nil
	}
	return st
}
