package e2e

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

// studentLab: two seats, one exercise the students do themselves, with a
// short stuck_after so that a seat that did nothing shows as stuck.
func studentLab(t *testing.T) *lab {
	t.Helper()
	return newLab(t, map[string]string{
		"lab.podlab.hcl": `lab {
  name        = "stu"
  seats       = ["kim", "lee"]
  stuck_after = "3s"
}
variable "target" {
  default = "kubeconfig"
}
cluster "kubeconfig" {
  kubeconfig {}
}
exercise "web" {
  mode      = "student"
  manifests = [file("pod.yaml")]
  check "running" {
    timeout = "3s" # a failing grading waits no longer (tests' time)
    ready { pod = "web" }
  }
}
`,
		"pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: nginx\n    image: nginx:latest\n",
	})
}

// studentClient is a seat's own client, from the kubeconfig the handout
// gave it, in the namespace of its current context.
func studentClient(t *testing.T, kubeconfig string) (*kubernetes.Clientset, string) {
	t.Helper()
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig}, &clientcmd.ConfigOverrides{})
	cfg, err := cc.ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BearerToken == "" || cfg.CertData != nil {
		t.Fatalf("the seat's kubeconfig is not a token-only credential")
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		t.Fatal(err)
	}
	return kubernetes.NewForConfigOrDie(cfg), ns
}

