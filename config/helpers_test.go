package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	_ "github.com/podlab/podlab/internal/golden" // -update
)

// files is a lab as a map from file name (slash-separated, relative to the
// lab directory) to content.
type files map[string]string

// localCluster is the smallest cluster block, for labs about other things.
const localCluster = `
cluster "local" {
  kubeconfig {}
}
`

// podYAML is a pod with two containers.
const podYAML = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:latest
  - name: sidecar
    image: busybox
`

// writeLab writes a lab into a fresh temporary directory.
func writeLab(t testing.TB, fs files) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range fs {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// load writes and loads a lab.
func load(t testing.TB, fs files) (*Module, hcl.Diagnostics) {
	t.Helper()
	return Load(writeLab(t, fs))
}

// evaluate loads a lab, failing the test on load errors, and evaluates it.
func evaluate(t testing.TB, fs files, opts EvalOptions) (*Env, hcl.Diagnostics) {
	t.Helper()
	m, diags := load(t, fs)
	if diags.HasErrors() {
		t.Fatalf("load: %s", describe(diags))
	}
	return Evaluate(m, opts)
}

// mustEvaluate is evaluate that fails the test on any error.
func mustEvaluate(t testing.TB, fs files, opts EvalOptions) *Env {
	t.Helper()
	env, diags := evaluate(t, fs, opts)
	if diags.HasErrors() {
		t.Fatalf("evaluate: %s", describe(diags))
	}
	return env
}

// cli turns -var options into inputs.
func cli(t testing.TB, opts ...string) []RawValue {
	t.Helper()
	var out []RawValue
	for _, o := range opts {
		rv, err := CLIValue(o)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rv)
	}
	return out
}

// describe lists diagnostics as "SEVERITY FILE:LINE: SUMMARY: DETAIL".
func describe(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "\n  %s: %s", where(d), d.Summary)
		if d.Detail != "" {
			fmt.Fprintf(&b, ": %s", d.Detail)
		}
	}
	return b.String()
}

func where(d *hcl.Diagnostic) string {
	sev := "error"
	if d.Severity == hcl.DiagWarning {
		sev = "warning"
	}
	if d.Subject == nil {
		return sev + " -"
	}
	return fmt.Sprintf("%s %s:%d", sev, d.Subject.Filename, d.Subject.Start.Line)
}

// summaries lists the diagnostics as "FILE:LINE: SUMMARY", sorted.
func summaries(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		out = append(out, where(d)+": "+d.Summary)
	}
	sort.Strings(out)
	return out
}

// wantDiag checks that diags hold exactly one error with the summary, and
// that its detail says every string in details.
func wantDiag(t testing.TB, diags hcl.Diagnostics, summary string, details ...string) *hcl.Diagnostic {
	t.Helper()
	var errs hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	if len(errs) != 1 || errs[0].Summary != summary {
		t.Fatalf("want one error %q, got:%s", summary, describe(diags))
	}
	for _, s := range details {
		if !strings.Contains(errs[0].Detail, s) {
			t.Errorf("the detail of %q does not say %q: %s", summary, s, errs[0].Detail)
		}
	}
	return errs[0]
}

// equal compares cty values, marks included.
func equal(a, b cty.Value) bool {
	if a.IsMarked() != b.IsMarked() {
		return false
	}
	a, _ = a.UnmarkDeep()
	b, _ = b.UnmarkDeep()
	if !a.Type().Equals(b.Type()) {
		return false
	}
	return a.RawEquals(b)
}

// instance finds an instance by address.
func instance(t testing.TB, env *Env, addr string) *Instance {
	t.Helper()
	var have []string
	for _, in := range env.Instances {
		if in.Address == addr {
			return in
		}
		have = append(have, in.Address)
	}
	t.Fatalf("no instance %s; have %v", addr, have)
	return nil
}

// decl returns the line of lab.podlab.hcl that declares variable name.
func (fs files) decl(t testing.TB, name string) int {
	t.Helper()
	for i, line := range strings.Split(fs["lab.podlab.hcl"], "\n") {
		if strings.HasPrefix(line, "variable \""+name+"\"") {
			return i + 1
		}
	}
	t.Fatalf("lab.podlab.hcl declares no variable %q", name)
	return 0
}

func sprintAny(v any) string { return fmt.Sprintf("%+v", v) }

func hclDiags(d ...*hcl.Diagnostic) hcl.Diagnostics { return hcl.Diagnostics(d) }
