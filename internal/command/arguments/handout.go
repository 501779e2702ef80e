package arguments

import (
	"flag"
	"fmt"
)

// Handout is "podlab handout": each seat's files to hand to its student.
type Handout struct {
	Common
	View
	Vars
	State
	Dir  string
	Seat string
}

// ParseHandout parses handout's options.
func ParseHandout(args []string) (*Handout, *flag.FlagSet, error) {
	a := &Handout{}
	fs := newFlagSet("handout")
	a.Common.register(fs)
	a.View.register(fs, false)
	a.Vars.register(fs)
	a.State.register(fs)
	fs.StringVar(&a.Dir, "dir", "", "The directory to write each seat's folder to (kubeconfig and the exercises' manifests).")
	fs.StringVar(&a.Seat, "seat", "", "Write only this seat's folder.")
	pos, err := parseInterspersed(fs, args)
	if err == nil {
		err = noArgs("handout", pos)
	}
	if err == nil && a.Dir == "" {
		err = fmt.Errorf("name the directory to write the handouts to with -dir DIR")
	}
	if err == nil {
		err = a.State.validate()
	}
	return a, fs, err
}
