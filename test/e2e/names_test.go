package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlab/podlab/internal/testcluster"
)

// Seats and exercises with hostile names (past the 63-character cut and
// differing only past it, differing only in case, Unicode, punctuation)
// are applied, and the API server accepts every name, label and
// annotation podlab derives from them; destroy removes them all.
func TestHostileNamesApply(t *testing.T) {
	c := testcluster.Get(t)
	long := strings.Repeat("s", 80)
	seats := []string{long, long[:70] + strings.Repeat("x", 10), "Kim", "kim", "김철수", "o'brien!"}
	seatList, err := json.Marshal(seats)
	if err != nil {
		t.Fatal(err)
	}
	exercises := []string{strings.Repeat("e", 70), strings.Repeat("e", 70) + "_x", "연습"}
	var b strings.Builder
	fmt.Fprintf(&b, "lab {\n  name  = \"Hostile Names\"\n  seats = %s\n}\nvariable \"target\" { default = \"kubeconfig\" }\ncluster \"kubeconfig\" {\n  kubeconfig {}\n}\n", seatList)
	for _, ex := range exercises {
		fmt.Fprintf(&b, "exercise %q {\n  manifests = [file(\"cm.yaml\")]\n}\n", ex)
	}
	l := newLab(t, map[string]string{
		"lab.podlab.hcl": b.String(),
		"cm.yaml":        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n",
	})
	l.must(0, "apply", "-auto-approve")

	cs := c.Clientset(t)
	ctx := context.Background()
	nss, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: "podlab.dev/lab=hostile-names"})
	if err != nil {
		t.Fatal(err)
	}
	var mine int
	fullSeats, fullExercises := map[string]bool{}, map[string]bool{}
	for _, ns := range nss.Items {
		if !strings.HasSuffix(ns.Labels["podlab.dev/env"], l.workspace) {
			continue
		}
		mine++
		if s := ns.Annotations["podlab.dev/seat-name"]; s != "" {
			fullSeats[s] = true
		}
		if e := ns.Annotations["podlab.dev/exercise-name"]; e != "" {
			fullExercises[e] = true
		}
		if ns.Annotations["podlab.dev/lab-name"] != "Hostile Names" {
			t.Errorf("namespace %s: lab-name annotation %q", ns.Name, ns.Annotations["podlab.dev/lab-name"])
		}
	}
	// One per seat for its student, one per seat and exercise.
	if want := len(seats) * (1 + len(exercises)); mine != want {
		t.Errorf("%d namespaces of this environment, want %d", mine, want)
	}
	// Every name a label could not hold is in an annotation; "kim" is its own label.
	for _, s := range seats {
		if s != "kim" && !fullSeats[s] {
			t.Errorf("no namespace keeps the seat name %q in an annotation", s)
		}
	}
	for _, e := range exercises {
		if !fullExercises[e] {
			t.Errorf("no namespace keeps the exercise name %q in an annotation", e)
		}
	}
	l.must(0, "destroy", "-auto-approve")
	if n := l.labelled(); n != 0 {
		t.Errorf("%d namespaces and pods left after destroy", n)
	}
}
