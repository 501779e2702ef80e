// Package board serves podlab's live class board: a self-contained page
// (HTML, CSS and script embedded in the binary, nothing fetched from
// elsewhere) showing the seats × checks grid, updated by server-sent
// events as a watching check grades. It is a view of operation.Watch:
// the command runs the watch and hands each round to Publish.
package board

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/state"
)

//go:embed board.html
var page []byte

// Server is the board's HTTP side.
type Server struct {
	Lab, Env string
	Tokens   *Tokens
	// NeedToken is set when the board listens beyond loopback: the whole
	// class then needs the instructor's token.
	NeedToken bool
	// Heartbeat re-sends the board so that time-based state (a seat
	// turning stuck) shows without a grading; default 5s.
	Heartbeat time.Duration
	Now       func() time.Time

	mu         sync.Mutex
	latest     []*check.Result
	progress   []*state.Progress
	stuckAfter time.Duration
	updated    time.Time
	clients    map[*client]struct{}
}

type client struct {
	access Access
	ch     chan []byte
}

// Publish takes a round of grading and sends the board to every page.
func (s *Server) Publish(latest []*check.Result, progress []*state.Progress, stuckAfter time.Duration) {
	s.mu.Lock()
	s.latest, s.progress, s.stuckAfter, s.updated = latest, progress, stuckAfter, s.now()
	s.mu.Unlock()
	s.broadcast()
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// broadcast sends each page its view of the board. A page too slow to
// take it misses this one (the next carries everything): one slow
// browser never holds up the rest or grows the board's memory.
func (s *Server) broadcast() {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := s.snapshotLocked()
	cache := map[string][]byte{}
	for c := range s.clients {
		key := "\x00all"
		if !c.access.All {
			key = c.access.Seat
		}
		b, ok := cache[key]
		if !ok {
			b, _ = json.Marshal(snap.For(c.access))
			cache[key] = b
		}
		select {
		case c.ch <- b:
		default:
		}
	}
}

// Serve serves the board on l until ctx ends.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	if s.clients == nil {
		s.clients = map[*client]struct{}{}
	}
	hb := s.Heartbeat
	if hb <= 0 {
		hb = 5 * time.Second
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	go func() {
		t := time.NewTicker(hb)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				_ = srv.Shutdown(sctx)
				return
			case <-t.C:
				s.broadcast()
			}
		}
	}()
	err := srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Handler is the board's routes: / (the class), /seat/NAME (one seat's
// row), /events (the stream) and /snapshot (the board as JSON).
func (s *Server) Handler() http.Handler {
	if s.clients == nil {
		s.clients = map[*client]struct{}{}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { s.page(w, r, "") })
	mux.HandleFunc("GET /seat/{seat}", func(w http.ResponseWriter, r *http.Request) { s.page(w, r, r.PathValue("seat")) })
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /snapshot", s.snapshot)
	return mux
}

// authorize checks the request's token for seat ("" for the class) and
// answers 401 when it does not open it.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, seat string) (Access, bool) {
	a, err := s.Tokens.Check(r.URL.Query().Get("token"), seat, s.NeedToken, s.now())
	if err != nil {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return Access{}, false
	}
	return a, true
}

func (s *Server) page(w http.ResponseWriter, r *http.Request, seat string) {
	if _, ok := s.authorize(w, r, seat); !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// Nothing from elsewhere, ever: the page is whole as served.
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:")
	h.Set("Referrer-Policy", "no-referrer")
	w.Write(page)
}

func (s *Server) snapshot(w http.ResponseWriter, r *http.Request) {
	a, ok := s.authorize(w, r, r.URL.Query().Get("seat"))
	if !ok {
		return
	}
	s.mu.Lock()
	snap := s.snapshotLocked()
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(snap.For(a))
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	a, ok := s.authorize(w, r, r.URL.Query().Get("seat"))
	if !ok {
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	c := &client{access: a, ch: make(chan []byte, 2)}
	s.mu.Lock()
	s.clients[c] = struct{}{}
	first, _ := json.Marshal(s.snapshotLocked().For(a))
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
	}()
	send := func(b []byte) bool {
		_, err := fmt.Fprintf(w, "event: board\ndata: %s\n\n", b)
		fl.Flush()
		return err == nil
	}
	if !send(first) {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case b := <-c.ch:
			if !send(b) {
				return
			}
		}
	}
}

// Snapshot is the board as a page draws it.
type Snapshot struct {
	Lab        string   `json:"lab"`
	Env        string   `json:"environment"`
	Updated    string   `json:"updated"`
	StuckAfter string   `json:"stuck_after"`
	Checks     []Column `json:"checks"`
	Seats      []Row    `json:"seats"`
	// Summary is the class's: seats done, passed per check. Not sent to
	// a seat's page.
	Summary *Summary `json:"summary,omitempty"`
	// Seat is set on a seat's page.
	Seat string `json:"seat,omitempty"`
}

