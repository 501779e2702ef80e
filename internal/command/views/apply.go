package views

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
)

// Progress shows apply and destroy as they go. On a terminal the objects
// in flight are redrawn in place every quarter second (creating… 3.2s,
// ContainerCreating); elsewhere each change is a plain line, with a
// "still creating" line every 10 seconds, as Terraform prints them. In
// JSON mode each is an event.
type Progress struct {
	v      *View
	mu     sync.Mutex
	active map[string]*item
	drawn  int
	stop   chan struct{}
	done   chan struct{}
}

type item struct {
	addr     string
	action   plan.Action
	start    time.Time
	status   string
	lastLine time.Time
}

// NewProgress starts showing progress; call Close when done.
func (v *View) NewProgress() *Progress {
	p := &Progress{v: v, active: map[string]*item{}, stop: make(chan struct{}), done: make(chan struct{})}
	go p.loop()
	return p
}

func (p *Progress) live() bool { return p.v.Terminal && !p.v.JSON }

func (p *Progress) loop() {
	defer close(p.done)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			p.mu.Lock()
			p.clear()
			p.mu.Unlock()
			return
		case <-tick.C:
			p.mu.Lock()
			if p.live() {
				p.redraw()
			} else {
				p.still()
			}
			p.mu.Unlock()
		}
	}
}

// Close stops the live display.
func (p *Progress) Close() {
	close(p.stop)
	<-p.done
}

var ing = map[plan.Action]string{
	plan.Create: "Creating", plan.Update: "Modifying", plan.Replace: "Replacing", plan.Delete: "Destroying", plan.NoOp: "Reading",
}

var ed = map[plan.Action]string{
	plan.Create: "Creation complete", plan.Update: "Modifications complete", plan.Replace: "Replacement complete",
	plan.Delete: "Destruction complete", plan.NoOp: "Done",
}

// clear erases the live lines (caller holds mu).
func (p *Progress) clear() {
	if !p.live() || p.drawn == 0 {
		return
	}
	fmt.Fprintf(p.v.Out, "\x1b[%dA\x1b[J", p.drawn)
	p.drawn = 0
}

func (p *Progress) redraw() {
	p.clear()
	items := make([]*item, 0, len(p.active))
	for _, it := range p.active {
		items = append(items, it)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].start.Before(items[j].start) })
	const maxLines = 12
	for i, it := range items {
		if i == maxLines {
			fmt.Fprintf(p.v.Out, "  %s\n", p.v.Dim(fmt.Sprintf("… and %d more", len(items)-maxLines)))
			p.drawn++
			break
		}
		line := fmt.Sprintf("  %s %s %s %s", p.v.Cyan("⋯"), it.addr, p.v.Dim(strings.ToLower(ing[it.action])+"…"), Duration(time.Since(it.start)))
		if it.status != "" {
			line += " " + p.v.Dim(it.status)
		}
		if len(line) > p.v.Width+20 {
			line = line[:p.v.Width+20]
		}
		fmt.Fprintln(p.v.Out, line)
		p.drawn++
	}
}

// still prints Terraform's periodic "Still creating..." lines.
func (p *Progress) still() {
	if p.v.JSON {
		return
	}
	now := time.Now()
	for _, it := range p.active {
		if now.Sub(it.lastLine) >= 10*time.Second {
			it.lastLine = now
			status := ""
			if it.status != "" {
				status = " (" + it.status + ")"
			}
			fmt.Fprintf(p.v.Out, "%s: Still %s... [%s elapsed]%s\n", it.addr, strings.ToLower(ing[it.action]), Duration(now.Sub(it.start)), status)
		}
	}
}

// line prints a permanent line above the live area.
func (p *Progress) line(s string) {
	p.clear()
	fmt.Fprintln(p.v.Out, s)
	if p.live() {
		p.redraw()
	}
}

// ObjectStart shows work beginning on an object.
func (p *Progress) ObjectStart(addr string, a plan.Action) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	p.active[addr] = &item{addr: addr, action: a, start: now, lastLine: now}
	if p.v.JSON {
		p.v.Event("apply_start", map[string]any{"@message": addr + ": " + ing[a] + "...", "hook": map[string]any{"resource": addr, "action": a}})
		return
	}
	if !p.live() {
		p.line(fmt.Sprintf("%s: %s...", addr, ing[a]))
	}
}

// ObjectStatus shows an object's status changing.
func (p *Progress) ObjectStatus(addr string, a plan.Action, status string, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if it, ok := p.active[addr]; ok {
		it.status = status
	}
	p.v.Event("apply_progress", map[string]any{"@message": fmt.Sprintf("%s: %s", addr, status),
		"hook": map[string]any{"resource": addr, "action": a, "status": status, "elapsed_seconds": elapsed.Seconds()}})
}

// ObjectDone shows an object finished.
func (p *Progress) ObjectDone(addr string, a plan.Action, detail string, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.active, addr)
	if p.v.JSON {
		p.v.Event("apply_complete", map[string]any{"@message": fmt.Sprintf("%s: %s after %s", addr, ed[a], Duration(elapsed)),
			"hook": map[string]any{"resource": addr, "action": a, "elapsed_seconds": elapsed.Seconds(), "detail": detail}})
		return
	}
	if detail != "" {
		detail = " [" + detail + "]"
	}
	if p.live() {
		p.line(fmt.Sprintf("  %s %s %s%s", p.v.Green("✓"), addr, p.v.Dim(strings.ToLower(ed[a])+" after "+Duration(elapsed)), detail))
		return
	}
	p.line(fmt.Sprintf("%s: %s after %s%s", addr, ed[a], Duration(elapsed), detail))
}

// ObjectFailed shows an object's work failing (the error itself is shown
// with the diagnostics at the end).
func (p *Progress) ObjectFailed(addr string, a plan.Action, err error, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.active, addr)
	word := "failed"
	if errors.Is(err, engine.ErrInterrupted) {
		word = "interrupted"
	}
	if p.v.JSON {
		p.v.Event("apply_errored", map[string]any{"@level": "error", "@message": fmt.Sprintf("%s: %s: %s", addr, word, err),
			"hook": map[string]any{"resource": addr, "action": a, "elapsed_seconds": elapsed.Seconds()}})
		return
	}
	p.line(fmt.Sprintf("  %s %s %s", p.v.Red("✗"), addr, p.v.Dim(fmt.Sprintf("%s after %s", word, Duration(elapsed)))))
}

// Step shows a cluster step (creating the GKE cluster, a kubeadm phase).
func (p *Progress) Step(name, status string, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.v.JSON {
		p.v.Event("cluster_progress", map[string]any{"@message": fmt.Sprintf("%s: %s [%s elapsed]", name, status, Duration(elapsed)),
			"step": name, "status": status, "elapsed_seconds": elapsed.Seconds()})
		return
	}
	key := "cluster step " + name
	it, ok := p.active[key]
	if !ok {
		it = &item{addr: name, action: plan.Create, start: time.Now().Add(-elapsed), lastLine: time.Now()}
		p.active[key] = it
		if !p.live() {
			p.line(fmt.Sprintf("%s: %s", name, status))
		}
	} else if it.status != status && !p.live() {
		p.line(fmt.Sprintf("%s: %s [%s elapsed]", name, status, Duration(elapsed)))
	}
	it.status = status
	if status == providers.StepDone {
		delete(p.active, key)
	}
}

// Log shows a plain progress line.
func (p *Progress) Log(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.v.JSON {
		p.v.Event("log", map[string]any{"@message": msg})
		return
	}
	p.line(msg)
}
