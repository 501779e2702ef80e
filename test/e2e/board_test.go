package e2e

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// browser starts a headless Chromium (Debian's; make browser-deps) with
// an empty profile, bounded so a wedged browser fails the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: run make browser-deps")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.WindowSize(1100, 520),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	return bctx
}

// screenshot saves the page as PNG into PODLAB_SCREENSHOTS (the README's
// images), or a temporary directory.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("PODLAB_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG (less is JPEG)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitPage evaluates js in the page until it returns true, or fails.
func waitPage(t *testing.T, ctx context.Context, js string, timeout time.Duration, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("#grid")))
			t.Fatalf("%s: not within %s (%v)\n%s", what, timeout, err, html)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

const cellState = `(document.querySelector('tr[data-seat=%q] td[data-check="web/running"]') || {}).dataset?.state`

func cell(seat string) string { return strings.Replace(cellState, "%q", `"`+seat+`"`, 1) }

// The board as an instructor and a student see it, in a real Chromium:
// kim's cell turns from failing to passing, without a reload, once kim
// has applied the lesson's pod with kim's own kubeconfig; lee's stays
// failing and then shows stuck; kim's own link shows kim's row only and
// refuses lee's; a second board on the same state says where the first
// is; Ctrl-C ends the board with 130.
func TestBoardInBrowser(t *testing.T) {
	l := studentLab(t)
	l.write("lab.podlab.hcl", strings.Replace(mustRead(t, filepath.Join(l.dir, "lab.podlab.hcl")), `stuck_after = "3s"`, `stuck_after = "15s"`, 1))
	ctx := context.Background()
	l.must(0, "apply", "-auto-approve", "-checks=false")
	hand := filepath.Join(t.TempDir(), "handout")
	l.must(0, "handout", "-dir", hand)
	kim, kimNS := studentClient(t, filepath.Join(hand, "kim", "kubeconfig"))

	links := filepath.Join(t.TempDir(), "links.tsv")
	b := l.start("board", "-listen", "127.0.0.1:0", "-links", links, "-watch-interval", "5s")
	t.Cleanup(func() { _ = b.cmd.Process.Kill() })
	if !b.waitFor(t, "Watching 2 checks", time.Minute) {
		t.Fatalf("the board did not start:\n%s", b.output())
	}
	m := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)/`).FindStringSubmatch(b.output())
	if m == nil {
		t.Fatalf("no address:\n%s", b.output())
	}
	base := m[1]
	seatLinks := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(mustRead(t, links)), "\n") {
		seat, link, _ := strings.Cut(line, "\t")
		seatLinks[seat] = link
	}

	page := browser(t)
	if err := chromedp.Do(page, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(page, chromedp.Evaluate[bool](`window.__loaded = "once"; true`)); err != nil {
		t.Fatal(err)
	}
	waitPage(t, page, cell("kim")+` === "fail" && `+cell("lee")+` === "fail"`, time.Minute, "both seats failing")
	screenshot(t, page, "board-start.png")

	manifest := mustRead(t, filepath.Join(hand, "kim", "web", "pod.yaml"))
	var pod corev1.Pod
	if err := yaml.Unmarshal([]byte(manifest), &pod); err != nil {
		t.Fatal(err)
	}
	if _, err := kim.CoreV1().Pods(kimNS).Create(ctx, &pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("kim applying the pod with kim's kubeconfig: %v", err)
	}
	waitPage(t, page, cell("kim")+` === "pass"`, 2*time.Minute, "kim's cell turning to passing")
	waitPage(t, page, `window.__loaded === "once"`, time.Second, "no reload")
	waitPage(t, page, cell("lee")+` === "fail" && document.querySelector('tr[data-seat="lee"]').dataset.stuck === "true"`, time.Minute, "lee stuck")
	if err := chromedp.Do(page, chromedp.Click(chromedp.CSS(`tr[data-seat="lee"] td.seat`))); err != nil {
		t.Fatal(err)
	}
	waitPage(t, page, `document.querySelector('#detail pre.try')?.textContent.startsWith("kubectl get pods -n ")`, 10*time.Second, "lee's detail with a command to try")
	screenshot(t, page, "board-class.png")

	// kim's own link: kim's row only.
	if err := chromedp.Do(page, chromedp.Navigate(seatLinks["kim"])); err != nil {
		t.Fatal(err)
	}
	waitPage(t, page, `document.querySelectorAll('#grid tbody tr').length === 1 && `+cell("kim")+` === "pass" && !document.querySelector('#summary b')`, 30*time.Second, "kim's own page")
	screenshot(t, page, "board-seat.png")
	// ... and lee's token does not open it; nor does a made-up one.
	leeToken := mustQuery(t, seatLinks["lee"], "token")
	for _, u := range []string{
		base + "/seat/kim?token=" + url.QueryEscape(leeToken),
		base + "/events?seat=kim&token=" + url.QueryEscape(leeToken),
		base + "/seat/kim?token=forged",
	} {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s: %d, want 401", u, res.StatusCode)
		}
	}

	// A second board on the same state.
	res := l.run("board", "-listen", "127.0.0.1:0")
	if res.code != 1 || !strings.Contains(res.all(), "a podlab board is already served at "+base) {
		t.Errorf("a second board: exit %d:\n%s", res.code, res.all())
	}

	if err := b.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := b.wait(t, 30*time.Second); code != 130 {
		t.Errorf("board exit %d after Ctrl-C, want 130:\n%s", code, b.output())
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustQuery(t *testing.T, link, key string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get(key)
}
