package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

var exerciseSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "manifests", Required: true}, {Name: "namespace"}, {Name: "description"},
		{Name: "depends_on"}, {Name: "for_each"}, {Name: "count"}, {Name: "create_timeout"}, {Name: "mode"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "check", LabelNames: []string{"name"}}},
}

var checkSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "timeout"}, {Name: "interval"}, {Name: "description"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: CheckReady}, {Type: CheckExec}, {Type: CheckHTTP}, {Type: CheckLogs}, {Type: CheckAPIResources},
	},
}

func (m *Module) addExercise(b *hcl.Block) hcl.Diagnostics {
	diags := checkName(b, "exercise")
	name := b.Labels[0]
	if prev, ok := m.Exercises[name]; ok {
		return append(diags, duplicate(b, "exercise", name, prev.DeclRange))
	}
	content, ds := bodyContent(b.Body, exerciseSchema)
	diags = append(diags, ds...)
	e := &Exercise{Name: name, DeclRange: b.DefRange, body: b.Body}
	attr := func(n string) hcl.Expression {
		if a, ok := content.Attributes[n]; ok {
			return a.Expr
		}
		return nil
	}
	e.Manifests, e.Namespace, e.Description = attr("manifests"), attr("namespace"), attr("description")
	e.ForEach, e.Count = attr("for_each"), attr("count")
	e.CreateTimeout = attr("create_timeout")
	e.Mode = attr("mode")
	if e.ForEach != nil && e.Count != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid combination of count and for_each",
			Detail:   fmt.Sprintf("exercise %q sets both count and for_each; use one of them.", name),
			Subject:  content.Attributes["count"].NameRange.Ptr(),
		})
	}
	if a, ok := content.Attributes["depends_on"]; ok {
		trs, ds := dependsOn(a)
		diags = append(diags, ds...)
		e.DependsOn = trs
	}
	seen := map[string]hcl.Range{}
	for _, cb := range content.Blocks {
		cname := cb.Labels[0]
		if prev, ok := seen[cname]; ok {
			diags = append(diags, duplicate(cb, "check", cname, prev))
			continue
		}
		seen[cname] = cb.DefRange
		c, ds := decodeCheckBlock(cb)
		diags = append(diags, ds...)
		if c != nil {
			e.Checks = append(e.Checks, c)
		}
	}
	m.Exercises[name] = e
	m.ExerciseOrder = append(m.ExerciseOrder, name)
	return diags
}

func decodeCheckBlock(b *hcl.Block) (*CheckBlock, hcl.Diagnostics) {
	content, remain, _ := b.Body.PartialContent(&hcl.BodySchema{Blocks: checkSchema.Blocks})
	// The whole schema at once, so that a misspelt kind gets a suggestion.
	_, diags := bodyContent(b.Body, checkSchema)
	if len(content.Blocks) == 0 && diags.HasErrors() {
		// A misspelt kind was reported, with a suggestion, just now.
		return nil, diags
	}
	if len(content.Blocks) != 1 {
		subject := b.DefRange
		if len(content.Blocks) > 1 {
			subject = content.Blocks[1].DefRange
		}
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "A check needs exactly one kind",
			Detail: fmt.Sprintf("check %q must hold exactly one of the blocks ready, exec, http, logs or api_resources; it holds %d.",
				b.Labels[0], len(content.Blocks)),
			Subject: subject.Ptr(),
		})
	}
	kb := content.Blocks[0]
	diags = append(diags, checkShape(kb.Body, checkSpecs[kb.Type])...)
	return &CheckBlock{
		Name: b.Labels[0], Kind: kb.Type, Body: kb.Body, Common: remain,
		DeclRange: b.DefRange, KindRange: kb.DefRange,
	}, diags
}

// The check kinds' settings.

// ReadyCheck passes when pods are Ready.
type ReadyCheck struct {
	Pod         string   `cty:"pod"`
	Pods        []string `cty:"pods"`
	Selector    string   `cty:"selector"`
	MaxRestarts *int     `cty:"max_restarts"`
}

