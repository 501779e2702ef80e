package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// An object the API server rejects is a diagnostic pointing into the
// manifest file, at the field it names.
func TestRejectedManifestPointsIntoTheFile(t *testing.T) {
	l := newLab(t, map[string]string{
		"lab.podlab.hcl": "cluster \"kubeconfig\" {\n  kubeconfig {}\n}\nvariable \"target\" {\n  default = \"kubeconfig\"\n}\nexercise \"bad\" {\n  manifests = [file(\"pod.yaml\")]\n}\n",
		"pod.yaml":       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: Not_A_Valid_Name\n    image: nginx:latest\n",
	})
	res := l.must(1, "apply", "-auto-approve")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`The API server rejected Pod "web"`),
		regexp.MustCompile(`on pod\.yaml line 7`),
		regexp.MustCompile(`spec\.containers\[0\]\.name: Invalid value: "Not_A_Valid_Name"`),
		regexp.MustCompile(`exercise\.bad\.Pod\.web is declared by exercise\.bad \(lab\.podlab\.hcl:8,`),
	} {
		if !want.MatchString(res.stderr) {
			t.Errorf("diagnostic lacks %s:\n%s", want, res.stderr)
		}
	}
	l.must(0, "destroy", "-auto-approve")
}

// An unreachable cluster is a clear error, with state untouched.
func TestUnreachableClusterLeavesStateAlone(t *testing.T) {
	l := manyExercises(t, "unreachable", 1)
	l.must(0, "apply", "-auto-approve", "-checks=false")
	before, _ := os.ReadFile(l.statePath())
	kc := l.dir + "/dead.kubeconfig"
	l.write("dead.kubeconfig", "apiVersion: v1\nkind: Config\nclusters:\n- name: dead\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: dead\n  context:\n    cluster: dead\n    user: nobody\ncurrent-context: dead\nusers:\n- name: nobody\n  user:\n    token: x\n")
	saved := l.env
	l.env = append(append([]string{}, l.env...), "KUBECONFIG="+kc)
	start := time.Now()
	res := l.must(1, "apply", "-auto-approve")
	l.env = saved
	if !strings.Contains(res.stderr, "cannot reach the cluster at https://127.0.0.1:1") || !strings.Contains(res.stderr, "connection refused") {
		t.Errorf("unclear error:\n%s", res.stderr)
	}
	if time.Since(start) > 45*time.Second {
		t.Errorf("giving up on a dead cluster took %s", time.Since(start))
	}
	after, _ := os.ReadFile(l.statePath())
	if string(before) != string(after) {
		t.Error("the state changed although nothing could be done")
	}
	l.must(0, "destroy", "-auto-approve")
}

// The API server stops and starts again in the middle of an apply: the
// apply waits, retries and completes.
func TestAPIServerRestartDuringApply(t *testing.T) {
	l := manyExercises(t, "restart", 6)
	s := l.start("apply", "-auto-approve", "-checks=false", "-parallelism", "2")
	if !s.waitFor(t, "Creation complete", 2*time.Minute) {
		t.Fatalf("apply made no progress:\n%s", s.output())
	}
	l.cluster.StopAPIServer(t)
	time.Sleep(2 * time.Second)
	l.cluster.StartAPIServer(t)
	if code := s.wait(t, 5*time.Minute); code != 0 {
		t.Fatalf("apply across the restart exited %d:\n%s", code, s.output())
	}
	if got := len(l.state().Objects); got != 12 {
		t.Errorf("state records %d objects, want 12", got)
	}
	l.must(0, "destroy", "-auto-approve")
}
