package command

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlab/podlab/internal/golden"
)

// validate asks no cluster: a misspelt kind and a wrong apiVersion are
// warnings with the fix, at their lines in the YAML file; a kind of an
// unknown group is only unchecked, and a kind the lab's own CRD declares
// and a correct kind are not mentioned.
func TestValidateKindWarnings(t *testing.T) {
	dir := copyLab(t, filepath.Join("testdata", "kinds"))
	res := run(t, dir, []string{"NO_COLOR=1"}, "validate")
	if res.code != ExitOK {
		t.Fatalf("validate: exit %d, want %d (warnings only)\n%s%s", res.code, ExitOK, res.stdout, res.stderr)
	}
	out := res.stdout + res.stderr
	for _, unwanted := range []string{`"declared"`, `"fine"`, "Widget"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("validate mentions %s:\n%s", unwanted, out)
		}
	}
	golden.Check(t, filepath.Join("testdata", "kinds", "validate.golden"), []byte(out))
}
