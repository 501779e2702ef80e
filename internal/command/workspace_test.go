package command

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlab/podlab/state"
)

// Workspace names are checked wherever they come in: the flag, the
// environment variable, the selected file.
func TestWorkspaceNamesRefused(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := copyLab(t, exampleDir)
	tests := []struct {
		name    string
		environ []string
		args    []string
		file    string // written as the selected workspace
		want    string
	}{
		{"path in the flag", nil, []string{"plan", "-workspace", "../../../../tmp/x"}, "", `workspace "../../../../tmp/x" cannot be used`},
		{"Korean in the flag", nil, []string{"plan", "-workspace", "반"}, "", "lowercase letters"},
		{"space in the environment", []string{"PODLAB_WORKSPACE=Fall 2025"}, []string{"plan"}, "", `such as "fall-2025" (from PODLAB_WORKSPACE)`},
		{"capitals in the selected file", nil, []string{"plan"}, "FALL_2025", "reset it"},
		{"workspace new", nil, []string{"workspace", "new", "Fall 2025"}, "", `such as "fall-2025"`},
		{"workspace select", nil, []string{"workspace", "select", "../x"}, "", "cannot be used"},
		{"state list", nil, []string{"state", "list", "-workspace", "a/b"}, "", "cannot be used"},
		{"destroy", nil, []string{"destroy", "-workspace", "a/b"}, "", "cannot be used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_ = os.Remove(selectedFile(lab))
			if tt.file != "" {
				if err := writeSelected(lab, tt.file); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = os.Remove(selectedFile(lab)) })
			}
			r := run(t, lab, tt.environ, tt.args...)
			if r.code != ExitError || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("podlab %s: exit %d, want 1 and %q:\n%s%s", strings.Join(tt.args, " "), r.code, tt.want, r.stdout, r.stderr)
			}
		})
	}
	if ents, _ := os.ReadDir(filepath.Join(lab, ".podlab", "envs")); len(ents) != 0 {
		t.Errorf("a refused workspace left states: %v", ents)
	}
}

// new, list, show, select and delete, and the selection honoured by plan
// and overridden by the flag and the environment variable.
func TestWorkspaceRoundTrip(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := copyLab(t, exampleDir)
	must := func(environ []string, want string, args ...string) result {
		t.Helper()
		r := run(t, lab, environ, args...)
		if r.code != ExitOK || !strings.Contains(r.stdout, want) {
			t.Fatalf("podlab %s: exit %d, want 0 and %q:\n%s%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
		}
		return r
	}
	must(nil, "default\n", "workspace", "show")
	must(nil, "* default\n", "workspace", "list")
	must(nil, `Created and switched to workspace "evening"`, "workspace", "new", "evening")
	must(nil, "evening\n", "workspace", "show")
	r := must(nil, "  default\n* evening\n", "workspace", "list")
	_ = r
	if r := run(t, lab, nil, "workspace", "new", "evening"); r.code != ExitError || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("a second workspace new evening: %d %s", r.code, r.stderr)
	}
	// Every command honours the selection...
	must(nil, `environment "kubeconfig@evening"`, "plan", "-refresh=false")
	must(nil, `pod-basics-evening-nginx-pod`, "plan", "-refresh=false")
	// ... the GKE cluster's name included ...
	must(nil, `"podlab-pods-evening"`, "plan", "-var", "target=gke")
	// ... and the flag and the environment variable override it.
	must(nil, `environment "kubeconfig@morning"`, "plan", "-refresh=false", "-workspace", "morning")
	must([]string{"PODLAB_WORKSPACE=noon"}, `environment "kubeconfig@noon"`, "plan", "-refresh=false")
	must([]string{"PODLAB_WORKSPACE=noon"}, "noon\n", "workspace", "show")

	if r := run(t, lab, nil, "workspace", "select", "evenin"); r.code != ExitError || !strings.Contains(r.stderr, `did you mean "evening"?`) {
		t.Errorf("select of a workspace that does not exist: %d %s", r.code, r.stderr)
	}
	if r := run(t, lab, nil, "workspace", "delete", "evening"); r.code != ExitError || !strings.Contains(r.stderr, "is the current one") {
		t.Errorf("delete of the current workspace: %d %s", r.code, r.stderr)
	}
	must(nil, `Switched to workspace "default"`, "workspace", "select", "default")
	if _, err := os.Stat(selectedFile(lab)); !os.IsNotExist(err) {
		t.Errorf("the default workspace is recorded in a file: %v", err)
	}
	must(nil, `environment "kubeconfig"`, "plan", "-refresh=false")

	// A workspace whose state records objects is kept unless -force.
	b := state.NewLocal(filepath.Join(lab, ".podlab"))
	st := state.New("pod-basics", "kubeconfig@evening")
	st.Objects = []*state.Object{{Address: "exercise.nginx_pod.Pod.my-nginx-pod", APIVersion: "v1", Kind: "Pod", Name: "my-nginx-pod", Namespace: "pod-basics-evening-nginx-pod"}}
	if err := b.Write(context.Background(), "kubeconfig@evening", st); err != nil {
		t.Fatal(err)
	}
	if r := run(t, lab, nil, "workspace", "delete", "evening"); r.code != ExitError || !strings.Contains(r.stderr, "still has objects in its state: kubeconfig@evening (1 objects)") {
		t.Errorf("delete of a workspace with objects: %d %s", r.code, r.stderr)
	}
	must(nil, "* default\n  evening\n", "workspace", "list")
	must(nil, `Deleted workspace "evening"`, "workspace", "delete", "-force", "evening")
	if envs, _ := b.Environments(context.Background()); len(envs) != 0 {
		t.Errorf("states left after delete -force: %v", envs)
	}
	r = must(nil, "* default\n", "workspace", "list")
	if strings.Contains(r.stdout, "evening") {
		t.Errorf("workspace list after delete:\n%s", r.stdout)
	}
	must(nil, `Switched to workspace "late"`, "workspace", "select", "-or-create", "late")
	must(nil, "late\n", "workspace", "show")
}
