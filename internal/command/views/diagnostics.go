package views

import (
	"bufio"
	"bytes"

	"github.com/hashicorp/hcl/v2"
)

// Diagnostics shows diagnostics with their source: file:line:col, the line
// with the range marked, the summary and the detail. In JSON mode each is
// an event of type "diagnostic".
func (v *View) Diagnostics(diags hcl.Diagnostics, files map[string]*hcl.File) {
	if len(diags) == 0 {
		return
	}
	if v.JSON {
		for _, d := range diags {
			v.Event("diagnostic", map[string]any{
				"@level":     severity(d),
				"@message":   severity(d) + ": " + d.Summary,
				"diagnostic": DiagnosticJSON(d, files),
			})
		}
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	w := hcl.NewDiagnosticTextWriter(v.Err, files, uint(v.Width), v.Color)
	_ = w.WriteDiagnostics(diags)
}

func severity(d *hcl.Diagnostic) string {
	if d.Severity == hcl.DiagWarning {
		return "warning"
	}
	return "error"
}

// JSONRange is a source range in JSON output.
type JSONRange struct {
	Filename string  `json:"filename"`
	Start    JSONPos `json:"start"`
	End      JSONPos `json:"end"`
}

// JSONPos is a source position in JSON output.
type JSONPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// JSONDiagnostic is a diagnostic in JSON output, shaped as Terraform's.
type JSONDiagnostic struct {
	Severity string       `json:"severity"`
	Summary  string       `json:"summary"`
	Detail   string       `json:"detail,omitempty"`
	Range    *JSONRange   `json:"range,omitempty"`
	Snippet  *JSONSnippet `json:"snippet,omitempty"`
}

// JSONSnippet is the source line(s) a diagnostic points at.
type JSONSnippet struct {
	Code                 string `json:"code"`
	StartLine            int    `json:"start_line"`
	HighlightStartOffset int    `json:"highlight_start_offset"`
	HighlightEndOffset   int    `json:"highlight_end_offset"`
}

// DiagnosticJSON converts a diagnostic for JSON output.
func DiagnosticJSON(d *hcl.Diagnostic, files map[string]*hcl.File) *JSONDiagnostic {
	out := &JSONDiagnostic{Severity: severity(d), Summary: d.Summary, Detail: d.Detail}
	if d.Subject == nil {
		return out
	}
	r := *d.Subject
	out.Range = &JSONRange{
		Filename: r.Filename,
		Start:    JSONPos{r.Start.Line, r.Start.Column, r.Start.Byte},
		End:      JSONPos{r.End.Line, r.End.Column, r.End.Byte},
	}
	f, ok := files[r.Filename]
	if !ok || f == nil || len(f.Bytes) == 0 {
		return out
	}
	sc := hcl.NewRangeScanner(f.Bytes, r.Filename, bufio.ScanLines)
	var code bytes.Buffer
	start, startByte := 0, 0
	for sc.Scan() {
		lr := sc.Range()
		if lr.End.Line < r.Start.Line || lr.Start.Line > r.End.Line {
			continue
		}
		if start == 0 {
			start, startByte = lr.Start.Line, lr.Start.Byte
		} else {
			code.WriteByte('\n')
		}
		code.Write(sc.Bytes())
	}
	if start == 0 {
		return out
	}
	s := &JSONSnippet{Code: code.String(), StartLine: start}
	s.HighlightStartOffset = max(r.Start.Byte-startByte, 0)
	s.HighlightEndOffset = min(max(r.End.Byte-startByte, s.HighlightStartOffset), len(s.Code))
	out.Snippet = s
	return out
}
