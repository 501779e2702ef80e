package views

import (
	"fmt"
	"html/template"
	"os"
	"time"

	"golang.org/x/text/language"

	"github.com/podlab/podlab/check"
)

// fontStack names fonts with Hangul before the generic family: a
// browser falls back glyph by glyph along the list, so Korean seat and
// check names find a Korean font on Linux (Noto CJK, Nanum), macOS (Apple
// SD Gothic Neo) and Windows (Malgun Gothic) even where the default
// sans-serif has none. No web font: the report must work offline.
const fontStack = `system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans CJK KR", "Noto Sans KR", "Source Han Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", "맑은 고딕", "NanumGothic", "Nanum Gothic", "Noto Sans", sans-serif`

const monoStack = `ui-monospace, Menlo, Consolas, "D2Coding", "Noto Sans Mono CJK KR", "NanumGothicCoding", monospace`

// reportPage is one self-contained HTML file: styles inline, no scripts,
// no external assets, laid out to print on A4/Letter.
var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"dur": Duration,
	// t is replaced by the view's translator when the page is rendered.
	"t":     fmt.Sprintf,
	"fonts": func() template.CSS { return template.CSS(fontStack) },
	"mono":  func() template.CSS { return template.CSS(monoStack) },
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<title>{{t "%s — grading report, %s" .Lab .Env}}</title>
<style>
  body { font: 13px/1.4 {{fonts}}; margin: 24px; color: #1b1f23; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .meta { color: #586069; margin-bottom: 16px; }
  .summary span { display: inline-block; margin-right: 16px; }
  table { border-collapse: collapse; width: 100%; margin: 12px 0 24px; }
  th, td { border: 1px solid #d1d5da; padding: 4px 6px; text-align: center; vertical-align: top; }
  th { background: #f6f8fa; font-weight: 600; }
  th.check { font-weight: 500; font-size: 12px; }
  td.seat { text-align: left; font-weight: 600; white-space: nowrap; }
  td.pass { background: #e6ffed; color: #22863a; }
  td.fail { background: #ffeef0; color: #cb2431; font-weight: 600; }
  td.none { color: #959da5; }
  td .t { display: block; font-size: 10px; color: #586069; font-weight: 400; }
  .failures h2 { font-size: 16px; }
  .failure { border-left: 3px solid #cb2431; padding: 4px 10px; margin: 8px 0; page-break-inside: avoid; }
  .failure .desc { color: #586069; }
  .failure pre { white-space: pre-wrap; margin: 4px 0 0; font: 12px/1.4 {{mono}}; }
  @media print {
    body { margin: 0; font-size: 11px; }
    th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    td.pass, td.fail { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    thead { display: table-header-group; }
    tr { page-break-inside: avoid; }
  }
</style>
</head>
<body>
<h1>{{t "%s: grading report" .Lab}}</h1>
<div class="meta">{{t "Environment"}} <b>{{.Env}}</b> · {{t "checked %s" .At}} · {{t "%d seat(s) × %d check(s)" (len .Seats) (len .Columns)}}</div>
<div class="summary"><span><b>{{.Passed}}</b> {{t "passed"}}</span><span><b>{{.Failed}}</b> {{t "failed"}}</span><span><b>{{.Complete}}</b> {{t "of %d seat(s) passed everything" (len .Seats)}}</span></div>
<table>
<thead>
<tr><th rowspan="2">{{t "Seat"}}</th>{{range .Exercises}}<th colspan="{{.Span}}">{{.Name}}</th>{{end}}<th rowspan="2">{{t "Passed"}}</th></tr>
<tr>{{range .Columns}}<th class="check"{{with .Description}} title="{{.}}"{{end}}>{{.Name}}</th>{{end}}</tr>
</thead>
<tbody>
{{range .Rows}}<tr><td class="seat">{{.Seat}}</td>{{range .Cells}}{{if not .Present}}<td class="none">–</td>{{else if .Passed}}<td class="pass">{{t "PASS"}}<span class="t">{{dur .Duration}}</span></td>{{else}}<td class="fail" title="{{.Message}}">{{t "FAIL"}}<span class="t">{{dur .Duration}}</span></td>{{end}}{{end}}<td>{{.Passed}}/{{.Total}}</td></tr>
{{end}}</tbody>
</table>
{{if .Failures}}<div class="failures">
<h2>{{t "Failures"}}</h2>
{{range .Failures}}<div class="failure"><b>{{.Seat}}</b> · {{.Exercise}} · {{.Name}}{{with .Description}}<div class="desc">{{.}}</div>{{end}}<pre>{{.Message}}</pre></div>
{{end}}</div>{{end}}
</body>
</html>
`))

type reportCell struct {
	Present  bool
	Passed   bool
	Duration time.Duration
	Message  string
}

type reportFailure struct {
	Seat, Exercise, Name, Description, Message string
}

type reportRow struct {
	Seat          string
	Cells         []reportCell
	Passed, Total int
}

// WriteReport writes the grading report: seats × checks with pass or fail,
// times and failure messages, as one HTML file.
// Its words are in lang, and its lang attribute says so, so that browsers
// pick Korean glyph forms and fonts for Hangul.
func WriteReport(path, lab, env string, results []*check.Result, lang language.Tag) error {
	v := &View{}
	v.SetLanguage(lang)
	page, err := reportPage.Clone()
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	page.Funcs(template.FuncMap{"t": v.T})
	g := newSeatGrid(results)
	data := struct {
		Lab, Env, At, Lang string
		Seats              []string
		Columns            []column
		Exercises          []struct {
			Name string
			Span int
		}
		Rows           []reportRow
		Failures       []reportFailure
		Passed, Failed int
		Complete       int
	}{Lang: lang.String(), Lab: lab, Env: env, At: time.Now().Format("2006-01-02 15:04"), Seats: g.seats, Columns: g.columns}
	for i, c := range g.columns {
		if i == 0 || g.columns[i-1].Exercise != c.Exercise {
			data.Exercises = append(data.Exercises, struct {
				Name string
				Span int
			}{c.Exercise, 0})
		}
		data.Exercises[len(data.Exercises)-1].Span++
	}
	for _, seat := range g.seats {
		row := reportRow{Seat: seat, Total: len(g.columns)}
		if seat == "" {
			row.Seat = env
		}
		for _, c := range g.columns {
			r := g.cells[seat][c.Key]
			if r == nil {
				row.Cells = append(row.Cells, reportCell{})
				continue
			}
			row.Cells = append(row.Cells, reportCell{Present: true, Passed: r.Passed, Duration: r.Duration, Message: v.failureDetail(r)})
			if r.Passed {
				row.Passed++
				data.Passed++
			} else {
				data.Failed++
				data.Failures = append(data.Failures, reportFailure{Seat: row.Seat, Exercise: exerciseOf(r), Name: r.Name,
					Description: r.Description, Message: v.failureDetail(r)})
			}
		}
		if row.Passed == row.Total {
			data.Complete++
		}
		data.Rows = append(data.Rows, row)
	}
	f, err := os.OpenFile(path+".tmp", os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := page.Execute(f, data); err != nil {
		f.Close()
		return fmt.Errorf("report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return os.Rename(path+".tmp", path)
}
