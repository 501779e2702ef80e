// Package views is everything podlab shows: diagnostics, plans, progress,
// check results, in human form or as JSON lines. Commands decide what to
// show; views decide how.
package views

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/podlab/podlab/internal/i18n"
)

// View writes to a command's output streams.
type View struct {
	Out   io.Writer
	Err   io.Writer
	Color bool
	// JSON switches every message to one JSON object per line on Out.
	JSON bool
	// Terminal is set when Out is an interactive terminal, where progress
	// redraws in place; elsewhere progress is plain lines.
	Terminal bool
	Width    int
	// Verbose shows every seat's changes instead of one for alike seats.
	Verbose bool

	// printer speaks the language set by SetLanguage; nil is English.
	printer *message.Printer
	lang    language.Tag

	mu sync.Mutex
}

// New makes a view, with color only for a terminal and never when the
// user asked for none (-no-color or NO_COLOR).
func New(out, errw io.Writer, noColor, jsonOut bool) *View {
	v := &View{Out: out, Err: errw, JSON: jsonOut, Width: 100}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		v.Terminal = true
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
			v.Width = w
		}
	}
	_, noColorEnv := os.LookupEnv("NO_COLOR")
	v.Color = v.Terminal && !noColor && !noColorEnv && !jsonOut
	return v
}

// SetLanguage chooses the language of what students and instructors
// read (check results, summaries, the report); diagnostics stay English.
func (v *View) SetLanguage(t language.Tag) {
	v.printer, v.lang = nil, t
	if t != i18n.English {
		v.printer = i18n.Printer(t)
	}
}

// Language is the view's language.
func (v *View) Language() language.Tag {
	if v.printer == nil {
		return i18n.English
	}
	return v.lang
}

// T formats a message of the i18n catalog in the view's language. English
// goes through fmt, so it stays exactly what podlab always printed.
func (v *View) T(key string, args ...any) string {
	if v.printer == nil {
		return fmt.Sprintf(key, args...)
	}
	return v.printer.Sprintf(key, args...)
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

func (v *View) paint(code, s string) string {
	if !v.Color || s == "" {
		return s
	}
	return code + s + ansiReset
}

// Bold, Green, Red, Yellow and Dim color text when color is on.
func (v *View) Bold(s string) string   { return v.paint(ansiBold, s) }
func (v *View) Green(s string) string  { return v.paint(ansiGreen, s) }
func (v *View) Red(s string) string    { return v.paint(ansiRed, s) }
func (v *View) Yellow(s string) string { return v.paint(ansiYellow, s) }
func (v *View) Dim(s string) string    { return v.paint(ansiDim, s) }
func (v *View) Cyan(s string) string   { return v.paint(ansiCyan, s) }

// Printf writes human output (nothing in JSON mode).
func (v *View) Printf(format string, args ...any) {
	if v.JSON {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.Out, format, args...)
}

// Errorf writes an error line to the error stream (or a JSON diagnostic).
func (v *View) Errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if v.JSON {
		v.Event("diagnostic", map[string]any{"diagnostic": map[string]any{"severity": "error", "summary": msg}})
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.Err, "%s %s\n", v.Red(v.Bold("Error:")), strings.TrimRight(msg, "\n"))
}

// Event writes one JSON object per line: {"@level", "@message", "@timestamp", "type", ...}.
func (v *View) Event(typ string, fields map[string]any) {
	if !v.JSON {
		return
	}
	obj := map[string]any{"type": typ, "@timestamp": time.Now().UTC().Format(time.RFC3339Nano), "@level": "info"}
	for k, val := range fields {
		obj[k] = val
	}
	if _, ok := obj["@message"]; !ok {
		obj["@message"] = typ
	}
	b, err := json.Marshal(obj)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"type": "error", "@message": err.Error()})
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.Out.Write(append(b, '\n'))
}

// Duration shows elapsed time as people read it: 850ms, 3.2s, 2m05s.
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
}

// Raw writes one JSON document (validate -json's single report, the
// state, a saved plan) on one line, as -json promises: a reader takes it
// with one line read. Nothing is written when doc cannot be encoded.
func (v *View) Raw(doc any) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	v.Data(append(b, '\n'))
	return nil
}

// Data writes a command's data (a DOT graph, a kubeconfig, a completion
// script, a formatted file, a raw output value) to Out exactly as given,
// in human and JSON mode alike. Callers never pass color codes: data is
// read by programs.
func (v *View) Data(b []byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.Out.Write(b)
}

// Notef writes a line for the human to the error stream, uncolored, so that
// data written to Out (a kubeconfig) stays clean for a pipe. In JSON mode
// it is an event of type "log" on Out instead.
func (v *View) Notef(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if v.JSON {
		v.Event("log", map[string]any{"@message": strings.TrimRight(msg, "\n")})
		return
	}
	v.errPrintf("%s", msg)
}

// errPrintf writes to the error stream as given: no color, no JSON.
func (v *View) errPrintf(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.Err, format, args...)
}
