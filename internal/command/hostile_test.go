package command

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/podlab/podlab/internal/command/views"
)

// hostileLab writes a lab whose one file is 200 KB of random bytes (the
// same every run) and returns its directory.
func hostileLab(t *testing.T) string {
	t.Helper()
	src := make([]byte, 200<<10)
	rand.New(rand.NewSource(12)).Read(src)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lab.podlab.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A binary file saved as a lab gives thousands of syntax errors: podlab
// shows the first MaxDiagnostics, counts the rest in one line, and writes
// none of the file's control characters to the terminal.
func TestRandomBytesBoundedAndEscaped(t *testing.T) {
	r := run(t, hostileLab(t), nil, "validate")
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1; stderr:\n%.2000s", r.code, r.stderr)
	}
	out := r.stdout + r.stderr
	if n := strings.Count(out, "Error: "); n == 0 || n > views.MaxDiagnostics {
		t.Errorf("%d diagnostics shown, want 1 to %d", n, views.MaxDiagnostics)
	}
	more := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "…and ") && strings.HasSuffix(l, " more errors (fix the ones above first)") {
			more++
		}
	}
	if more != 1 {
		t.Errorf("want one line \"…and N more errors (fix the ones above first)\", found %d in:\n%.3000s", more, out)
	}
	for i := 0; i < len(out); i++ {
		if c := out[i]; (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			t.Fatalf("control byte %#02x at %d of the output: %q", c, i, out[max(i-40, 0):min(i+40, len(out))])
		}
	}
}

// validate -json lists the first MaxDiagnostics, counts them all, and
// says how many it left out.
func TestRandomBytesValidateJSON(t *testing.T) {
	r := run(t, hostileLab(t), nil, "validate", "-json")
	var doc struct {
		ErrorCount   int               `json:"error_count"`
		OmittedCount int               `json:"omitted_count"`
		Diagnostics  []json.RawMessage `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v: %.300q", err, r.stdout)
	}
	if len(doc.Diagnostics) != views.MaxDiagnostics || doc.ErrorCount <= views.MaxDiagnostics ||
		doc.OmittedCount != doc.ErrorCount-views.MaxDiagnostics {
		t.Errorf("%d diagnostics listed, error_count %d, omitted_count %d", len(doc.Diagnostics), doc.ErrorCount, doc.OmittedCount)
	}
}

// In the JSON event stream the diagnostics not shown are one event with
// their counts.
func TestDiagnosticsOmittedEvent(t *testing.T) {
	var diags hcl.Diagnostics
	for range views.MaxDiagnostics + 3 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "bad \x1b[2J"})
	}
	diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "meh"})
	var out bytes.Buffer
	views.New(&out, &out, true, true).Diagnostics(diags, nil)
	n, omitted := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var ev struct {
			Type     string `json:"type"`
			Errors   int    `json:"errors"`
			Warnings int    `json:"warnings"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not a JSON event: %v: %q", err, line)
		}
		switch ev.Type {
		case "diagnostic":
			n++
		case "diagnostics_omitted":
			omitted++
			if ev.Errors != 3 || ev.Warnings != 1 {
				t.Errorf("diagnostics_omitted counts %d errors, %d warnings; want 3, 1", ev.Errors, ev.Warnings)
			}
		}
	}
	if n != views.MaxDiagnostics || omitted != 1 {
		t.Errorf("%d diagnostic events and %d diagnostics_omitted, want %d and 1", n, omitted, views.MaxDiagnostics)
	}
}
