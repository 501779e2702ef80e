package arguments

import (
	"flag"
	"fmt"
	"time"
)

// Board is "podlab board": the live class board in a browser.
type Board struct {
	Common
	View
	Vars
	State
	Listen        string
	Links         string
	Parallelism   int
	WatchInterval time.Duration
}

// DefaultBoardListen is where the board listens unless told: loopback
// only, where it needs no token.
const DefaultBoardListen = "127.0.0.1:8321"

// ParseBoard parses board's options.
func ParseBoard(args []string) (*Board, *flag.FlagSet, error) {
	a := &Board{}
	fs := newFlagSet("board")
	a.Common.register(fs)
	a.View.register(fs, false)
	a.Vars.register(fs)
	a.State.register(fs)
	fs.StringVar(&a.Listen, "listen", DefaultBoardListen, "The address to serve the board on; beyond loopback, the board requires the access token it prints.")
	fs.StringVar(&a.Links, "links", "", "Write each seat's own link (its row only, with its token) to FILE instead of printing them.")
	fs.IntVar(&a.Parallelism, "parallelism", 10, "How many checks to run at once.")
	fs.DurationVar(&a.WatchInterval, "watch-interval", time.Minute, "How often the failing checks are graded again, for what no watch sees.")
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("board", pos)
	}
	if err == nil && a.Parallelism < 1 {
		err = fmt.Errorf("-parallelism must be 1 or more")
	}
	if err == nil && a.WatchInterval < time.Second {
		err = fmt.Errorf("-watch-interval must be 1s or more")
	}
	if err == nil {
		err = a.State.validate()
	}
	return a, fs, err
}
