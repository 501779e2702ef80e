package command

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/podlab/podlab/state"
)

// labWithState is the course lab with a state for its default environment
// ("kubeconfig") that records a cluster, objects of two seats and of no
// seat, outputs and a failed check: enough for every command that reads
// state to print something. Its kubeconfig does not exist, so commands
// that reach for the cluster fail, early and with an error, even where a
// test cluster is up ($KUBECONFIG is podlab's, not the lab's, to read).
func labWithState(t *testing.T) string {
	t.Helper()
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "no-kubeconfig"))
	t.Setenv("HOME", t.TempDir())
	lab := copyLab(t, exampleDir)
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	obj := func(addr, seat, kind, name string) *state.Object {
		return &state.Object{Address: addr, Seat: seat,
			APIVersion: "v1", Kind: kind, Namespace: "pod-basics-nginx-pod", Name: name, UID: "uid-" + name}
	}
	st := state.New("pod-basics", "kubeconfig")
	*st = state.State{
		FormatVersion: st.FormatVersion, Lineage: st.Lineage, Lab: st.Lab, Environment: st.Environment,
		Cluster: &state.Cluster{Name: "kubeconfig", Kind: "kubeconfig", Status: state.ClusterReady,
			Attributes: map[string]string{"server": "https://127.0.0.1:6443"}},
		Objects: []*state.Object{
			obj("exercise.nginx_pod.Pod.nginx", "", "Pod", "nginx"),
			obj(`exercise.nginx_pod["b"].Pod.nginx`, "", "Pod", "nginx-b"),
			obj("exercise.nginx_podcast.Pod.cast", "", "Pod", "cast"),
			obj(`seat["kim"].exercise.nginx_pod.Pod.nginx`, "kim", "Pod", "nginx-kim"),
			obj(`seat["kim"].access.ServiceAccount.student`, "kim", "ServiceAccount", "student"),
			obj(`seat["lee"].exercise.nginx_pod.Pod.nginx`, "lee", "Pod", "nginx-lee"),
		},
		Checks: []*state.CheckResult{
			{Address: `exercise.nginx_pod.check["ready"]`, Instance: "exercise.nginx_pod", Name: "ready", Kind: "ready", Passed: true, Duration: 1200 * time.Millisecond, At: at},
			{Address: `exercise.nginx_pod.check["http"]`, Instance: "exercise.nginx_pod", Name: "http", Kind: "http", Message: "expected 200, got 503", Duration: 3 * time.Second, At: at},
		},
		Outputs: map[string]*state.Output{
			"nginx_pod_ip": {Value: json.RawMessage(`"10.0.0.7"`), Type: json.RawMessage(`"string"`)},
			"namespaces":   {Value: json.RawMessage(`["pod-basics-nginx-pod"]`), Type: json.RawMessage(`["tuple",["string"]]`)},
			"token":        {Value: json.RawMessage(`"s3cret"`), Type: json.RawMessage(`"string"`), Sensitive: true},
		},
	}
	if err := state.NewLocal(filepath.Join(lab, ".podlab")).Write(context.Background(), "kubeconfig", st); err != nil {
		t.Fatal(err)
	}
	return lab
}

// everyCommand runs each podlab command once on labWithState, the way a
// user would: flags tells whether the command takes -no-color (the
// completion commands take no options), json whether it takes -json, and
// colored whether, on a terminal and with color allowed, it prints color
// (so that the test shows it can see color at all).
var everyCommand = []struct {
	args    []string
	stdin   string
	flags   bool
	json    bool
	colored bool
}{
	{args: []string{"init"}, flags: true},
	{args: []string{"init", "-example", "no-such-example"}, flags: true, colored: true},
	{args: []string{"validate"}, flags: true, json: true, colored: true},
	{args: []string{"validate", "-var", "target=nowhere"}, flags: true, json: true, colored: true},
	{args: []string{"fmt", "-check"}, flags: true},
	{args: []string{"fmt", "-"}, stdin: "a=1\n", flags: true},
	{args: []string{"plan"}, flags: true, json: true, colored: true},
	{args: []string{"apply", "-auto-approve"}, flags: true, json: true, colored: true},
	{args: []string{"destroy", "-auto-approve"}, flags: true, json: true, colored: true},
	{args: []string{"check"}, flags: true, json: true, colored: true},
	{args: []string{"output"}, flags: true, json: true},
	{args: []string{"output", "nginx_pod_ip"}, flags: true, json: true},
	{args: []string{"output", "nope"}, flags: true, json: true, colored: true},
	{args: []string{"state", "list"}, flags: true, json: true},
	{args: []string{"state", "list", `seat["kim"]`}, flags: true, json: true},
	{args: []string{"state", "show", "exercise.nginx_pod"}, flags: true, json: true, colored: true},
	{args: []string{"state", "show", "cluster.kubeconfig"}, flags: true, json: true},
	{args: []string{"state", "rm", "-dry-run", "exercise.nginx_pod.Pod.nginx"}, flags: true, json: true},
	{args: []string{"kubeconfig"}, flags: true, json: true, colored: true},
	{args: []string{"handout", "-dir", "handouts"}, flags: true, colored: true},
	{args: []string{"bundle", "no-such-bundle"}, flags: true, colored: true},
	{args: []string{"graph"}, flags: true, json: true},
	{args: []string{"version"}, flags: true, json: true},
	{args: []string{"force-unlock", "-force", "some-id"}, flags: true, colored: true},
	{args: []string{"status"}, flags: true, json: true},
	{args: []string{"show"}, flags: true, json: true},
	{args: []string{"completion", "bash"}},
	{args: []string{"completion", "tcsh"}},
	{args: []string{completeCommand, "state", "show", ""}},
	{args: []string{"console"}, stdin: "var.students\nnope(\n", flags: true, colored: true},
	{args: []string{"workspace", "list"}, flags: true},
	{args: []string{"workspace", "select", "nope"}, flags: true, colored: true},
}

