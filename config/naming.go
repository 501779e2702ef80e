package config

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Kubernetes limits a namespace name (a DNS label) to 63 characters.
const maxLabel = 63

// Slug reduces s to the characters of a DNS label: lower-case ASCII letters,
// digits and single dashes, without dashes at either end. It may be empty.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// ShortHash is 5 hex digits of s's SHA-256: enough to tell seats apart
// whose names slug alike, short enough to keep names readable.
func ShortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:5]
}

// SeatSlug names a seat inside a namespace name. A name that is already a
// clean slug is kept as is; any other (capitals, spaces, Korean) becomes its
// slug plus a short hash of the full name, so "Kim" and "kim" stay apart and
// "김철수" still gets a valid, stable name. It is at most 63 characters.
func SeatSlug(name string) string {
	s := Slug(name)
	switch {
	case s == "":
		s = "seat-" + ShortHash(name)
	case s != name:
		s += "-" + ShortHash(name)
	}
	// Cut to a label of its own too: it names a student's kubeconfig file
	// and user, and is the seat's label value.
	return JoinLabel(s)
}

// JoinLabel joins parts into one DNS label, dropping empty parts. A result
// over 63 characters is cut and given a hash of the whole, so that distinct
// long names stay distinct.
func JoinLabel(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.Trim(p, "-"); p != "" {
			kept = append(kept, p)
		}
	}
	s := strings.Join(kept, "-")
	if len(s) <= maxLabel {
		return s
	}
	h := ShortHash(s)
	return strings.TrimRight(s[:maxLabel-len(h)-1], "-") + "-" + h
}

// ExerciseSlug names an exercise inside a namespace name: its slug, or,
// for a name with nothing a slug keeps (HCL allows Unicode letters in
// identifiers), "exercise-" and a short hash of the name.
func ExerciseSlug(name string) string {
	if s := Slug(name); s != "" {
		return JoinLabel(s)
	}
	return "exercise-" + ShortHash(name)
}

// LabelValue is a name as a label value: its slug, cut to 63 characters
// with a hash of the whole when longer, so that any name gives a value the
// API server accepts and long names that differ past the cut stay apart.
// It loses what Slug drops; the full name goes in an annotation beside it.
func LabelValue(name string) string {
	return JoinLabel(Slug(name))
}

// SeatNamespace is a seat's own namespace, which holds its student's
// service account.
func (env *Env) SeatNamespace(seat *Seat) string {
	return JoinLabel(env.Lab.NamespacePrefix, workspaceSlug(env.Workspace), seat.Slug)
}

// ProbesAddress starts the addresses of what node-side HTTP checks need:
// their namespace, and the probe pods the checks start in it.
const ProbesAddress = "probes"

// ProbeNamespace is where the probe pods of node-side HTTP checks live:
// lab.probe_namespace, else a namespace of their own beside the
// exercises', so that a student's "kubectl get pods" shows only the
// lesson's pods.
func (env *Env) ProbeNamespace() string {
	if env.Lab.ProbeNamespace != "" {
		return env.Lab.ProbeNamespace
	}
	return JoinLabel(env.Lab.NamespacePrefix, workspaceSlug(env.Workspace), "podlab-probes")
}

// NeedsProbes reports whether a check sends a request from a node.
func (env *Env) NeedsProbes() bool {
	for _, in := range env.Instances {
		for _, c := range in.Checks {
			if c.HTTP != nil && c.HTTP.From == FromNode {
				return true
			}
		}
	}
	return false
}

// AddressWithin reports whether addr is of, or within it: an object of an
// exercise (exercise.web), of an instance (exercise.web["a"]), of a seat
// (seat["kim"]). It is how -target, -replace and state list read the
// addresses they are given.
func AddressWithin(addr, of string) bool {
	rest, ok := strings.CutPrefix(addr, of)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
}

// SeatAddress names a seat's own objects.
func SeatAddress(seat *Seat) string {
	return "seat[" + strconv.Quote(seat.Name) + "].access"
}

func workspaceSlug(ws string) string {
	if ws == "" || ws == "default" {
		return ""
	}
	return Slug(ws)
}
