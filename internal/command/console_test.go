package command

import (
	"bytes"
	"strings"
	"testing"
)

func runStdin(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := &Meta{Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(stdin), Version: "test", Ctx: t.Context(), Kill: t.Context()}
	code := Run(m, append([]string{"-chdir=" + dir}, args...))
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func TestConsole(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := copyLab(t, exampleDir)
	tests := []struct {
		name  string
		args  []string
		input string
		want  string // stdout
		err   string // part of stderr; exit 1
	}{
		{"an exercise's namespace", nil, "exercise.nginx_pod.namespace\n", `"pod-basics-nginx-pod"` + "\n", ""},
		{"a for expression over a variable", []string{"-var", `students=["Kim","LEE"]`}, "[for s in var.students : lower(s)]\n", `["kim", "lee"]` + "\n", ""},
		{"several lines, blank ones skipped, exit stops", nil, "1 + 1\n\npodlab.environment\nexit\n2\n", "2\n\"kubeconfig\"\n", ""},
		{"the workspace", []string{"-workspace", "evening"}, "podlab.workspace\n", `"evening"` + "\n", ""},
		{"known after apply", nil, `exercise.nginx_pod.pods["my-nginx-pod"].ip` + "\n", "(known after apply)\n", ""},
		{"a function", nil, `upper("kim")` + "\n", `"KIM"` + "\n", ""},
		{"an unknown root", nil, "nope.x\n", "", `"nope" is not something the console knows`},
		{"a syntax error", nil, "1 +\n", "", "<console>"},
		{"an unknown exercise", nil, "exercise.nope\n", "", "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runStdin(t, lab, tt.input, append([]string{"console"}, tt.args...)...)
			if tt.err != "" {
				if r.code != ExitError || !strings.Contains(r.stderr, tt.err) {
					t.Errorf("exit %d, want 1 and %q:\n%s%s", r.code, tt.err, r.stdout, r.stderr)
				}
				return
			}
			if r.code != ExitOK || r.stdout != tt.want {
				t.Errorf("exit %d, stdout %q, want %q\n%s", r.code, r.stdout, tt.want, r.stderr)
			}
		})
	}
}
