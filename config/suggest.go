package config

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
)

// suggest returns the name in candidates closest to given, when one is close
// enough to be a likely misspelling (the same rule HCL uses for attributes).
func suggest(given string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein.Distance(given, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Range, out[j].Range
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var unsupportedArgRe = regexp.MustCompile(`^An argument named ("(?:[^"\\]|\\.)*") is not expected here\.$`)

// bodyContent is body.Content with a suggestion for every misspelt argument.
// HCL suggests only among the arguments not yet set, so a "manifestz"
// beside a "manifests" got none; this suggests among all of the schema's.
func bodyContent(body hcl.Body, schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	c, diags := body.Content(schema)
	for _, d := range diags {
		if d.Summary != "Unsupported argument" {
			continue
		}
		m := unsupportedArgRe.FindStringSubmatch(d.Detail)
		if m == nil {
			continue
		}
		given, err := strconv.Unquote(m[1])
		if err != nil {
			continue
		}
		names := make([]string, 0, len(schema.Attributes))
		for _, a := range schema.Attributes {
			names = append(names, a.Name)
		}
		if s := suggest(given, names); s != "" {
			d.Detail += fmt.Sprintf(" Did you mean %q? It is set already: remove one of the two.", s)
		}
	}
	return c, diags
}
