// Package testcluster connects end-to-end tests to the real single-node
// Kubernetes cluster that test/cluster/cluster.sh runs on this machine
// (`make cluster-up`). Tests call Get, which skips them when no cluster is up
// unless PODLAB_E2E=1 asks for the end-to-end tests to be mandatory, as CI does.
package testcluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	watchtools "k8s.io/client-go/tools/watch"
)

const (
	// EnvCluster names the cluster's runtime dir; `cluster.sh env` exports it.
	EnvCluster = "PODLAB_TEST_CLUSTER"
	// EnvE2E set to 1 makes a missing cluster a test failure instead of a skip.
	EnvE2E = "PODLAB_E2E"
	// DefaultDir is where cluster.sh puts the cluster unless told otherwise.
	DefaultDir = "/var/lib/podlab-testcluster"

	// harnessDirEnv is the harness's own name for the runtime dir.
	harnessDirEnv = "PODLAB_CLUSTER_DIR"
)

// Cluster is a running test cluster.
type Cluster struct {
	Dir             string // runtime dir of the harness
	Kubeconfig      string // admin kubeconfig (client certificate, system:masters)
	TokenKubeconfig string // kubeconfig holding only the CA and the bearer token
	Server          string // API server URL, https://127.0.0.1:6443
	CAData          []byte // PEM of the cluster CA
	Token           string // static bearer token of a system:masters user
	NodeName        string
	NodeIP          string // the node's InternalIP; pod IPs are reachable from the host
	Version         string // Kubernetes version, e.g. v1.34.4

	harness string
	admin   *rest.Config
	lock    *os.File // this test's hold on run/tests.lock
}

// Get returns the running test cluster after checking that its API server
// answers. With no cluster up it skips the test, or fails it when
// PODLAB_E2E=1. In -short mode it skips unless PODLAB_E2E=1.
func Get(t testing.TB) *Cluster {
	t.Helper()
	required := os.Getenv(EnvE2E) == "1"
	if testing.Short() && !required {
		t.Skip("end-to-end test: skipped in -short mode")
	}
	c, err := Find()
	if err == nil {
		// Wait out a test in another package that has the API server down.
		err = c.holdTestLock(t, syscall.LOCK_SH, 10*time.Minute)
	}
	if err == nil {
		err = c.waitReady(30 * time.Second)
	}
	if err != nil {
		if required {
			t.Fatalf("%s=1 but the test cluster is not usable: %v", EnvE2E, err)
		}
		t.Skipf("no test cluster: run `make cluster-up` (%v)", err)
	}
	return c
}

