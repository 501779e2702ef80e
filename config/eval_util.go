package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// decodeInto converts a decoded block into its Go struct, reporting a
// failure at the attribute it concerns.
func (e *evaluator) decodeInto(v cty.Value, target any, body hcl.Body, spec hcldec.Spec) bool {
	ds := (&KindBlock{Value: v, Body: body, Spec: spec}).Into(target)
	e.diags = append(e.diags, ds...)
	return !ds.HasErrors()
}

// attrDiag makes a diagnostic about one attribute of a decoded block.
func (e *evaluator) attrDiag(body hcl.Body, spec hcldec.Spec, attr, summary, detail string) *hcl.Diagnostic {
	return attrDiagnostic(body, spec, attr, summary, detail)
}

// attrDiagnostic is an error about one attribute of a decoded block,
// pointing at the attribute, or at the block when it is not written.
func attrDiagnostic(body hcl.Body, spec hcldec.Spec, attr, summary, detail string) *hcl.Diagnostic {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
	if obj, ok := spec.(hcldec.ObjectSpec); ok && attr != "" {
		if s, ok := obj[attr]; ok {
			r := hcldec.SourceRange(body, s)
			if r.Filename != "" {
				d.Subject = &r
			}
		}
	}
	if d.Subject == nil {
		if sb, ok := body.(interface{ MissingItemRange() hcl.Range }); ok {
			r := sb.MissingItemRange()
			d.Subject = &r
		}
	}
	return d
}

// duration parses a duration setting; "" gives def.
func (e *evaluator) duration(body hcl.Body, spec hcldec.Spec, attr, s string, def time.Duration) time.Duration {
	if s == "" {
		return def
	}
	d, problem := ParsePositiveDuration(attr, s)
	if problem != "" {
		e.diags = append(e.diags, e.attrDiag(body, spec, attr, "Invalid duration", problem))
		return def
	}
	return d
}

// ParsePositiveDuration parses a duration that must be more than zero (a
// timeout, an interval, a time limit), or says what is wrong with it: not
// a duration at all, or one that is not positive.
func ParsePositiveDuration(attr, s string) (time.Duration, string) {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Sprintf("%s = %q is not a duration; write it as \"90s\", \"30m\" or \"4h\".", attr, s)
	case d <= 0:
		return 0, fmt.Sprintf("%s = %q must be positive (more than 0s), such as \"90s\", \"30m\" or \"4h\".", attr, s)
	}
	return d, ""
}

// seats reads lab.seats: null for no seats, a count, or a list of names.
func (e *evaluator) seats(body hcl.Body, v cty.Value) []*Seat {
	if v == cty.NilVal || v.IsNull() || !v.IsWhollyKnown() {
		return nil
	}
	bad := func(detail string) []*Seat {
		e.diags = append(e.diags, e.attrDiag(body, labSpec, "seats", "Invalid seats", detail))
		return nil
	}
	v, _ = v.UnmarkDeep()
	ty := v.Type()
	var names []string
	switch {
	case ty == cty.Number:
		n, err := wholeNumber(v)
		if err != nil || n < 1 {
			return bad("seats is a number of seats, 1 or more, or a list of seat names; omit it for a single environment.")
		}
		width := len(strconv.Itoa(n))
		for i := 1; i <= n; i++ {
			names = append(names, fmt.Sprintf("seat%0*d", width, i))
		}
	case ty.IsListType() || ty.IsTupleType() || ty.IsSetType():
		for it := v.ElementIterator(); it.Next(); {
			_, el := it.Element()
			if el.IsNull() || el.Type() != cty.String || strings.TrimSpace(el.AsString()) == "" {
				return bad("Every seat name must be a non-empty string, such as \"kim\".")
			}
			names = append(names, el.AsString())
		}
		if len(names) == 0 {
			return bad("A class needs at least one seat; omit seats (or set it to null) for a single environment.")
		}
	default:
		return bad(fmt.Sprintf("seats must be a number or a list of names, not %s.", ty.FriendlyName()))
	}
	seen := map[string]bool{}
	var out []*Seat
	for i, n := range names {
		if seen[n] {
			return bad(fmt.Sprintf("The seat %q is listed twice.", n))
		}
		seen[n] = true
		out = append(out, &Seat{Name: n, Slug: SeatSlug(n), Index: i})
	}
	return out
}