// Column is one check of the lab, across seats.
type Column struct {
	Exercise string `json:"exercise"`
	Name     string `json:"name"`
	Passed   int    `json:"passed"`
}

// Row is one seat.
type Row struct {
	Seat   string `json:"seat"`
	Passed int    `json:"passed"`
	Total  int    `json:"total"`
	Stuck  bool   `json:"stuck"`
	Cells  []Cell `json:"cells"`
}

// Cell is one seat's check.
type Cell struct {
	State string `json:"state"` // pass, fail or none
	// FirstPass is the time to first pass ("4m12s"); FailingFor how long
	// it has failed.
	FirstPass  string `json:"first_pass,omitempty"`
	FailingFor string `json:"failing_for,omitempty"`
	Stuck      bool   `json:"stuck,omitempty"`
	Expected   string `json:"expected,omitempty"`
	Seen       string `json:"seen,omitempty"`
	Try        string `json:"try,omitempty"`
	Attempts   int    `json:"attempts,omitempty"`
}

// Summary is the class's progress.
type Summary struct {
	Seats int `json:"seats"`
	Done  int `json:"done"`
	Stuck int `json:"stuck"`
}

// For is what access may see: a seat's page gets its own row only.
func (snap *Snapshot) For(a Access) *Snapshot {
	if a.All && a.Seat == "" {
		return snap
	}
	out := *snap
	out.Summary, out.Seat, out.Seats = nil, a.Seat, nil
	for _, r := range snap.Seats {
		if r.Seat == a.Seat {
			out.Seats = []Row{r}
		}
	}
	cols := make([]Column, len(snap.Checks))
	for i, c := range snap.Checks {
		cols[i] = Column{Exercise: c.Exercise, Name: c.Name}
	}
	out.Checks = cols
	return &out
}

func (s *Server) snapshotLocked() *Snapshot {
	now := s.now()
	snap := &Snapshot{Lab: s.Lab, Env: s.Env, StuckAfter: short(s.stuckAfter)}
	if !s.updated.IsZero() {
		snap.Updated = s.updated.Local().Format("15:04:05")
	}
	prog := map[string]*state.Progress{}
	for _, p := range s.progress {
		prog[p.Address] = p
	}
	colIndex := map[string]int{}
	rowIndex := map[string]int{}
	for _, r := range s.latest {
		key := r.Exercise + "\x00" + r.Name
		ci, ok := colIndex[key]
		if !ok {
			ci = len(snap.Checks)
			colIndex[key] = ci
			snap.Checks = append(snap.Checks, Column{Exercise: r.Exercise, Name: r.Name})
		}
		ri, ok := rowIndex[r.Seat]
		if !ok {
			ri = len(snap.Seats)
			rowIndex[r.Seat] = ri
			snap.Seats = append(snap.Seats, Row{Seat: r.Seat})
		}
		row := &snap.Seats[ri]
		for len(row.Cells) <= ci {
			row.Cells = append(row.Cells, Cell{State: "none"})
		}
		cell := Cell{State: "fail", Attempts: r.Attempts}
		p := prog[r.Address]
		if r.Passed {
			cell.State = "pass"
			snap.Checks[ci].Passed++
			row.Passed++
		} else {
			cell.Expected, cell.Seen, cell.Try = r.Expected, r.Seen, r.Try
		}
		if p != nil {
			if d, ok := p.TimeToFirstPass(); ok {
				cell.FirstPass = short(d)
			}
			if !p.Passed {
				cell.FailingFor = short(p.FailingFor(now))
			}
			cell.Stuck = p.Stuck(now, s.stuckAfter)
			cell.Attempts = p.Attempts
		}
		row.Stuck = row.Stuck || cell.Stuck
		row.Cells[ci] = cell
	}
	sum := &Summary{Seats: len(snap.Seats)}
	for i := range snap.Seats {
		row := &snap.Seats[i]
		for len(row.Cells) < len(snap.Checks) {
			row.Cells = append(row.Cells, Cell{State: "none"})
		}
		row.Total = len(snap.Checks)
		if row.Passed == row.Total && row.Total > 0 {
			sum.Done++
		}
		if row.Stuck {
			sum.Stuck++
		}
	}
	snap.Summary = sum
	return snap
}

// short writes a duration as the CLI does: 850ms, 3.2s, 2m05s, 1h02m.
func short(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Minute:
		return strings.TrimSuffix(fmt.Sprintf("%.0fs", d.Seconds()), ".0")
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
