package command

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunExitCodes(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := copyLab(t, exampleDir)
	tests := []struct {
		name   string
		dir    string
		args   []string
		code   int
		stdout string // substring of stdout
		stderr string // substring of stderr
	}{
		{"no command", "", nil, ExitError, "Usage: podlab", ""},
		{"help", "", []string{"-h"}, ExitOK, "Commands:", ""},
		{"long help", "", []string{"--help"}, ExitOK, "Commands:", ""},
		{"unknown command", "", []string{"aply"}, ExitError, "", `podlab has no command "aply"`},
		{"unknown global flag", "", []string{"-nope", "plan"}, ExitError, "", "flag provided but not defined: -nope"},
		{"version", "", []string{"version"}, ExitOK, "podlab test", ""},
		{"global -version", "", []string{"-version"}, ExitOK, "podlab test", ""},
		{"version -json", "", []string{"version", "-json"}, ExitOK, `"podlab_version":"test"`, ""},
		{"command help", lab, []string{"plan", "-h"}, ExitOK, "-detailed-exitcode", ""},
		{"command help, two dashes", lab, []string{"validate", "--help"}, ExitOK, "Usage: podlab validate", ""},
		{"bad flag", lab, []string{"plan", "-bogus"}, ExitError, "", `Run "podlab plan -h"`},
		{"stray argument", lab, []string{"validate", "extra"}, ExitError, "", "takes no arguments"},
		{"validate", lab, []string{"validate"}, ExitOK, `The lab "pod-basics" is valid: 2 exercise instance(s), 2 object(s), 6 check(s), 3 cluster(s).`, ""},
		{"plan", lab, []string{"plan", "-var", "target=gke"}, ExitOK, "Plan: 6 to add", ""},
		{"plan, two-dash flag", lab, []string{"plan", "--var=target=onprem"}, ExitOK, `environment "onprem"`, ""},
		{"plan, bad -var", lab, []string{"plan", "-var", "target"}, ExitError, "", "Invalid -var option"},
		{"plan -parallelism 0", lab, []string{"plan", "-parallelism", "0"}, ExitError, "", "-parallelism must be 1 or more"},
		{"check with nothing applied", lab, []string{"check"}, ExitError, "", "nothing is applied in environment \"kubeconfig\": run podlab apply first"},
		{"output with nothing applied", lab, []string{"output"}, ExitOK, "", "has no outputs recorded"},
		{"state list with nothing applied", lab, []string{"state", "list"}, ExitOK, "", ""},
		{"state show of nothing", lab, []string{"state", "show", "exercise.x"}, ExitError, "", "podlab state list shows what it has"},
		{"apply -var without a value", lab, []string{"apply", "-var"}, ExitError, "", "flag needs an argument: -var"},
		{"kubeconfig of a cluster that is not there", lab, []string{"kubeconfig", "-var", "kubeconfig=/nonexistent"}, ExitError, "", "the kubeconfig /nonexistent does not exist"},
		{"kubeconfig -seat without seats", lab, []string{"kubeconfig", "-seat", "kim"}, ExitError, "", "the lab has no seats"},
		{"missing lab directory", filepath.Join(lab, "nope"), []string{"validate"}, ExitError, "", "Cannot read lab directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.dir, nil, tt.args...)
			if r.code != tt.code {
				t.Errorf("podlab %s exited %d, want %d\nstdout: %s\nstderr: %s", strings.Join(tt.args, " "), r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout does not say %q:\n%s", tt.stdout, r.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.stderr, r.stderr)
			}
		})
	}
}

