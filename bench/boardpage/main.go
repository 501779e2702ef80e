// Command boardpage measures the board's page in headless Chromium against
// a running board (-url, as podlab board prints it): how long drawing the
// whole grid takes, the page's JavaScript heap, and how many updates it
// took in a while. bench/board.sh runs it against its 40-seat board.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/chromedp"
)

type stats struct {
	Rows     int     `json:"rows"`
	RenderMS float64 `json:"render_ms"`
	HeapMB   float64 `json:"heap_mb"`
	Updates  int     `json:"updates"`
}

func main() {
	url := flag.String("url", "", "the board's address")
	watch := flag.Duration("for", 30*time.Second, "how long to count updates")
	flag.Parse()
	exe, err := exec.LookPath("chromium")
	if err != nil || *url == "" {
		fmt.Fprintln(os.Stderr, "boardpage: needs chromium (make browser-deps) and -url")
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *watch+2*time.Minute)
	defer cancel()
	dir, _ := os.MkdirTemp("", "boardpage-")
	defer os.RemoveAll(dir)
	actx, cancelA := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(dir))
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	if err := chromedp.Do(bctx, chromedp.Navigate(*url), chromedp.WaitVisible(chromedp.CSS("#grid tbody tr"))); err != nil {
		fmt.Fprintln(os.Stderr, "boardpage:", err)
		os.Exit(1)
	}
	// Count the stream's updates from here on.
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`window.__n = 0; const r0 = render; render = () => { window.__n++; r0(); }; true`)); err != nil {
		fmt.Fprintln(os.Stderr, "boardpage:", err)
		os.Exit(1)
	}
	time.Sleep(*watch)
	s, err := chromedp.Run(bctx, chromedp.Evaluate[stats](`(() => {
  const n = window.__n;
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) render();
  const ms = (performance.now() - t0) / 50;
  return {rows: document.querySelectorAll('#grid tbody tr').length, render_ms: ms,
    heap_mb: performance.memory ? performance.memory.usedJSHeapSize / 1048576 : 0, updates: n};
})()`))
	if err != nil {
		fmt.Fprintln(os.Stderr, "boardpage:", err)
		os.Exit(1)
	}
	fmt.Printf("board page: %d rows; drawing the grid %.1f ms; JS heap %.1f MB; %d updates in %s\n", s.Rows, s.RenderMS, s.HeapMB, s.Updates, *watch)
}
