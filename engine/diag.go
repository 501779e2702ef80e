package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/plan"
)

var verbs = map[plan.Action]string{
	plan.Create: "create", plan.Update: "update", plan.Replace: "replace", plan.Delete: "delete",
}

// objectDiag turns an object's failure into a diagnostic naming the object
// and the block that declared it. A rejection by the API server (invalid
// field, admission) points into the manifest at the field it names.
func (e *Engine) objectDiag(ch *plan.Change, action plan.Action, err error) *hcl.Diagnostic {
	what := fmt.Sprintf("%s %q", ch.Kind, ch.Name)
	if ch.Namespace != "" {
		what += fmt.Sprintf(" in namespace %q", ch.Namespace)
	}
	src := e.Env.Object(ch.Address)
	where := ""
	if src != nil {
		where = fmt.Sprintf("\n\n%s is declared by %s (%s).", ch.Address, src.Instance.Address, src.DeclRange)
	}
	if errors.Is(err, ErrInterrupted) {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("Interrupted: %s %s", verbs[action], ch.Address),
			Detail: "podlab was interrupted before this finished; the next plan carries on from the state it saved."}
	}
	if rej, ok := kubeapi.AsRejection(err); ok {
		var lines []string
		field := ""
		for _, c := range rej.Causes {
			if c.Field != "" {
				lines = append(lines, c.Field+": "+c.Message)
				if field == "" {
					field = c.Field
				}
			} else {
				lines = append(lines, c.Message)
			}
		}
		if len(lines) == 0 {
			lines = []string{rej.Message}
		}
		d := &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("The API server rejected %s", what),
			Detail:   strings.Join(lines, "\n") + where,
		}
		if src != nil {
			r, _ := e.Env.FieldRange(src, field)
			d.Subject = &r
		}
		return d
	}
	d := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Failed to %s %s", verbs[action], what),
		Detail:   fmt.Sprintf("%s: %s%s", ch.Address, sentence(kubeapi.Explain(err).Error()), where),
	}
	if src != nil {
		d.Subject = src.DeclRange.Ptr()
	}
	return d
}

// ErrInterrupted marks work an interrupt stopped; it is not a failure of
// the object, and the next plan resumes it.
var ErrInterrupted = errors.New("interrupted")

// sentence ends a one-line explanation with a full stop; one that closes
// with quoted lines (a container's log) is left as it is, since a stop
// there would read as part of what the container wrote.
func sentence(s string) string {
	if strings.Contains(s, "\n") || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}
