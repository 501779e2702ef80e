package views

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
	"github.com/mitchellh/go-wordwrap"

	"github.com/podlab/podlab/internal/printable"
)

// MaxDiagnostics is how many diagnostics one report shows. Garbage input
// (a binary file saved as a lab) yields thousands of errors, all noise
// after the first few, and rendering each with its source costs a pass
// over the file; the rest are counted in one closing line instead.
const MaxDiagnostics = 20

// Diagnostics shows diagnostics with their source: the file, line and
// column, the source line with the range marked under it (with or without
// color), the summary, and the detail. In JSON mode each is an event of
// type "diagnostic". At most MaxDiagnostics are shown; the rest are
// summed up in a line "…and N more errors" (in JSON, one event of type
// "diagnostics_omitted" with the counts). Text from the lab is shown with
// its control characters escaped (see internal/printable).
func (v *View) Diagnostics(diags hcl.Diagnostics, files map[string]*hcl.File) {
	if len(diags) == 0 {
		return
	}
	shown, rest := diags, hcl.Diagnostics(nil)
	if len(diags) > MaxDiagnostics {
		shown, rest = diags[:MaxDiagnostics], diags[MaxDiagnostics:]
	}
	errs := len(rest.Errs())
	warns := len(rest) - errs
	if v.JSON {
		for _, d := range shown {
			v.Event("diagnostic", map[string]any{
				"@level":     severity(d),
				"@message":   severity(d) + ": " + d.Summary,
				"diagnostic": DiagnosticJSON(d, files),
			})
		}
		if len(rest) > 0 {
			level := "warning"
			if errs > 0 {
				level = "error"
			}
			v.Event("diagnostics_omitted", map[string]any{
				"@level":   level,
				"@message": omitted(errs, warns),
				"errors":   errs,
				"warnings": warns,
			})
		}
		return
	}
	var b strings.Builder
	for _, d := range shown {
		v.writeDiagnostic(&b, d, files)
	}
	if len(rest) > 0 {
		b.WriteString("\n" + omitted(errs, warns) + "\n")
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	io.WriteString(v.Err, b.String())
}

// omitted is the closing line for the diagnostics not shown.
func omitted(errs, warns int) string {
	var parts []string
	if errs > 0 {
		parts = append(parts, count(errs, "error"))
	}
	if warns > 0 {
		parts = append(parts, count(warns, "warning"))
	}
	line := "…and " + strings.Join(parts, " and ")
	if errs > 0 {
		return line + " (fix the ones above first)"
	}
	return line
}

// count is "1 more error" or "2,461 more errors".
func count(n int, noun string) string {
	digits := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if n != 1 {
		noun += "s"
	}
	return b.String() + " more " + noun
}

func (v *View) writeDiagnostic(b *strings.Builder, d *hcl.Diagnostic, files map[string]*hcl.File) {
	head := v.Red(v.Bold("Error:"))
	if d.Severity == hcl.DiagWarning {
		head = v.Yellow(v.Bold("Warning:"))
	}
	fmt.Fprintf(b, "\n%s %s\n", head, v.Bold(oneLine(d.Summary)))
	if d.Subject != nil {
		r := *d.Subject
		where := fmt.Sprintf("  on %s line %d, column %d", r.Filename, r.Start.Line, r.Start.Column)
		f := files[r.Filename]
		if f != nil && f.Body != nil {
			if ctx := hcled.ContextString(f, r.Start.Byte); ctx != "" {
				where += ", in " + ctx
			}
		}
		b.WriteString("\n" + oneLine(where) + ":\n")
		if f != nil && len(f.Bytes) > 0 {
			v.snippet(b, f.Bytes, r)
		}
	}
	if d.Detail != "" {
		b.WriteString("\n")
		width := v.Width
		if width <= 0 {
			width = 100
		}
		for _, para := range strings.Split(printable.String(d.Detail), "\n") {
			b.WriteString(wordwrap.WrapString(para, uint(width-1)) + "\n")
		}
	}
}

// snippet prints the lines of r (at most three) with a line of carets under
// the marked part of the first, so the range shows on any terminal.
func (v *View) snippet(b *strings.Builder, src []byte, r hcl.Range) {
	sc := hcl.NewRangeScanner(src, r.Filename, bufio.ScanLines)
	shown := 0
	for sc.Scan() {
		lr := sc.Range()
		if lr.Start.Line < r.Start.Line || lr.Start.Line > r.End.Line {
			continue
		}
		if shown == 3 {
			b.WriteString("        ...\n")
			break
		}
		line := strings.ReplaceAll(string(sc.Bytes()), "\t", " ")
		gutter := fmt.Sprintf("  %4d: ", lr.Start.Line)
		b.WriteString(gutter + oneLine(line) + "\n")
		if shown == 0 {
			start := max(r.Start.Byte-lr.Start.Byte, 0)
			end := len(line)
			if r.End.Line == lr.Start.Line {
				end = min(max(r.End.Byte-lr.Start.Byte, start+1), len(line))
			}
			if start < len(line) {
				// Carets count the escaped text, as it is shown.
				pad := strings.Repeat(" ", len(gutter)+Width(oneLine(line[:start])))
				marks := strings.Repeat("^", max(Width(oneLine(line[start:end])), 1))
				b.WriteString(pad + v.Red(marks) + "\n")
			}
		}
		shown++
	}
}

// oneLine is text from the lab made safe for one line of a terminal: its
// control characters (a newline too) escaped.
func oneLine(s string) string {
	return strings.ReplaceAll(printable.String(s), "\n", `\n`)
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