// ExecCheck runs a command in a container.
type ExecCheck struct {
	Pod            string   `cty:"pod"`
	Selector       string   `cty:"selector"`
	Container      string   `cty:"container"`
	Command        []string `cty:"command"`
	ExpectExitCode int      `cty:"expect_exit_code"`
	ExpectStdout   string   `cty:"expect_stdout"`
	StdoutMatches  string   `cty:"stdout_matches"`
	ExpectStderr   string   `cty:"expect_stderr"`
	StderrMatches  string   `cty:"stderr_matches"`
}

// HTTPCheck sends a GET to a pod's port.
type HTTPCheck struct {
	Pod           string `cty:"pod"`
	Selector      string `cty:"selector"`
	Port          int    `cty:"port"`
	Path          string `cty:"path"`
	Scheme        string `cty:"scheme"`
	From          string `cty:"from"`
	FromPod       string `cty:"from_pod"`
	FromContainer string `cty:"from_container"`
	ExpectStatus  int    `cty:"expect_status"`
	ExpectBody    string `cty:"expect_body"`
	BodyMatches   string `cty:"body_matches"`
}

// Where an HTTP check sends its request from.
const (
	FromAPIServer = "apiserver"
	FromPod       = "pod"
	FromNode      = "node"
)

// LogsCheck reads a container's log.
type LogsCheck struct {
	Pod        string `cty:"pod"`
	Selector   string `cty:"selector"`
	Container  string `cty:"container"`
	Contains   string `cty:"contains"`
	Matches    string `cty:"matches"`
	SinceStart bool   `cty:"since_start"`
	Previous   bool   `cty:"previous"`
}

// APIResourcesCheck asks discovery whether the cluster serves a kind.
type APIResourcesCheck struct {
	APIVersion string `cty:"api_version"`
	Resource   string `cty:"resource"`
	Kind       string `cty:"kind"`
}

var checkSpecs = map[string]hcldec.Spec{
	CheckReady: hcldec.ObjectSpec{
		"pod":          str("pod", ""),
		"pods":         strings_("pods"),
		"selector":     str("selector", ""),
		"max_restarts": &hcldec.AttrSpec{Name: "max_restarts", Type: cty.Number},
	},
	CheckExec: hcldec.ObjectSpec{
		"pod":              str("pod", ""),
		"selector":         str("selector", ""),
		"container":        str("container", ""),
		"command":          required("command", cty.List(cty.String)),
		"expect_exit_code": number("expect_exit_code", 0),
		"expect_stdout":    str("expect_stdout", ""),
		"stdout_matches":   str("stdout_matches", ""),
		"expect_stderr":    str("expect_stderr", ""),
		"stderr_matches":   str("stderr_matches", ""),
	},
	CheckHTTP: hcldec.ObjectSpec{
		"pod":            str("pod", ""),
		"selector":       str("selector", ""),
		"port":           required("port", cty.Number),
		"path":           str("path", "/"),
		"scheme":         str("scheme", "http"),
		"from":           str("from", FromAPIServer),
		"from_pod":       str("from_pod", ""),
		"from_container": str("from_container", ""),
		"expect_status":  number("expect_status", 200),
		"expect_body":    str("expect_body", ""),
		"body_matches":   str("body_matches", ""),
	},
	CheckLogs: hcldec.ObjectSpec{
		"pod":         str("pod", ""),
		"selector":    str("selector", ""),
		"container":   str("container", ""),
		"contains":    str("contains", ""),
		"matches":     str("matches", ""),
		"since_start": boolean("since_start", false),
		"previous":    boolean("previous", false),
	},
	CheckAPIResources: hcldec.ObjectSpec{
		"api_version": str("api_version", "v1"),
		"resource":    str("resource", ""),
		"kind":        str("kind", ""),
	},
}
