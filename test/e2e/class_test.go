package e2e

import (
	"context"
	"encoding/json"
	"fmt"
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

	"github.com/podlab/podlab/config"
	podlabk8s "github.com/podlab/podlab/internal/kubeapi"
)

// A class of two seats, one with a Korean name: each seat's objects in its
// own namespaces, a kubeconfig per seat whose token reaches only that seat's
// pods, a grading report.
func TestClassSeatsAccessAndReport(t *testing.T) {
	l := courseLab(t)
	students := `students=["kim","김철수"]`
	res := l.must(0, "apply", "-auto-approve", "-var", students)
	if !strings.Contains(res.stdout, "12 checks: 12 passed, 0 failed.") {
		t.Fatalf("the class's checks:\n%s", res.all())
	}
	for _, want := range []string{"2 seats × 6 checks", "kim", "김철수", "6/6"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("the seat matrix lacks %q:\n%s", want, res.stdout)
		}
	}
	korean := config.SeatSlug("김철수")
	nsKim := "pod-basics-" + l.workspace + "-kim-sidecar"
	nsKorean := "pod-basics-" + l.workspace + "-" + korean + "-sidecar"

	dir := t.TempDir()
	l.must(0, "kubeconfig", "-all", "-dir", dir, "-var", students)
	kimFile := filepath.Join(dir, "kim.kubeconfig")
	st, err := os.Stat(kimFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("kubeconfig mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := os.Stat(filepath.Join(dir, korean+".kubeconfig")); err != nil {
		t.Errorf("no kubeconfig for 김철수: %v", err)
	}
	raw, _ := os.ReadFile(kimFile)
	if strings.Contains(string(raw), "client-certificate") || !strings.Contains(string(raw), "token:") {
		t.Errorf("the seat's kubeconfig should hold a token and no admin certificate:\n%s", raw)
	}
	if b, _ := os.ReadFile(l.statePath()); strings.Contains(string(b), "token") {
		t.Error("the state mentions a token")
	}

	cfg, err := clientcmd.BuildConfigFromFlags("", kimFile)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := podlabk8s.New(cfg, podlabk8s.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Kim's own pod: exec works, listing works.
	out, err := kc.Exec(ctx, nsKim, "my-nginx-pod", "ubuntu-sidecar-container", []string{"curl", "-s", "localhost"}, nil)
	if err != nil || !strings.Contains(out.Stdout, "Welcome to nginx!") {
		t.Fatalf("kim cannot exec into their own pod: %v %+v", err, out)
	}
	if _, err := kc.Clientset.CoreV1().Pods(nsKim).List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("kim cannot list their own pods: %v", err)
	}
	// 김철수's pod: no listing, no logs, no exec.
	if _, err := kc.Clientset.CoreV1().Pods(nsKorean).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("kim listed another seat's pods: %v", err)
	}
	_, err = kc.Clientset.CoreV1().Pods(nsKorean).GetLogs("my-nginx-pod", &corev1.PodLogOptions{Container: "my-nginx-container"}).DoRaw(ctx)
	if !apierrors.IsForbidden(err) {
		t.Errorf("kim read another seat's logs: %v", err)
	}
	if _, err := kc.Exec(ctx, nsKorean, "my-nginx-pod", "ubuntu-sidecar-container", []string{"true"}, nil); err == nil || !strings.Contains(err.Error(), "forbidden") {
		t.Errorf("kim exec'd into another seat's pod: %v", err)
	}
	// Nor anything cluster-wide.
	if _, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("kim listed namespaces: %v", err)
	}

	report := filepath.Join(t.TempDir(), "report.html")
	res = l.must(0, "check", "-var", students, "-report", report, "-json")
	html, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", "grading report", "kim", "김철수", "sidecar reaches nginx on localhost", `class="pass"`, "@media print"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://"} {
		if strings.Contains(string(html), bad) {
			t.Errorf("the report is not self-contained: it has %q", bad)
		}
	}
	seats := map[string]int{}
	for _, line := range strings.Split(res.stdout, "\n") {
		var ev struct {
			Type  string `json:"type"`
			Check struct {
				Seat   string `json:"seat"`
				Passed bool   `json:"passed"`
			} `json:"check"`
		}
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Type == "check_result" && ev.Check.Passed {
			seats[ev.Check.Seat]++
		}
	}
	if seats["kim"] != 6 || seats["김철수"] != 6 {
		t.Errorf("JSON check results by seat: %v", seats)
	}
	one := l.must(0, "check", "-var", students, "-seat", "kim")
	if !strings.Contains(one.stdout, "6 checks: 6 passed") || strings.Contains(one.stdout, "김철수") {
		t.Errorf("check -seat kim:\n%s", one.stdout)
	}

	l.must(0, "destroy", "-auto-approve", "-var", students, "-grace-period", "0")
	if n := l.labelled(); n != 0 {
		t.Fatalf("%d labelled objects after destroy", n)
	}
}

