package engine

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlab/podlab/plan"
)

// A refresh-only plan records what students did and changes nothing: a
// deleted pod is forgotten, a re-created one recorded with its new UID, a
// changed one noted; the seat added to the configuration since is not
// created.
func TestPlanRefreshOnly(t *testing.T) {
	ctx := context.Background()
	e := New(env(t, targetLab()), nil, "test")
	first, err := e.Plan(ctx, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.Prior = priorOf(first, "new")
	live := map[string]*unstructured.Unstructured{}
	for _, ch := range first.Changes {
		if ch.Seat == "new" {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := json.Unmarshal(ch.Manifest, &u.Object); err != nil {
			t.Fatal(err)
		}
		u.SetUID(types.UID("uid-" + ch.Address))
		live[ch.Address] = u
	}
	deleted := `seat["kim"].exercise.app.Pod.web`
	recreated := `seat["lee"].exercise.app.Pod.web`
	changed := `seat["kim"].exercise.app.Service.web`
	delete(live, deleted)
	live[recreated].SetUID("new-uid")
	live[changed].Object["spec"] = map[string]any{"ports": []any{map[string]any{"port": int64(81)}}}

	p, err := e.Plan(ctx, PlanOptions{Live: live, RefreshOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if !p.RefreshOnly || p.Cluster != nil || len(p.Checks) != 0 {
		t.Errorf("refresh_only %v, cluster %v, %d checks", p.RefreshOnly, p.Cluster, len(p.Checks))
	}
	var got []string
	for _, ch := range p.Changes {
		switch {
		case ch.Action != plan.NoOp:
			t.Errorf("%s: %s in a refresh-only plan", ch.Address, ch.Action)
		case ch.Forget:
			got = append(got, "forget "+ch.Address)
		case ch.Adopt:
			got = append(got, "record "+ch.Address+" "+ch.UID)
			if !strings.Contains(ch.Reason, "deleted and created again outside podlab") {
				t.Errorf("%s: reason %q", ch.Address, ch.Reason)
			}
		}
	}
	sort.Strings(got)
	want := []string{"forget " + deleted, "record " + recreated + " new-uid"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], changed+" was changed outside podlab") {
		t.Errorf("notes %q", p.Notes)
	}
	if !p.HasChanges() {
		t.Error("a refresh-only plan with something to record has no changes")
	}
}
