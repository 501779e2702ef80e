// Package e2e runs the built podlab binary against the real test cluster:
// the course lab applied, checked and destroyed, drift, replacement,
// parallelism, signals, locks, corrupt state and an API server restart.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/testcluster"
	"github.com/podlab/podlab/state"
)

var podlabBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "podlab-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	podlabBin = filepath.Join(dir, "podlab")
	build := exec.Command("go", "build", "-o", podlabBin, "github.com/podlab/podlab/cmd/podlab")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build podlab:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// lab is a lab directory the test owns, with podlab pointed at the test
// cluster in a workspace of its own, so tests never see each other's
// objects.
type lab struct {
	t         *testing.T
	dir       string
	cluster   *testcluster.Cluster
	workspace string
	env       []string
}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// courseLab copies the bundled course lab.
func courseLab(t *testing.T) *lab {
	t.Helper()
	l := newLab(t, nil)
	src := filepath.Join(repoRoot(t), "examples", "pod-basics")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(l.dir, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(l.dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// newLab writes files (name → content) into a fresh lab directory.
func newLab(t *testing.T, files map[string]string) *lab {
	t.Helper()
	c := testcluster.Get(t)
	ws := "t" + strings.ToLower(strings.ReplaceAll(fmt.Sprintf("%x", time.Now().UnixNano()), "-", ""))[6:]
	l := &lab{t: t, dir: t.TempDir(), cluster: c, workspace: ws}
	l.env = append(os.Environ(),
		"KUBECONFIG="+c.Kubeconfig,
		"PODLAB_VAR_target=kubeconfig",
		"PODLAB_WORKSPACE="+ws,
		"NO_COLOR=1",
	)
	for name, content := range files {
		l.write(name, content)
	}
	t.Cleanup(l.cleanup)
	return l
}

func (l *lab) write(name, content string) {
	l.t.Helper()
	p := filepath.Join(l.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		l.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		l.t.Fatal(err)
	}
}

// cleanup destroys whatever a failed test left, so the cluster stays
// clean for the next test.
func (l *lab) cleanup() {
	if l.labelled() == 0 {
		return
	}
	res := l.run("destroy", "-auto-approve")
	if res.code != 0 {
		l.t.Logf("cleanup destroy failed:\n%s", res.all())
	}
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) all() string { return r.stdout + r.stderr }

func (l *lab) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, podlabBin, args...)
	cmd.Dir = l.dir
	cmd.Env = l.env
	return cmd
}

// run runs podlab to the end.
func (l *lab) run(args ...string) result {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := l.command(ctx, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		l.t.Fatalf("podlab %s: %v", strings.Join(args, " "), err)
	}
	return result{out.String(), errb.String(), code}
}

// must runs podlab and fails the test unless it exits with want.
func (l *lab) must(want int, args ...string) result {
	l.t.Helper()
	res := l.run(args...)
	if res.code != want {
		l.t.Fatalf("podlab %s: exit %d, want %d\n%s", strings.Join(args, " "), res.code, want, res.all())
	}
	return res
}

// started is a podlab running in the background, its output collected.
type started struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	code int
}

func (l *lab) start(args ...string) *started {
	l.t.Helper()
	cmd := l.command(context.Background(), args...)
	s := &started{cmd: cmd, done: make(chan struct{})}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := pr.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			s.code = ee.ExitCode()
			if ee.ExitCode() < 0 {
				s.code = -1
			}
		}
		pw.Close()
		close(s.done)
	}()
	return s
}

func (s *started) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// waitFor waits until the output contains text (or the process ends).
func (s *started) waitFor(t *testing.T, text string, timeout time.Duration) bool {
	t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if strings.Contains(s.output(), text) {
			return true
		}
		select {
		case <-s.done:
			return strings.Contains(s.output(), text)
		case <-deadline:
			return false
		case <-tick.C:
		}
	}
}

func (s *started) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
		return s.code
	case <-time.After(timeout):
		_ = s.cmd.Process.Kill()
		t.Fatalf("podlab did not finish within %s:\n%s", timeout, s.output())
		return -1
	}
}

// statePath is the environment's state file (kubeconfig target).
func (l *lab) statePath() string {
	return filepath.Join(l.dir, ".podlab", "envs", "kubeconfig@"+l.workspace, "state.json")
}

// state reads the state file, failing the test if it does not decode.
func (l *lab) state() *state.State {
	l.t.Helper()
	b, err := os.ReadFile(l.statePath())
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		l.t.Fatal(err)
	}
	st, err := state.Decode(b)
	if err != nil {
		l.t.Fatalf("state does not decode: %v\n%s", err, b)
	}
	return st
}

// labelled counts the namespaces and pods carrying the workspace's env
// label, whatever the lab's name, by asking the cluster.
func (l *lab) labelled() int {
	l.t.Helper()
	cs := l.cluster.Clientset(l.t)
	ctx := context.Background()
	n := 0
	suffix := config.Slug("kubeconfig@" + l.workspace)
	nss, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: "podlab.dev/env"})
	if err != nil {
		l.t.Fatal(err)
	}
	for _, ns := range nss.Items {
		if strings.HasSuffix(ns.Labels["podlab.dev/env"], suffix) {
			n++
		}
	}
	pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: "podlab.dev/env"})
	if err != nil {
		l.t.Fatal(err)
	}
	for _, p := range pods.Items {
		if strings.HasSuffix(p.Labels["podlab.dev/env"], suffix) {
			n++
		}
	}
	return n
}

// apiStats runs podlab with PODLAB_API_STATS and returns its counts.
func (l *lab) apiStats(want int, args ...string) (result, map[string]int64) {
	l.t.Helper()
	f := filepath.Join(l.t.TempDir(), "stats.json")
	saved := l.env
	l.env = append(append([]string{}, l.env...), "PODLAB_API_STATS="+f)
	defer func() { l.env = saved }()
	res := l.must(want, args...)
	b, err := os.ReadFile(f)
	if err != nil {
		l.t.Fatal(err)
	}
	var stats map[string]int64
	if err := json.Unmarshal(b, &stats); err != nil {
		l.t.Fatal(err)
	}
	return res, stats
}
