package engine

import (
	"fmt"
	"sort"

	"github.com/podlab/podlab/plan"
)

// refreshOnly turns a plan into Terraform's -refresh-only plan: it records
// in state what the cluster holds and changes nothing in the cluster. An
// object deleted outside podlab (a student's kubectl delete) is forgotten;
// one deleted and created again, or left unrecorded, is recorded with its
// new UID; one whose fields were changed is listed in the notes (state
// keeps no fields to record), and the next plan shows how to revert it.
// Creations, updates and deletions the configuration asks for are left
// for a normal plan.
func (e *Engine) refreshOnly(p *plan.Plan) {
	var keep []*plan.Change
	var drifted []string
	for _, ch := range p.Changes {
		prior := e.Prior.Object(ch.Address)
		switch {
		case ch.Forget, ch.Action == plan.NoOp && ch.Adopt:
			if ch.Adopt && prior != nil && prior.UID != "" && prior.UID != ch.UID {
				ch.Reason = fmt.Sprintf("it was deleted and created again outside podlab: uid %s, was %s", ch.UID, prior.UID)
			}
			keep = append(keep, ch)
		case (ch.Action == plan.Create || ch.Action == plan.Replace && ch.UID == "") && prior != nil && !ch.Deferred:
			keep = append(keep, &plan.Change{
				Address: ch.Address, Instance: ch.Instance, Seat: ch.Seat, Action: plan.NoOp, Forget: true,
				APIVersion: prior.APIVersion, Kind: prior.Kind, Namespace: prior.Namespace, Name: prior.Name,
				ExerciseNamespace: prior.ExerciseNamespace, Reason: "it was deleted outside podlab",
			})
		case (ch.Action == plan.Update || ch.Action == plan.Replace) && prior != nil:
			drifted = append(drifted, ch.Address)
		}
	}
	sort.Strings(drifted)
	for _, a := range drifted {
		p.Notes = append(p.Notes, fmt.Sprintf("%s was changed outside podlab; -refresh-only leaves it as it is (a plan without -refresh-only shows how to change it back).", a))
	}
	p.Changes = keep
	p.Cluster = nil
	p.Checks = nil
	p.RefreshOnly = true
}
