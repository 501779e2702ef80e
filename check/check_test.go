package check

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/internal/testcluster"
)

// setup starts the course's sidecar pod in a fresh namespace of the test
// cluster and returns a runner and the instance its checks belong to.
func setup(t *testing.T) (*Runner, *config.Instance) {
	t.Helper()
	c := testcluster.Get(t)
	ns := c.Namespace(t, "check")
	raw, err := os.ReadFile("testdata/sidecar-pod.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var pod corev1.Pod
	if err := yaml.Unmarshal(raw, &pod); err != nil {
		t.Fatal(err)
	}
	cs := c.Clientset(t)
	if _, err := cs.CoreV1().Pods(ns).Create(context.Background(), &pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kc, err := kubeapi.New(c.RESTConfig(), kubeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := kc.Get(context.Background(), corev1.SchemeGroupVersion.WithKind("Pod"), ns, pod.Name)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := kc.WaitReady(ctx, u, nil); err != nil {
		t.Fatalf("the sidecar pod did not start: %v", err)
	}
	in := &config.Instance{Address: "exercise.t", Namespace: ns, Exercise: &config.Exercise{Name: "t"}}
	return &Runner{Client: kc, ProbeImage: config.DefaultProbeImage, Parallelism: 4}, in
}

func intp(i int) *int { return &i }

// Every kind, passing, and failing for a real reason with the failure
// explained.
func TestCheckKinds(t *testing.T) {
	r, in := setup(t)
	httpCheck := func(from string, port int, container string) *config.HTTPCheck {
		return &config.HTTPCheck{Pod: "my-nginx-pod", Port: port, Path: "/", Scheme: "http", From: from,
			FromContainer: container, ExpectStatus: 200, ExpectBody: "Welcome to nginx!"}
	}
	cases := []struct {
		name     string
		check    config.Check
		pass     bool
		wantSeen string // in Seen when failing
		wantTry  string
	}{
		{"ready", config.Check{Ready: &config.ReadyCheck{Pod: "my-nginx-pod", MaxRestarts: intp(0)}}, true, "", ""},
		{"ready, no such pod", config.Check{Ready: &config.ReadyCheck{Pod: "no-such-pod"}}, false, "; it has pod(s) my-nginx-pod", "kubectl get pods -n"},
		{"exec curl localhost in the sidecar", config.Check{Exec: &config.ExecCheck{Pod: "my-nginx-pod", Container: "ubuntu-sidecar-container",
			Command: []string{"curl", "-s", "localhost"}, ExpectStdout: "Welcome to nginx!"}}, true, "", ""},
		{"exec exiting 1", config.Check{Exec: &config.ExecCheck{Pod: "my-nginx-pod", Container: "ubuntu-sidecar-container",
			Command: []string{"sh", "-c", "echo nope >&2; exit 1"}}}, false, `exit code 1; stdout ""; stderr "nope"`, "kubectl exec -n"},
		{"exec in a container that does not exist", config.Check{Exec: &config.ExecCheck{Pod: "my-nginx-pod", Container: "no-such-container",
			Command: []string{"true"}}}, false, "the command could not run", ""},
		{"http through the API server", config.Check{HTTP: httpCheck(config.FromAPIServer, 80, "")}, true, "", ""},
		{"http through the API server, wrong port", config.Check{HTTP: httpCheck(config.FromAPIServer, 81, "")}, false, "81", "proxy/"},
		{"http from the sidecar", config.Check{HTTP: httpCheck(config.FromPod, 80, "ubuntu-sidecar-container")}, true, "", ""},
		{"http from the node", config.Check{HTTP: httpCheck(config.FromNode, 80, "")}, true, "", ""},
		{"http from the node, wrong port", config.Check{HTTP: httpCheck(config.FromNode, 8080, "")}, false, "curl exited 7", "on the node"},
		{"api_resources pods", config.Check{APIResources: &config.APIResourcesCheck{APIVersion: "v1", Resource: "pods", Kind: "Pod"}}, true, "", ""},
		{"api_resources unknown kind", config.Check{APIResources: &config.APIResourcesCheck{APIVersion: "v1", Kind: "Widget"}}, false, "v1 serves: bindings, componentstatuses, configmaps", "kubectl api-resources"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.check
			c.Name, c.Address, c.Instance = tc.name, "exercise.t.check[\""+tc.name+"\"]", in
			c.Timeout, c.Interval = 20*time.Second, time.Second
			if !tc.pass {
				c.Timeout = 4 * time.Second
			}
			res := r.Run(context.Background(), []*config.Check{&c})[0]
			if res.Passed != tc.pass {
				t.Fatalf("passed = %v, want %v:\n%s", res.Passed, tc.pass, res.Message())
			}
			if tc.pass {
				return
			}
			if !strings.Contains(res.Seen, tc.wantSeen) {
				t.Errorf("seen %q, want it to contain %q", res.Seen, tc.wantSeen)
			}
			if !strings.Contains(res.Try, tc.wantTry) {
				t.Errorf("try %q, want it to contain %q", res.Try, tc.wantTry)
			}
			if res.Expected == "" {
				t.Error("a failure must say what was expected")
			}
		})
	}
}

// A student who deleted their namespace (or an instructor who did) is
// told so, not just that the pod is missing.
func TestMissingPodInDeletedNamespace(t *testing.T) {
	c := testcluster.Get(t)
	kc, err := kubeapi.New(c.RESTConfig(), kubeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Client: kc}
	if got := r.missingPod(context.Background(), "podlab-no-such-namespace", "web"); !strings.Contains(got, "the namespace podlab-no-such-namespace does not exist (deleted?)") {
		t.Errorf("missing pod in a missing namespace: %q", got)
	}
}

// The nginx log shows a request only after one was made: the check retries
// until it appears, and a line that never comes fails with the log's tail.
func TestLogsCheck(t *testing.T) {
	r, in := setup(t)
	logs := func(contains string, timeout time.Duration) *config.Check {
		return &config.Check{Name: "logs", Address: "exercise.t.check[\"logs\"]", Instance: in, Timeout: timeout, Interval: 500 * time.Millisecond,
			Logs: &config.LogsCheck{Pod: "my-nginx-pod", Container: "my-nginx-container", Contains: contains}}
	}
	res := r.Run(context.Background(), []*config.Check{logs("GET /from-the-test", 3*time.Second)})[0]
	if res.Passed {
		t.Fatal("the log cannot show a request that was never made")
	}
	if !strings.Contains(res.Try, "kubectl logs -n "+in.Namespace+" my-nginx-pod -c my-nginx-container") {
		t.Errorf("try: %q", res.Try)
	}
	// Now make the request, from the sidecar, while the check is retrying.
	done := make(chan *Result)
	go func() {
		done <- r.Run(context.Background(), []*config.Check{logs("GET /from-the-test", 30*time.Second)})[0]
	}()
	time.Sleep(time.Second)
	if _, err := r.Client.Exec(context.Background(), in.Namespace, "my-nginx-pod", "ubuntu-sidecar-container",
		[]string{"curl", "-s", "localhost/from-the-test"}, nil); err != nil {
		t.Fatal(err)
	}
	if res := <-done; !res.Passed {
		t.Fatalf("the request is in the log, yet:\n%s", res.Message())
	}
}
