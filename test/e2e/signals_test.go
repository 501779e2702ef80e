package e2e

import (
	"math/rand/v2"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The first Ctrl-C lets in-flight calls finish, saves state and exits 130;
// the next apply carries on from there.
func TestInterruptedApplyResumes(t *testing.T) {
	l := manyExercises(t, "sigint", 6)
	s := l.start("apply", "-auto-approve", "-checks=false", "-parallelism", "2")
	if !s.waitFor(t, "Creation complete", 2*time.Minute) {
		t.Fatalf("apply made no progress:\n%s", s.output())
	}
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := s.wait(t, 2*time.Minute); code != 130 {
		t.Fatalf("interrupted apply exited %d, want 130:\n%s", code, s.output())
	}
	if !strings.Contains(s.output(), "Interrupted.") {
		t.Errorf("no word of the interrupt:\n%s", s.output())
	}
	st := l.state()
	if st == nil || len(st.Objects) == 0 || len(st.Objects) >= 12 {
		t.Fatalf("after the interrupt the state should record some but not all objects, has %v", st)
	}
	res := l.must(0, "apply", "-auto-approve", "-checks=false")
	if !strings.Contains(res.stdout, "Apply complete!") {
		t.Fatalf("resumed apply:\n%s", res.all())
	}
	if got := len(l.state().Objects); got != 12 {
		t.Errorf("state records %d objects after resuming, want 12", got)
	}
	l.must(0, "destroy", "-auto-approve")
	if n := l.labelled(); n != 0 {
		t.Errorf("%d labelled objects after destroy", n)
	}
}

// SIGKILL at random moments of apply and destroy: after each, the state
// decodes, apply converges without duplicating anything (objects created
// but not recorded are found by label and adopted), and destroy leaves
// nothing labelled.
func TestKilledAtRandomMoments(t *testing.T) {
	if testing.Short() {
		t.Skip("20 kill trials take minutes")
	}
	l := manyExercises(t, "sigkill", 2)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	const trials = 20
	for i := 0; i < trials; i++ {
		delay := time.Duration(rng.IntN(2500)) * time.Millisecond
		s := l.start("apply", "-auto-approve", "-checks=false")
		time.Sleep(delay)
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		s.wait(t, time.Minute)
		st := l.state() // fails the test if it does not decode
		recorded := 0
		if st != nil {
			recorded = len(st.Objects)
		}
		res := l.must(0, "apply", "-auto-approve", "-checks=false")
		if got := len(l.state().Objects); got != 4 {
			t.Fatalf("trial %d (kill after %s, %d recorded): state has %d objects after converging, want 4:\n%s", i, delay, recorded, got, res.all())
		}
		if n := l.labelled(); n != 4 {
			t.Fatalf("trial %d: %d labelled objects after converging, want 4 (duplicates or losses)", i, n)
		}
		if i%2 == 1 {
			// Kill a destroy too, then let one finish.
			d := l.start("destroy", "-auto-approve")
			time.Sleep(time.Duration(rng.IntN(1500)) * time.Millisecond)
			_ = d.cmd.Process.Signal(syscall.SIGKILL)
			d.wait(t, time.Minute)
			l.state()
		}
		l.must(0, "destroy", "-auto-approve")
		if n := l.labelled(); n != 0 {
			t.Fatalf("trial %d: %d labelled objects after destroy", i, n)
		}
		t.Logf("trial %d: killed after %s with %d objects recorded; converged and destroyed", i, delay, recorded)
	}
}
