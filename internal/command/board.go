package command

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/board"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/internal/operation"
	"github.com/podlab/podlab/state"
)

// runBoard serves the live class board: a watching check (operation.Watch)
// whose rounds go to the page as well as to the terminal, as lines.
func runBoard(m *Meta, args []string) int {
	a, fs, err := arguments.ParseBoard(args)
	if err != nil {
		return parseError(m, "board", "board [-listen ADDR] [-links FILE] [-var NAME=VALUE]", fs, err)
	}
	v := m.view(a.View)
	// Listen first, so the state's lock names the board's address: a
	// second board on the same state then says where the first is.
	ln, lerr := net.Listen("tcp", a.Listen)
	opName := "board"
	if lerr == nil {
		defer ln.Close()
		opName = "board at " + boardURL(ln.Addr())
	}
	l, mgr, ok := m.open(v, m.dir(a.Common), a.Vars, config.EvalOptions{Workspace: a.Workspace}, a.State, opName)
	if !ok {
		return ExitError
	}
	defer mgr.Close()
	if lerr != nil {
		v.Errorf("cannot serve the board on %s: %s; choose another address with -listen", a.Listen, lerr)
		return ExitError
	}
	if len(l.Env.Lab.Seats) == 0 {
		v.Errorf("the lab has no seats: the board shows a class; use podlab check -watch for one learner")
		return ExitError
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	ip := net.ParseIP(host)
	needToken := ip == nil || !ip.IsLoopback()
	tokens, err := board.NewTokens(needToken)
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	st := mgr.State()
	if len(st.Objects) == 0 {
		v.Errorf("nothing is applied in environment %q: run podlab apply first", l.Env.Name)
		return ExitError
	}
	expires := time.Now().Add(12 * time.Hour)
	if st.ExpiresAt != nil {
		expires = *st.ExpiresAt
	}
	srv := &board.Server{Lab: l.Env.Lab.Name, Env: l.Env.Name, Tokens: tokens, NeedToken: needToken}
	base := boardURL(ln.Addr())
	class := base + "/"
	if needToken {
		class += "?token=" + url.QueryEscape(tokens.Instructor)
	}
	var links strings.Builder
	for _, seat := range l.Env.Lab.Seats {
		fmt.Fprintf(&links, "%s\t%s/seat/%s?token=%s\n", seat.Name, base, url.PathEscape(seat.Name), url.QueryEscape(tokens.Seat(seat.Name, expires)))
	}
	v.Printf("Serving the board of environment %q at %s\n", l.Env.Name, class)
	if a.Links != "" {
		if err := os.WriteFile(a.Links, []byte(links.String()), 0o600); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		v.Printf("Wrote each seat's own link (valid until %s) to %s.\n", expires.Local().Format(time.DateTime), a.Links)
	} else {
		v.Printf("Each seat's own link (its row only; valid until %s):\n%s", expires.Local().Format(time.DateTime), links.String())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(m.Ctx, ln) }()

	v.Terminal = false // the terminal shows each change as a line; the page is the grid
	bv := &boardView{Operation: m.operationView(v, l), srv: srv}
	res := operation.Watch(m.Ctx, m.request(operation.Check, l, mgr, &operation.Request{Parallelism: a.Parallelism}),
		operation.WatchOptions{Interval: a.WatchInterval}, bv)
	select {
	case err := <-served:
		if err != nil {
			v.Errorf("the board stopped: %s", err)
		}
	case <-time.After(3 * time.Second):
	}
	return exitCode(res.Status)
}

// boardURL is the address to give out: for a board listening on every
// interface (0.0.0.0), the machine's name, which the room can reach.
func boardURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			host = h
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}

// boardView shows a watching check on the terminal (lines) and on the
// board (the page).
type boardView struct {
	*views.Operation
	srv *board.Server
}

func (b *boardView) WatchRound(env string, latest []*check.Result, progress []*state.Progress, changed []*check.Result, stuckAfter time.Duration, now time.Time) {
	b.Operation.WatchRound(env, latest, progress, changed, stuckAfter, now)
	b.srv.Publish(latest, progress, stuckAfter)
}
