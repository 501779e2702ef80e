package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlab/podlab/config"
)

// loadAndPlan is what "podlab plan" does with no state and no cluster:
// load the lab, evaluate it for one environment and plan every object.
func loadAndPlan(b *testing.B, dir string, vars ...string) {
	m, diags := config.Load(dir)
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	var inputs []config.RawValue
	for _, v := range vars {
		rv, err := config.CLIValue(v)
		if err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, rv)
	}
	env, diags := config.Evaluate(m, config.EvalOptions{Inputs: inputs})
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	p, err := New(env, nil, "bench").Plan(context.Background(), PlanOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if len(p.Changes) == 0 {
		b.Fatal("an empty plan")
	}
}

// BenchmarkPlanExample loads, evaluates and plans the course lab.
// Target: under 20 ms per operation.
func BenchmarkPlanExample(b *testing.B) {
	dir := filepath.Join("..", "examples", "pod-basics")
	for b.Loop() {
		loadAndPlan(b, dir, "target=gke")
	}
}

// BenchmarkPlanGenerated loads, evaluates and plans generated labs of 50,
// 100 and 200 exercises. Target: under 500 ms for 200, growing linearly.
func BenchmarkPlanGenerated(b *testing.B) {
	for _, n := range []int{50, 100, 200} {
		dir := generateLab(b, n)
		b.Run(fmt.Sprintf("exercises=%d", n), func(b *testing.B) {
			for b.Loop() {
				loadAndPlan(b, dir)
			}
		})
	}
}

// generateLab writes a lab of n exercises like the course's: each with its
// own manifest file (a pod of two containers and a service), three checks,
// a depends_on chain in groups of ten, and an output per ten exercises.
func generateLab(tb testing.TB, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	var lab strings.Builder
	lab.WriteString(`variable "target" {
  default = "kubeconfig"
}

lab {
  name    = "generated"
  cluster = var.target
}

cluster "kubeconfig" {
  kubeconfig {}
}

locals {
  image = "nginx:latest"
}
`)
	for i := 0; i < n; i++ {
		write(fmt.Sprintf("k8s/ex%03d.yaml", i), fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata:
  name: web-%d
  labels:
    app: web-%d
spec:
  containers:
  - name: nginx
    image: nginx:latest
    ports:
    - containerPort: 80
  - name: sidecar
    image: busybox
    command: ["sleep", "infinity"]
---
apiVersion: v1
kind: Service
metadata:
  name: web-%d
spec:
  selector:
    app: web-%d
  ports:
  - port: 80
`, i, i, i, i))
		deps := ""
		if i%10 != 0 {
			deps = fmt.Sprintf("  depends_on = [exercise.ex%03d]\n", i-1)
		}
		fmt.Fprintf(&lab, `
exercise "ex%03d" {
  description = "Exercise %d"
  manifests   = [file("k8s/ex%03d.yaml")]
%s
  check "ready" {
    ready {
      pod = "web-%d"
    }
  }

  check "answers" {
    http {
      pod         = "web-%d"
      port        = 80
      from        = "node"
      expect_body = "Welcome to nginx!"
    }
  }

  check "logs" {
    logs {
      pod       = "web-%d"
      container = "nginx"
      contains  = "GET /"
    }
  }
}
`, i, i, i, deps, i, i, i)
		if i%10 == 9 {
			fmt.Fprintf(&lab, "\noutput \"ns%03d\" {\n  value = exercise.ex%03d.namespace\n}\n", i, i)
		}
	}
	write("lab.podlab.hcl", lab.String())
	return dir
}

// TestGeneratedLab keeps the benchmark's lab honest: it loads and plans.
func TestGeneratedLab(t *testing.T) {
	dir := generateLab(t, 20)
	m, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	env, diags := config.Evaluate(m, config.EvalOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	p, err := New(env, nil, "test").Plan(context.Background(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A namespace, a pod and a service per exercise, and the namespace of
	// the node-side checks' probes; three checks each.
	if len(p.Changes) != 61 || len(p.Checks) != 60 || len(p.Outputs) != 2 {
		t.Errorf("%d changes, %d checks, %d outputs", len(p.Changes), len(p.Checks), len(p.Outputs))
	}
}
