package kubeadm

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podlab/podlab/internal/testhosts"
)

// TestRealOnPremLesson is the lesson end to end on three real nodes, as an
// instructor runs it: podlab apply -var target=onprem on examples/pod-basics
// (the bundle, flannel's manifest and the three test hosts as variables)
// builds the cluster and runs the exercises, whose six checks pass; the
// pod of exercise 1 answers curl from every node other than its own; a
// plan then says "No changes"; destroy resets every host completely,
// checked on each; and a second apply builds the same cluster and passes
// the same checks. It reports the wall times and podlab's peak RSS.
func TestRealOnPremLesson(t *testing.T) {
	o := newRealOnPrem(t)
	bin := buildPodlab(t)
	lab := copyLab(t, "../../examples/pod-basics")
	manifest := flannelManifest(t, lab)
	var cps, workers []string
	for i, h := range o.env.Hosts {
		if i == 0 {
			cps = append(cps, fmt.Sprintf("%q", h.Addr))
		} else {
			workers = append(workers, fmt.Sprintf("%q", h.Addr))
		}
	}
	vars := fmt.Sprintf(`target = "onprem"
onprem_control_plane = [%s]
onprem_workers = [%s]
onprem_ssh_user = "root"
onprem_ssh_key = %q
onprem_known_hosts = %q
onprem_cni_manifest = %q
onprem_bundle = %q
onprem_ignore_preflight_errors = ["SystemVerification"]
onprem_kubeadm_extra_config = <<EOT
%sEOT
`, strings.Join(cps, ", "), strings.Join(workers, ", "), o.env.KeyFile(), o.env.KnownHostsFile(), manifest, o.bundle, onpremExtraConfig)
	varFile := filepath.Join(lab, "onprem.podlabvars")
	if err := os.WriteFile(varFile, []byte(vars), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, time.Duration, int64) {
		t.Helper()
		args = append([]string{"-chdir=" + lab}, args...)
		args = append(args, "-var-file="+varFile)
		cmd := exec.CommandContext(t.Context(), bin, args...)
		var buf strings.Builder
		cmd.Stdout, cmd.Stderr = &buf, &buf
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// podlab's own high-water mark: the rusage of a child started by
		// Go counts the test binary's memory it shared before exec.
		var rss int64
		done := make(chan struct{})
		go func() {
			for {
				if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)); err == nil {
					for _, l := range strings.Split(string(b), "\n") {
						var kb int64
						if _, err := fmt.Sscanf(l, "VmHWM: %d kB", &kb); err == nil && kb > rss {
							rss = kb
						}
					}
				}
				select {
				case <-done:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}()
		err := cmd.Wait()
		close(done)
		took := time.Since(start)
		out := []byte(buf.String())
		if err != nil {
			t.Fatalf("podlab %s: %v (after %s)\n%s", strings.Join(args, " "), err, took.Round(time.Second), out)
		}
		return string(out), took, rss
	}
	for round := 1; round <= 2; round++ {
		out, took, rss := run("apply", "-auto-approve")
		t.Logf("round %d: podlab apply (3-node build and the lesson) took %s, peak RSS %d MB", round, took.Round(100*time.Millisecond), rss/1024)
		if !strings.Contains(out, "6 passed") && !strings.Contains(out, "6/6") {
			t.Logf("apply output:\n%s", out)
		}
		out, _, _ = run("check")
		if !strings.Contains(out, "6 passed") {
			t.Errorf("round %d: podlab check:\n%s", round, out)
		}
		o.curlLessonPod(t, lab, bin, varFile)
		if round == 1 {
			out, took, _ := run("plan")
			if !strings.Contains(out, "No changes") {
				t.Errorf("plan after apply:\n%s", out)
			}
			t.Logf("no-change plan took %s", took.Round(time.Millisecond))
		}
		out, took, rss = run("destroy", "-auto-approve")
		t.Logf("round %d: podlab destroy took %s, peak RSS %d MB", round, took.Round(100*time.Millisecond), rss/1024)
		o.checkReset(t)
		if t.Failed() {
			t.Logf("destroy output:\n%s", out)
			return
		}
	}
}

// curlLessonPod: exercise 1's pod answers curl from every node but its
// own (the check itself curls from the pod's node).
func (o *realOnPrem) curlLessonPod(t *testing.T, lab, bin, varFile string) {
	t.Helper()
	out, err := exec.Command(bin, "-chdir="+lab, "output", "-raw", "nginx_pod_ip", "-var-file="+varFile).CombinedOutput()
	ip := strings.TrimSpace(string(out))
	if err != nil || ip == "" {
		t.Fatalf("podlab output nginx_pod_ip: %v\n%s", err, out)
	}
	kc := filepath.Join(lab, ".podlab")
	var node string
	filepath.WalkDir(kc, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "admin.conf" {
			node = p
		}
		return nil
	})
	onNode := ""
	for _, h := range o.env.Hosts {
		if out, err := h.Exec("ip route get " + ip); err == nil && strings.Contains(out, " dev cni0 ") {
			onNode = h.Name
		}
	}
	if onNode == "" {
		t.Fatalf("no node has %s on its cni0 (admin.conf at %q)", ip, node)
	}
	others := 0
	for _, h := range o.env.Hosts {
		if h.Name == onNode {
			continue
		}
		others++
		// flannel on a node learns another node's subnet a moment after
		// that node's flanneld starts: allow it a minute.
		var out string
		var err error
		for deadline := time.Now().Add(time.Minute); ; {
			out, err = h.Exec("curl -s -m 10 http://" + ip + "/")
			if err == nil && strings.Contains(out, "Welcome to nginx!") || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Second)
		}
		if err != nil || !strings.Contains(out, "Welcome to nginx!") {
			t.Errorf("curl %s (on %s) from %s: %v\n%s", ip, onNode, h.Name, err, out)
		}
	}
	t.Logf("exercise 1's pod %s runs on %s; curl from the %d other nodes answered", ip, onNode, others)
}

// buildPodlab builds the podlab command for the test.
func buildPodlab(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "podlab")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/podlab")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build podlab: %v\n%s", err, out)
	}
	return bin
}

// copyLab copies a lab directory (not its .podlab).
func copyLab(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == ".podlab" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

var _ = testhosts.E2EEnv
