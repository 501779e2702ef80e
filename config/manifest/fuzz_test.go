package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeYAML feeds manifests to the decoder: it may report errors but
// must not panic, and every error and object must be placed in the text.
//
//	go test -run=^$ -fuzz=FuzzDecodeYAML -fuzztime=10s ./config/manifest/
func FuzzDecodeYAML(f *testing.F) {
	for _, pattern := range []string{"../../examples/*/k8s_yaml/*.yaml", "../../testdata/bad/*/*.yaml", "../../testdata/bad/*/*/*.yaml"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(twoDocs))
	f.Fuzz(func(t *testing.T, src []byte) {
		objs, errs := DecodeYAML("f.yaml", src)
		lines := lineCount(src)
		for _, e := range errs {
			if e.Pos.Line < 1 || e.Pos.Line > lines || e.Msg == "" {
				t.Errorf("error %q at line %d of %d", e.Msg, e.Pos.Line, lines)
			}
		}
		for _, o := range objs {
			if o.GetName() == "" || o.GetKind() == "" || o.GetAPIVersion() == "" {
				t.Errorf("an object without name, kind or apiVersion: %v", o.Object)
			}
			if o.Source.Line < 1 || o.Source.Line > lines {
				t.Errorf("object at line %d of %d", o.Source.Line, lines)
			}
		}
	})
}