// holdTestLock takes run/tests.lock for the rest of the test: shared by every
// test that uses the cluster, exclusive for one that stops the API server,
// so that `go test ./...`, which runs packages in parallel, never has one
// package's test restart the server under another's feet.
func (c *Cluster) holdTestLock(t testing.TB, how int, timeout time.Duration) error {
	if c.lock == nil {
		f, err := os.OpenFile(filepath.Join(c.Dir, "run", "tests.lock"), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return fmt.Errorf("open test lock: %w", err)
		}
		c.lock = f
		// Closing the file releases the lock.
		t.Cleanup(func() { f.Close() })
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(c.lock.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("lock %s: %w", c.lock.Name(), err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s still held by other tests after %s", c.lock.Name(), timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Find locates the cluster from $PODLAB_TEST_CLUSTER, $PODLAB_CLUSTER_DIR or
// the default runtime dir and reads its credentials. It does not contact it.
func Find() (*Cluster, error) {
	dir := os.Getenv(EnvCluster)
	if dir == "" {
		dir = os.Getenv(harnessDirEnv)
	}
	if dir == "" {
		dir = DefaultDir
	}
	return Load(dir)
}

// Load reads the cluster whose runtime dir is dir.
func Load(dir string) (*Cluster, error) {
	env, err := readEnvFile(filepath.Join(dir, "env"))
	if err != nil {
		return nil, err
	}
	c := &Cluster{
		Dir:             dir,
		Kubeconfig:      env["KUBECONFIG"],
		TokenKubeconfig: env["PODLAB_TEST_TOKEN_KUBECONFIG"],
		Server:          env["PODLAB_TEST_SERVER"],
		NodeName:        env["PODLAB_TEST_NODE_NAME"],
		NodeIP:          env["PODLAB_TEST_NODE_IP"],
		Version:         env["PODLAB_TEST_K8S_VERSION"],
		harness:         env["PODLAB_TEST_HARNESS"],
	}
	for key, v := range map[string]string{"KUBECONFIG": c.Kubeconfig, "PODLAB_TEST_SERVER": c.Server, "PODLAB_TEST_NODE_IP": c.NodeIP} {
		if v == "" {
			return nil, fmt.Errorf("%s/env lacks %s", dir, key)
		}
	}
	if c.CAData, err = os.ReadFile(env["PODLAB_TEST_CA_FILE"]); err != nil {
		return nil, fmt.Errorf("read cluster CA: %w", err)
	}
	token, err := os.ReadFile(env["PODLAB_TEST_TOKEN_FILE"])
	if err != nil {
		return nil, fmt.Errorf("read cluster token: %w", err)
	}
	c.Token = strings.TrimSpace(string(token))
	if c.admin, err = clientcmd.BuildConfigFromFlags("", c.Kubeconfig); err != nil {
		return nil, fmt.Errorf("load admin kubeconfig %s: %w", c.Kubeconfig, err)
	}
	return c, nil
}

func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no cluster: %s does not exist", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open cluster env: %w", err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok {
			env[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return env, nil
}

// RESTConfig is a client config for the admin user (client certificate).
func (c *Cluster) RESTConfig() *rest.Config {
	return rest.CopyConfig(c.admin)
}

// TokenRESTConfig is a client config that authenticates with the bearer
// token alone, the way a managed cloud cluster's credentials do.
func (c *Cluster) TokenRESTConfig() *rest.Config {
	return &rest.Config{
		Host:            c.Server,
		BearerToken:     c.Token,
		TLSClientConfig: rest.TLSClientConfig{CAData: append([]byte(nil), c.CAData...)},
	}
}

// Clientset returns a typed client for the admin user.
func (c *Cluster) Clientset(t testing.TB) *kubernetes.Clientset {
	t.Helper()
	cs, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatalf("clientset for %s: %v", c.Server, err)
	}
	return cs
}

// waitReady waits until /readyz answers ok. An API server restarting under
// another test is waited for; one whose process is gone is reported at once.
func (c *Cluster) waitReady(timeout time.Duration) error {
	cs, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		return fmt.Errorf("clientset for %s: %w", c.Server, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last error
	err = wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		defer rcancel()
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(rctx)
		if err == nil && strings.TrimSpace(string(body)) == "ok" {
			return true, nil
		}
		last = fmt.Errorf("GET %s/readyz: %v %s", c.Server, err, body)
		if !c.apiServerProcessAlive() {
			return false, fmt.Errorf("kube-apiserver is not running (%v)", last)
		}
		return false, nil
	})
	if err != nil && last != nil && !strings.Contains(err.Error(), last.Error()) {
		return fmt.Errorf("%w; last: %v", err, last)
	}
	return err
}

func (c *Cluster) apiServerProcessAlive() bool {
	b, err := os.ReadFile(filepath.Join(c.Dir, "run", "kube-apiserver.pid"))
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return false
	}
	_, err = os.Stat(fmt.Sprintf("/proc/%d", pid))
	return err == nil
}

var invalidNameChars = regexp.MustCompile(`[^a-z0-9-]+`)

// namespacePrefix turns a test's prefix (often t.Name()) into the start of a
// valid namespace name, leaving room for the random suffix.
func namespacePrefix(prefix string) string {
	prefix = strings.Trim(invalidNameChars.ReplaceAllString(strings.ToLower(prefix), "-"), "-")
	if len(prefix) > 40 {
		prefix = strings.TrimRight(prefix[:40], "-")
	}
	if prefix == "" {
		prefix = "test"
	}
	return prefix
}

// Namespace creates a namespace with a unique name starting with prefix,
// waits until its default ServiceAccount exists (pods are refused before
// that) and deletes it when the test ends, pods first and without a grace
// period, so tests do not wait 30 s for containers that ignore SIGTERM.
func (c *Cluster) Namespace(t testing.TB, prefix string) string {
	t.Helper()
	cs := c.Clientset(t)
	prefix = namespacePrefix(prefix)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ns, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: prefix + "-",
			Labels:       map[string]string{"podlab.dev/e2e": "true"},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace %s-*: %v", prefix, err)
	}
	name := ns.Name
	t.Cleanup(func() { c.deleteNamespace(t, cs, name) })

	lw := cache.NewListWatchFromClient(cs.CoreV1().RESTClient(), "serviceaccounts", name,
		fields.OneTermEqualSelector("metadata.name", "default"))
	_, err = watchtools.UntilWithSync(ctx, lw, &corev1.ServiceAccount{}, nil, func(ev watch.Event) (bool, error) {
		return ev.Type == watch.Added || ev.Type == watch.Modified, nil
	})
	if err != nil {
		t.Fatalf("namespace %s: waiting for its default ServiceAccount: %v", name, err)
	}
	return name
}

func (c *Cluster) deleteNamespace(t testing.TB, cs kubernetes.Interface, name string) {
	// The test's context is already cancelled when cleanups run.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	zero := int64(0)
	if err := cs.CoreV1().Pods(name).DeleteCollection(ctx,
		metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{}); err != nil {
		t.Errorf("cleanup: delete pods in %s: %v", name, err)
	}
	if err := cs.CoreV1().Namespaces().Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Errorf("cleanup: delete namespace %s: %v", name, err)
	}
}

