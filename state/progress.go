package state

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxChanges bounds the result changes kept per check: the first and the
// newest MaxChanges-1, so that a class watched all day (a grading on
// every object change) keeps a state of bounded size.
const MaxChanges = 16

// maxFailureLen bounds a recorded failure message.
const maxFailureLen = 600

// Progress is one seat's record of one check across gradings: when it was
// first graded, when it first passed, how often it was graded and failed,
// the last failure, and each change of its result. Destroy keeps it:
// grades outlive the cluster.
type Progress struct {
	Address  string `json:"address"`
	Seat     string `json:"seat,omitempty"`
	Exercise string `json:"exercise,omitempty"`
	Name     string `json:"name"`
	// Since is when the check was first graded: the start of the clock
	// for the time to first pass.
	Since     time.Time  `json:"since"`
	FirstPass *time.Time `json:"first_pass,omitempty"`
	// Attempts counts gradings; Failures those that failed.
	Attempts int  `json:"attempts"`
	Failures int  `json:"failures"`
	Passed   bool `json:"passed"`
	// ChangedAt is when the result became what it is now.
	ChangedAt     time.Time  `json:"changed_at"`
	LastFailure   string     `json:"last_failure,omitempty"`
	LastFailureAt *time.Time `json:"last_failure_at,omitempty"`
	// Changes are the result's changes, oldest first; Dropped counts
	// those left out to keep the record bounded.
	Changes []Change `json:"changes,omitempty"`
	Dropped int      `json:"changes_dropped,omitempty"`
}

// Change is a check's result changing (or its first result).
type Change struct {
	At     time.Time `json:"at"`
	Passed bool      `json:"passed"`
}

// TimeToFirstPass is how long after its first grading the check first
// passed; false when it never has.
func (p *Progress) TimeToFirstPass() (time.Duration, bool) {
	if p.FirstPass == nil {
		return 0, false
	}
	return p.FirstPass.Sub(p.Since), true
}

// FailingFor is how long the check has been failing at now; 0 when it
// passes.
func (p *Progress) FailingFor(now time.Time) time.Duration {
	if p.Passed {
		return 0
	}
	return max(now.Sub(p.ChangedAt), 0)
}

// Stuck tells whether the check has failed for longer than after.
func (p *Progress) Stuck(now time.Time, after time.Duration) bool {
	return after > 0 && !p.Passed && p.FailingFor(now) > after
}

// exerciseOf is the exercise of a check's instance address
// (seat["kim"].exercise.pod → pod).
func exerciseOf(instance string) string {
	if i := strings.LastIndex(instance, "exercise."); i >= 0 {
		return instance[i+len("exercise."):]
	}
	return instance
}

// recordProgress adds a check's result to its progress.
func (s *State) recordProgress(r *CheckResult) {
	exercise := exerciseOf(r.Instance)
	at := r.At.Add(r.Duration).UTC()
	p := s.progress(r.Address)
	if p == nil {
		p = &Progress{Address: r.Address, Seat: r.Seat, Exercise: exercise, Name: r.Name, Since: r.At.UTC(), Passed: r.Passed, ChangedAt: at}
		p.Changes = []Change{{At: at, Passed: r.Passed}}
		s.Progress = append(s.Progress, p)
		sort.SliceStable(s.Progress, func(i, j int) bool { return s.Progress[i].Address < s.Progress[j].Address })
	} else if p.Passed != r.Passed {
		p.Passed, p.ChangedAt = r.Passed, at
		p.Changes = append(p.Changes, Change{At: at, Passed: r.Passed})
		if n := len(p.Changes) - MaxChanges; n > 0 {
			// Keep the first result: where the student started.
			p.Changes = append(p.Changes[:1], p.Changes[1+n:]...)
			p.Dropped += n
		}
	}
	p.Attempts++
	if r.Passed {
		if p.FirstPass == nil {
			p.FirstPass = &at
		}
		return
	}
	p.Failures++
	msg := strings.TrimSpace(r.Message)
	if len(msg) > maxFailureLen {
		cut := maxFailureLen
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	p.LastFailure, p.LastFailureAt = msg, &at
}

func (s *State) progress(address string) *Progress {
	for _, p := range s.Progress {
		if p.Address == address {
			return p
		}
	}
	return nil
}
