package e2e

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Two applies at once: one waits for the lock or fails naming its holder;
// the state's serial never goes backwards.
func TestConcurrentAppliesAndSerial(t *testing.T) {
	l := manyExercises(t, "locks", 3)
	l.must(0, "plan") // creates .podlab

	stop := make(chan struct{})
	var mu sync.Mutex
	var serials []uint64
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			b, err := os.ReadFile(l.statePath())
			if err != nil {
				continue
			}
			var s struct{ Serial uint64 }
			if json.Unmarshal(b, &s) == nil {
				mu.Lock()
				serials = append(serials, s.Serial)
				mu.Unlock()
			}
		}
	}()

	first := l.start("apply", "-auto-approve", "-checks=false")
	if !first.waitFor(t, "Creating...", time.Minute) {
		t.Fatalf("first apply did not start:\n%s", first.output())
	}
	second := l.run("apply", "-auto-approve", "-checks=false", "-lock-timeout", "0s")
	if second.code != 1 {
		t.Fatalf("second apply should fail on the lock, exit %d:\n%s", second.code, second.all())
	}
	holder := regexp.MustCompile(`locked by "apply" \(pid \d+, [^)]+\) since [0-9-]+ [0-9:]+, lock ID [0-9a-f-]+`)
	if !holder.MatchString(second.stderr) {
		t.Errorf("the lock error should name the holder:\n%s", second.stderr)
	}
	waiting := l.start("apply", "-auto-approve", "-checks=false", "-lock-timeout", "3m")
	if code := first.wait(t, 3*time.Minute); code != 0 {
		t.Fatalf("first apply exit %d:\n%s", code, first.output())
	}
	if code := waiting.wait(t, 3*time.Minute); code != 0 {
		t.Fatalf("waiting apply exit %d:\n%s", code, waiting.output())
	}
	if !strings.Contains(waiting.output(), "No changes.") {
		t.Errorf("the apply that waited should find nothing left to do:\n%s", waiting.output())
	}
	close(stop)
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(serials); i++ {
		if serials[i] < serials[i-1] {
			t.Fatalf("serial went backwards: %v", serials)
		}
	}
	if len(serials) == 0 {
		t.Fatal("never read the state while the applies ran")
	}
}

func TestCorruptStateIsRefusedWithTheBackupNamed(t *testing.T) {
	l := manyExercises(t, "corrupt", 1)
	l.must(0, "apply", "-auto-approve", "-checks=false")
	good, err := os.ReadFile(l.statePath())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, content, want string
	}{
		{"truncated", string(good[:len(good)/2]), "state is corrupt"},
		{"not json", "hello", "state is corrupt"},
		{"newer format", strings.Replace(string(good), `"format_version": 1`, `"format_version": 99`, 1), "written by a newer podlab"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(l.statePath(), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			res := l.must(1, "plan")
			if !strings.Contains(res.stderr, tc.want) {
				t.Errorf("plan error lacks %q:\n%s", tc.want, res.stderr)
			}
			if tc.want == "state is corrupt" && !strings.Contains(res.stderr, l.statePath()+".backup") {
				t.Errorf("the error should point at the backup:\n%s", res.stderr)
			}
		})
	}
	if err := os.WriteFile(l.statePath(), good, 0o600); err != nil {
		t.Fatal(err)
	}
	l.must(0, "destroy", "-auto-approve")
}

func TestSavedPlanIsRefusedWhenStale(t *testing.T) {
	l := manyExercises(t, "saved", 1)
	plan := l.dir + "/tf.plan"
	l.must(0, "plan", "-out", plan)
	l.must(0, "apply", plan)
	if len(l.state().Objects) != 2 {
		t.Fatalf("applying the saved plan recorded %d objects", len(l.state().Objects))
	}
	// The state moved on since this plan.
	l.must(0, "plan", "-destroy", "-out", plan)
	l.must(0, "state", "rm", "exercise.ex00.Pod.web")
	res := l.must(1, "apply", plan)
	if !strings.Contains(res.stderr, "the state changed since the plan was made") {
		t.Errorf("stale state:\n%s", res.stderr)
	}
	// The files changed since this plan.
	l.must(0, "plan", "-out", plan)
	l.write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    changed: \"yes\"\nspec:\n  containers:\n  - name: nginx\n    image: nginx:latest\n")
	res = l.must(1, "apply", plan)
	if !strings.Contains(res.stderr, "the lab's files changed since the plan was made") {
		t.Errorf("changed files:\n%s", res.stderr)
	}
	// Other variable values than the plan's.
	l.must(0, "plan", "-out", plan)
	res = l.must(1, "apply", "-var", "note=changed", plan)
	if !strings.Contains(res.stderr, "Variables differ from the saved plan") {
		t.Errorf("changed variables:\n%s", res.all())
	}
	l.must(0, "destroy", "-auto-approve")
}
