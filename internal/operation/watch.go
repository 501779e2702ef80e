package operation

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// WatchView shows a watching check: the rounds of grading as they
// happen. The terminal's matrix redrawn in place and the board's event
// stream are two of them.
type WatchView interface {
	View
	// WatchStarted says what is watched and how.
	WatchStarted(env string, seats, checks int, interval time.Duration)
	// WatchRound shows a round: every check's latest result, the
	// progress record, and the results that changed in this round.
	WatchRound(env string, latest []*check.Result, progress []*state.Progress, changed []*check.Result, stuckAfter time.Duration, now time.Time)
	// WatchStopped says the watch ended (the results are saved).
	WatchStopped(env string)
}

// WatchOptions tune a watching check.
type WatchOptions struct {
	// Interval is the slow periodic pass: every Interval, the failing
	// checks are graded again, for what no watch sees (a page served, a
	// log line written). Default one minute.
	Interval time.Duration
	// Debounce gathers a burst of changes (kubectl apply's create, then
	// the kubelet's status updates) into one round. Default 200ms.
	Debounce time.Duration
	// SyncTimeout bounds the wait for the watches' first lists.
	SyncTimeout time.Duration
	// Drain bounds the wait for checks in flight after ctx ends.
	Drain time.Duration
}

// Watch is check -watch: grade every check once, then again whenever the
// pods of a seat's namespace change (a watch per namespace), and the
// failing ones every Interval; record each result in state and show each
// round through v, until ctx ends. It returns Interrupted then, with the
// latest results, all recorded.
func Watch(ctx context.Context, req *Request, opts WatchOptions, v WatchView) *Result {
	if req.Getenv == nil {
		req.Getenv = func(string) string { return "" }
	}
	opts.Interval = cmpOr(opts.Interval, time.Minute)
	opts.Debounce = cmpOr(opts.Debounce, 200*time.Millisecond)
	opts.SyncTimeout = cmpOr(opts.SyncTimeout, 30*time.Second)
	opts.Drain = cmpOr(opts.Drain, 5*time.Second)
	o := &op{req: req, v: v, ctx: ctx, lab: req.Lab}
	env := o.lab.Env
	prior := req.State.State()
	if len(prior.Objects) == 0 {
		return o.failed("nothing is applied in environment %q: run podlab apply first", env.Name)
	}
	byInstance := map[string][]*config.Check{}
	var instances []string
	nsOf := map[string][]string{} // namespace → instances
	seats := map[string]bool{}
	total := 0
	for _, in := range env.Instances {
		if req.Seat != "" && (in.Seat == nil || in.Seat.Name != req.Seat) {
			continue
		}
		if len(in.Checks) == 0 {
			continue
		}
		byInstance[in.Address] = in.Checks
		instances = append(instances, in.Address)
		nsOf[in.Namespace] = append(nsOf[in.Namespace], in.Address)
		if in.Seat != nil {
			seats[in.Seat.Name] = true
		}
		total += len(in.Checks)
	}
	if req.Seat != "" && len(seats) == 0 {
		return o.failed("the lab has no seat %q with checks", req.Seat)
	}
	if total == 0 {
		return o.failed("the lab has no checks to watch")
	}
	if _, err := o.provider(prior.ExpiresAt); err != nil {
		return o.failed("%s", err)
	}
	kc, err := o.connect(prior)
	if errors.Is(err, providers.ErrNotCreated) {
		return o.failed("the cluster of environment %q does not exist: run podlab apply first", env.Name)
	}
	if err != nil {
		return o.failed("%s", err)
	}
	namespaces := make([]string, 0, len(nsOf))
	for ns := range nsOf {
		namespaces = append(namespaces, ns)
	}
	sort.Strings(namespaces)

	w := &watcher{
		o: o, kc: kc, checks: byInstance, latest: map[string]*check.Result{},
		dirty: map[string]lane{}, running: map[string]*grading{}, restarts: map[string]int{}, kick: make(chan struct{}, 1),
		done: make(chan []*check.Result, len(instances)),
		sem:  make(chan struct{}, max(req.Parallelism, 1)),
		slow: make(chan struct{}, max(req.Parallelism/4, 1)),
	}
	for _, addr := range instances {
		for _, c := range byInstance[addr] {
			w.order = append(w.order, c.Address)
		}
	}
	syncCtx, cancel := context.WithTimeout(ctx, opts.SyncTimeout)
	nw, err := kc.WatchNamespaces(syncCtx, namespaces, func(ns string) { w.mark(laneChange, nsOf[ns]...) })
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			o.v.Interrupted("Nothing was graded.")
			return &Result{Status: Interrupted}
		}
		return o.failed("%s", err)
	}
	defer nw.Stop()
	// From here an interrupt ends the watch after recording what is in
	// flight (a first Ctrl-C), not at once.
	if !req.StartSaving() {
		o.v.Interrupted("Nothing was graded.")
		return &Result{Status: Interrupted}
	}
	v.WatchStarted(env.Name, len(seats), total, opts.Interval)
	w.mark(laneChange, instances...)

	tick := time.NewTicker(opts.Interval)
	defer tick.Stop()
	debounce := time.NewTimer(opts.Debounce)
	defer debounce.Stop()
	pending := true // the timer runs: the first grading
	for {
		select {
		case <-ctx.Done():
			w.drain(opts.Drain)
			v.WatchStopped(env.Name)
			return &Result{Status: Interrupted, Checks: w.results()}
		case <-w.kick:
			// A change: gather what else comes within Debounce (a
			// burst: the create, then the kubelet's updates), never
			// longer, however many seats keep changing.
			if !pending {
				debounce.Reset(opts.Debounce)
				pending = true
			}
		case <-debounce.C:
			pending = false
			w.start(ctx)
		case <-tick.C:
			w.markFailing()
		case rs := <-w.done:
			if rs != nil {
				w.record(rs)
			}
			w.start(ctx)
		}
	}
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// watcher is a watching check's bookkeeping: which instances need
// grading, which are being graded, and every check's latest result.
// An instance is graded by one goroutine at a time. A change in its
// namespace while it is being graded starts its grading over (at most
// maxRestarts times in a row), so the grading that counts is the one
// that saw the change: a pod turning Ready shows at once, not after the
// checks of its earlier state have waited out their timeouts. Gradings
// for a change go first; the periodic pass over failing checks has a
// lane of its own, so a class of stuck seats never delays the seat that
// just did its work.
type watcher struct {
	o      *op
	kc     *kubeapi.Client
	checks map[string][]*config.Check
	order  []string

	mu       sync.Mutex
	dirty    map[string]lane
	running  map[string]*grading
	restarts map[string]int
	kick     chan struct{}
	wg       sync.WaitGroup
	// done hears every grading that ends: its results, or nil when it
	// was started over.
	done   chan []*check.Result
	latest map[string]*check.Result
	// sem and slow bound the instances graded at once for changes
	// (-parallelism) and for the periodic pass (a quarter of it).
	sem, slow chan struct{}
}

