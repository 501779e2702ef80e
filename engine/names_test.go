package engine

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

// hostileSeats and hostileExercises are generated names that push every
// limit of the names podlab derives: past the 63-character cut (and
// differing only past it), Unicode, punctuation, control characters, and
// seats that differ only in case.
func hostileSeats() []string {
	long := strings.Repeat("s", 80)
	return []string{
		long, long[:70] + "xxxxxxxxxx", long[:70] + "yyyyyyyyyy", strings.Repeat("S", 80),
		"Kim", "kim", "KIM", "김철수", "김영희", "Ünïcödé", "o'brien!", "a.b", "a_b", "a b",
		"-x-", "..", "tab\there", "\x1b[31mred", "emoji 🚀", strings.Repeat("9", 64),
		strings.Repeat("a", 253) + "z",
	}
}

func hostileExercises() []string {
	long := strings.Repeat("e", 70)
	return []string{long, long + "_x", long + "_y", "연습", "練習", "Web_1", "a-b-c"}
}

// hostileLab is a lab with the hostile seats and an exercise of each
// hostile name, each holding one pod.
func hostileLab(t testing.TB, labName string) map[string]string {
	t.Helper()
	seats, err := json.Marshal(hostileSeats()) // JSON's escapes are HCL's
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "lab {\n  name = %q\n  seats = %s\n}\ncluster \"local\" {\n  kubeconfig {}\n}\n", labName, seats)
	for _, ex := range hostileExercises() {
		fmt.Fprintf(&b, "exercise %q {\n  manifests = [file(\"pod.yaml\")]\n}\n", ex)
	}
	return map[string]string{
		"lab.podlab.hcl": b.String(),
		"pod.yaml":       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n",
	}
}

// TestDerivedNamesValid: for hostile seat, exercise and lab names, every
// name, namespace, label and annotation podlab puts on an object is valid
// for its field, distinct where it must be, stable, and the full names
// are kept in annotations.
func TestDerivedNamesValid(t *testing.T) {
	labName := "A Lab " + strings.Repeat("L", 70)
	files := hostileLab(t, labName)
	build := func() []*desired { return New(env(t, files), nil, "test").buildDesired() }
	first, again := build(), build()
	if len(first) != len(again) {
		t.Fatalf("%d objects, then %d", len(first), len(again))
	}
	namespaces := map[string]string{}     // namespace -> address of the Namespace
	seatLabels := map[string]string{}     // seat label -> seat name
	exerciseLabels := map[string]string{} // exercise label -> exercise name
	seen := map[string]bool{}
	for i, d := range first {
		if d.Object == nil {
			continue
		}
		u := d.Object
		if d.Address != again[i].Address || u.GetName() != again[i].Object.GetName() || d.Hash != again[i].Hash {
			t.Errorf("%s is not stable: %s %s, then %s %s", d.Address, u.GetName(), d.Hash, again[i].Object.GetName(), again[i].Hash)
		}
		if seen[d.Address] {
			t.Errorf("two objects at %s", d.Address)
		}
		seen[d.Address] = true
		if u.GetKind() == "Namespace" {
			if errs := validation.IsDNS1123Label(u.GetName()); len(errs) > 0 {
				t.Errorf("%s: namespace %q: %v", d.Address, u.GetName(), errs)
			}
			if prev, ok := namespaces[u.GetName()]; ok {
				t.Errorf("%s and %s share the namespace %q", prev, d.Address, u.GetName())
			}
			namespaces[u.GetName()] = d.Address
		} else {
			if errs := validation.IsDNS1123Label(u.GetNamespace()); len(errs) > 0 {
				t.Errorf("%s: namespace %q: %v", d.Address, u.GetNamespace(), errs)
			}
			if errs := validation.IsDNS1123Subdomain(u.GetName()); len(errs) > 0 {
				t.Errorf("%s: name %q: %v", d.Address, u.GetName(), errs)
			}
		}
		for k, v := range u.GetLabels() {
			if errs := validation.IsQualifiedName(k); len(errs) > 0 {
				t.Errorf("%s: label key %q: %v", d.Address, k, errs)
			}
			if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
				t.Errorf("%s: label %s=%q: %v", d.Address, k, v, errs)
			}
		}
		annots := u.GetAnnotations()
		for k := range annots {
			if errs := validation.IsQualifiedName(k); len(errs) > 0 {
				t.Errorf("%s: annotation key %q: %v", d.Address, k, errs)
			}
		}
		if annots[AnnotLabName] != labName {
			t.Errorf("%s: annotation %s = %q, want the lab's full name", d.Address, AnnotLabName, annots[AnnotLabName])
		}
		in := d.Instance
		if in.Seat != nil {
			l := u.GetLabels()[LabelSeat]
			if annots[AnnotSeatName] != in.Seat.Name && l != in.Seat.Name {
				t.Errorf("%s: seat %q kept neither in label (%q) nor annotation (%q)", d.Address, in.Seat.Name, l, annots[AnnotSeatName])
			}
			if prev, ok := seatLabels[l]; ok && prev != in.Seat.Name {
				t.Errorf("seats %q and %q share the label value %q", prev, in.Seat.Name, l)
			}
			seatLabels[l] = in.Seat.Name
		}
		if l, ok := u.GetLabels()[LabelExercise]; ok && in.Exercise.Name != "access" {
			if annots[AnnotExerciseName] != in.Exercise.Name && l != in.Exercise.Name {
				t.Errorf("%s: exercise %q kept neither in label (%q) nor annotation (%q)", d.Address, in.Exercise.Name, l, annots[AnnotExerciseName])
			}
			if prev, ok := exerciseLabels[l]; ok && prev != in.Exercise.Name {
				t.Errorf("exercises %q and %q share the label value %q", prev, in.Exercise.Name, l)
			}
			exerciseLabels[l] = in.Exercise.Name
		}
	}
	if want := len(hostileSeats()); len(seatLabels) != want {
		t.Errorf("%d seat label values, want one for each of %d seats", len(seatLabels), want)
	}
	if want := len(hostileExercises()); len(exerciseLabels) != want {
		t.Errorf("%d exercise label values, want one for each of %d exercises", len(exerciseLabels), want)
	}
	// Each seat's own namespace and one per seat and exercise.
	if want := len(hostileSeats()) * (1 + len(hostileExercises())); len(namespaces) != want {
		t.Errorf("%d namespaces, want %d", len(namespaces), want)
	}
}
