package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var checkCommonSpec = hcldec.ObjectSpec{
	"timeout":     str("timeout", ""),
	"interval":    str("interval", "1s"),
	"description": str("description", ""),
}

type checkCommon struct {
	Timeout     string `cty:"timeout"`
	Interval    string `cty:"interval"`
	Description string `cty:"description"`
}

func (e *evaluator) evalChecks(in *Instance, ctx *hcl.EvalContext) {
	for _, cb := range in.Exercise.Checks {
		c := &Check{
			Name: cb.Name, Kind: cb.Kind, Instance: in, DeclRange: cb.DeclRange,
			Address: in.Address + ".check[" + strconv.Quote(cb.Name) + "]",
		}
		cv, ds := hcldec.Decode(cb.Common, checkCommonSpec, ctx)
		e.diags = append(e.diags, ds...)
		if ds.HasErrors() {
			continue
		}
		spec := checkSpecs[cb.Kind]
		v, ds := hcldec.Decode(cb.Body, spec, ctx)
		e.diags = append(e.diags, ds...)
		if ds.HasErrors() {
			continue
		}
		cv, _ = cv.UnmarkDeep()
		v, _ = v.UnmarkDeep()
		if !cv.IsWhollyKnown() || !v.IsWhollyKnown() {
			if e.opts.Validate {
				e.env.Complete = false
			} else {
				e.diags = append(e.diags, &hcl.Diagnostic{
					Severity: hcl.DiagError, Summary: "Value not known before apply",
					Detail:  fmt.Sprintf("The settings of check %q must be known before apply.", cb.Name),
					Subject: cb.DeclRange.Ptr(),
				})
			}
			continue
		}
		var common checkCommon
		if !e.decodeInto(cv, &common, cb.Common, checkCommonSpec) {
			continue
		}
		c.Description = common.Description
		def := e.env.Lab.CheckTimeout
		if in.Student {
			// A student exercise is graded as it stands: nothing podlab
			// did is settling, so a failing check need not be waited on
			// for long (check -watch grades again when it changes).
			def = min(def, StudentCheckTimeout)
		}
		c.Timeout = e.duration(cb.Common, checkCommonSpec, "timeout", common.Timeout, def)
		c.Interval = e.duration(cb.Common, checkCommonSpec, "interval", common.Interval, time.Second)
		var ok bool
		switch cb.Kind {
		case CheckReady:
			c.Ready = &ReadyCheck{}
			ok = e.decodeInto(v, c.Ready, cb.Body, spec)
		case CheckExec:
			c.Exec = &ExecCheck{}
			ok = e.decodeInto(v, c.Exec, cb.Body, spec)
		case CheckHTTP:
			c.HTTP = &HTTPCheck{}
			ok = e.decodeInto(v, c.HTTP, cb.Body, spec)
		case CheckLogs:
			c.Logs = &LogsCheck{}
			ok = e.decodeInto(v, c.Logs, cb.Body, spec)
		case CheckAPIResources:
			c.APIResources = &APIResourcesCheck{}
			ok = e.decodeInto(v, c.APIResources, cb.Body, spec)
		}
		if !ok {
			continue
		}
		cc := &checkChecker{e: e, in: in, body: cb.Body, spec: spec, name: cb.Name}
		cc.validate(c)
		in.Checks = append(in.Checks, c)
	}
}

// checkChecker validates one check's settings against its exercise, so that
// a misspelt pod or container is caught before anything runs.
type checkChecker struct {
	e    *evaluator
	in   *Instance
	body hcl.Body
	spec hcldec.Spec
	name string
}

func (cc *checkChecker) fail(attr, summary, detail string) {
	cc.e.diags = append(cc.e.diags, cc.e.attrDiag(cc.body, cc.spec, attr, summary, detail))
}

