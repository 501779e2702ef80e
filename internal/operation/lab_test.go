package operation

import (
	"path/filepath"
	"testing"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/labtest"
	"github.com/podlab/podlab/providers/kubeadm"
	"github.com/podlab/podlab/state"
)

const kubeadmLab = `
lab {
  name    = "pods"
  cluster = "onprem"
}
cluster "onprem" {
  kubeadm {
    control_plane = ["10.0.0.10"]
    ssh {
      user = "root"
    }
  }
}
`

// The kubeadm provider's files (admin.conf, host logs) live in the
// directory of the environment's state, wherever backend "local" puts it.
func TestKubeadmFilesBesideState(t *testing.T) {
	for _, tc := range []struct {
		name    string
		backend func(lab string) string // the local backend's directory
	}{
		{"default", func(lab string) string { return filepath.Join(lab, ".podlab") }},
		{"path inside the lab", func(lab string) string { return filepath.Join(lab, "states") }},
		{"path elsewhere", func(string) string { return t.TempDir() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := labtest.Write(t, labtest.Files{"lab.podlab.hcl": kubeadmLab})
			env := labtest.MustEvaluate(t, labtest.Files{"lab.podlab.hcl": kubeadmLab}, config.EvalOptions{})
			b := state.NewLocal(tc.backend(dir))
			mgr, err := state.Open(t.Context(), b, env.Name, state.OpenOptions{Lab: env.Lab.Name})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { mgr.Close() })
			prov, err := NewProvider(&Lab{Dir: dir, Env: env}, mgr, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			p, ok := prov.(*kubeadm.Provider)
			if !ok {
				t.Fatalf("provider %T, want kubeadm", prov)
			}
			if want := filepath.Dir(b.Describe(env.Name)); p.WorkDir != want {
				t.Errorf("kubeadm files in %s, state in %s", p.WorkDir, want)
			}
		})
	}
}
