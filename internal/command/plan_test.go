package command

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/podlab/podlab/internal/golden"
	"github.com/podlab/podlab/plan"
)

var timestampRe = regexp.MustCompile(`"@timestamp":"[^"]*"`)

// TestGoldenPlan plans the course lab for each of its environments, with
// no cluster and no state, and compares the human and -json output with
// testdata/plan/TARGET.{txt,jsonl}.
func TestGoldenPlan(t *testing.T) {
	// The kubeconfig environment names the kubeconfig it would use.
	t.Setenv("KUBECONFIG", "/home/student/.kube/config")
	t.Setenv("PODLAB_WORKSPACE", "")
	for _, target := range []string{"gke", "onprem", "kubeconfig"} {
		for _, jsonOut := range []bool{false, true} {
			name, ext := target, ".txt"
			// No cluster here: the kubeconfig environment is planned from
			// the configuration alone.
			args := []string{"plan", "-var", "target=" + target, "-refresh=false"}
			if jsonOut {
				name, ext = target+"-json", ".jsonl"
				args = append(args, "-json")
			}
			t.Run(name, func(t *testing.T) {
				lab := copyLab(t, exampleDir)
				r := run(t, lab, nil, args...)
				if r.code != ExitOK || r.stderr != "" {
					t.Fatalf("podlab %s exited %d:\n%s", strings.Join(args, " "), r.code, r.stderr)
				}
				out := strings.ReplaceAll(r.stdout, lab, "$LAB")
				if jsonOut {
					for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
						if !json.Valid([]byte(line)) {
							t.Errorf("not a JSON line: %s", line)
						}
					}
					out = timestampRe.ReplaceAllString(out, `"@timestamp":"TIME"`)
				}
				golden.Check(t, filepath.Join("testdata", "plan", target+ext), []byte(out))
			})
		}
	}
}

// TestPlanCountsAndChecks pins down the numbers a plan of the course lab
// must have, independently of how the golden files render them.
func TestPlanCountsAndChecks(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	tests := []struct {
		target  string
		summary string
	}{
		// The cluster and, per exercise, its namespace and its pod.
		{"gke", "Plan: 6 to add, 0 to change, 0 to destroy."},
		{"onprem", "Plan: 6 to add, 0 to change, 0 to destroy."},
		// A kubeconfig cluster exists already: nothing to create for it.
		{"kubeconfig", "Plan: 5 to add, 0 to change, 0 to destroy."},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			lab := copyLab(t, exampleDir)
			r := run(t, lab, nil, "plan", "-var", "target="+tt.target)
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			for _, want := range []string{
				tt.summary,
				`exercise.nginx_pod.Pod.my-nginx-pod will be created`,
				`exercise.sidecar.Pod.my-nginx-pod will be created`,
				`Pod "my-nginx-pod" in namespace "pod-basics-nginx-pod"`,
				`Pod "my-nginx-pod" in namespace "pod-basics-sidecar"`,
				`podIP: (known after apply)`,
				`nginx_pod_ip = (known after apply)`,
				`- sidecar reaches nginx on localhost (exec)`,
				`- pod IP answers from a node (http from node)`,
			} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("the plan does not say %q:\n%s", want, r.stdout)
				}
			}
		})
	}
}

func TestPlanDetailedExitcode(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := copyLab(t, exampleDir)
	if r := run(t, lab, nil, "plan", "-detailed-exitcode", "-var", "target=gke"); r.code != ExitChecksFail {
		t.Errorf("plan -detailed-exitcode with changes exited %d, want %d\n%s", r.code, ExitChecksFail, r.stderr)
	}
	if r := run(t, lab, nil, "plan", "-var", "target=gke"); r.code != ExitOK {
		t.Errorf("plan with changes exited %d, want %d\n%s", r.code, ExitOK, r.stderr)
	}
}

// TestPlanOut saves a plan and reads it back: it records the variables
// and a hash of the configuration that changes with any file the lab
// reads, manifests included.
func TestPlanOut(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := copyLab(t, exampleDir)
	save := func(name string, args ...string) *plan.Plan {
		t.Helper()
		r := run(t, lab, nil, append([]string{"plan", "-out", name}, args...)...)
		if r.code != ExitOK {
			t.Fatalf("plan -out exited %d: %s", r.code, r.stderr)
		}
		// -out is relative to the lab directory (-chdir), as in Terraform.
		p, err := plan.Load(filepath.Join(lab, name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p1 := save("one.plan", "-var", "target=gke", "-var", "class=intro")
	// Variables are saved with their types, so that apply compares like
	// with like.
	for name, want := range map[string]string{
		"target":   `{"value":"gke","type":"string"}`,
		"class":    `{"value":"intro","type":"string"}`,
		"students": `{"value":null,"type":["list","string"]}`,
	} {
		var buf bytes.Buffer
		if err := json.Compact(&buf, p1.Variables[name]); err != nil {
			t.Fatalf("variable %s: %s", name, err)
		}
		if buf.String() != want {
			t.Errorf("the plan records %s = %s, want %s", name, buf.String(), want)
		}
	}
	if p1.Environment != "gke" || p1.Lab != "pod-basics" || p1.PodlabVersion != "test" {
		t.Errorf("the plan is for %q/%q by %q", p1.Lab, p1.Environment, p1.PodlabVersion)
	}
	st, err := os.Stat(filepath.Join(lab, "one.plan"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("the plan file has mode %v; it may hold secrets and must be 0600", st.Mode().Perm())
	}

	p2 := save("two.plan", "-var", "target=gke", "-var", "class=intro")
	if p1.ConfigHash != p2.ConfigHash {
		t.Errorf("the configuration hash changed between two plans of the same lab")
	}
	manifest := filepath.Join(lab, "k8s_yaml", "nginx-pod.yaml")
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(manifest, []byte(strings.Replace(string(b), "nginx:latest", "nginx:1.27", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	p3 := save("three.plan", "-var", "target=gke", "-var", "class=intro")
	if p3.ConfigHash == p1.ConfigHash {
		t.Errorf("the configuration hash did not change when a manifest file changed")
	}
}
