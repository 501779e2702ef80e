package command

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/internal/golden"
)

// The corpus testdata/bad holds broken labs, one per directory, each with
// an expect.txt naming the diagnostics podlab must report:
//
//	# comment
//	args: plan -var target=aws          (repeatable; default: validate, then plan)
//	error lab.podlab.hcl:12: Unsupported block type
//	  detail: Did you mean "exercise"?
//
// A diagnostic line is SEVERITY FILE:LINE: SUMMARY, FILE "-" (and no line)
// for a diagnostic about no file; an indented detail line requires its text
// in the detail of the diagnostic above. The diagnostics must match exactly
// and in order, for every args line.

type wantDiag struct {
	severity, file string
	line           int
	summary        string
	details        []string
}

func (d wantDiag) String() string {
	if d.file == "-" {
		return fmt.Sprintf("%s -: %s", d.severity, d.summary)
	}
	return fmt.Sprintf("%s %s:%d: %s", d.severity, d.file, d.line, d.summary)
}

type expectation struct {
	runs  [][]string
	diags []wantDiag
}

func readExpect(t *testing.T, path string) expectation {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("every broken lab needs an expect.txt: %s", err)
	}
	defer f.Close()
	var e expectation
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case strings.HasPrefix(line, "args:"):
			e.runs = append(e.runs, strings.Fields(strings.TrimPrefix(line, "args:")))
		case strings.HasPrefix(trimmed, "detail:"):
			if len(e.diags) == 0 {
				t.Fatalf("%s:%d: a detail line must follow a diagnostic", path, n)
			}
			d := &e.diags[len(e.diags)-1]
			d.details = append(d.details, strings.TrimSpace(strings.TrimPrefix(trimmed, "detail:")))
		default:
			d, err := parseWantDiag(line)
			if err != nil {
				t.Fatalf("%s:%d: %s", path, n, err)
			}
			e.diags = append(e.diags, d)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(e.diags) == 0 {
		t.Fatalf("%s names no diagnostic", path)
	}
	if len(e.runs) == 0 {
		e.runs = [][]string{{"validate"}, {"plan"}}
	}
	return e
}

func parseWantDiag(line string) (wantDiag, error) {
	sev, rest, ok := strings.Cut(line, " ")
	if !ok || (sev != "error" && sev != "warning") {
		return wantDiag{}, fmt.Errorf("want SEVERITY FILE:LINE: SUMMARY, got %q", line)
	}
	if summary, ok := strings.CutPrefix(rest, "-: "); ok {
		return wantDiag{severity: sev, file: "-", summary: summary}, nil
	}
	// The file name may hold spaces ("<value for var.x>"), so split at the
	// last ":LINE: " before the summary.
	for i := 0; i < len(rest); i++ {
		if rest[i] != ':' {
			continue
		}
		j := i + 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j > i+1 && strings.HasPrefix(rest[j:], ": ") {
			n, _ := strconv.Atoi(rest[i+1 : j])
			return wantDiag{severity: sev, file: rest[:i], line: n, summary: rest[j+2:]}, nil
		}
	}
	return wantDiag{}, fmt.Errorf("want SEVERITY FILE:LINE: SUMMARY, got %q", line)
}