func (cc *checkChecker) validate(c *Check) {
	switch {
	case c.Ready != nil:
		r := c.Ready
		if r.Pod != "" {
			cc.pod(r.Pod, "pod")
		}
		for _, p := range r.Pods {
			cc.pod(p, "pods")
		}
		cc.selector(r.Selector)
		if r.MaxRestarts != nil && *r.MaxRestarts < 0 {
			cc.fail("max_restarts", "Invalid max_restarts", "max_restarts must be 0 or more.")
		}
	case c.Exec != nil:
		x := c.Exec
		if pod := cc.target(x.Pod, x.Selector); pod != nil {
			cc.container(pod, x.Container, "container", false)
		}
		if len(x.Command) == 0 {
			cc.fail("command", "Empty command", "command lists the program and its arguments, such as [\"curl\", \"-s\", \"localhost\"].")
		}
		cc.regex("stdout_matches", x.StdoutMatches)
		cc.regex("stderr_matches", x.StderrMatches)
	case c.HTTP != nil:
		h := c.HTTP
		cc.target(h.Pod, h.Selector)
		if h.Port < 1 || h.Port > 65535 {
			cc.fail("port", "Invalid port", fmt.Sprintf("port %d is not a port number (1 to 65535).", h.Port))
		}
		if !strings.HasPrefix(h.Path, "/") {
			cc.fail("path", "Invalid path", fmt.Sprintf("path %q must start with /.", h.Path))
		}
		if h.Scheme != "http" && h.Scheme != "https" {
			cc.fail("scheme", "Invalid scheme", fmt.Sprintf("scheme is http or https, not %q.", h.Scheme))
		}
		switch h.From {
		case FromAPIServer, FromNode:
			if h.FromPod != "" || h.FromContainer != "" {
				cc.fail("from_pod", "Unused setting", fmt.Sprintf("from_pod and from_container apply only with from = %q.", FromPod))
			}
		case FromPod:
			from := h.FromPod
			if from == "" {
				from = h.Pod
			}
			if from == "" {
				cc.fail("from_pod", "Missing from_pod", "With from = \"pod\", name the pod to send the request from with from_pod.")
			} else if pod := cc.pod(from, "from_pod"); pod != nil {
				cc.container(pod, h.FromContainer, "from_container", false)
			}
		default:
			cc.fail("from", "Invalid from", fmt.Sprintf("from is %q (through the API server's pod proxy), %q (curl in a container of a pod) or %q (from the node's network); got %q.",
				FromAPIServer, FromPod, FromNode, h.From))
		}
		if h.ExpectStatus < 100 || h.ExpectStatus > 599 {
			cc.fail("expect_status", "Invalid status", fmt.Sprintf("expect_status %d is not an HTTP status.", h.ExpectStatus))
		}
		cc.regex("body_matches", h.BodyMatches)
	case c.Logs != nil:
		l := c.Logs
		if pod := cc.target(l.Pod, l.Selector); pod != nil {
			cc.container(pod, l.Container, "container", true)
		}
		if l.Contains == "" && l.Matches == "" {
			cc.fail("contains", "Nothing to look for", "A logs check needs contains = \"...\" or matches = \"regex\".")
		}
		cc.regex("matches", l.Matches)
	case c.APIResources != nil:
		a := c.APIResources
		if _, err := schema.ParseGroupVersion(a.APIVersion); err != nil {
			cc.fail("api_version", "Invalid api_version", fmt.Sprintf("%q is not a group/version such as \"v1\" or \"apps/v1\".", a.APIVersion))
		}
		if a.Resource == "" && a.Kind == "" {
			cc.fail("resource", "Nothing to look for", "An api_resources check needs resource = \"pods\" or kind = \"Pod\".")
		}
	}
}

// target checks a pod-or-selector pair and returns the named pod's
// manifest when the exercise declares it.
func (cc *checkChecker) target(pod, selector string) *unstructured.Unstructured {
	switch {
	case pod == "" && selector == "":
		cc.fail("pod", "No pod named", "Name the pod with pod = \"my-nginx-pod\", or select pods with selector = \"app=web\".")
	case pod != "" && selector != "":
		cc.fail("selector", "Both pod and selector", "Set pod or selector, not both.")
	case pod != "":
		return cc.pod(pod, "pod")
	default:
		cc.selector(selector)
	}
	return nil
}

func (cc *checkChecker) selector(s string) {
	if s == "" {
		return
	}
	if _, err := labels.Parse(s); err != nil {
		cc.fail("selector", "Invalid selector", fmt.Sprintf("%q is not a label selector such as \"app=web\": %s.", s, err))
	}
}

// pod finds a pod the exercise declares. A deferred exercise's objects are
// not known yet, so nothing can be checked.
func (cc *checkChecker) pod(name, attr string) *unstructured.Unstructured {
	if cc.in.Deferred {
		return nil
	}
	var names []string
	for _, o := range cc.in.Objects {
		gvk := o.GVK()
		if gvk.Group == "" && gvk.Kind == "Pod" {
			if o.GetName() == name {
				return o.Unstructured
			}
			names = append(names, o.GetName())
		}
	}
	detail := fmt.Sprintf("check %q names the pod %q, which %s does not declare.", cc.name, name, cc.in.Address)
	if s := suggest(name, names); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	} else if len(names) > 0 {
		detail += fmt.Sprintf(" It declares: %s.", strings.Join(names, ", "))
	} else {
		detail += " Use selector = \"...\" for pods that a controller creates."
	}
	cc.fail(attr, "Unknown pod", detail)
	return nil
}

// container checks a container name against the pod's manifest. required
// says the pod must be told which container when it has several (as
// kubectl logs does).
func (cc *checkChecker) container(pod *unstructured.Unstructured, name, attr string, required bool) {
	var names []string
	for _, field := range []string{"containers", "initContainers"} {
		list, _, _ := unstructured.NestedSlice(pod.Object, "spec", field)
		for _, c := range list {
			if m, ok := c.(map[string]any); ok {
				if n, ok := m["name"].(string); ok {
					names = append(names, n)
				}
			}
		}
	}
	if name == "" {
		if required && len(names) > 1 {
			cc.fail(attr, "Which container?", fmt.Sprintf("The pod %q has the containers %s; choose one with %s = \"...\".",
				pod.GetName(), strings.Join(names, ", "), attr))
		}
		return
	}
	for _, n := range names {
		if n == name {
			return
		}
	}
	detail := fmt.Sprintf("The pod %q has no container %q; it has %s.", pod.GetName(), name, strings.Join(names, ", "))
	if s := suggest(name, names); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	}
	cc.fail(attr, "Unknown container", detail)
}

func (cc *checkChecker) regex(attr, re string) {
	if re == "" {
		return
	}
	if _, err := regexp.Compile(re); err != nil {
		cc.fail(attr, "Invalid regular expression", fmt.Sprintf("%s: %s.", attr, err))
	}
}