func TestValidateJSON(t *testing.T) {
	lab := copyLab(t, exampleDir)
	r := run(t, lab, nil, "validate", "-json")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	var report struct {
		Valid       bool              `json:"valid"`
		Errors      int               `json:"error_count"`
		Diagnostics []json.RawMessage `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
		t.Fatalf("%s:\n%s", err, r.stdout)
	}
	if !report.Valid || report.Errors != 0 || report.Diagnostics == nil || len(report.Diagnostics) != 0 {
		t.Errorf("validate -json of the course lab: %s", r.stdout)
	}
}

// TestEnvironmentVariables gives values through PODLAB_VAR_ in Meta's
// environment (never the test process's).
func TestEnvironmentVariables(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := copyLab(t, exampleDir)
	r := run(t, lab, []string{"PODLAB_VAR_target=onprem", "PODLAB_VAR_class=evening"}, "plan")
	if r.code != ExitOK || !strings.Contains(r.stdout, `environment "onprem"`) {
		t.Errorf("PODLAB_VAR_target=onprem was not used (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
	// -var beats the environment.
	r = run(t, lab, []string{"PODLAB_VAR_target=onprem"}, "plan", "-var", "target=gke")
	if r.code != ExitOK || !strings.Contains(r.stdout, `GKE cluster "podlab-pods"`) {
		t.Errorf("-var target=gke did not win over PODLAB_VAR_target (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestVarFileRelativeToChdir(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := copyLab(t, exampleDir)
	if err := os.WriteFile(filepath.Join(lab, "class.podlabvars"), []byte("target = \"gke\"\nclass = \"night\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, lab, nil, "plan", "-var-file", "class.podlabvars")
	if r.code != ExitOK || !strings.Contains(r.stdout, `GKE cluster "podlab-night"`) {
		t.Errorf("-var-file class.podlabvars with -chdir (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestInitExample(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lab")
	r := run(t, "", nil, "init", "-chdir", dir, "-example", "pod-basics")
	if r.code != ExitOK {
		t.Fatalf("init -example exited %d: %s", r.code, r.stderr)
	}
	for _, f := range []string{"lab.podlab.hcl", "clusters.podlab.hcl", "variables.podlab.hcl", "k8s_yaml/nginx-pod.yaml", "k8s_yaml/nginx-pod-with-ubuntu.yaml", ".podlab/.gitignore"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init -example did not write %s: %s", f, err)
		}
	}
	// The course's manifests, byte for byte.
	for _, f := range []string{"k8s_yaml/nginx-pod.yaml", "k8s_yaml/nginx-pod-with-ubuntu.yaml"} {
		got, _ := os.ReadFile(filepath.Join(dir, f))
		want, _ := os.ReadFile(filepath.Join(exampleDir, f))
		if string(got) != string(want) {
			t.Errorf("%s differs from the example's", f)
		}
	}
	if r := run(t, dir, nil, "validate"); r.code != ExitOK {
		t.Errorf("the written example does not validate: %s", r.stderr)
	}
	// A directory that is not empty is refused.
	if r := run(t, "", nil, "init", "-chdir", dir, "-example", "pod-basics"); r.code != ExitError || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("init -example into a lab: exit %d, %s", r.code, r.stderr)
	}
	if r := run(t, "", nil, "init", "-chdir", t.TempDir(), "-example", "nope"); r.code != ExitError || !strings.Contains(r.stderr, `no example "nope"`) {
		t.Errorf("init -example nope: exit %d, %s", r.code, r.stderr)
	}
}

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	messy := "exercise \"web\" {\nmanifests=[]\n  description =   \"x\"\n}\n"
	tidy := "exercise \"web\" {\n  manifests   = []\n  description = \"x\"\n}\n"
	path := filepath.Join(dir, "lab.podlab.hcl")
	if err := os.WriteFile(path, []byte(messy), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, "", nil, "fmt", "-check", dir); r.code != ExitUnformatted {
		t.Errorf("fmt -check of an unformatted file exited %d, want %d", r.code, ExitUnformatted)
	}
	if b, _ := os.ReadFile(path); string(b) != messy {
		t.Errorf("fmt -check changed the file")
	}
	r := run(t, "", nil, "fmt", "-diff", dir)
	if r.code != ExitOK || !strings.Contains(r.stdout, "+  manifests   = []") {
		t.Errorf("fmt -diff exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(path); string(b) != tidy {
		t.Errorf("fmt wrote:\n%s\nwant:\n%s", b, tidy)
	}
	if r := run(t, "", nil, "fmt", "-check", dir); r.code != ExitOK {
		t.Errorf("fmt -check of a formatted file exited %d", r.code)
	}
	if err := os.WriteFile(path, []byte("exercise \"web\" {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, "", nil, "fmt", dir); r.code != ExitError || !strings.Contains(r.stderr, "lab.podlab.hcl") {
		t.Errorf("fmt of a file with a syntax error exited %d: %s", r.code, r.stderr)
	}
	// The example is formatted.
	if r := run(t, "", nil, "fmt", "-check", "-recursive", exampleDir); r.code != ExitOK {
		t.Errorf("the example is not formatted: %s", r.stdout)
	}
}

func TestGraph(t *testing.T) {
	lab := copyLab(t, exampleDir)
	r := run(t, lab, nil, "graph", "-var", "target=gke")
	if r.code != ExitOK {
		t.Fatalf("graph exited %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"digraph podlab {",
		`"cluster.gke" -> "var.project"`,
		`"lab" -> "var.target"`,
		`"output.namespaces" -> "exercise.sidecar"`,
		`"exercise.nginx_pod.Pod.my-nginx-pod" -> "exercise.nginx_pod.Namespace.pod-basics-nginx-pod"`,
		`"exercise.sidecar.Namespace.pod-basics-sidecar" -> "cluster.gke" [style = "dotted"]`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the graph has no %s:\n%s", want, r.stdout)
		}
	}
}

// TestBinary builds podlab and runs it as a user would, for its exit codes.
func TestBinary(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build podlab with")
	}
	bin := filepath.Join(t.TempDir(), "podlab")
	build := exec.Command(gobin, "build", "-o", bin, "github.com/podlab/podlab/cmd/podlab")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %s\n%s", err, out)
	}
	lab := copyLab(t, exampleDir)
	bad := copyLab(t, filepath.Join(badDir, "cycle"))
	tests := []struct {
		dir  string
		args []string
		code int
		out  string
	}{
		{lab, []string{"plan", "-var", "target=gke"}, 0, "Plan: 6 to add, 0 to change, 0 to destroy."},
		{lab, []string{"plan", "-var", "target=gke", "-detailed-exitcode"}, 2, "Plan: 6 to add"},
		{lab, []string{"validate"}, 0, "Success!"},
		{lab, []string{"check"}, 1, "nothing is applied"},
		{lab, []string{"plan", "-var", "target=aws"}, 1, "target must be gke, onprem or kubeconfig."},
		{bad, []string{"validate"}, 1, "Cycle in references"},
		{bad, []string{"plan"}, 1, "local.a → local.b → local.c → local.a"},
		{lab, []string{"frobnicate"}, 1, `podlab has no command "frobnicate"`},
	}
	for _, tt := range tests {
		cmd := exec.Command(bin, tt.args...)
		cmd.Dir = tt.dir
		cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code || !strings.Contains(string(out), tt.out) {
			t.Errorf("podlab %s: exit %d, want %d with %q:\n%s", strings.Join(tt.args, " "), code, tt.code, tt.out, out)
		}
	}
}

// The GKE cost cap: the plan estimates nodes and node-hours, and apply
// refuses a class over lab.max_nodes unless -allow-over-cap.
func TestGKENodeCap(t *testing.T) {
	lab := copyLab(t, exampleDir)
	r := run(t, lab, nil, "plan", "-var", "target=gke", "-var", "ttl=4h", "-var", "max_nodes=1")
	for _, want := range []string{
		"estimated size       = 2 node(s) (quota in asia-northeast3 ≈ 4 CPUS, 200 GB SSD_TOTAL_GB), 8.0 node-hours until the ttl (4h0m0s); cap 1 (lab.max_nodes)",
		"This environment needs 2 nodes, more than lab.max_nodes = 1: apply refuses it unless -allow-over-cap.",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	r = run(t, lab, nil, "apply", "-var", "target=gke", "-var", "max_nodes=1", "-auto-approve")
	if r.code != ExitError || !strings.Contains(r.stderr, "needs 2 GKE nodes, more than lab.max_nodes = 1") {
		t.Errorf("apply over the cap: exit %d\n%s", r.code, r.stderr)
	}
	// Allowed over the cap, apply goes on, to fail later on the missing
	// credentials; the client library reads them from the process's
	// environment, and the emulator address keeps any request on loopback.
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent")
	t.Setenv("PODLAB_GKE_EMULATOR_HOST", "127.0.0.1:1")
	r = run(t, lab, []string{"PODLAB_GKE_EMULATOR_HOST=127.0.0.1:1"}, "apply", "-var", "target=gke", "-var", "max_nodes=1", "-auto-approve", "-allow-over-cap")
	if strings.Contains(r.stderr, "lab.max_nodes") {
		t.Errorf("-allow-over-cap still refused:\n%s", r.stderr)
	}
	if r := run(t, lab, nil, "plan", "-var", "target=gke", "-var", "max_nodes=2"); strings.Contains(r.stdout, "apply refuses") {
		t.Errorf("2 nodes under a cap of 2 should pass:\n%s", r.stdout)
	}
}

// init in the current directory names it, not "podlab is ready in ..".
func TestInitNamesTheDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	r := run(t, "", nil, "init", "-example", "pod-basics")
	if r.code != ExitOK {
		t.Fatalf("init -example exited %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, "in ..") || strings.Contains(r.stdout, "into .:") || !strings.Contains(r.stdout, "podlab is ready in this directory ("+dir+")") {
		t.Errorf("init in the current directory printed:\n%s", r.stdout)
	}
}

// state list -json of an empty state is an empty list, on one line.
func TestStateListJSONEmpty(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := copyLab(t, exampleDir)
	r := run(t, lab, nil, "state", "list", "-json")
	if r.code != ExitOK || r.stdout != "[]\n" {
		t.Errorf("state list -json of no state: exit %d, %q %s", r.code, r.stdout, r.stderr)
	}
}
