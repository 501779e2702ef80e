package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Pod Security Admission levels, least strict first.
const (
	PodSecurityPrivileged = "privileged"
	PodSecurityBaseline   = "baseline"
	PodSecurityRestricted = "restricted"
	// DefaultPodSecurity is what every namespace podlab makes enforces
	// unless the lab says otherwise: it refuses privileged, hostNetwork,
	// hostPID and hostPath pods, yet runs the course's pods unchanged.
	DefaultPodSecurity = PodSecurityBaseline
)

var podSecurityLevels = []string{PodSecurityPrivileged, PodSecurityBaseline, PodSecurityRestricted}

// StricterPodSecurity is the level after level (restricted stays
// restricted): what warn and audit report, so an instructor sees what the
// lesson's manifests would need to meet it.
func StricterPodSecurity(level string) string {
	for i, l := range podSecurityLevels {
		if l == level && i+1 < len(podSecurityLevels) {
			return podSecurityLevels[i+1]
		}
	}
	return PodSecurityRestricted
}

// SeatQuota is the budget of each namespace a seat writes to: a
// ResourceQuota (Pods, and CPU and Memory for requests and limits alike)
// and a LimitRange whose defaults give every container requests and
// limits, so that pods written without them (the course's) are admitted
// and bounded.
type SeatQuota struct {
	Size            string
	Pods            int
	CPU, Memory     string
	DefaultLimits   map[string]string // per container: cpu, memory
	DefaultRequests map[string]string
}

// SeatQuotaNone is the size that turns the budget off.
const SeatQuotaNone = "none"

// DefaultSeatQuotaSize fits the lesson (two pods of at most two
// containers, about 10 MiB each) several times over: room to experiment
// with a few more pods, not to starve the class.
const DefaultSeatQuotaSize = "medium"

// seatQuotaSizes are the named budgets; every attribute of the block
// overrides its size's value.
var seatQuotaSizes = map[string]SeatQuota{
	"small":  {Pods: 5, CPU: "1", Memory: "1Gi"},
	"medium": {Pods: 10, CPU: "2", Memory: "2Gi"},
	"large":  {Pods: 20, CPU: "4", Memory: "4Gi"},
}

// Per container, whatever the size: nginx and a tail sidecar use a few
// MiB and next to no CPU. Requests decide scheduling, so they stay small:
// 40 seats of the course (three containers each) request 0.6 CPU and
// 1.9 GiB, which two e2-medium nodes, or the 2-core test node, can place.
var (
	defaultContainerLimits   = map[string]string{"cpu": "250m", "memory": "256Mi"}
	defaultContainerRequests = map[string]string{"cpu": "5m", "memory": "16Mi"}
)

// seatQuotaBlock is the seat_quota block as decoded: null where the lab
// leaves a value to the size.
type seatQuotaBlock struct {
	Size            *string           `cty:"size"`
	Pods            *int              `cty:"pods"`
	CPU             *string           `cty:"cpu"`
	Memory          *string           `cty:"memory"`
	DefaultLimits   map[string]string `cty:"default_limits"`
	DefaultRequests map[string]string `cty:"default_requests"`
}

var seatQuotaSpec = hcldec.ObjectSpec{
	"size":             &hcldec.AttrSpec{Name: "size", Type: cty.String},
	"pods":             &hcldec.AttrSpec{Name: "pods", Type: cty.Number},
	"cpu":              &hcldec.AttrSpec{Name: "cpu", Type: cty.String},
	"memory":           &hcldec.AttrSpec{Name: "memory", Type: cty.String},
	"default_limits":   &hcldec.AttrSpec{Name: "default_limits", Type: cty.Map(cty.String)},
	"default_requests": &hcldec.AttrSpec{Name: "default_requests", Type: cty.Map(cty.String)},
}

// seatQuotaAttrDiag points at an attribute of the lab's seat_quota block
// (or at the block, for one it lacks).
func seatQuotaAttrDiag(labBody hcl.Body, attr, summary, detail string) *hcl.Diagnostic {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
	var spec hcldec.Spec = labSpec["seat_quota"]
	if s, ok := seatQuotaSpec[attr]; ok {
		spec = &hcldec.BlockSpec{TypeName: "seat_quota", Nested: s}
	}
	if r := hcldec.SourceRange(labBody, spec); r.Filename != "" {
		d.Subject = &r
	}
	return d
}

// podSecurity checks lab.pod_security.
func (e *evaluator) podSecurity(body hcl.Body, level string) string {
	if level == "" {
		return DefaultPodSecurity
	}
	for _, l := range podSecurityLevels {
		if l == level {
			return level
		}
	}
	detail := fmt.Sprintf("pod_security = %q is not a Pod Security level; use \"restricted\", \"baseline\" (the default) or \"privileged\".", level)
	if s := suggest(strings.ToLower(level), podSecurityLevels); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	}
	e.diags = append(e.diags, e.attrDiag(body, labSpec, "pod_security", "Invalid Pod Security level", detail))
	return DefaultPodSecurity
}

