package config

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/gocty"
	"k8s.io/apimachinery/pkg/util/validation"
)

// decodeInto converts a decoded block into its Go struct, reporting a
// failure at the attribute it concerns.
func (e *evaluator) decodeInto(v cty.Value, target any, body hcl.Body, spec hcldec.Spec) bool {
	err := gocty.FromCtyValue(v, target)
	if err == nil {
		return true
	}
	attr := ""
	var pe cty.PathError
	if errors.As(err, &pe) && len(pe.Path) > 0 {
		if ga, ok := pe.Path[0].(cty.GetAttrStep); ok {
			attr = ga.Name
		}
	}
	e.diags = append(e.diags, e.attrDiag(body, spec, attr, "Invalid value", err.Error()+"."))
	return false
}

// attrDiag makes a diagnostic about one attribute of a decoded block.
func (e *evaluator) attrDiag(body hcl.Body, spec hcldec.Spec, attr, summary, detail string) *hcl.Diagnostic {
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
	d, problem := parsePositiveDuration(attr, s)
	if problem != "" {
		e.diags = append(e.diags, e.attrDiag(body, spec, attr, "Invalid duration", problem))
		return def
	}
	return d
}

// parsePositiveDuration parses a duration that must be more than zero (a
// timeout, an interval, a time limit), or says what is wrong with it: not
// a duration at all, or one that is not positive.
func parsePositiveDuration(attr, s string) (time.Duration, string) {
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

var gkeNameRe = `^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$`

func validateGKE(g *GKE, body hcl.Body) hcl.Diagnostics {
	var diags hcl.Diagnostics
	at := func(attr, summary, detail string) {
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
		if s, ok := gkeSpec[attr]; ok {
			r := hcldec.SourceRange(body, s)
			d.Subject = &r
		}
		diags = append(diags, d)
	}
	if !matches(gkeNameRe, g.Name) {
		at("name", "Invalid GKE cluster name", fmt.Sprintf("%q is not a valid GKE cluster name: up to 40 lower-case letters, digits and dashes, starting with a letter and not ending with a dash.", g.Name))
	}
	if g.Project == "" {
		at("project", "Missing GKE project", "Set project to the Google Cloud project ID that owns the cluster.")
	}
	if strings.Count(g.Location, "-") < 1 {
		at("location", "Invalid GKE location", fmt.Sprintf("%q is neither a region (asia-northeast3) nor a zone (asia-northeast3-a).", g.Location))
	}
	switch strings.ToUpper(g.ReleaseChannel) {
	case "", "RAPID", "REGULAR", "STABLE", "EXTENDED", "UNSPECIFIED":
	default:
		at("release_channel", "Invalid release channel", fmt.Sprintf("%q is not a GKE release channel; use RAPID, REGULAR, STABLE or EXTENDED.", g.ReleaseChannel))
	}
	switch g.Endpoint {
	case "public", "private", "dns":
	default:
		at("endpoint", "Invalid endpoint", fmt.Sprintf("endpoint = %q: use \"public\" (the cluster's public IP), \"private\" (its private IP, from inside its VPC or over a VPN) or \"dns\" (its DNS-based endpoint).", g.Endpoint))
	}
	// GKE refuses a zonal Autopilot cluster with "Autopilot clusters must
	// be regional clusters" (HTTP 400): say so before anything is created.
	if g.Autopilot && g.Create && strings.Count(g.Location, "-") == 2 {
		region := g.Location[:strings.LastIndex(g.Location, "-")]
		at("location", "Autopilot needs a region", fmt.Sprintf("location = %q is a zone, and GKE creates Autopilot clusters only in a region: use location = %q, or autopilot = false for a zonal Standard cluster with node_pool blocks.", g.Location, region))
	}
	if g.Create && !g.Autopilot && len(g.NodePools) == 0 {
		at("node_pool", "No node pool", "A standard GKE cluster needs at least one node_pool block, such as node_pool \"default\" { machine_type = \"e2-medium\", node_count = 2 }.")
	}
	for name, np := range g.NodePools {
		if np.NodeCount < 0 || np.MinNodeCount < 0 || (np.MaxNodeCount > 0 && np.MaxNodeCount < np.MinNodeCount) {
			at("node_pool", "Invalid node pool", fmt.Sprintf("node_pool %q: node counts must be 0 or more, and max_node_count at least min_node_count.", name))
		}
	}
	for _, a := range []string{"create_timeout", "delete_timeout"} {
		s := g.CreateTimeout
		if a == "delete_timeout" {
			s = g.DeleteTimeout
		}
		if _, problem := parsePositiveDuration(a, s); problem != "" {
			at(a, "Invalid duration", problem)
		}
	}
	return diags
}

func validateKubeadm(k *Kubeadm, body hcl.Body) hcl.Diagnostics {
	var diags hcl.Diagnostics
	at := func(attr, summary, detail string) {
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
		if s, ok := kubeadmSpec[attr]; ok {
			r := hcldec.SourceRange(body, s)
			d.Subject = &r
		}
		diags = append(diags, d)
	}
	if len(k.ControlPlane) == 0 {
		at("control_plane", "No control-plane host", "control_plane lists at least one host, such as [\"10.0.0.10\"].")
	}
	seen := map[string]bool{}
	for i, h := range append(append([]string{}, k.ControlPlane...), k.Workers...) {
		attr := "control_plane"
		if i >= len(k.ControlPlane) {
			attr = "workers"
		}
		if err := validHost(h); err != nil {
			at(attr, "Invalid host", fmt.Sprintf("%q: %s.", h, err))
		}
		if seen[h] {
			at(attr, "Host listed twice", fmt.Sprintf("%q appears more than once among control_plane and workers.", h))
		}
		seen[h] = true
	}
	for attr, cidr := range map[string]string{"pod_network_cidr": k.PodNetworkCIDR, "service_cidr": k.ServiceCIDR} {
		if _, _, err := net.ParseCIDR(cidr); err != nil {
			at(attr, "Invalid CIDR", fmt.Sprintf("%s = %q is not a CIDR such as \"10.244.0.0/16\".", attr, cidr))
		}
	}
	if !strings.HasPrefix(k.KubernetesVersion, "v") {
		at("kubernetes_version", "Invalid Kubernetes version", fmt.Sprintf("%q: write the version as kubeadm does, such as \"v1.34.4\".", k.KubernetesVersion))
	}
	if _, problem := parsePositiveDuration("node_ready_timeout", k.NodeReadyTimeout); problem != "" {
		at("node_ready_timeout", "Invalid duration", problem)
	}
	if _, problem := parsePositiveDuration("ssh connect_timeout", k.SSH.ConnectTimeout); problem != "" {
		at("ssh", "Invalid duration", problem)
	}
	return diags
}

// validHost accepts an IP address or DNS name, optionally with :port.
func validHost(h string) error {
	host := h
	if hp, port, err := net.SplitHostPort(h); err == nil {
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			return fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
		host = hp
	}
	if net.ParseIP(host) != nil {
		return nil
	}
	if errs := validation.IsDNS1123Subdomain(strings.ToLower(host)); len(errs) > 0 {
		return fmt.Errorf("not an IP address or host name")
	}
	return nil
}
