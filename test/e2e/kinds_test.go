package e2e

import (
	"strings"
	"testing"
)

const deploymentYAML = `apiVersion: apps/v1
kind: %s
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.k8s.io/pause:3.10
`

// A misspelt kind: plan and apply's plan ask the cluster's discovery and
// fail at the manifest's kind line with the nearest kind the cluster
// serves; validate, which asks no cluster, warns with the same suggestion.
// A wrong apiVersion for a served kind names the one that serves it.
func TestPlanUnknownKind(t *testing.T) {
	l := onePodLab(t, "", strings.Replace(deploymentYAML, "%s", "Deploymnet", 1))

	res := l.must(1, "plan")
	for _, want := range []string{"Unknown kind", "pod.yaml line 2", `Did you mean "Deployment" (apps/v1)?`} {
		if !strings.Contains(flat(res), want) {
			t.Errorf("plan output lacks %q:\n%s", want, flat(res))
		}
	}
	if strings.Contains(flat(res), `+ Deploymnet`) {
		t.Errorf("plan still shows the unknown kind as a change:\n%s", flat(res))
	}

	res = l.must(1, "apply", "-auto-approve")
	if !strings.Contains(flat(res), `Did you mean "Deployment" (apps/v1)?`) {
		t.Errorf("apply output lacks the suggestion:\n%s", flat(res))
	}
	if n := l.labelled(); n != 0 {
		t.Errorf("apply of an unknown kind left %d objects", n)
	}

	res = l.must(0, "validate")
	if !strings.Contains(flat(res), "Warning: Unknown kind") || !strings.Contains(flat(res), `Did you mean "Deployment" (apps/v1)?`) {
		t.Errorf("validate does not warn of the unknown kind:\n%s", flat(res))
	}

	l.write("pod.yaml", strings.Replace(strings.Replace(deploymentYAML, "%s", "Deployment", 1), "apps/v1", "v1", 1))
	res = l.must(1, "plan")
	for _, want := range []string{"Wrong apiVersion", "pod.yaml line 1", "set apiVersion: apps/v1"} {
		if !strings.Contains(flat(res), want) {
			t.Errorf("plan of a wrong apiVersion lacks %q:\n%s", want, flat(res))
		}
	}

	l.write("pod.yaml", strings.Replace(deploymentYAML, "%s", "Deployment", 1))
	res = l.must(0, "plan")
	if !strings.Contains(flat(res), `Deployment "web"`) || strings.Contains(flat(res), "kind") && strings.Contains(flat(res), "Warning") {
		t.Errorf("a correct Deployment does not plan cleanly:\n%s", flat(res))
	}
}

// flat is a command's output with its lines unwrapped, so a phrase the
// view wrapped can be looked for whole.
func flat(r result) string { return strings.Join(strings.Fields(r.all()), " ") }
