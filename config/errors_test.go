package config

import (
	"strings"
	"testing"
)

// TestAllErrorsAtOnce: independent mistakes are all reported in one run,
// when loading and when evaluating.
func TestAllErrorsAtOnce(t *testing.T) {
	t.Run("load", func(t *testing.T) {
		_, diags := load(t, files{
			"a.podlab.hcl": "variable \"x\" {\n  typo = 1\n}\n" + localCluster,
			"b.podlab.hcl": "exercise \"e\" {\n  manifests = []\n  count = 1\n  for_each = toset([])\n}\noutput \"o\" {\n  value = var.y\n}\n",
		})
		want := []string{
			"error a.podlab.hcl:2: Unsupported argument",
			"error b.podlab.hcl:3: Invalid combination of count and for_each",
			"error b.podlab.hcl:7: Reference to undeclared input variable",
		}
		if got := summaries(diags); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	})
	t.Run("evaluate", func(t *testing.T) {
		_, diags := evaluate(t, files{
			"lab.podlab.hcl": `
cluster "gke" {
  gke {
    project  = "p"
    location = "us-central1"
    name     = "Bad_Name"
    node_pool "a" {}
  }
}

exercise "one" {
  manifests = [file("pod.yaml")]
  check "c" {
    ready {
      pod = "nope"
    }
  }
}

exercise "two" {
  manifests = [file("missing.yaml")]
}

exercise "three" {
  manifests = [file("pod.yaml")]
  check "c" {
    timeout = "soon"
    ready {
      pod = "web"
    }
  }
}
`,
			"pod.yaml": podYAML,
		}, EvalOptions{})
		want := []string{
			"error lab.podlab.hcl:15: Unknown pod",
			"error lab.podlab.hcl:21: Invalid function argument",
			"error lab.podlab.hcl:27: Invalid duration",
			"error lab.podlab.hcl:6: Invalid GKE cluster name",
		}
		if got := summaries(diags); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	})
}
