package command

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlab/podlab/state"
)

func TestComplete(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := copyLab(t, exampleDir)
	// A state with one seat's pod, for addresses from state.
	b := state.NewLocal(filepath.Join(lab, ".podlab"))
	st := state.New("pod-basics", "kubeconfig")
	st.Objects = []*state.Object{{Address: `seat["kim"].exercise.nginx_pod.Pod.my-nginx-pod`, APIVersion: "v1", Kind: "Pod", Name: "my-nginx-pod"}}
	if err := b.Write(context.Background(), "kubeconfig", st); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(context.Background(), "gke@evening", state.New("pod-basics", "gke@evening")); err != nil {
		t.Fatal(err)
	}
	chdir := "-chdir=" + lab
	tests := []struct {
		name  string
		words []string
		want  []string // all of these among the candidates
		not   []string // none of these
	}{
		{"commands", []string{""}, []string{"apply", "plan", "workspace", "show", "completion"}, []string{completeCommand}},
		{"commands by prefix", []string{"ap"}, []string{"apply"}, []string{"plan"}},
		{"global options", []string{"-"}, []string{"-chdir=", "-version"}, nil},
		{"a command's flags", []string{"plan", "-"}, []string{"-target", "-replace", "-out", "-destroy", "-var"}, []string{"-auto-approve"}},
		{"apply's flags", []string{"apply", "-d"}, []string{"-destroy"}, []string{"-target"}},
		{"state subcommands", []string{"state", ""}, []string{"list", "show", "rm"}, nil},
		{"workspace subcommands", []string{"workspace", "s"}, []string{"show", "select"}, []string{"new"}},
		{"completion shells", []string{"completion", ""}, []string{"bash", "zsh", "fish"}, nil},
		{"environment names", []string{chdir, "plan", "-var", "tar"}, []string{"target=gke", "target=onprem", "target=kubeconfig", "target="}, nil},
		{"seat names", []string{chdir, "check", "-var", `students=["kim","lee"]`, "-seat", ""}, []string{"kim", "lee"}, nil},
		{"addresses from state and configuration", []string{chdir, "apply", "-var", `students=["kim","lee"]`, "-target", "seat"},
			[]string{`seat["kim"]`, `seat["lee"]`, `seat["kim"].exercise.nginx_pod`, `seat["kim"].exercise.nginx_pod.Pod.my-nginx-pod`}, nil},
		{"a quoted address", []string{chdir, "destroy", "-target", `'seat["k`}, []string{`seat["kim"].exercise.nginx_pod.Pod.my-nginx-pod`}, nil},
		{"state show", []string{chdir, "state", "show", ""}, []string{`seat["kim"].exercise.nginx_pod.Pod.my-nginx-pod`}, nil},
		{"workspaces", []string{chdir, "workspace", "select", ""}, []string{"default", "evening"}, nil},
		{"the -workspace option", []string{chdir, "plan", "-workspace", "e"}, []string{"evening"}, []string{"default"}},
		{"a file option offers nothing", []string{chdir, "plan", "-out", ""}, nil, []string{"apply"}},
		{"an unknown command offers nothing", []string{"nope", ""}, nil, []string{"apply"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "", nil, append([]string{completeCommand}, tt.words...)...)
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			got := strings.Split(strings.TrimSpace(r.stdout), "\n")
			has := map[string]bool{}
			for _, g := range got {
				has[g] = true
			}
			for _, w := range tt.want {
				if !has[w] {
					t.Errorf("%q not among %q", w, got)
				}
			}
			for _, n := range tt.not {
				if has[n] {
					t.Errorf("%q offered: %q", n, got)
				}
			}
			if len(tt.want) == 0 && strings.TrimSpace(r.stdout) != "" {
				t.Errorf("candidates offered: %q", got)
			}
		})
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		r := run(t, "", nil, "completion", sh)
		if r.code != ExitOK || !strings.Contains(r.stdout, "podlab __complete") {
			t.Errorf("completion %s: %d\n%s", sh, r.code, r.stdout)
		}
	}
	if r := run(t, "", nil, "completion", "bsh"); r.code != ExitError || !strings.Contains(r.stderr, `did you mean "bash"?`) {
		t.Errorf("completion bsh: %d %s", r.code, r.stderr)
	}
	if r := run(t, "", nil, "completion"); r.code != ExitError {
		t.Errorf("completion without a shell: %d", r.code)
	}
}
