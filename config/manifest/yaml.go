package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// DecodeYAML decodes every document of a (possibly multi-document) YAML
// text. filename is used for positions only. Empty documents are skipped and
// a v1 List is expanded into its items, as kubectl does.
func DecodeYAML(filename string, src []byte) ([]*Object, []*Error) {
	var objs []*Object
	var errs []*Error
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for doc := 0; ; doc++ {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			e := yamlError(filename, doc, err)
			// An error at the end of the text is placed on its last line.
			if last := lineCount(src); e.Pos.Line > last {
				e.Pos.Line, e.Source.Line = last, last
			}
			errs = append(errs, e)
			// The decoder cannot resynchronise after a syntax error.
			break
		}
		if len(node.Content) == 0 || isNull(node.Content[0]) {
			continue
		}
		root := node.Content[0]
		src := Source{Filename: filename, Doc: doc, Line: root.Line, Column: root.Column}
		if root.Kind != yaml.MappingNode {
			errs = append(errs, &Error{Source: src, Pos: Pos{root.Line, root.Column},
				Msg:  "a manifest document must be a mapping (apiVersion, kind, metadata, ...)",
				Hint: "Check the indentation and that the file is a Kubernetes manifest."})
			continue
		}
		v, err := toJSONValue(root)
		if err != nil {
			var ye *Error
			if errors.As(err, &ye) {
				ye.Source = src
				errs = append(errs, ye)
			} else {
				errs = append(errs, &Error{Source: src, Pos: Pos{root.Line, root.Column}, Msg: err.Error()})
			}
			continue
		}
		u, err := mappingToUnstructured(v)
		if err != nil {
			errs = append(errs, &Error{Source: src, Pos: Pos{root.Line, root.Column}, Msg: err.Error()})
			continue
		}
		obj := &Object{Unstructured: u, Source: src, fields: indexFields(root)}
		if obj.IsList() {
			items, err := listItems(obj)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, it := range items {
				if e := validate(it); e != nil {
					errs = append(errs, e)
					continue
				}
				objs = append(objs, it)
			}
			continue
		}
		if e := validate(obj); e != nil {
			errs = append(errs, e)
			continue
		}
		objs = append(objs, obj)
	}
	return objs, errs
}

var (
	yamlLineRe  = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	typeErrorRe = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// parserProblems are the messages of libyaml's parser (as opposed to its
// scanner), whose line numbers yaml.v3 reports 0-based.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

func yamlError(filename string, doc int, err error) *Error {
	msg := err.Error()
	pos := Pos{Line: 1, Column: 1}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		msg = m[2]
		// yaml.v3 counts the lines of scanner errors from 1 but those of
		// parser errors from 0 (it adds 1 to scanner marks only).
		if parserProblems[msg] {
			n++
		}
		pos.Line = n
	}
	return &Error{
		Source: Source{Filename: filename, Doc: doc, Line: pos.Line, Column: 1},
		Pos:    pos,
		Msg:    "invalid YAML: " + msg,
		Hint:   "Fix the YAML syntax; indentation must use spaces, and every key needs a colon.",
	}
}

// lineCount counts lines as libyaml does: a line ends at \n, \r\n, \r,
// NEL, LS or PS.
func lineCount(src []byte) int {
	n, open := 1, false
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		switch r {
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				size++
			}
			fallthrough
		case '\n', '\u0085', '\u2028', '\u2029':
			n++
			open = false
		default:
			open = true
		}
		i += size
	}
	if !open && n > 1 {
		n-- // the text ends with a line break
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// toJSONValue converts a YAML node into the values encoding/json produces,
// with integers kept as int64 the way Kubernetes' unstructured objects want
// them. Anchors, aliases and merge keys are resolved by yaml.v3's own decoder.
func toJSONValue(n *yaml.Node) (any, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		e := &Error{Pos: Pos{n.Line, n.Column}, Msg: "invalid YAML: " + err.Error()}
		// Such as "line 5: mapping key "name" already defined at line 4".
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			e.Msg = "invalid YAML: " + te.Errors[0]
			if m := typeErrorRe.FindStringSubmatch(te.Errors[0]); m != nil {
				line, _ := strconv.Atoi(m[1])
				e.Pos, e.Msg = Pos{Line: line, Column: 1}, "invalid YAML: "+m[2]
			}
		}
		return nil, e
	}
	return normalize(v, n)
}

func normalize(v any, at *yaml.Node) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			ne, err := normalize(e, at)
			if err != nil {
				return nil, err
			}
			t[k] = ne
		}
		return t, nil
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			ks, ok := k.(string)
			if !ok {
				return nil, &Error{Pos: Pos{at.Line, at.Column}, Msg: fmt.Sprintf("mapping key %v is not a string", k),
					Hint: "Kubernetes manifests use string keys only; quote the key."}
			}
			ne, err := normalize(e, at)
			if err != nil {
				return nil, err
			}
			out[ks] = ne
		}
		return out, nil
	case []any:
		for i, e := range t {
			ne, err := normalize(e, at)
			if err != nil {
				return nil, err
			}
			t[i] = ne
		}
		return t, nil
	case int:
		return int64(t), nil
	case uint64:
		return int64(t), nil
	default:
		return v, nil
	}
}

func mappingToUnstructured(v any) (*unstructured.Unstructured, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("a manifest must be a mapping")
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return toUnstructured(b)
}

// toUnstructured decodes a JSON object with exactly the value types the
// API machinery expects (int64, float64, string, bool, nil, map, slice).
// It does not use Unstructured.UnmarshalJSON, which refuses an object
// without a kind (or with an apiVersion it cannot parse) with a message
// about its own internals; validate says what is wrong, and where.
func toUnstructured(b []byte) (*unstructured.Unstructured, error) {
	var m map[string]any
	if err := utiljson.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode manifest: %w", err)
	}
	if m == nil {
		return nil, fmt.Errorf("a manifest must be a mapping")
	}
	return &unstructured.Unstructured{Object: m}, nil
}

func listItems(list *Object) ([]*Object, *Error) {
	ul, err := list.ToList()
	if err != nil {
		return nil, &Error{Source: list.Source, Pos: Pos{list.Source.Line, list.Source.Column}, Msg: "invalid List: " + err.Error()}
	}
	var out []*Object
	for i := range ul.Items {
		item := ul.Items[i]
		prefix := fmt.Sprintf("items[%d]", i)
		src := list.Source
		// An item's errors fall back to the item, not to the List.
		if pos, ok := list.fields.pos[prefix]; ok {
			src.Line, src.Column = pos.Line, pos.Column
		}
		out = append(out, &Object{Unstructured: &item, Source: src, fields: list.fields.sub(prefix)})
	}
	return out, nil
}
