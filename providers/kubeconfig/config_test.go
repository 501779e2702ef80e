package kubeconfig

import (
	"testing"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/labtest"
)

func TestKubeconfigSchema(t *testing.T) {
	env := labtest.MustEvaluate(t, labtest.Files{"lab.podlab.hcl": `
cluster "kind" {
  kubeconfig {
    path    = "~/.kube/kind"
    context = "kind-class"
  }
}
`}, config.EvalOptions{})
	if got := env.Cluster.Settings.(*Config); got == nil || *got != (Config{Path: "~/.kube/kind", Context: "kind-class"}) {
		t.Errorf("kubeconfig: %+v", got)
	}
	env = labtest.MustEvaluate(t, labtest.Files{"lab.podlab.hcl": "cluster \"local\" {\n  kubeconfig {}\n}\n"}, config.EvalOptions{})
	if got := env.Cluster.Settings.(*Config); got == nil || *got != (Config{}) {
		t.Errorf("kubeconfig defaults: %+v", got)
	}
	labtest.Check(t, labtest.Files{"lab.podlab.hcl": "cluster \"kind\" {\n  kubeconfig {\n    file = \"x\"\n  }\n}\n"}, "Unsupported argument", 3)
}
