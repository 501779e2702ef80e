package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/podlab/podlab/plan"
)

// defaultCreateTimeout bounds the wait for an object to be ready when
// nothing else does (an Engine made without a lab block's settings).
const defaultCreateTimeout = 5 * time.Minute

// diagnoseTimeout bounds the extra reads (events, logs) that explain a
// failure: the failure is reported even when they cannot be made.
const diagnoseTimeout = 10 * time.Second

// warningPoll is how often a pod that runs but is not Ready has its
// events read, so the progress line says why ("Readiness probe failed:
// ..."): the pod itself does not change while its probe keeps failing,
// so the pod watch alone would never show it.
const warningPoll = 3 * time.Second

// createTimeout is how long apply waits for the change's object to be
// ready: -create-timeout, else its exercise's create_timeout (which
// defaults to the lab's), else the lab's.
func (r *run) createTimeout(ch *plan.Change) time.Duration {
	if r.opts.CreateTimeout > 0 {
		return r.opts.CreateTimeout
	}
	if in := r.e.Env.Instance(ch.Instance); in != nil && in.CreateTimeout > 0 {
		return in.CreateTimeout
	}
	if r.e.Env.Lab.CreateTimeout > 0 {
		return r.e.Env.Lab.CreateTimeout
	}
	return defaultCreateTimeout
}

// notReady explains why an object did not become ready: for a pod, the
// failing condition and its newest warning event when the wait ran out,
// and the crashed container's exit code and last log lines when it
// failed.
func (r *run) notReady(last *unstructured.Unstructured, timeout time.Duration, timedOut bool, err error) error {
	isPod := last != nil && last.GetAPIVersion() == "v1" && last.GetKind() == "Pod"
	ctx, cancel := context.WithTimeout(r.opts.Kill, diagnoseTimeout)
	defer cancel()
	switch {
	case timedOut && isPod:
		why := r.kc.NotReadyReason(ctx, last)
		if why == "" {
			why = err.Error()
		}
		if crash := r.kc.CrashReport(ctx, last); crash != "" {
			why += "\n" + crash
		}
		return fmt.Errorf("not ready after %s: %s. (create_timeout bounds this wait: set it in the lab or exercise block, or apply -create-timeout)", timeout, why)
	case timedOut:
		return fmt.Errorf("not ready after %s: %w. (create_timeout bounds this wait: set it in the lab or exercise block, or apply -create-timeout)", timeout, err)
	case isPod:
		if crash := r.kc.CrashReport(ctx, last); crash != "" {
			return fmt.Errorf("not ready: %w\n%s", err, crash)
		}
	}
	return fmt.Errorf("not ready: %w", err)
}

// watchWarnings wraps report for a pod: while the pod runs but is not
// Ready, its newest warning event replaces the condition's generic
// message in the status shown ("ContainersNotReady: Readiness probe
// failed: HTTP probe failed with statuscode: 404"). It stops with ctx.
func (r *run) watchWarnings(ctx context.Context, pod *unstructured.Unstructured, report func(string)) func(string) {
	var mu sync.Mutex
	last, shown := "", ""
	wrapped := func(status string) {
		mu.Lock()
		last = status
		mu.Unlock()
		report(status)
	}
	go func() {
		t := time.NewTicker(warningPoll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			mu.Lock()
			status := last
			mu.Unlock()
			reason, _, ok := strings.Cut(status, ": ")
			if !ok || reason != "ContainersNotReady" {
				continue
			}
			w, err := r.kc.LastPodWarning(ctx, pod)
			if err != nil || w == nil {
				continue
			}
			s := reason + ": " + w.String()
			mu.Lock()
			changed := last == status && s != shown
			if changed {
				shown = s
			}
			mu.Unlock()
			if changed && ctx.Err() == nil {
				report(s)
			}
		}
	}()
	return wrapped
}
