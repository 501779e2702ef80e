package kubeadm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// A phase is one named step of building or tearing down the cluster, run
// on some of its hosts. Each is idempotent: run again on a host where it
// already did its work, it changes nothing. The name is what progress
// shows and what state records as "HOST/NAME" once the phase finished on
// HOST, so that the next apply skips it and resumes at the phase that
// failed.
type phase interface {
	name() string
	hosts(c *cluster) []*host
	run(ctx context.Context, c *cluster, h *host) error
}

// factsDecide is a phase whose work is visible on the host itself (kubeadm
// init, join): the facts, not the record, say whether it is done, so a
// cluster reset behind podlab's back is built again and one built behind
// its back is adopted. why says what showed it done.
type factsDecide interface {
	done(c *cluster, h *host) (ok bool, why string)
}

// everyTime is a phase that runs on every apply and is never recorded
// (connect, facts, fetching the kubeconfig).
type everyTime interface{ everyTime() }

// oneAtATime is a phase run on one host after another rather than on all
// at once (joining control-plane hosts: etcd grows one member at a time).
type oneAtATime interface{ oneAtATime() }

// PhaseError is a phase failing on a host. Its message names both, then
// says what failed: for a command, the command and its last lines of
// output.
type PhaseError struct {
	Host  string
	Phase string
	Err   error
}

func (e *PhaseError) Error() string {
	return fmt.Sprintf("host %s, phase %s: %v", e.Host, e.Phase, e.Err)
}

func (e *PhaseError) Unwrap() error { return e.Err }

// cluster is one run of phases: the hosts, the settings, what state
// records, and where to report.
type cluster struct {
	spec     *spec
	hosts    []*host
	rec      providers.Recorder
	progress providers.Progress

	mu      sync.Mutex
	records map[string]bool // "HOST/PHASE"
	attrs   map[string]string
	created bool // podlab ran (or began) kubeadm init: destroy may reset
	probe   probeFunc

	// Filled in by phases for later ones.
	initRan bool // kubeadm init ran in this apply: a new cluster
	joinMu  sync.Mutex
	join    *joinCommand // fetched once, never stored
	conn    *providers.Connection
}

func newCluster(s *spec, prior *state.Cluster, rec providers.Recorder, p providers.Progress) *cluster {
	if rec == nil {
		rec = func(func(*state.Cluster)) error { return nil }
	}
	if p == nil {
		p = providers.NoProgress{}
	}
	c := &cluster{spec: s, hosts: s.hosts(), rec: rec, progress: p, records: map[string]bool{}, attrs: map[string]string{}}
	if prior != nil {
		for _, r := range prior.Phases {
			c.records[r] = true
		}
		for k, v := range prior.Attributes {
			c.attrs[k] = v
		}
		c.created = prior.Created
	}
	return c
}

func recordKey(h *host, phase string) string { return h.addr + "/" + phase }

func (c *cluster) recorded(h *host, phase string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.records[recordKey(h, phase)]
}

// record notes in state that phase finished on h.
func (c *cluster) record(h *host, phase string) error {
	key := recordKey(h, phase)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.records[key] {
		return nil
	}
	if err := c.rec(func(sc *state.Cluster) {
		if !slices.Contains(sc.Phases, key) {
			sc.Phases = append(sc.Phases, key)
		}
	}); err != nil {
		return err
	}
	c.records[key] = true
	return nil
}

// forget drops the records of the given phases on every host (or, with
// phases empty, every record of the given host).
func (c *cluster) forget(h *host, phases ...string) error {
	match := func(r string) bool {
		addr, ph, _ := strings.Cut(r, "/")
		if h != nil && addr != h.addr {
			return false
		}
		return len(phases) == 0 || slices.Contains(phases, ph)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.rec(func(sc *state.Cluster) {
		sc.Phases = slices.DeleteFunc(sc.Phases, match)
	}); err != nil {
		return err
	}
	for r := range c.records {
		if match(r) {
			delete(c.records, r)
		}
	}
	return nil
}

// update changes the cluster's record in state.
func (c *cluster) update(fn func(sc *state.Cluster)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rec(fn)
}

func (c *cluster) logf(format string, args ...any) {
	c.progress.Log(fmt.Sprintf(format, args...))
}

// initHost is where kubeadm init runs (or ran): the first control-plane
// host that is initialised already, else the first listed.
func (c *cluster) initHost() *host {
	for _, h := range c.hosts {
		if h.role == controlPlane && h.facts != nil && h.facts.initialised() {
			return h
		}
	}
	return c.hosts[0]
}

func (c *cluster) byRole(r role) []*host {
	var out []*host
	for _, h := range c.hosts {
		if h.role == r {
			out = append(out, h)
		}
	}
	return out
}

func (c *cluster) close() {
	for _, h := range c.hosts {
		h.close()
	}
}

// runPhases runs the phases in order, each on its hosts, stopping after
// the first phase that fails on any host. The hosts where that phase
// succeeded are recorded, so the next run resumes with the others.
func (c *cluster) runPhases(ctx context.Context, phases []phase) error {
	for _, p := range phases {
		if err := c.runPhase(ctx, p); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (c *cluster) runPhase(ctx context.Context, p phase) error {
	name := p.name()
	_, always := p.(everyTime)
	fd, decide := p.(factsDecide)
	var todo []*host
	var skipped []string
	for _, h := range p.hosts(c) {
		switch {
		case always:
			todo = append(todo, h)
		case decide:
			if ok, why := fd.done(c, h); ok {
				if !c.recorded(h, name) {
					c.logf("%s on %s: %s", name, h, why)
				} else {
					skipped = append(skipped, h.String())
				}
				if err := c.record(h, name); err != nil {
					return err
				}
				continue
			}
			todo = append(todo, h)
		case c.recorded(h, name):
			skipped = append(skipped, h.String())
		default:
			todo = append(todo, h)
		}
	}
	if len(skipped) > 0 {
		c.logf("%s: already done on %s", name, strings.Join(skipped, ", "))
	}
	errs := make([]error, len(todo))
	one := func(i int, h *host) {
		step := fmt.Sprintf("%s on %s", name, h.addr)
		start := time.Now()
		c.progress.Step(step, "running", 0)
		if h.client != nil {
			h.client.Note("--- phase " + name + " ---")
		}
		err := p.run(ctx, c, h)
		if err == nil && !always {
			err = c.record(h, name)
		}
		if err != nil {
			c.progress.Step(step, "failed", time.Since(start))
			errs[i] = &PhaseError{Host: h.String(), Phase: name, Err: err}
			return
		}
		c.progress.Step(step, providers.StepDone, time.Since(start))
	}
	if _, seq := p.(oneAtATime); seq || len(todo) == 1 {
		for i, h := range todo {
			if one(i, h); errs[i] != nil {
				break
			}
		}
	} else {
		var wg sync.WaitGroup
		for i, h := range todo {
			wg.Add(1)
			go func() {
				defer wg.Done()
				one(i, h)
			}()
		}
		wg.Wait()
	}
	return errors.Join(errs...)
}
