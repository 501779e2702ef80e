package e2e

import (
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlab/podlab/internal/testcluster"
)

type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Tests int    `xml:"tests,attr"`
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// The course lab end to end: apply with its checks, podlab check with a
// JUnit report, destroy leaving nothing.
func TestCourseLabChecksAndJUnit(t *testing.T) {
	l := courseLab(t)
	res := l.must(0, "apply", "-auto-approve", "-var", "target=kubeconfig")
	if !strings.Contains(res.stdout, "6 checks: 6 passed, 0 failed.") {
		t.Fatalf("apply's checks:\n%s", res.all())
	}
	// The node-side check's probe pod keeps out of the students' way: the
	// exercise's namespace holds the lesson's pod alone, as "kubectl get
	// pods" shows it in the notes.
	cs := l.cluster.Clientset(t)
	ctx := context.Background()
	for ns, want := range map[string]string{
		"pod-basics-" + l.workspace + "-nginx-pod":     "my-nginx-pod",
		"pod-basics-" + l.workspace + "-podlab-probes": "podlab-probe-",
	} {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(pods.Items) != 1 || !strings.HasPrefix(pods.Items[0].Name, want) {
			var names []string
			for _, p := range pods.Items {
				names = append(names, p.Name)
			}
			t.Errorf("pods in %s: %v, want only %s…", ns, names, want)
		}
	}
	junit := filepath.Join(t.TempDir(), "checks.xml")
	res = l.must(0, "check", "-junit", junit)
	for _, want := range []string{"nginx_pod   pod IP answers from a node", "sidecar     sidecar reaches nginx on localhost", "PASS"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("results table lacks %q:\n%s", want, res.stdout)
		}
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("the JUnit file does not parse: %v\n%s", err, b)
	}
	if doc.Tests != 6 || doc.Failures != 0 || len(doc.Suites) != 2 {
		t.Fatalf("junit: %d tests, %d failures, %d suites; want 6, 0, 2\n%s", doc.Tests, doc.Failures, len(doc.Suites), b)
	}
	names := map[string]int{}
	for _, s := range doc.Suites {
		names[s.Name] = len(s.Cases)
	}
	if names["exercise.nginx_pod"] != 4 || names["exercise.sidecar"] != 2 {
		t.Errorf("suites %v, want exercise.nginx_pod with 4 cases and exercise.sidecar with 2", names)
	}
	// The last results are kept in state.
	show := l.must(0, "state", "show", "exercise.sidecar").stdout
	if !strings.Contains(show, "PASS exercise.sidecar.check[\"sidecar reaches nginx on localhost\"] (exec)") {
		t.Errorf("state show lacks the last check results:\n%s", show)
	}

	// A check that fails for a real reason: the student's sidecar has no
	// nginx on localhost:8080.
	l.write("extra.podlab.hcl", `
exercise "broken" {
  manifests = [file("k8s_yaml/nginx-pod-with-ubuntu.yaml")]
  check "wrong port" {
    timeout = "3s"
    exec {
      pod           = "my-nginx-pod"
      container     = "ubuntu-sidecar-container"
      command       = ["curl", "-s", "localhost:8080"]
      expect_stdout = "Welcome to nginx!"
    }
  }
}
`)
	res = l.must(2, "apply", "-auto-approve")
	for _, want := range []string{
		"7 checks: 6 passed, 1 failed.",
		`expected: exit code 0, stdout contains "Welcome to nginx!"`,
		"seen:     exit code 7",
		"try:      kubectl exec -n pod-basics-" + l.workspace + "-broken my-nginx-pod -c ubuntu-sidecar-container -- curl -s localhost:8080",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("failure report lacks %q:\n%s", want, res.stdout)
		}
	}
	res = l.must(2, "check", "-junit", junit)
	b, _ = os.ReadFile(junit)
	doc = junitDoc{}
	if err := xml.Unmarshal(b, &doc); err != nil || doc.Failures != 1 {
		t.Errorf("junit after the failure: %d failures (%v)\n%s", doc.Failures, err, b)
	}

	res = l.must(0, "destroy", "-auto-approve")
	if n := l.labelled(); n != 0 {
		t.Fatalf("%d labelled objects after destroy:\n%s", n, res.all())
	}
}

// Where Pod Security forbids hostNetwork pods (as GKE Autopilot forbids
// them everywhere), a check from the node says so plainly and at once,
// and says what to use instead, rather than timing out.
func TestCheckFromNodeWhereHostNetworkIsForbidden(t *testing.T) {
	c := testcluster.Get(t)
	ns := c.Namespace(t, "baseline")
	cs := c.Clientset(t)
	ctx := context.Background()
	got, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got.Labels["pod-security.kubernetes.io/enforce"] = "baseline"
	if _, err := cs.CoreV1().Namespaces().Update(ctx, got, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	l := newLab(t, map[string]string{
		"lab.podlab.hcl": `
lab {
  name            = "baseline"
  probe_namespace = "` + ns + `"
}
variable "target" { default = "kubeconfig" }
cluster "kubeconfig" {
  kubeconfig {}
}
exercise "web" {
  manifests = [file("pod.yaml")]
  check "answers from the node" {
    # A refusal must end the check at once: retried, it would outlast
    # the test's 5-minute limit on a podlab run.
    timeout = "10m"
    http {
      pod  = "web"
      port = 80
      from = "node"
    }
  }
}
`,
		"pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: nginx\n    image: nginx:latest\n",
	})
	res := l.must(2, "apply", "-auto-approve")
	for _, want := range []string{
		"1 checks: 0 passed, 1 failed.",
		"this cluster forbids hostNetwork pods, so podlab cannot send a request from the node's network",
		`try:      use from = "pod" or from = "apiserver" on this cluster`,
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("the failure lacks %q:\n%s", want, res.all())
		}
	}
	l.must(0, "destroy", "-auto-approve")
}