// StopAPIServer stops kube-apiserver alone; everything else keeps running.
// It first waits (up to five minutes) for tests in other packages to finish
// and keeps them waiting until this test ends. Call it on the Cluster that
// this test's own Get returned: a parent test's hold would be waited for too.
func (c *Cluster) StopAPIServer(t testing.TB) {
	t.Helper()
	if c.lock == nil {
		t.Fatal("StopAPIServer on a Cluster that testcluster.Get did not return")
	}
	if err := c.holdTestLock(t, syscall.LOCK_EX, 5*time.Minute); err != nil {
		t.Logf("stopping the API server while other tests may run: %v", err)
	}
	c.runHarness(t, "apiserver-stop")
}

// StartAPIServer starts kube-apiserver again and returns once it is ready.
func (c *Cluster) StartAPIServer(t testing.TB) {
	t.Helper()
	c.runHarness(t, "apiserver-start")
	if err := c.waitReady(time.Minute); err != nil {
		t.Fatalf("kube-apiserver after restart: %v", err)
	}
}

func (c *Cluster) runHarness(t testing.TB, command string) {
	t.Helper()
	harness, err := c.harnessPath()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, harness, command)
	cmd.Env = append(os.Environ(), harnessDirEnv+"="+c.Dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", harness, command, err, out)
	}
	t.Logf("%s %s:\n%s", filepath.Base(harness), command, out)
}

// harnessPath prefers the harness of the source tree this package was
// built from, then the one that started the cluster.
func (c *Cluster) harnessPath() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok {
		p := filepath.Join(filepath.Dir(file), "..", "..", "test", "cluster", "cluster.sh")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if c.harness != "" {
		if _, err := os.Stat(c.harness); err == nil {
			return c.harness, nil
		}
	}
	return "", errors.New("cannot find test/cluster/cluster.sh")
}