// openPTY opens a pseudo-terminal: what podlab writes to tty, a test
// reads from the returned function once tty is closed. Without a terminal
// podlab never colors, so only a terminal can show that -no-color and
// NO_COLOR are honoured.
func openPTY(t *testing.T) (tty *os.File, read func() string) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %s", err)
	}
	t.Cleanup(func() { ptm.Close() })
	if err := unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock the pseudo-terminal: %s", err)
	}
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("name the pseudo-terminal: %s", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open the pseudo-terminal: %s", err)
	}
	// Read as it is written: a terminal's buffer is small.
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := io.Copy(&out, ptm)
		// The terminal side closed: Linux reads EIO from the other side.
		if err != nil && !errors.Is(err, syscall.EIO) {
			t.Errorf("read the pseudo-terminal: %s", err)
		}
	}()
	return tty, func() string {
		tty.Close()
		<-done
		return out.String()
	}
}

// runOnTerminal runs podlab with its standard output on a terminal, as a
// user at one would, and its error stream in a buffer.
func runOnTerminal(t *testing.T, dir string, environ []string, stdin string, args ...string) result {
	t.Helper()
	tty, read := openPTY(t)
	var stderr bytes.Buffer
	m := &Meta{
		Stdout: tty, Stderr: &stderr, Stdin: strings.NewReader(stdin),
		Environ: environ, Version: "test", Ctx: t.Context(), Kill: t.Context(),
	}
	code := Run(m, append([]string{"-chdir=" + dir}, args...))
	return result{code: code, stdout: read(), stderr: stderr.String()}
}

// -no-color and NO_COLOR hold for every command: on a terminal, where
// podlab colors, neither stream has an escape byte. The same commands with
// color allowed show that the test sees color where podlab prints it.
func TestNoColorEveryCommand(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	if _, set := os.LookupEnv("NO_COLOR"); set {
		t.Setenv("NO_COLOR", "") // restored after the test
		os.Unsetenv("NO_COLOR")
	}
	for _, c := range everyCommand {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			lab := labWithState(t)
			env := []string{"KUBECONFIG=" + os.Getenv("KUBECONFIG")}
			colored := runOnTerminal(t, lab, env, c.stdin, c.args...)
			if got := strings.Contains(colored.stdout+colored.stderr, "\x1b"); got != c.colored {
				t.Errorf("with color allowed, color printed: %v, want %v\nstdout: %q\nstderr: %q", got, c.colored, colored.stdout, colored.stderr)
			}
			ways := map[string]result{
				"NO_COLOR=1": runOnTerminal(t, lab, append(env, "NO_COLOR=1"), c.stdin, c.args...),
			}
			if c.flags {
				ways["-no-color"] = runOnTerminal(t, lab, env, c.stdin, append(append([]string{}, c.args...), "-no-color")...)
			}
			for way, r := range ways {
				if strings.Contains(r.stderr, "flag provided but not defined") {
					t.Errorf("%s: refused: %s", way, r.stderr)
				}
				if r.code != colored.code {
					t.Errorf("%s: exit %d, with color %d", way, r.code, colored.code)
				}
				if strings.Contains(r.stdout, "\x1b") || strings.Contains(r.stderr, "\x1b") {
					t.Errorf("%s: color codes printed\nstdout: %q\nstderr: %q", way, r.stdout, r.stderr)
				}
			}
		})
	}
}