// jsonDiagnostics reads the diagnostics of a -json run: validate's single
// report, or the diagnostic events of other commands.
func jsonDiagnostics(t *testing.T, stdout string) []*views.JSONDiagnostic {
	t.Helper()
	var report struct {
		Diagnostics []*views.JSONDiagnostic `json:"diagnostics"`
	}
	if strings.Contains(stdout, `"format_version"`) {
		// validate's report is one object on one line, as -json promises.
		if n := strings.Count(strings.TrimSpace(stdout), "\n"); n > 0 {
			t.Errorf("validate -json printed %d lines, want one JSON object on one line:\n%s", n+1, stdout)
		}
		if err := json.Unmarshal([]byte(stdout), &report); err != nil {
			t.Fatalf("validate -json printed no JSON report: %s\n%s", err, stdout)
		}
		return report.Diagnostics
	}
	var out []*views.JSONDiagnostic
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if line == "" {
			continue
		}
		var ev struct {
			Type       string                `json:"type"`
			Diagnostic *views.JSONDiagnostic `json:"diagnostic"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("-json printed a line that is not JSON: %s\n%s", err, line)
		}
		if ev.Type == "diagnostic" {
			out = append(out, ev.Diagnostic)
		}
	}
	return out
}

// gotDiag is a diagnostic as an expect.txt names it; files podlab names by
// their path (var files) are taken relative to the lab.
func gotDiag(d *views.JSONDiagnostic, lab string) wantDiag {
	g := wantDiag{severity: d.Severity, file: "-", summary: d.Summary}
	if d.Range != nil {
		g.file, g.line = strings.TrimPrefix(d.Range.Filename, lab+string(filepath.Separator)), d.Range.Start.Line
	}
	return g
}

func badLabs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(badDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) < 25 {
		t.Fatalf("the corpus %s has %d broken labs; it must have at least 25", badDir, len(names))
	}
	return names
}

// withJSON adds -json after the subcommand.
func withJSON(args []string) []string {
	return append([]string{args[0], "-json"}, args[1:]...)
}

func TestBadLabs(t *testing.T) {
	for _, name := range badLabs(t) {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join(badDir, name)
			exp := readExpect(t, filepath.Join(src, "expect.txt"))
			for _, args := range exp.runs {
				t.Run(args[0], func(t *testing.T) {
					lab := copyLab(t, src, "expect.txt", "diagnostics.golden")
					r := run(t, lab, nil, withJSON(args)...)
					if r.code != ExitError {
						t.Errorf("podlab %s exited %d, want %d", strings.Join(args, " "), r.code, ExitError)
					}
					got := jsonDiagnostics(t, r.stdout)
					var gotLines, wantLines []string
					for _, d := range got {
						gotLines = append(gotLines, gotDiag(d, lab).String())
					}
					for _, d := range exp.diags {
						wantLines = append(wantLines, d.String())
					}
					if strings.Join(gotLines, "\n") != strings.Join(wantLines, "\n") {
						t.Fatalf("podlab %s reported:\n  %s\nwant:\n  %s\n(details: %s)", strings.Join(args, " "),
							strings.Join(gotLines, "\n  "), strings.Join(wantLines, "\n  "), details(got))
					}
					for i, d := range exp.diags {
						for _, want := range d.details {
							if !strings.Contains(got[i].Detail, want) {
								t.Errorf("diagnostic %q: detail %q does not say %q", d, got[i].Detail, want)
							}
						}
						if got[i].Range != nil && got[i].Snippet == nil && !strings.HasPrefix(got[i].Range.Filename, "<") {
							t.Errorf("diagnostic %q has no source snippet: podlab did not find %s", d, got[i].Range.Filename)
						}
					}
					// Stopping at the diagnostics means no state was opened
					// and no cluster provider was asked.
					if _, err := os.Stat(filepath.Join(lab, ".podlab")); err == nil {
						t.Errorf("podlab %s went on to open state after errors", strings.Join(args, " "))
					}
				})
			}
		})
	}
}

func details(ds []*views.JSONDiagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "\n  %s: %s", d.Summary, d.Detail)
	}
	return b.String()
}

// TestGoldenDiagnostics renders each broken lab's diagnostics as a person
// sees them (source line, range marked, summary, detail) and compares with
// the lab's diagnostics.golden.
func TestGoldenDiagnostics(t *testing.T) {
	for _, name := range badLabs(t) {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join(badDir, name)
			exp := readExpect(t, filepath.Join(src, "expect.txt"))
			args := exp.runs[len(exp.runs)-1]
			lab := copyLab(t, src, "expect.txt", "diagnostics.golden")
			r := run(t, lab, nil, args...)
			if r.stdout != "" {
				t.Errorf("podlab %s printed on stdout:\n%s", strings.Join(args, " "), r.stdout)
			}
			out := fmt.Sprintf("$ podlab %s\n(exit %d)\n%s", strings.Join(args, " "), r.code, r.stderr)
			golden.Check(t, filepath.Join(src, "diagnostics.golden"), []byte(withoutLabPath(out, lab)))
		})
	}
}

// withoutLabPath writes the lab's temporary directory as $LAB. A detail
// that names it was wrapped at a width that depends on the path's length,
// so its paragraph is unwrapped.
func withoutLabPath(out, lab string) string {
	paras := strings.Split(out, "\n\n")
	for i, p := range paras {
		if strings.Contains(p, lab) && !strings.HasPrefix(p, " ") {
			p = strings.ReplaceAll(p, "\n", " ")
		}
		paras[i] = strings.ReplaceAll(p, lab, "$LAB")
	}
	return strings.Join(paras, "\n\n")
}
