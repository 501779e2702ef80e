package state

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestRecordCheckProgress(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	s := New("lab", "env")
	grade := func(min int, passed bool, msg string) {
		t.Helper()
		s.SetCheck(&CheckResult{Address: "seat[\"kim\"].exercise.pod.check.ready", Instance: "seat[\"kim\"].exercise.pod", Seat: "kim", Name: "ready",
			Passed: passed, Message: msg, At: t0.Add(time.Duration(min) * time.Minute)})
	}
	grade(0, false, "expected: Running\nseen: no pod")
	grade(3, false, "expected: Running\nseen: ImagePullBackOff")
	grade(7, true, "")
	grade(9, false, "expected: Running\nseen: deleted")
	grade(12, true, "")

	if len(s.Progress) != 1 || len(s.Checks) != 1 {
		t.Fatalf("progress %d, checks %d: want one of each", len(s.Progress), len(s.Checks))
	}
	p := s.Progress[0]
	if d, ok := p.TimeToFirstPass(); !ok || d != 7*time.Minute {
		t.Errorf("time to first pass %v %v, want 7m", d, ok)
	}
	if p.Attempts != 5 || p.Failures != 3 || !p.Passed || p.Exercise != "pod" {
		t.Errorf("attempts %d failures %d passed %v exercise %q", p.Attempts, p.Failures, p.Passed, p.Exercise)
	}
	if !strings.Contains(p.LastFailure, "deleted") || !p.LastFailureAt.Equal(t0.Add(9*time.Minute)) {
		t.Errorf("last failure %q at %v", p.LastFailure, p.LastFailureAt)
	}
	// Changes: the first result and each flip, not every grading.
	var flips []string
	for _, c := range p.Changes {
		flips = append(flips, c.At.Format("15:04")+map[bool]string{true: "+", false: "-"}[c.Passed])
	}
	if got := strings.Join(flips, " "); got != "09:00- 09:07+ 09:09- 09:12+" {
		t.Errorf("changes %s", got)
	}
	if !p.ChangedAt.Equal(t0.Add(12 * time.Minute)) {
		t.Errorf("changed at %v", p.ChangedAt)
	}
}

func TestProgressStuck(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	p := &Progress{Since: t0, ChangedAt: t0}
	for _, tt := range []struct {
		at    time.Duration
		after time.Duration
		want  bool
	}{
		{5 * time.Minute, 10 * time.Minute, false},
		{11 * time.Minute, 10 * time.Minute, true},
		{11 * time.Minute, 0, false}, // no threshold: never stuck
	} {
		if got := p.Stuck(t0.Add(tt.at), tt.after); got != tt.want {
			t.Errorf("failing %v, stuck_after %v: stuck %v, want %v", tt.at, tt.after, got, tt.want)
		}
	}
	p.Passed = true
	if p.Stuck(t0.Add(time.Hour), time.Minute) {
		t.Error("a passing check is never stuck")
	}
}

// A class watched all day flips a check many times: the record keeps the
// first result and the newest, and counts what it dropped; a long failure
// in Hangul is cut on a rune boundary.
func TestProgressBounded(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	s := New("lab", "env")
	long := strings.Repeat("실패", 1000)
	for i := range 1000 {
		s.SetCheck(&CheckResult{Address: "a", Passed: i%2 == 1, Message: long, At: t0.Add(time.Duration(i) * time.Second)})
	}
	p := s.Progress[0]
	if len(p.Changes) != MaxChanges || p.Dropped != 1000-MaxChanges {
		t.Fatalf("%d changes kept, %d dropped", len(p.Changes), p.Dropped)
	}
	if !p.Changes[0].At.Equal(t0) || !p.Changes[MaxChanges-1].At.Equal(t0.Add(999*time.Second)) {
		t.Errorf("kept %v … %v, want the first and the newest", p.Changes[0].At, p.Changes[MaxChanges-1].At)
	}
	if !utf8.ValidString(p.LastFailure) || len(p.LastFailure) > maxFailureLen+len("…") {
		t.Errorf("last failure %d bytes, valid UTF-8 %v", len(p.LastFailure), utf8.ValidString(p.LastFailure))
	}
	b, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 12000 { // the latest result's own message (Checks) is most of it
		t.Errorf("state of one check graded 1000 times is %d bytes", len(b))
	}
}
