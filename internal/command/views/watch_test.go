package views

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestWatchRound(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	results := classResults()
	progress := classProgress(t0)
	var out bytes.Buffer
	o := &Operation{View: &View{Out: &out, Err: &out, Width: 100}}
	// In a log: one line per change.
	o.WatchRound("gke", results, progress, results[5:], 10*time.Minute, t0.Add(15*time.Minute))
	if got := strings.Count(out.String(), "\n"); got != 1 || !strings.Contains(out.String(), `✗ FAIL seat["lee"].exercise.sidecar.check["curl localhost"]: exit code 7`) {
		t.Errorf("log round:\n%s", out.String())
	}
	// On a terminal: the whole matrix, redrawn from the top.
	out.Reset()
	o.Terminal = true
	o.WatchRound("gke", results, progress, nil, 10*time.Minute, t0.Add(15*time.Minute))
	s := out.String()
	if !strings.HasPrefix(s, "\x1b[H\x1b[2J") || !strings.Contains(s, "2 seats × 3 checks") || !strings.Contains(s, "Updated ") {
		t.Errorf("terminal round:\n%q", s)
	}
}
