package arguments

import (
	"flag"
	"fmt"
)

// Diff is "podlab diff": a seat's objects against the reference.
type Diff struct {
	Common
	View
	Vars
	State
	Seat     string
	Exercise string
}

// ParseDiff parses diff's options.
func ParseDiff(args []string) (*Diff, *flag.FlagSet, error) {
	a := &Diff{}
	fs := newFlagSet("diff")
	a.Common.register(fs)
	a.View.register(fs, true)
	a.Vars.register(fs)
	a.State.register(fs)
	fs.StringVar(&a.Seat, "seat", "", "The seat whose objects to compare with the reference.")
	fs.StringVar(&a.Exercise, "exercise", "", "Compare only this exercise.")
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("diff", pos)
	}
	if err == nil && a.Seat == "" {
		err = fmt.Errorf("name the seat to compare with -seat NAME")
	}
	if err == nil {
		err = a.State.validate()
	}
	return a, fs, err
}
