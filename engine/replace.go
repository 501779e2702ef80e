package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

// replacing is what -replace asked for: addresses of objects, or of what
// holds them (an exercise, an instance, a seat), to delete and create
// again even though nothing changed: the way to reset a student's pod
// that was broken from inside, where the API shows no drift.
type replacing struct {
	addrs []string
	used  map[string]bool
}

func newReplacing(addrs []string) *replacing {
	return &replacing{addrs: addrs, used: map[string]bool{}}
}

// apply turns the change of a desired object into a replacement when an
// address asks for it. Namespaces are never replaced: deleting one would
// take everything in it, and more precise addresses say what to reset.
func (r *replacing) apply(d *desired, ch *plan.Change, prior *state.Object) {
	if d.Object == nil || d.ExerciseNamespace {
		return
	}
	for _, a := range r.addrs {
		// Whole exercises and seats reset what their manifests made; the
		// access podlab adds (a student's tokens hang on it) only by
		// its own address.
		if d.Address != a && (d.Source == nil || !config.AddressWithin(d.Address, a)) {
			continue
		}
		r.used[a] = true
		if ch.UID == "" && prior != nil && !ch.Adopt {
			// Planned from the state alone (-refresh=false).
			ch.UID = prior.UID
		}
		if ch.UID == "" || (ch.Action != plan.NoOp && ch.Action != plan.Update) {
			// Created or replaced anyway.
			return
		}
		ch.Action, ch.Adopt = plan.Replace, false
		ch.Reason = "replacement requested with -replace"
		if ch.After == nil {
			ch.Before, ch.After = trim(d.Object.Object), trim(d.Object.Object)
		}
		ch.Computed = computedFields(d.Object)
		return
	}
}

// unused reports the addresses that named no object.
func (r *replacing) unused() error {
	missing := unmatched(r.addrs, r.used)
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("-replace %s: no object of the configuration has that address (namespaces are never replaced); "+
		"give an object's address as the plan or \"podlab state list\" shows it, or an exercise's or seat's to replace all its objects, "+
		`such as exercise.nginx_pod or seat["kim"]`, strings.Join(missing, ", "))
}

// unmatched is the addresses given that named nothing, sorted: -replace
// and -target refuse them alike.
func unmatched(addrs []string, used map[string]bool) []string {
	var missing []string
	for _, a := range addrs {
		if !used[a] {
			missing = append(missing, a)
		}
	}
	sort.Strings(missing)
	return missing
}