// seatQuota works out each seat namespace's budget: the block's size (by
// default medium) with its attributes over it; nil for size = "none".
func (e *evaluator) seatQuota(body hcl.Body, raw *seatQuotaBlock) *SeatQuota {
	if raw == nil {
		raw = &seatQuotaBlock{}
	}
	size := DefaultSeatQuotaSize
	if raw.Size != nil {
		size = *raw.Size
	}
	if size == SeatQuotaNone {
		return nil
	}
	base, ok := seatQuotaSizes[size]
	if !ok {
		names := make([]string, 0, len(seatQuotaSizes))
		for n := range seatQuotaSizes {
			names = append(names, n)
		}
		sort.Strings(names)
		detail := fmt.Sprintf("size = %q is not a seat budget; use one of %s, or \"none\" for no quota at all.", size, strings.Join(names, ", "))
		if s := suggest(size, append(names, SeatQuotaNone)); s != "" {
			detail += fmt.Sprintf(" Did you mean %q?", s)
		}
		e.diags = append(e.diags, seatQuotaAttrDiag(body, "size", "Invalid seat budget", detail))
		return nil
	}
	q := base
	q.Size = size
	q.DefaultLimits = copyStrings(defaultContainerLimits)
	q.DefaultRequests = copyStrings(defaultContainerRequests)
	if raw.Pods != nil {
		q.Pods = *raw.Pods
	}
	if raw.CPU != nil {
		q.CPU = *raw.CPU
	}
	if raw.Memory != nil {
		q.Memory = *raw.Memory
	}
	for k, v := range raw.DefaultLimits {
		q.DefaultLimits[k] = v
	}
	for k, v := range raw.DefaultRequests {
		q.DefaultRequests[k] = v
	}
	if !e.checkSeatQuota(body, &q) {
		return nil
	}
	return &q
}

// checkSeatQuota refuses a budget the API server would refuse, or one
// under which not a single pod with the default resources fits.
func (e *evaluator) checkSeatQuota(body hcl.Body, q *SeatQuota) bool {
	ok := true
	bad := func(attr, detail string) {
		e.diags = append(e.diags, seatQuotaAttrDiag(body, attr, "Invalid seat budget", detail))
		ok = false
	}
	if q.Pods < 1 {
		bad("pods", fmt.Sprintf("pods = %d leaves a seat no pod at all; give 1 or more (the course's lesson needs 1 in each exercise namespace).", q.Pods))
	}
	total := map[string]resource.Quantity{}
	for _, a := range []struct{ attr, value string }{{"cpu", q.CPU}, {"memory", q.Memory}} {
		v, err := resource.ParseQuantity(a.value)
		if err != nil || v.Sign() <= 0 {
			bad(a.attr, fmt.Sprintf("%s = %q is not a positive Kubernetes quantity; write it as Kubernetes does, such as cpu = \"2\" or \"500m\", memory = \"2Gi\".", a.attr, a.value))
			continue
		}
		total[a.attr] = v
	}
	for _, m := range []struct {
		attr   string
		values map[string]string
	}{{"default_limits", q.DefaultLimits}, {"default_requests", q.DefaultRequests}} {
		keys := make([]string, 0, len(m.values))
		for k := range m.values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k != "cpu" && k != "memory" {
				bad(m.attr, fmt.Sprintf("%s sets %q; a container's default is set for \"cpu\" and \"memory\" only.", m.attr, k))
				continue
			}
			v, err := resource.ParseQuantity(m.values[k])
			if err != nil || v.Sign() <= 0 {
				bad(m.attr, fmt.Sprintf("%s.%s = %q is not a positive Kubernetes quantity, such as \"250m\" or \"256Mi\".", m.attr, k, m.values[k]))
				continue
			}
			if m.attr == "default_limits" {
				if t, ok := total[k]; ok && v.Cmp(t) > 0 {
					bad(m.attr, fmt.Sprintf("default_limits.%s = %q is more than the whole budget, %s = %q: no pod without its own limits would be admitted. Lower it, or raise %s.", k, m.values[k], k, t.String(), k))
				}
				continue
			}
			if l, err := resource.ParseQuantity(q.DefaultLimits[k]); err == nil && v.Cmp(l) > 0 {
				bad(m.attr, fmt.Sprintf("default_requests.%s = %q is more than default_limits.%s = %q; a request cannot exceed its limit.", k, m.values[k], k, q.DefaultLimits[k]))
			}
		}
	}
	return ok
}

func copyStrings(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
