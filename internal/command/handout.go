package command

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/zclconf/go-cty/cty"
	"sigs.k8s.io/yaml"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/operation"
)

// runHandout writes, for each seat, DIR/SEAT/kubeconfig (the seat's own
// credentials, 0600) and DIR/SEAT/EXERCISE/FILE.yaml: the manifests of
// each student exercise as the lesson has them, rendered for that seat
// and without podlab's namespace (the kubeconfig's context for the
// exercise sets it), so that the student types the lesson's commands.
func runHandout(m *Meta, args []string) int {
	a, fs, err := arguments.ParseHandout(args)
	if err != nil {
		return parseError(m, "handout", "handout -dir DIR [-seat NAME] [-var NAME=VALUE]", fs, err)
	}
	v := m.view(a.View)
	l, mgr, ok := m.open(v, m.dir(a.Common), a.Vars, config.EvalOptions{Workspace: a.Workspace}, a.State.Unlocked(), "handout")
	if !ok {
		return ExitError
	}
	defer mgr.Close()
	if len(l.Env.Lab.Seats) == 0 {
		v.Errorf("the lab has no seats: a handout is per student; set lab { seats = [...] }")
		return ExitError
	}
	var seats []*config.Seat
	for _, s := range l.Env.Lab.Seats {
		if a.Seat == "" || s.Name == a.Seat {
			seats = append(seats, s)
		}
	}
	if len(seats) == 0 {
		v.Errorf("the lab has no seat %q", a.Seat)
		return ExitError
	}
	st := mgr.State()
	_, kc, err := operation.Connect(m.Ctx, l, mgr, m.getenv, m.Counter)
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	lifetime := tokenLifetime(st, l.Env)
	students := 0
	for _, in := range l.Env.Instances {
		if in.Student {
			students++
		}
	}
	for _, seat := range seats {
		dir := filepath.Join(a.Dir, seat.Slug)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		cfg, err := seatKubeconfig(m.Ctx, kc, l.Env, st, seat, lifetime)
		if err != nil {
			v.Errorf("seat %q: %s", seat.Name, err)
			return ExitError
		}
		if code := writeKubeconfig(v, cfg, filepath.Join(dir, "kubeconfig"), seat.Name); code != ExitOK {
			return code
		}
		files, err := handoutFiles(l.Env, seat)
		if err != nil {
			v.Errorf("seat %q: %s", seat.Name, err)
			return ExitError
		}
		names := make([]string, 0, len(files))
		for name := range files {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				v.Errorf("%s", err)
				return ExitError
			}
			if err := os.WriteFile(p, files[name], 0o600); err != nil {
				v.Errorf("%s", err)
				return ExitError
			}
		}
		v.HandoutWritten(seat.Name, dir, len(names))
	}
	v.HandoutNext(students > 0, lifetime)
	return ExitOK
}

// handoutFiles are one seat's manifests of its student exercises, by
// path EXERCISE/FILE: each object as rendered for the seat, podlab's
// namespace taken out, documents of one source file together.
func handoutFiles(env *config.Env, seat *config.Seat) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, in := range env.Instances {
		if in.Seat != seat || !in.Student {
			continue
		}
		folder := in.Exercise.Name
		if in.Key != cty.NilVal && in.Key.IsKnown() {
			// for_each or count: one folder per instance.
			key := in.Key.GoString()
			if in.Key.Type() == cty.String {
				key = in.Key.AsString()
			} else if in.Key.Type() == cty.Number {
				key = in.Key.AsBigFloat().Text('f', 0)
			}
			folder += "-" + config.SeatSlug(key)
		}
		for _, o := range in.Objects {
			u := o.Unstructured.DeepCopy()
			if u.GetNamespace() == in.Namespace {
				u.SetNamespace("")
			}
			b, err := yaml.Marshal(u.Object)
			if err != nil {
				return nil, fmt.Errorf("render %s: %w", o.Address, err)
			}
			name := "manifests.yaml"
			if o.Source.Filename != "" {
				name = filepath.Base(o.Source.Filename)
				if ext := filepath.Ext(name); ext != ".yaml" && ext != ".yml" {
					name += ".yaml"
				}
			}
			p := filepath.Join(folder, name)
			if prev := out[p]; len(prev) > 0 {
				b = append(append(prev, []byte("---\n")...), b...)
			}
			out[p] = b
		}
	}
	return out, nil
}