// With -json every command that takes it prints JSON objects, one a line,
// and nothing for a human: not on standard output, not on the error
// stream (errors are diagnostics, as JSON). podlab output is Terraform's:
// its -json is one document (indented, as Terraform's), or with a name
// the output's value.
func TestJSONEveryCommand(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := labWithState(t)
	env := []string{"KUBECONFIG=" + os.Getenv("KUBECONFIG")}
	for _, c := range everyCommand {
		if !c.json {
			continue
		}
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := run(t, lab, env, append(append([]string{}, c.args...), "-json")...)
			if r.stderr != "" {
				t.Errorf("-json printed on the error stream:\n%s", r.stderr)
			}
			if strings.TrimSpace(r.stdout) == "" {
				t.Fatalf("-json printed nothing (exit %d)", r.code)
			}
			if c.args[0] == "output" && r.code == ExitOK {
				var doc any
				if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
					t.Errorf("output -json is not one JSON document: %s\n%s", err, r.stdout)
				}
				return
			}
			for i, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
				var obj any
				if err := json.Unmarshal([]byte(line), &obj); err != nil {
					t.Errorf("line %d is not JSON: %s\n%s", i+1, err, line)
					continue
				}
				// state list -json is the one list: of objects.
				if _, ok := obj.(map[string]any); !ok && !(c.args[0] == "state" && c.args[1] == "list") {
					t.Errorf("line %d is not a JSON object: %s", i+1, line)
				}
			}
		})
	}
}

// state list ADDRESS lists only what is at or within the addresses, as
// Terraform's does: an exercise, an instance of it, a seat, an object.
func TestStateListFilter(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := labWithState(t)
	all := []string{
		"cluster.kubeconfig",
		"exercise.nginx_pod.Pod.nginx",
		`exercise.nginx_pod["b"].Pod.nginx`,
		"exercise.nginx_podcast.Pod.cast",
		`seat["kim"].exercise.nginx_pod.Pod.nginx`,
		`seat["kim"].access.ServiceAccount.student`,
		`seat["lee"].exercise.nginx_pod.Pod.nginx`,
	}
	tests := []struct {
		name   string
		filter []string
		want   []string
	}{
		{"no address: everything", nil, all},
		{"an exercise: its instances, not an exercise its name starts", []string{"exercise.nginx_pod"}, []string{
			"exercise.nginx_pod.Pod.nginx", `exercise.nginx_pod["b"].Pod.nginx`}},
		{"an instance", []string{`exercise.nginx_pod["b"]`}, []string{`exercise.nginx_pod["b"].Pod.nginx`}},
		{"a seat", []string{`seat["kim"]`}, []string{
			`seat["kim"].exercise.nginx_pod.Pod.nginx`, `seat["kim"].access.ServiceAccount.student`}},
		{"an exercise of a seat", []string{`seat["lee"].exercise.nginx_pod`}, []string{`seat["lee"].exercise.nginx_pod.Pod.nginx`}},
		{"an object, and the cluster", []string{"exercise.nginx_podcast.Pod.cast", "cluster.kubeconfig"}, []string{
			"cluster.kubeconfig", "exercise.nginx_podcast.Pod.cast"}},
		{"a prefix that is no address's part", []string{"exercise.nginx"}, nil},
		{"nothing there", []string{`seat["nobody"]`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, lab, nil, append([]string{"state", "list"}, tt.filter...)...)
			want := strings.Join(tt.want, "\n")
			if want != "" {
				want += "\n"
			}
			if r.code != ExitOK || r.stdout != want || r.stderr != "" {
				t.Errorf("state list %s: exit %d\n got: %q\nwant: %q\n%s", strings.Join(tt.filter, " "), r.code, r.stdout, want, r.stderr)
			}
			js := run(t, lab, nil, append([]string{"state", "list", "-json"}, tt.filter...)...)
			var objs []state.Object
			if err := json.Unmarshal([]byte(js.stdout), &objs); err != nil || js.code != ExitOK {
				t.Fatalf("state list -json: exit %d, %v\n%s%s", js.code, err, js.stdout, js.stderr)
			}
			var got []string
			for _, o := range objs {
				got = append(got, o.Address)
			}
			var wantObjs []string
			for _, a := range tt.want {
				if !strings.HasPrefix(a, "cluster.") {
					wantObjs = append(wantObjs, a)
				}
			}
			if strings.Join(got, "\n") != strings.Join(wantObjs, "\n") {
				t.Errorf("state list -json %s lists %q, want %q", strings.Join(tt.filter, " "), got, wantObjs)
			}
		})
	}
}