// A student exercise: apply prepares the seats but not the pod; the
// handout gives each student their kubeconfig and the lesson's manifest;
// kim applies it with kim's own credentials (and cannot reach lee's
// namespace); the check grades kim passing and lee failing, then stuck;
// destroy removes kim's pod with the namespaces and keeps the record,
// which status -csv exports after the cluster is gone.
func TestStudentExerciseGradedAndRecorded(t *testing.T) {
	l := studentLab(t)
	ctx := context.Background()
	admin := l.cluster.Clientset(t)

	res := l.must(0, "apply", "-auto-approve", "-checks=false")
	if !strings.Contains(res.stdout, "Apply complete!") {
		t.Fatalf("apply:\n%s", res.all())
	}
	st := l.state()
	for _, o := range st.Objects {
		if o.Kind == "Pod" {
			t.Errorf("apply made the student's pod %s", o.Address)
		}
	}
	// Graded before anyone did anything: both fail, saying what is missing.
	res = l.must(2, "check")
	if !strings.Contains(res.stdout, "no pod web in namespace") || !strings.Contains(res.stdout, "it has no pods") {
		t.Errorf("the failing check does not say what it found:\n%s", res.all())
	}

	hand := filepath.Join(t.TempDir(), "handout")
	l.must(0, "handout", "-dir", hand)
	manifest, err := os.ReadFile(filepath.Join(hand, "kim", "web", "pod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(manifest), "namespace:") || !strings.Contains(string(manifest), "name: web") {
		t.Errorf("handout manifest:\n%s", manifest)
	}
	if fi, err := os.Stat(filepath.Join(hand, "kim", "kubeconfig")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("kim's kubeconfig: %v %v", fi, err)
	}
	kim, kimNS := studentClient(t, filepath.Join(hand, "kim", "kubeconfig"))
	_, leeNS := studentClient(t, filepath.Join(hand, "lee", "kubeconfig"))
	var pod corev1.Pod
	if err := yaml.Unmarshal(manifest, &pod); err != nil {
		t.Fatal(err)
	}
	// Bad input: kim's credentials do not reach lee's namespace.
	if _, err := kim.CoreV1().Pods(leeNS).Create(ctx, pod.DeepCopy(), metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("kim creating a pod in lee's namespace: %v, want forbidden", err)
	}
	// Bad input: the pod under another name is not the exercise's.
	other := pod.DeepCopy()
	other.Name = "webb"
	if _, err := kim.CoreV1().Pods(kimNS).Create(ctx, other, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	res = l.must(2, "check", "-seat", "kim")
	if !strings.Contains(res.stdout, "it has pod(s) webb") {
		t.Errorf("a pod under another name is not reported as such:\n%s", res.all())
	}
	if _, err := kim.CoreV1().Pods(kimNS).Create(ctx, &pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("kim applying the lesson's manifest with kim's kubeconfig: %v", err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		p, err := admin.CoreV1().Pods(kimNS).Get(ctx, "web", metav1.GetOptions{})
		if err == nil && p.Status.Phase == corev1.PodRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("kim's pod is not running after 2m: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // past stuck_after for lee
	grades := filepath.Join(t.TempDir(), "grades.csv")
	res = l.must(2, "check", "-csv", grades)
	out := res.stdout
	if !strings.Contains(out, "kim    1/1") || !strings.Contains(out, "web: running (failing") || !strings.Contains(out, "1 of 2 seats stuck.") {
		t.Errorf("check does not show kim done and lee stuck:\n%s", res.all())
	}

	// diff: kim's pod is the reference's; lee has none, then one with
	// another image, made with lee's own credentials.
	if res := l.must(0, "diff", "-seat", "kim"); !strings.Contains(res.stdout, `Pod "web" matches the reference`) {
		t.Errorf("diff -seat kim:\n%s", res.all())
	}
	if res := l.must(2, "diff", "-seat", "lee"); !strings.Contains(res.stdout, "the student has not made it") || !strings.Contains(res.stdout, "1 missing, 0 differ") {
		t.Errorf("diff -seat lee, nothing made:\n%s", res.all())
	}
	lee, _ := studentClient(t, filepath.Join(hand, "lee", "kubeconfig"))
	leePod := pod.DeepCopy()
	leePod.ResourceVersion, leePod.UID, leePod.Namespace = "", "", ""
	leePod.Spec.Containers[0].Image = "nginx:1.27-alpine"
	if _, err := lee.CoreV1().Pods(leeNS).Create(ctx, leePod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	res = l.must(2, "diff", "-seat", "lee")
	if !strings.Contains(res.stdout, `"nginx:1.27-alpine" -> "nginx:latest"`) || !strings.Contains(res.stdout, "0 missing, 1 differ") ||
		strings.Contains(res.stdout, "terminationMessagePath") {
		t.Errorf("diff -seat lee, another image:\n%s", res.all())
	}
	t.Logf("podlab diff -seat lee:\n%s", res.stdout)

	res = l.must(0, "destroy", "-auto-approve", "-grace-period", "0")
	if !strings.Contains(res.stdout, "(with whatever the student made in it)") {
		t.Errorf("destroy's plan does not say the students' objects go too:\n%s", res.stdout)
	}
	if _, err := admin.CoreV1().Namespaces().Get(ctx, kimNS, metav1.GetOptions{}); err == nil {
		// Deleted, possibly still terminating: then its pod goes with it.
		waitGone(t, func() error { _, err := admin.CoreV1().Namespaces().Get(ctx, kimNS, metav1.GetOptions{}); return err })
	}
	st = l.state()
	if len(st.Objects) != 0 || len(st.Checks) != 0 || len(st.Progress) != 2 {
		t.Fatalf("after destroy: %d objects, %d checks, %d progress records; want 0, 0, 2", len(st.Objects), len(st.Checks), len(st.Progress))
	}
	res = l.must(0, "status", "-csv", grades)
	if !strings.Contains(res.stdout, "stuck: lee") {
		t.Errorf("status after destroy does not flag lee:\n%s", res.all())
	}
	f, err := os.Open(grades)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows[1:] {
		got[r[1]] = r[5] + " " + r[11] + " attempts=" + r[9]
	}
	if got["kim"] != "true false attempts=3" || got["lee"] != "false true attempts=2" {
		t.Errorf("grades after destroy: %v\n%v", got, rows)
	}
}

// check -watch grades a seat again when its pods change: kim's pod,
// made with kim's own credentials, turns kim's check to passing while
// the watch runs; lee cannot delete lee's namespace; Ctrl-C ends the
// watch with exit 130 and every result saved.
func TestCheckWatchRegradesOnChange(t *testing.T) {
	l := studentLab(t)
	ctx := context.Background()
	l.must(0, "apply", "-auto-approve", "-checks=false")
	hand := filepath.Join(t.TempDir(), "handout")
	l.must(0, "handout", "-dir", hand)
	kim, kimNS := studentClient(t, filepath.Join(hand, "kim", "kubeconfig"))
	lee, leeNS := studentClient(t, filepath.Join(hand, "lee", "kubeconfig"))

	w := l.start("check", "-watch", "-watch-interval", "2s")
	if !w.waitFor(t, "Watching 2 checks of 2 seat(s)", time.Minute) {
		t.Fatalf("the watch did not start:\n%s", w.output())
	}
	if !w.waitFor(t, `FAIL seat["lee"].exercise.web.check["running"]: no pod web`, time.Minute) {
		t.Fatalf("no first grading:\n%s", w.output())
	}
	// Bad input: a student cannot delete their own namespace.
	if err := lee.CoreV1().Namespaces().Delete(ctx, leeNS, metav1.DeleteOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("lee deleting lee's namespace: %v, want forbidden", err)
	}
	manifest, err := os.ReadFile(filepath.Join(hand, "kim", "web", "pod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var pod corev1.Pod
	if err := yaml.Unmarshal(manifest, &pod); err != nil {
		t.Fatal(err)
	}
	if _, err := kim.CoreV1().Pods(kimNS).Create(ctx, &pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if !w.waitFor(t, `PASS seat["kim"].exercise.web.check["running"] (first pass after`, 2*time.Minute) {
		t.Fatalf("kim's check did not turn to passing:\n%s", w.output())
	}
	if err := w.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := w.wait(t, 30*time.Second); code != 130 {
		t.Errorf("exit %d after Ctrl-C, want 130:\n%s", code, w.output())
	}
	if !strings.Contains(w.output(), "Stopped watching") {
		t.Errorf("no clean stop:\n%s", w.output())
	}
	st := l.state()
	passed := map[string]bool{}
	for _, p := range st.Progress {
		passed[p.Seat] = p.Passed
	}
	if !passed["kim"] || passed["lee"] || len(st.Progress) != 2 {
		t.Errorf("state after the watch: %+v", passed)
	}
}