// A class with a time limit: status shows the time left, apply warns once
// it has passed, destroy -expired removes it and can be run again.
func TestClassTimeLimit(t *testing.T) {
	l := newLab(t, map[string]string{
		"lab.podlab.hcl": "lab {\n  name = \"ttl\"\n  ttl  = var.ttl\n}\nvariable \"ttl\" {\n  default = \"3s\"\n}\ncluster \"kubeconfig\" {\n  kubeconfig {}\n}\nvariable \"target\" {\n  default = \"kubeconfig\"\n}\nexercise \"web\" {\n  manifests = [file(\"pod.yaml\")]\n}\n",
		"pod.yaml":       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: nginx\n    image: nginx:latest\n",
	})
	l.must(0, "apply", "-auto-approve")
	st := l.state()
	if st.ExpiresAt == nil || st.CreatedAt == nil || st.ExpiresAt.Sub(*st.CreatedAt) != 3*time.Second {
		t.Fatalf("created %v, expires %v: want 3s apart", st.CreatedAt, st.ExpiresAt)
	}
	res := l.must(0, "status")
	if !strings.Contains(res.stdout, "kubeconfig@"+l.workspace) || !strings.Contains(res.stdout, "2") {
		t.Errorf("status:\n%s", res.stdout)
	}
	time.Sleep(time.Until(*st.ExpiresAt) + 500*time.Millisecond)
	if res := l.must(0, "status"); !strings.Contains(res.stdout, "expired") {
		t.Errorf("status after the expiry:\n%s", res.stdout)
	}
	if res := l.must(0, "apply", "-auto-approve"); !strings.Contains(res.stderr, "The environment has expired") {
		t.Errorf("apply on an expired environment should warn:\n%s", res.all())
	}
	res = l.must(0, "destroy", "-expired", "-auto-approve")
	if !strings.Contains(res.stdout, "expired at") || !strings.Contains(res.stdout, "Destroy complete!") {
		t.Errorf("destroy -expired:\n%s", res.all())
	}
	if n := l.labelled(); n != 0 {
		t.Fatalf("%d labelled objects after destroy -expired", n)
	}
	if res := l.must(0, "destroy", "-expired", "-auto-approve"); !strings.Contains(res.stdout, "No environment of this lab has expired.") {
		t.Errorf("a second destroy -expired:\n%s", res.all())
	}
}

// 40 seats of the course lab, 80 pods: apply with every check, a plan
// that finds nothing to do, and destroy.
func TestClassOfForty(t *testing.T) {
	if testing.Short() {
		t.Skip("80 pods take minutes on two cores")
	}
	l := courseLab(t)
	var names []string
	for i := 1; i <= 40; i++ {
		names = append(names, fmt.Sprintf("%q", fmt.Sprintf("s%02d", i)))
	}
	seats := "students=[" + strings.Join(names, ",") + "]"
	start := time.Now()
	res := l.must(0, "apply", "-auto-approve", "-var", seats)
	t.Logf("apply of 40 seats with 240 checks took %s", time.Since(start).Round(time.Second))
	if !strings.Contains(res.stdout, "240 checks: 240 passed, 0 failed.") {
		t.Fatalf("checks of 40 seats:\n%s", tail(res.stdout, 60))
	}
	// 40 seats × (a seat namespace, 2 exercise namespaces, 2 pods), and the
	// one probe pod the checks from the node share, in its namespace.
	if n := l.labelled(); n != 202 {
		t.Errorf("%d labelled namespaces and pods, want 202", n)
	}
	res = l.must(0, "plan", "-detailed-exitcode", "-var", seats)
	if !strings.Contains(res.stdout, "No changes.") {
		t.Errorf("a second plan should find nothing to do:\n%s", tail(res.stdout, 30))
	}
	start = time.Now()
	l.must(0, "destroy", "-auto-approve", "-var", seats, "-grace-period", "0")
	t.Logf("destroy of 40 seats took %s", time.Since(start).Round(time.Second))
	if n := l.labelled(); n != 0 {
		t.Fatalf("%d labelled objects after destroy", n)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
