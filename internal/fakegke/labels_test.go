package fakegke_test

import (
	"maps"
	"testing"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
)

func TestSetLabelsInsistsOnTheFingerprint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fastTimings)
	e.createRunning(t, newCluster("labels"))
	name := clusterPath(zone, "labels")

	first := e.get(t, zone, "labels").GetLabelFingerprint()
	if first != "a9dc16a7" {
		t.Errorf("fingerprint of no labels %q, want GKE's a9dc16a7", first)
	}
	want := map[string]string{"podlab-lab": "pods", "podlab-env": "gke"}

	// GKE refuses an empty fingerprint even for the first labels.
	_, err := e.client.SetLabels(ctxT(t), &containerpb.SetLabelsRequest{Name: name, ResourceLabels: want})
	wantCode(t, err, codes.FailedPrecondition,
		`Labels could not be set due to fingerprint mismatch; try again with the proper fingerprint: incorrect fingerprint supplied was "", the expected one is "a9dc16a7".`)

	op, err := e.client.SetLabels(ctxT(t), &containerpb.SetLabelsRequest{Name: name, ResourceLabels: want, LabelFingerprint: first})
	if err != nil {
		t.Fatalf("SetLabels with the right fingerprint: %v", err)
	}
	if op.GetOperationType() != containerpb.Operation_UPDATE_CLUSTER {
		t.Errorf("operation type %v, want UPDATE_CLUSTER (GKE no longer uses SET_LABELS)", op.GetOperationType())
	}
	e.wait(t, op)
	c := e.get(t, zone, "labels")
	if !maps.Equal(c.GetResourceLabels(), want) {
		t.Errorf("labels %v, want %v", c.GetResourceLabels(), want)
	}
	if c.GetLabelFingerprint() == first {
		t.Errorf("fingerprint unchanged after the labels changed")
	}

	// A second writer holding the old fingerprint loses.
	_, err = e.client.SetLabels(ctxT(t), &containerpb.SetLabelsRequest{
		Name: name, ResourceLabels: map[string]string{"owner": "other"}, LabelFingerprint: first,
	})
	wantCode(t, err, codes.FailedPrecondition, `incorrect fingerprint supplied was "a9dc16a7", the expected one is "`+c.GetLabelFingerprint()+`"`)

	// Labels are replaced, not merged.
	op, err = e.client.SetLabels(ctxT(t), &containerpb.SetLabelsRequest{
		Name: name, ResourceLabels: map[string]string{"owner": "other"}, LabelFingerprint: c.GetLabelFingerprint(),
	})
	if err != nil {
		t.Fatalf("SetLabels with the current fingerprint: %v", err)
	}
	e.wait(t, op)
	if got := e.get(t, zone, "labels").GetResourceLabels(); !maps.Equal(got, map[string]string{"owner": "other"}) {
		t.Errorf("labels %v, want only owner=other", got)
	}
}
