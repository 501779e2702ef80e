package e2e

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// onePodLab is a lab of one exercise holding pod.yaml, with the
// exercise's settings added.
func onePodLab(t *testing.T, exerciseSettings, pod string) *lab {
	t.Helper()
	return newLab(t, map[string]string{
		"lab.podlab.hcl": "cluster \"kubeconfig\" {\n  kubeconfig {}\n}\nexercise \"web\" {\n  manifests = [file(\"pod.yaml\")]\n" + exerciseSettings + "}\n",
		"pod.yaml":       pod,
	})
}

// applyEvents reads apply -json's output: the statuses its progress
// events showed, and its diagnostics (summary and detail, unwrapped).
func applyEvents(res result) (progress []string, diagnostics string) {
	var diags []string
	for _, line := range strings.Split(strings.TrimSpace(res.stdout+"\n"+res.stderr), "\n") {
		var ev struct {
			Type string `json:"type"`
			Hook struct {
				Status string `json:"status"`
			} `json:"hook"`
			Diagnostic struct {
				Summary string `json:"summary"`
				Detail  string `json:"detail"`
			} `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &ev) != nil {
			continue
		}
		switch ev.Type {
		case "apply_progress":
			progress = append(progress, ev.Hook.Status)
		case "diagnostic":
			diags = append(diags, ev.Diagnostic.Summary+": "+ev.Diagnostic.Detail)
		}
	}
	return progress, strings.Join(diags, "\n")
}

// A pod whose readiness probe always fails: apply gives up after the
// exercise's create_timeout (not five minutes), shows the probe's failure
// while it waits, and says why when it gives up: the failing condition,
// the probe's last failure from the pod's events, the container.
func TestReadinessProbeNeverPasses(t *testing.T) {
	l := onePodLab(t, "  create_timeout = \"20s\"\n", `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: web
    image: nginx:latest
    readinessProbe:
      httpGet:
        path: /not-there
        port: 80
      periodSeconds: 1
`)
	res := l.must(1, "apply", "-auto-approve", "-checks=false", "-json")
	progress, diagnostic := applyEvents(res)
	const probe = "Readiness probe failed: HTTP probe failed with statuscode: 404"
	shown := false
	for _, s := range progress {
		shown = shown || strings.HasPrefix(s, "ContainersNotReady: container web: "+probe)
	}
	if !shown {
		t.Errorf("the progress never showed the probe's failure; statuses: %q\n%s", progress, res.all())
	}
	why := diagnostic
	for _, want := range []string{
		"not ready after 20s",
		"condition Ready is False (ContainersNotReady: containers with unready status: [web])",
		"last warning: container web: " + probe,
		"create_timeout",
	} {
		if !strings.Contains(why, want) {
			t.Errorf("the failure lacks %q:\n%s", want, why)
		}
	}
	l.must(0, "destroy", "-auto-approve")
}

// A container that prints why and exits 3: the failure names the
// container, its exit code and its last log lines (the previous
// container's, as kubectl logs --previous shows).
func TestCrashingContainerSaysWhy(t *testing.T) {
	l := onePodLab(t, "", `apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: app
    image: alicek106/rr-test:curl
    # Both lines on one stream: containerd orders lines of stdout and stderr
    # by arrival, so two streams may swap.
    command: ["bash", "-c", "echo starting >&2; echo config file /etc/app.conf missing >&2; exit 3"]
    # Without a probe the pod is Ready for the instant its container runs,
    # and apply may take that instant for success; this one never passes.
    readinessProbe:
      exec:
        command: ["cat", "/nonexistent"]
`)
	res := l.must(1, "apply", "-auto-approve", "-checks=false", "-json")
	_, why := applyEvents(res)
	for _, want := range []string{
		"CrashLoopBackOff",
		"container app exited with code 3 (Error)",
		"kubectl logs -n ",
		" app -c app --previous",
		"    starting\n    config file /etc/app.conf missing",
	} {
		if !strings.Contains(why, want) {
			t.Errorf("the failure lacks %q:\n%s", want, why)
		}
	}
	l.must(0, "destroy", "-auto-approve")
}

// closedPort is a loopback port nothing listens on: one just released.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// refusingLab is a lab whose kubeconfig points at a loopback port that
// refuses connections. It needs no cluster.
func refusingLab(t *testing.T) *lab {
	t.Helper()
	dir := t.TempDir()
	l := &lab{t: t, dir: dir, workspace: "refused"}
	kc := filepath.Join(dir, "refusing.kubeconfig")
	l.write("refusing.kubeconfig", "apiVersion: v1\nkind: Config\nclusters:\n- name: dead\n  cluster:\n    server: https://"+closedPort(t)+"\ncontexts:\n- name: dead\n  context:\n    cluster: dead\n    user: nobody\ncurrent-context: dead\nusers:\n- name: nobody\n  user:\n    token: x\n")
	l.write("lab.podlab.hcl", "cluster \"kubeconfig\" {\n  kubeconfig {}\n}\nexercise \"web\" {\n  manifests = [{ apiVersion = \"v1\", kind = \"ConfigMap\", metadata = { name = \"web\" } }]\n}\n")
	l.env = append(os.Environ(), "KUBECONFIG="+kc, "PODLAB_WORKSPACE=refused", "NO_COLOR=1")
	return l
}

// An apply against a cluster that refuses connections records nothing as
// done: not the cluster as ready, not a lifetime, not an object.
func TestApplyToRefusingClusterRecordsNothing(t *testing.T) {
	l := refusingLab(t)
	res := l.must(1, "apply", "-auto-approve")
	if !strings.Contains(res.stderr, "connection refused") {
		t.Errorf("the error does not say the connection was refused:\n%s", res.all())
	}
	st := l.state()
	if st == nil {
		return
	}
	if st.Cluster != nil {
		t.Errorf("state records the cluster as %q though it was never reached", st.Cluster.Status)
	}
	if st.CreatedAt != nil || len(st.Objects) > 0 {
		t.Errorf("state records an apply that did nothing: created_at %v, %d objects", st.CreatedAt, len(st.Objects))
	}
}

// destroy with nothing in state and no reachable cluster says so, and
// names no flag destroy does not have.
func TestDestroyNothingWithoutCluster(t *testing.T) {
	l := refusingLab(t)
	res := l.must(0, "destroy", "-auto-approve")
	out := res.all()
	for _, want := range []string{"connection refused", "records nothing, so there is nothing to destroy", "has nothing to destroy"} {
		if !strings.Contains(out, want) {
			t.Errorf("destroy does not say %q:\n%s", want, out)
		}
	}
	for _, wrong := range []string{"-refresh", "records objects"} {
		if strings.Contains(out, wrong) {
			t.Errorf("destroy says %q, which is untrue or not its flag:\n%s", wrong, out)
		}
	}
}

// blockedVarFile is a FIFO for -var-file: podlab blocks reading it until
// the test writes, so the signal reaches a command that is still
// running.
func blockedVarFile(t *testing.T, l *lab) string {
	t.Helper()
	p := filepath.Join(l.dir, "vars.fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Ctrl-C and SIGTERM stop a command that writes no state at once, with
// 130 and 143, and never claim to save state.
func TestSignalsStopCommandsThatWriteNothing(t *testing.T) {
	tests := []struct {
		command string
		sig     syscall.Signal
		code    int
	}{
		{"validate", syscall.SIGINT, 130},
		{"plan", syscall.SIGINT, 130},
		{"plan", syscall.SIGTERM, 143},
		{"validate", syscall.SIGTERM, 143},
	}
	for _, tt := range tests {
		t.Run(tt.command+" "+tt.sig.String(), func(t *testing.T) {
			l := refusingLab(t)
			fifo := blockedVarFile(t, l)
			s := l.start(tt.command, "-var-file", fifo)
			// Opening the FIFO for writing returns once podlab has opened
			// it for reading: podlab is running, its handler installed.
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if err := s.cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			if code := s.wait(t, time.Minute); code != tt.code {
				t.Fatalf("exit %d, want %d:\n%s", code, tt.code, s.output())
			}
			if strings.Contains(s.output(), "saving state") {
				t.Errorf("claims to save state:\n%s", s.output())
			}
			if !strings.Contains(s.output(), "received: stopping.") {
				t.Errorf("does not say it stops:\n%s", s.output())
			}
		})
	}
}

// SIGTERM during apply is handled as Ctrl-C is: in-flight work finishes
// and is recorded, and podlab exits 143.
func TestTerminatedApplySavesState(t *testing.T) {
	l := manyExercises(t, "sigterm", 6)
	s := l.start("apply", "-auto-approve", "-checks=false", "-parallelism", "2")
	if !s.waitFor(t, "Creation complete", 2*time.Minute) {
		t.Fatalf("apply made no progress:\n%s", s.output())
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := s.wait(t, 2*time.Minute); code != 143 {
		t.Fatalf("terminated apply exited %d, want 143:\n%s", code, s.output())
	}
	if !strings.Contains(s.output(), "SIGTERM received: finishing what is in flight and saving state") {
		t.Errorf("no word of the signal:\n%s", s.output())
	}
	if st := l.state(); st == nil || len(st.Objects) == 0 {
		t.Fatalf("the state records nothing of what was created: %v", st)
	}
	l.must(0, "destroy", "-auto-approve")
}
