package manifest

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// fieldIndex maps Kubernetes field paths ("spec.containers[0].image") to the
// position of the value in the YAML source.
type fieldIndex struct {
	pos map[string]Pos
}

func indexFields(root *yaml.Node) *fieldIndex {
	ix := &fieldIndex{pos: map[string]Pos{}}
	ix.walk("", root)
	return ix
}

func (ix *fieldIndex) walk(path string, n *yaml.Node) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			// Point at the key: that is what a reader looks for.
			ix.pos[p] = Pos{k.Line, k.Column}
			ix.walk(p, v)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			ix.pos[p] = Pos{c.Line, c.Column}
			ix.walk(p, c)
		}
	}
}

// lookup finds the path, or failing that its nearest written ancestor, so an
// error about a missing field still lands on the block that lacks it.
func (ix *fieldIndex) lookup(path string) (Pos, bool) {
	for p := path; p != ""; p = parent(p) {
		if pos, ok := ix.pos[p]; ok {
			return pos, true
		}
	}
	return Pos{}, false
}

func parent(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// sub returns the index of the subtree under prefix, re-rooted.
func (ix *fieldIndex) sub(prefix string) *fieldIndex {
	if ix == nil {
		return nil
	}
	out := &fieldIndex{pos: map[string]Pos{}}
	for p, pos := range ix.pos {
		if rest, ok := strings.CutPrefix(p, prefix+"."); ok {
			out.pos[rest] = pos
		}
	}
	return out
}