// lane is why an instance is to be graded; a change outranks the
// periodic pass.
type lane int

const (
	lanePeriodic lane = iota + 1
	laneChange
)

type grading struct {
	cancel context.CancelFunc
	lane   lane
}

const maxRestarts = 5

func (w *watcher) mark(l lane, instances ...string) {
	w.mu.Lock()
	for _, in := range instances {
		if g := w.running[in]; g != nil && l == laneChange && w.restarts[in] < maxRestarts {
			// What it is grading is out of date: start over.
			w.restarts[in]++
			g.cancel()
		}
		w.dirty[in] = max(w.dirty[in], l)
	}
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// markFailing marks the instances with a failing check: the periodic
// pass, for what no watch sees. Passing checks stay passing until their
// namespace changes, so a class at rest costs no gradings.
func (w *watcher) markFailing() {
	var failing []string
	for addr, cs := range w.checks {
		for _, c := range cs {
			if r := w.latest[c.Address]; r != nil && !r.Passed {
				failing = append(failing, addr)
				break
			}
		}
	}
	w.mark(lanePeriodic, failing...)
}

// start grades every dirty instance not already being graded.
func (w *watcher) start(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for addr, l := range w.dirty {
		if w.running[addr] != nil {
			continue
		}
		delete(w.dirty, addr)
		gctx, cancel := context.WithCancel(ctx)
		w.running[addr] = &grading{cancel: cancel, lane: l}
		checks := w.checks[addr]
		sem := w.sem
		if l == lanePeriodic {
			sem = w.slow
		}
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			defer cancel()
			var rs []*check.Result
			select {
			case sem <- struct{}{}:
				// A runner per grading: runners keep per-run bookkeeping.
				rs = w.o.newRunner(w.kc).Run(gctx, checks)
				<-sem
			case <-gctx.Done():
			}
			w.mu.Lock()
			delete(w.running, addr)
			if gctx.Err() != nil {
				// Cut short, by the interrupt or by a change: not a
				// grade. A change has marked it dirty again.
				rs = nil
			} else {
				delete(w.restarts, addr)
			}
			w.mu.Unlock()
			if ctx.Err() != nil {
				return
			}
			w.done <- rs
		}()
	}
}

// record saves a grading in state and shows the round.
func (w *watcher) record(rs []*check.Result) {
	var changed []*check.Result
	for _, r := range rs {
		if prev := w.latest[r.Address]; prev == nil || prev.Passed != r.Passed {
			changed = append(changed, r)
		}
		w.latest[r.Address] = r
	}
	o := w.o
	o.recordChecks(rs)
	v := o.v.(WatchView)
	v.WatchRound(o.lab.Env.Name, w.results(), o.req.State.State().Progress, changed, o.lab.Env.Lab.StuckAfter, time.Now())
}

// results are the latest results in the lab's order.
func (w *watcher) results() []*check.Result {
	out := make([]*check.Result, 0, len(w.latest))
	for _, addr := range w.order {
		if r := w.latest[addr]; r != nil {
			out = append(out, r)
		}
	}
	return out
}

// drain waits, at most d, for the gradings in flight (their context is
// done, so they end at their next request).
func (w *watcher) drain(d time.Duration) {
	finished := make(chan struct{})
	go func() {
		w.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(d):
	}
}
