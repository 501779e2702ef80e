// Package browser renders what podlab writes for browsers (the grading
// report) in a real headless Chromium and checks what a reader sees.
package browser

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/internal/command/views"
	_ "github.com/podlab/podlab/internal/golden" // -update
	"github.com/podlab/podlab/internal/i18n"
)

// seats are Hangul and mixed Hangul/Latin names, as a Korean class has.
var seats = []string{"김민수", "Lee 이수진", "박지민", "kim", "최Choi"}

// chromium finds Debian's chromium. Without it the test skips, unless
// PODLAB_E2E=1 (make test, CI), where a missing browser is a failure:
// make browser-deps installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("PODLAB_E2E") == "1" {
		t.Fatal("chromium is not installed: run make browser-deps (apt-get install chromium fonts-noto-cjk)")
	}
	t.Skip("chromium is not installed (make browser-deps); PODLAB_E2E=1 makes this a failure")
	return ""
}

func koreanReport(t *testing.T) string {
	t.Helper()
	var results []*check.Result
	for _, seat := range seats {
		for _, name := range []string{"실행 중", "pod IP 응답"} {
			r := &check.Result{
				Address: fmt.Sprintf(`seat[%q].exercise.nginx_pod.check[%q]`, seat, name), Instance: fmt.Sprintf(`seat[%q].exercise.nginx_pod`, seat),
				Exercise: "nginx_pod", Seat: seat, Name: name, Kind: "ready", Passed: seat != "박지민", Duration: 90 * time.Millisecond,
			}
			if !r.Passed {
				r.Expected, r.Seen = "pod Ready", "pod 없음"
			}
			results = append(results, r)
		}
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := views.WriteReport(path, "pod-basics", "교실", results, i18n.Korean); err != nil {
		t.Fatal(err)
	}
	return path
}

// glyphs is what the page reports about each seat cell: the characters
// drawn as the same box as a code point no font has (U+0378, unassigned),
// which is how Chromium draws a character it found no font for.
type glyphs struct {
	Lang  string
	Seats []struct {
		Name    string   `json:"name"`
		Font    string   `json:"font"`
		Missing []string `json:"missing"`
	}
}

// measure is run in the page: for every seat cell, it measures each
// non-ASCII character in the cell's own computed font against the width
// of the missing-glyph box in that font.
const measure = `(() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const seats = [...document.querySelectorAll('td.seat')].map(td => {
    ctx.font = getComputedStyle(td).font;
    const box = ctx.measureText('\u0378').width;
    const missing = [...td.textContent].filter(ch => ch.codePointAt(0) > 0x7f && ctx.measureText(ch).width === box);
    return {name: td.textContent, font: ctx.font, missing};
  });
  return {Lang: document.documentElement.lang, Seats: seats};
})()`

// render opens the report in a fresh headless Chromium (its own empty
// profile, no network) with extra environment variables, and measures it.
func render(t *testing.T, exe, page string, env ...string) glyphs {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Env(env...),
	}
	// A bound, not an assertion: a wedged browser fails the test
	// instead of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	err := chromedp.Do(bctx,
		chromedp.Navigate("file://"+page),
		chromedp.WaitVisible(chromedp.CSS("td.seat")),
	)
	if err == nil {
		// Fonts load asynchronously: measure once they all have.
		_, err = chromedp.Run(bctx, chromedp.Evaluate[bool](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise))
	}
	var g glyphs
	if err == nil {
		g, err = chromedp.Run(bctx, chromedp.Evaluate[glyphs](measure))
	}
	if err != nil {
		t.Fatalf("rendering %s in %s: %s", page, exe, err)
	}
	if len(g.Seats) != len(seats) {
		t.Fatalf("the page shows %d seat cells, want %d", len(g.Seats), len(seats))
	}
	return g
}

// TestKoreanReportRendersHangul: with Debian's fonts-noto-cjk, every seat
// name of the Korean report is drawn with real glyphs. The same page with
// the Korean font hidden from Chromium (a fontconfig that lists only
// DejaVu) must show the measurement catching the boxes, so the check is
// known to be able to fail.
func TestKoreanReportRendersHangul(t *testing.T) {
	exe := chromium(t)
	if out, err := exec.Command("fc-list", ":lang=ko", "family").Output(); err != nil || !strings.Contains(string(out), "Noto Sans CJK KR") {
		if os.Getenv("PODLAB_E2E") == "1" {
			t.Fatalf("no Korean Noto font (fc-list :lang=ko: %q, %v): run make browser-deps", out, err)
		}
		t.Skip("fonts-noto-cjk is not installed (make browser-deps)")
	}
	page := koreanReport(t)

	g := render(t, exe, page)
	if g.Lang != "ko" {
		t.Errorf("the report declares lang %q, want ko", g.Lang)
	}
	for _, s := range g.Seats {
		if len(s.Missing) > 0 {
			t.Errorf("seat %q is drawn with missing glyphs for %q (font %s)", s.Name, s.Missing, s.Font)
		}
	}

	// The control: no Korean font at all.
	dir := t.TempDir()
	conf := filepath.Join(dir, "fonts.conf")
	err := os.WriteFile(conf, []byte(`<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>`+filepath.Join(dir, "cache")+`</cachedir></fontconfig>
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	bare := render(t, exe, page, "FONTCONFIG_FILE="+conf)
	for _, s := range bare.Seats {
		hangul := 0
		for _, r := range s.Name {
			if r >= 0xac00 && r <= 0xd7a3 {
				hangul++
			}
		}
		if len(s.Missing) != hangul {
			t.Errorf("without a Korean font, seat %q should show %d missing glyphs, the measurement found %q: it cannot tell boxes from glyphs", s.Name, hangul, s.Missing)
		}
	}
}
