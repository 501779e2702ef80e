package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/plan"
)

// PlanOptions choose what kind of plan to make.
type PlanOptions struct {
	Destroy bool
	// Live is what refresh found in the cluster, by address; nil when the
	// cluster was not (or could not be) asked.
	Live map[string]*unstructured.Unstructured
	// Cluster is the cluster's own change, from its provider.
	Cluster *plan.ClusterChange
	// Differ compares a desired object with its live copy; nil compares
	// without a dry run (tests of pure logic).
	Differ Differ
	// Replace are the addresses of objects (or of exercises and seats,
	// for all their objects) to delete and create again: -replace.
	Replace []string
	// Target limits the plan to the objects at these addresses (or within
	// them), and what they need: -target.
	Target []string
	// RefreshOnly makes a plan that only records in state what the
	// cluster holds: -refresh-only.
	RefreshOnly bool
}

// Differ works out how a live object differs from the desired one.
type Differ interface {
	Diff(ctx context.Context, want, live *unstructured.Unstructured) (*Diff, error)
}

// Diff is how a live object would change.
type Diff struct {
	Action            plan.Action
	Reason            string
	Before, After     map[string]any
	ForcesReplacement []string
}

// Plan works out what apply would do.
func (e *Engine) Plan(ctx context.Context, opts PlanOptions) (*plan.Plan, error) {
	p := &plan.Plan{
		FormatVersion: plan.FormatVersion,
		PodlabVersion: e.Version,
		CreatedAt:     time.Now().UTC(),
		Lab:           e.Env.Lab.Name,
		Environment:   e.Env.Name,
		Workspace:     e.Env.Workspace,
		Destroy:       opts.Destroy,
		Refreshed:     opts.Live != nil,
		ConfigHash:    ConfigHash(e.Env),
		Variables:     VariablesJSON(e.Env),
		StateRef:      plan.StateRef{Lineage: e.Prior.Lineage, Serial: e.Prior.Serial},
		Cluster:       opts.Cluster,
		Targets:       opts.Target,
	}
	target := newTargeting(opts.Target)
	want := e.selectTargets(e.buildDesired(), target)
	if opts.Destroy {
		e.planDestroy(p, target, opts)
		if err := target.unused(); err != nil {
			return nil, err
		}
		return p, nil
	}
	wanted := map[string]bool{}
	replace := newReplacing(opts.Replace)
	for _, d := range want {
		wanted[d.Address] = true
		ch, err := e.planObject(ctx, d, opts)
		if err != nil {
			return nil, err
		}
		replace.apply(d, ch, e.Prior.Object(d.Address))
		p.Changes = append(p.Changes, ch)
		if d.ExerciseNamespace && !ch.ExerciseNamespace {
			note := fmt.Sprintf("The namespace %q already exists and is not podlab's: %s puts its objects there, but podlab will never label or delete the namespace.", ch.Name, d.Instance.Address)
			if d.Object.GetLabels()[PodSecurityEnforce] != "" {
				note += fmt.Sprintf(" It is left as it is: its own Pod Security labels apply there, not the lab's %q.", e.Env.Lab.PodSecurity)
			}
			p.Notes = append(p.Notes, note)
		}
	}
	if err := replace.unused(); err != nil {
		return nil, err
	}
	e.planOrphans(p, wanted, target, opts)
	if err := target.unused(); err != nil {
		return nil, err
	}
	for _, in := range e.Env.Instances {
		for _, c := range in.Checks {
			p.Checks = append(p.Checks, &plan.CheckRef{
				Address: c.Address, Instance: in.Address, Name: c.Name, Kind: c.Kind, Summary: CheckSummary(c),
			})
		}
	}
	if target != nil {
		targetedChecks(p)
	}
	if opts.RefreshOnly {
		e.refreshOnly(p)
	}
	p.Outputs = PlannedOutputs(e.Env)
	return p, nil
}

