package command

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const precedenceLab = `
variable "v" {
  default = "default"
}

variable "n" {
  type    = number
  default = 0
}

variable "l" {
  type    = list(string)
  default = []
}

cluster "local" {
  kubeconfig {
    path = "/nonexistent/kubeconfig"
  }
}

output "v" {
  value = var.v
}

output "n" {
  value = var.n
}

output "l" {
  value = var.l
}
`

// planOutputs runs plan -json and returns the outputs it reports, as JSON.
func planOutputs(t *testing.T, lab string, environ []string, args ...string) (map[string]string, result) {
	t.Helper()
	r := run(t, lab, environ, append([]string{"plan", "-json", "-refresh=false"}, args...)...)
	out := map[string]string{}
	for _, line := range strings.Split(r.stdout, "\n") {
		var ev struct {
			Type    string `json:"type"`
			Outputs map[string]struct {
				Value json.RawMessage `json:"value"`
			} `json:"outputs"`
		}
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Type == "outputs" {
			for k, v := range ev.Outputs {
				out[k] = string(v.Value)
			}
		}
	}
	return out, r
}

// TestVariablePrecedence: default < var files in the order given <
// PODLAB_VAR_ environment variables < -var options in the order given,
// wherever the options stand on the command line.
func TestVariablePrecedence(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(lab, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("lab.podlab.hcl", precedenceLab)
	write("one.podlabvars", "v = \"file one\"\nn = 1\n")
	write("two.podlabvars", "v = \"file two\"\n")
	write("three.json", `{"v": "json file", "l": ["a", "b"]}`)

	tests := []struct {
		name    string
		environ []string
		args    []string
		v, n, l string // outputs as JSON; "" means not checked
	}{
		{"default", nil, nil, `"default"`, `0`, `[]`},
		{"a var file", nil, []string{"-var-file", "one.podlabvars"}, `"file one"`, `1`, ""},
		{"var files in order", nil, []string{"-var-file", "one.podlabvars", "-var-file", "two.podlabvars"}, `"file two"`, `1`, ""},
		{"var files in the other order", nil, []string{"-var-file", "two.podlabvars", "-var-file", "one.podlabvars"}, `"file one"`, "", ""},
		{"a JSON var file", nil, []string{"-var-file", "three.json"}, `"json file"`, "", `["a","b"]`},
		{"environment over var files", []string{"PODLAB_VAR_v=env"}, []string{"-var-file", "two.podlabvars"}, `"env"`, "", ""},
		{"-var over the environment", []string{"PODLAB_VAR_v=env"}, []string{"-var", "v=cli"}, `"cli"`, "", ""},
		{"-var over var files given after it", nil, []string{"-var", "v=cli", "-var-file", "two.podlabvars"}, `"cli"`, "", ""},
		{"the last -var wins", nil, []string{"-var", "v=first", "-var", "v=second"}, `"second"`, "", ""},
		{"the last environment entry wins", []string{"PODLAB_VAR_v=a", "PODLAB_VAR_v=b"}, nil, `"b"`, "", ""},
		{"all of them", []string{"PODLAB_VAR_v=env", "PODLAB_VAR_n=7"},
			[]string{"-var", "v=cli", "-var-file", "one.podlabvars", "-var-file", "two.podlabvars"}, `"cli"`, `7`, ""},
		{"typed -var", nil, []string{"-var", "n=42", "-var", `l=["x"]`}, "", `42`, `["x"]`},
		{"typed environment value", []string{"PODLAB_VAR_n=3", `PODLAB_VAR_l=["y", "z"]`}, nil, "", `3`, `["y","z"]`},
		{"a string -var is not parsed", nil, []string{"-var", `v=["x"]`}, `"[\"x\"]"`, "", ""},
		{"environment values for other labs are ignored", []string{"PODLAB_VAR_other=1", "PODLAB_VAR_1bad=2", "HOME=/home/x"}, nil, `"default"`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, r := planOutputs(t, lab, tt.environ, tt.args...)
			if r.code != ExitOK {
				t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
			}
			for name, want := range map[string]string{"v": tt.v, "n": tt.n, "l": tt.l} {
				if want != "" && out[name] != want {
					t.Errorf("var.%s = %s, want %s", name, out[name], want)
				}
			}
		})
	}
}

func TestUndeclaredVariables(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := t.TempDir()
	if err := os.WriteFile(filepath.Join(lab, "lab.podlab.hcl"), []byte(precedenceLab), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lab, "extra.podlabvars"), []byte("v = \"x\"\nvv = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// An undeclared -var is an error.
	r := run(t, lab, nil, "plan", "-var", "vv=1")
	text := strings.Join(strings.Fields(r.stderr), " ") // unwrapped
	if r.code != ExitError || !strings.Contains(text, `Error: Value for undeclared variable`) || !strings.Contains(text, `Did you mean "v"?`) {
		t.Errorf("undeclared -var: exit %d\n%s", r.code, r.stderr)
	}
	// An undeclared var file entry is a warning.
	out, r := planOutputs(t, lab, nil, "-var-file", "extra.podlabvars")
	if r.code != ExitOK || out["v"] != `"x"` || !strings.Contains(r.stdout, `"severity":"warning","summary":"Value for undeclared variable"`) {
		t.Errorf("undeclared var file entry: exit %d, v = %s\n%s%s", r.code, out["v"], r.stdout, r.stderr)
	}
	// Undeclared PODLAB_VAR_ values are ignored: they may be meant for
	// another lab.
	r = run(t, lab, []string{"PODLAB_VAR_vv=1"}, "plan", "-refresh=false")
	if r.code != ExitOK || r.stderr != "" {
		t.Errorf("undeclared PODLAB_VAR_: exit %d\n%s", r.code, r.stderr)
	}
}
