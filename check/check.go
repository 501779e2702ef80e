// Package check runs a lab's checks against a live cluster: each kind
// (ready, exec, http, logs, api_resources) is retried with backoff until
// it passes or its timeout ends, independent checks run in parallel, and a
// failure says what was expected, what was seen, and the kubectl command a
// student would type to see it themselves.
package check

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/kubeapi"
)

// Result is one check's outcome.
type Result struct {
	Address  string
	Instance string
	Exercise string
	Seat     string
	Name     string
	Kind     string
	// Description is the check's own description, as the lab words it
	// (in the lab's language), shown with a failure.
	Description string
	Passed      bool
	// Expected, Seen and Try explain a failure: what the check wanted,
	// what it last saw, and a command to look for oneself.
	Expected string
	Seen     string
	Try      string
	Duration time.Duration
	Attempts int
	At       time.Time
}

// Message is a failure's explanation in a few lines.
func (r *Result) Message() string {
	if r.Passed {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "expected: %s\n", r.Expected)
	fmt.Fprintf(&b, "seen:     %s", r.Seen)
	if r.Try != "" {
		fmt.Fprintf(&b, "\ntry:      %s", r.Try)
	}
	return b.String()
}

// Runner runs checks on one cluster.
type Runner struct {
	Client     *kubeapi.Client
	ProbeImage string
	// ProbeNamespace is where node-side HTTP checks start their probe
	// pods; empty for the namespace of the first such check.
	ProbeNamespace string
	Parallelism    int
	// Labels go on the probe pods podlab starts, so that destroy finds
	// any an interrupted run left behind.
	Labels map[string]string

	probes probes
}

// outcome is one attempt's verdict. final means retrying cannot change it.
type outcome struct {
	pass     bool
	expected string
	seen     string
	try      string
	final    bool
}

// Prepare readies the runner for checks that will run one by one (One):
// where the node-side probes live is decided from all of them.
func (r *Runner) Prepare(checks []*config.Check) { r.probes.init(r, checks) }

// One runs one check of those given to Prepare, retrying it until it
// passes, cannot pass, or times out.
func (r *Runner) One(ctx context.Context, c *config.Check) *Result { return r.runOne(ctx, c) }

// Warm starts the probe pod on node ahead of the checks that will need
// it, so that its start overlaps other work; a failure is kept for the
// first check that asks for the probe.
func (r *Runner) Warm(ctx context.Context, node string) { r.probes.on(ctx, node) }

// ProbeNamespaceInUse is where the runner keeps node-side probes; "" until
// Prepare, or when no check is made from a node.
func (r *Runner) ProbeNamespaceInUse() string { return r.probes.ns }

// FromNode tells whether any of checks is made from a node's network, and
// so needs a probe pod.
func FromNode(checks []*config.Check) bool {
	for _, c := range checks {
		if c.HTTP != nil && c.HTTP.From == config.FromNode {
			return true
		}
	}
	return false
}

// Run runs checks, at most Parallelism at once, and returns their results
// in the order given.
func (r *Runner) Run(ctx context.Context, checks []*config.Check) []*Result {
	r.Prepare(checks)
	results := make([]*Result, len(checks))
	sem := make(chan struct{}, max(r.Parallelism, 1))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = r.runOne(ctx, c)
		}()
	}
	wg.Wait()
	return results
}

// runOne retries a check with backoff (200ms, doubling, at most the
// check's interval) until it passes, cannot pass, or times out.
func (r *Runner) runOne(ctx context.Context, c *config.Check) *Result {
	start := time.Now()
	res := &Result{
		Address: c.Address, Instance: c.Instance.Address, Exercise: c.Instance.Exercise.Name,
		Name: c.Name, Kind: c.Kind, Description: c.Description, At: start.UTC(),
	}
	if c.Instance.Seat != nil {
		res.Seat = c.Instance.Seat.Name
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	wait := 200 * time.Millisecond
	var last outcome
	for {
		res.Attempts++
		o, err := r.attempt(ctx, c, start)
		if ctx.Err() != nil && res.Attempts > 1 && !o.pass {
			// The deadline cut this attempt short: what the last whole
			// attempt saw says more than "no answer".
			break
		}
		if err != nil {
			o = outcome{expected: last.expected, seen: errText(err), try: last.try}
			if o.expected == "" {
				o.expected = "the check to run"
			}
		}
		last = o
		if o.pass || o.final || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		if ctx.Err() != nil {
			break
		}
		wait = min(wait*2, max(c.Interval, 200*time.Millisecond))
	}
	res.Passed = last.pass
	res.Expected, res.Seen, res.Try = last.expected, trimSeen(last.seen), last.try
	if !res.Passed && ctx.Err() != nil && !last.final {
		res.Seen += fmt.Sprintf(" (still so after %s and %d attempts)", c.Timeout, res.Attempts)
	}
	res.Duration = time.Since(start)
	return res
}

func (r *Runner) attempt(ctx context.Context, c *config.Check, start time.Time) (outcome, error) {
	switch {
	case c.Ready != nil:
		return r.ready(ctx, c)
	case c.Exec != nil:
		return r.exec(ctx, c)
	case c.HTTP != nil:
		return r.http(ctx, c)
	case c.Logs != nil:
		return r.logs(ctx, c, start)
	case c.APIResources != nil:
		return r.apiResources(ctx, c)
	}
	return outcome{final: true, expected: "a known check kind", seen: c.Kind}, nil
}

func errText(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer before the check's timeout"
	}
	return kubeapi.Explain(err).Error()
}

// trimSeen keeps what was seen readable in a table: at most 400
// characters, with the end kept (where errors are).
func trimSeen(s string) string {
	s = strings.TrimSpace(s)
	const maxLen = 400
	if len(s) <= maxLen {
		return s
	}
	return "…" + s[len(s)-maxLen:]
}

func quote(s string) string {
	return fmt.Sprintf("%q", s)
}

func snippet(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return `""`
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return quote(s)
}