func (e *Engine) planObject(ctx context.Context, d *desired, opts PlanOptions) (*plan.Change, error) {
	ch := newChange(d)
	if d.Deferred {
		ch.Action = plan.Create
		ch.Reason = "its manifests depend on values known only after apply"
		return ch, nil
	}
	prior := e.Prior.Object(d.Address)
	live := opts.Live[d.Address]
	switch {
	case opts.Live == nil:
		// No cluster to ask: trust the state.
		if prior == nil {
			ch.Action = plan.Create
			ch.After = trim(d.Object.Object)
		} else if prior.ManifestHash != d.Hash {
			ch.Action = plan.Update
			ch.Reason = "the configuration changed (not compared with the cluster)"
			ch.After = trim(d.Object.Object)
		} else {
			ch.Action = plan.NoOp
		}
	case live == nil:
		ch.Action = plan.Create
		ch.After = trim(d.Object.Object)
		if prior != nil {
			ch.Reason = "it was deleted outside podlab"
		}
	case live.GetDeletionTimestamp() != nil:
		ch.Action = plan.Create
		ch.After = trim(d.Object.Object)
		ch.Terminating = true
		ch.UID = string(live.GetUID())
		ch.Reason = "it is being deleted; podlab waits for it to go, then creates it again"
	default:
		ch.UID = string(live.GetUID())
		ch.Adopt = prior == nil || prior.UID != string(live.GetUID())
		if d.ExerciseNamespace && e.foreignNamespace(live) {
			ch.Action = plan.NoOp
			ch.ExerciseNamespace = false
			ch.Adopt = false
			ch.Reason = "it already exists and is not podlab's; podlab uses it but will not delete it"
			return ch, nil
		}
		if sameAsLive(d.Object, live) {
			ch.Action = plan.NoOp
			break
		}
		if opts.Differ == nil {
			ch.Action = plan.Update
			ch.Reason = "it differs from the configuration"
			break
		}
		diff, err := opts.Differ.Diff(ctx, d.Object, live)
		if err != nil {
			return nil, fmt.Errorf("plan %s: %w", d.Address, err)
		}
		ch.Action, ch.Reason = diff.Action, diff.Reason
		ch.Before, ch.After, ch.ForcesReplacement = diff.Before, diff.After, diff.ForcesReplacement
	}
	if ch.Action == plan.Create || ch.Action == plan.Replace {
		ch.Computed = computedFields(d.Object)
	}
	return ch, nil
}

func newChange(d *desired) *plan.Change {
	ch := &plan.Change{
		Address:           d.Address,
		Instance:          d.Instance.Address,
		DependsOn:         d.DependsOn,
		ExerciseNamespace: d.ExerciseNamespace,
		Deferred:          d.Deferred,
	}
	if d.Instance.Seat != nil {
		ch.Seat = d.Instance.Seat.Name
	}
	if d.Object != nil {
		ch.APIVersion, ch.Kind = d.Object.GetAPIVersion(), d.Object.GetKind()
		ch.Namespace, ch.Name = d.Object.GetNamespace(), d.Object.GetName()
		ch.Manifest, _ = json.Marshal(d.Object.Object)
		ch.ManifestHash = d.Hash
	}
	if d.Source != nil {
		ch.Sensitive = d.Source.Sensitive
	}
	return ch
}

// planOrphans deletes what state (or the cluster, by label) has and the
// configuration no longer asks for.
func (e *Engine) planOrphans(p *plan.Plan, wanted map[string]bool, target *targeting, opts PlanOptions) {
	seen := map[string]bool{}
	var dels []*plan.Change
	targeted := priorTargeted(e.Prior.Objects, target)
	for _, o := range e.Prior.Objects {
		if wanted[o.Address] || !targeted[o.Address] {
			continue
		}
		seen[o.Address] = true
		if opts.Live != nil && opts.Live[o.Address] == nil {
			// Already gone; apply just forgets it.
			dels = append(dels, &plan.Change{
				Address: o.Address, Instance: o.Instance, Seat: o.Seat, Action: plan.NoOp, Forget: true,
				APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name,
				ExerciseNamespace: o.ExerciseNamespace, Reason: "already deleted outside podlab; it will be removed from state",
			})
			continue
		}
		dels = append(dels, deleteChange(o.Address, o.Instance, o.Seat, o.APIVersion, o.Kind, o.Namespace, o.Name, o.ExerciseNamespace,
			"it is no longer in the configuration", o.Dependencies))
	}
	for addr, live := range opts.Live {
		if wanted[addr] || seen[addr] || live.GetLabels()[LabelRole] == RoleProbe || e.foreignNamespace(live) || !target.matches(addr) {
			// Probe pods come and go with the checks; only destroy
			// removes them. What is not podlab's, it never deletes.
			continue
		}
		dels = append(dels, liveDelete(addr, live, "it carries this environment's labels but is not in the configuration"))
	}
	sortDeletes(dels)
	p.Changes = append(p.Changes, dels...)
}

func liveDelete(addr string, live *unstructured.Unstructured, reason string) *plan.Change {
	l := live.GetLabels()
	ch := deleteChange(addr, "", l[LabelSeat], live.GetAPIVersion(), live.GetKind(), live.GetNamespace(), live.GetName(),
		l[LabelRole] == RoleExerciseNS, reason, nil)
	ch.UID = string(live.GetUID())
	return ch
}

func deleteChange(addr, instance, seat, apiVersion, kind, ns, name string, exerciseNS bool, reason string, deps []string) *plan.Change {
	return &plan.Change{
		Address: addr, Instance: instance, Seat: seat, Action: plan.Delete, Reason: reason,
		APIVersion: apiVersion, Kind: kind, Namespace: ns, Name: name, ExerciseNamespace: exerciseNS, DependsOn: deps,
	}
}

// sortDeletes puts namespaces last and otherwise keeps addresses in order,
// so deletes run in reverse of creation.
func sortDeletes(dels []*plan.Change) {
	sort.SliceStable(dels, func(i, j int) bool {
		a, b := dels[i], dels[j]
		if a.ExerciseNamespace != b.ExerciseNamespace {
			return !a.ExerciseNamespace
		}
		if ra, rb := rank(a.Kind), rank(b.Kind); ra != rb {
			return ra > rb
		}
		return a.Address < b.Address
	})
}

// planDestroy deletes everything the state records and everything the
// cluster holds with this environment's labels.
func (e *Engine) planDestroy(p *plan.Plan, target *targeting, opts PlanOptions) {
	seen := map[string]bool{}
	var dels []*plan.Change
	targeted := priorTargeted(e.Prior.Objects, target)
	students := map[string]bool{}
	for _, in := range e.Env.Instances {
		students[in.Address] = in.Student
	}
	for _, o := range e.Prior.Objects {
		seen[o.Address] = true
		if !targeted[o.Address] {
			continue
		}
		if opts.Live != nil && opts.Live[o.Address] == nil {
			dels = append(dels, &plan.Change{
				Address: o.Address, Instance: o.Instance, Seat: o.Seat, Action: plan.NoOp, Forget: true,
				APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name,
				ExerciseNamespace: o.ExerciseNamespace, Reason: "already gone from the cluster; it will be removed from state",
			})
			continue
		}
		reason := ""
		if o.ExerciseNamespace && students[o.Instance] {
			// What the students made is in no state: it goes with
			// the namespace.
			reason = "with whatever the student made in it"
		}
		dels = append(dels, deleteChange(o.Address, o.Instance, o.Seat, o.APIVersion, o.Kind, o.Namespace, o.Name,
			o.ExerciseNamespace, reason, o.Dependencies))
	}
	for addr, live := range opts.Live {
		if !seen[addr] && !e.foreignNamespace(live) && target.matches(addr) {
			dels = append(dels, liveDelete(addr, live, "found in the cluster by this environment's labels"))
		}
	}
	sortDeletes(dels)
	p.Changes = dels
}

// computedFields are what a created object gains that no one can know
// before the API server and the kubelet have seen it.
func computedFields(u *unstructured.Unstructured) []string {
	out := []string{"metadata.uid"}
	if u.GetAPIVersion() == "v1" && u.GetKind() == "Pod" {
		if _, ok, _ := unstructured.NestedString(u.Object, "spec", "nodeName"); !ok {
			out = append(out, "spec.nodeName")
		}
		out = append(out, "status.podIP")
	}
	return out
}

// ConfigHash identifies a lab's configuration: its files and every file its
// functions read.
func ConfigHash(env *config.Env) string {
	h := sha256.New()
	write := func(name string, b []byte) {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
	}
	names := make([]string, 0, len(env.Module.Files))
	for n := range env.Module.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		write(n, env.Module.Files[n].Bytes)
	}
	read := make([]string, 0, len(env.ReadFiles))
	for n := range env.ReadFiles {
		read = append(read, n)
	}
	sort.Strings(read)
	for _, n := range read {
		write(n, env.ReadFiles[n])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// VariablesJSON records the variables' values with their types, as a plan
// saves them.
func VariablesJSON(env *config.Env) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for name, v := range env.Variables {
		v, _ = v.UnmarkDeep()
		if !v.IsWhollyKnown() {
			continue
		}
		b, err := ctyjson.Marshal(v, cty.DynamicPseudoType)
		if err == nil {
			out[name] = b
		}
	}
	return out
}

// PlannedOutputs are the outputs as a plan shows them.
func PlannedOutputs(env *config.Env) []*plan.Output {
	var out []*plan.Output
	for _, o := range env.Outputs {
		po := &plan.Output{Name: o.Name, Sensitive: o.Sensitive, Known: o.Value.IsWhollyKnown()}
		if po.Known {
			po.Value, _ = ctyjson.Marshal(o.Value, o.Value.Type())
			po.Display = string(hclwrite.TokensForValue(o.Value).Bytes())
		}
		out = append(out, po)
	}
	return out
}

// CheckSummary says in a few words what a check does.
func CheckSummary(c *config.Check) string {
	switch {
	case c.Ready != nil:
		return "ready"
	case c.Exec != nil:
		return "exec"
	case c.HTTP != nil:
		return "http from " + c.HTTP.From
	case c.Logs != nil:
		return "logs"
	case c.APIResources != nil:
		return "api_resources"
	}
	return c.Kind
}
