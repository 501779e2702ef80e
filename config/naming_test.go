package config

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pod-basics", "pod-basics"},
		{"Pod Basics", "pod-basics"},
		{"nginx_pod", "nginx-pod"},
		{"--a--b--", "a-b"},
		{"a  _-  b", "a-b"},
		{"Seat 01", "seat-01"},
		{"123", "123"},
		{"Kim 철수", "kim"},
		{"철수 Kim", "kim"},
		{"김철수", ""},
		{"Ünïcödé", "n-c-d"},
		{"", ""},
		{"---", ""},
	}
	for _, tt := range tests {
		if got := Slug(tt.in); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func hash5(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:5]
}

func TestShortHash(t *testing.T) {
	for _, s := range []string{"", "kim", "김철수"} {
		if got := ShortHash(s); got != hash5(s) || len(got) != 5 {
			t.Errorf("ShortHash(%q) = %q, want %q", s, got, hash5(s))
		}
	}
}

func TestSeatSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		// A clean slug is kept.
		{"kim", "kim"},
		{"seat01", "seat01"},
		{"lee-2", "lee-2"},
		// Anything else gets a hash of the whole name.
		{"Kim", "kim-" + hash5("Kim")},
		{"kim lee", "kim-lee-" + hash5("kim lee")},
		{"김철수", "seat-" + hash5("김철수")},
		{"김영희", "seat-" + hash5("김영희")},
		{"Kim 철수", "kim-" + hash5("Kim 철수")},
		{"", "seat-" + hash5("")},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		got := SeatSlug(tt.in)
		if got != tt.want {
			t.Errorf("SeatSlug(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
			t.Errorf("SeatSlug(%q) = %q is not a DNS label: %v", tt.in, got, errs)
		}
		if prev, ok := seen[got]; ok {
			t.Errorf("SeatSlug(%q) = SeatSlug(%q) = %q", tt.in, prev, got)
		}
		seen[got] = tt.in
		if SeatSlug(tt.in) != got {
			t.Errorf("SeatSlug(%q) is not stable", tt.in)
		}
	}
	// Names that slug alike stay apart.
	if SeatSlug("kim") == SeatSlug("Kim") || SeatSlug("Kim") == SeatSlug("KIM") {
		t.Error("seats whose names differ in case share a slug")
	}
}

func TestJoinLabel(t *testing.T) {
	long := strings.Repeat("a", 40)
	tests := []struct {
		parts []string
		want  string
	}{
		{[]string{"pod-basics", "", "nginx-pod"}, "pod-basics-nginx-pod"},
		{[]string{"-a-", "b"}, "a-b"},
		{[]string{"", ""}, ""},
		{[]string{strings.Repeat("a", 30), strings.Repeat("b", 32)}, strings.Repeat("a", 30) + "-" + strings.Repeat("b", 32)}, // 63
		{[]string{long, long}, long + "-" + strings.Repeat("a", 16) + "-" + hash5(long+"-"+long)},
		// The cut does not leave a dash before the hash.
		{[]string{strings.Repeat("a", 56), "bbbbbbbbbbbb"}, strings.Repeat("a", 56) + "-" + hash5(strings.Repeat("a", 56)+"-bbbbbbbbbbbb")},
	}
	for _, tt := range tests {
		got := JoinLabel(tt.parts...)
		if got != tt.want {
			t.Errorf("JoinLabel(%q) = %q, want %q", tt.parts, got, tt.want)
		}
		if len(got) > 63 {
			t.Errorf("JoinLabel(%q) is %d characters long", tt.parts, len(got))
		}
		if got != "" {
			if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
				t.Errorf("JoinLabel(%q) = %q: %v", tt.parts, got, errs)
			}
		}
	}
	// Long names that differ only past the cut stay distinct.
	a := JoinLabel("pod-basics", strings.Repeat("x", 60), "seat-1")
	b := JoinLabel("pod-basics", strings.Repeat("x", 60), "seat-2")
	if a == b || len(a) != 63 || len(b) != 63 {
		t.Errorf("%q and %q", a, b)
	}
}

// hostileNames is a generated table of names that a class could use for
// seats and that push every rule a derived name must keep: long (past the
// 63-character cut, and differing only past it), Unicode, punctuation,
// control characters, and names that differ only in case.
func hostileNames() []string {
	long := strings.Repeat("a", 80)
	out := []string{
		long, long[:70] + "bbbbbbbbbb", long[:70] + "cccccccccc",
		strings.Repeat("A", 80), strings.Repeat("Ab", 40),
		strings.Repeat("김", 80), "김철수", "김영희", "Ünïcödé", "日本語 テスト",
		"Kim", "kim", "KIM", "kIm",
		"o'brien!", "a.b", "a_b", "a b", " kim ", "-kim-", "--", ".", "..", "../../etc",
		"01", "0", "seat01", "tab\there", "new\nline", "\x1b[31mred", "emoji 🚀",
		strings.Repeat("x-", 50), strings.Repeat("9", 63), strings.Repeat("9", 64),
		strings.Repeat("é", 200), strings.Repeat("a", 253) + "z",
	}
	// A name exactly at, just under and just over the cut.
	for _, n := range []int{61, 62, 63, 64, 65} {
		out = append(out, strings.Repeat("s", n))
	}
	return out
}

// TestDerivedNamesHostile checks every name podlab derives from a seat or
// an exercise name: valid for its field, distinct for distinct inputs, and
// stable from one call to the next.
func TestDerivedNamesHostile(t *testing.T) {
	names := hostileNames()
	seatNS := map[string]string{}
	seatLabel := map[string]string{}
	for _, n := range names {
		slug := SeatSlug(n)
		for field, got := range map[string]string{
			"seat slug":  slug,
			"namespace":  JoinLabel("a-lab-prefix-that-is-rather-long", "fall-2025", slug, "exercise"),
			"seat label": JoinLabel(slug),
		} {
			if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
				t.Errorf("%s of %q = %q: %v", field, n, got, errs)
			}
			if errs := validation.IsValidLabelValue(got); len(errs) > 0 {
				t.Errorf("%s of %q = %q is not a label value: %v", field, n, got, errs)
			}
		}
		ns := JoinLabel("lab", slug)
		if prev, ok := seatNS[ns]; ok {
			t.Errorf("seats %q and %q share the namespace %q", prev, n, ns)
		}
		seatNS[ns] = n
		l := JoinLabel(slug)
		if prev, ok := seatLabel[l]; ok {
			t.Errorf("seats %q and %q share the label value %q", prev, n, l)
		}
		seatLabel[l] = n
		if SeatSlug(n) != slug || JoinLabel(slug) != l {
			t.Errorf("names of %q are not stable", n)
		}
		for field, got := range map[string]string{"exercise slug": ExerciseSlug(n), "label value": LabelValue(n)} {
			if field == "label value" && got == "" {
				continue // the empty label value is valid: a name of no slug characters
			}
			if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
				t.Errorf("%s of %q = %q: %v", field, n, got, errs)
			}
		}
		if errs := validation.IsValidLabelValue(LabelValue(n)); len(errs) > 0 {
			t.Errorf("LabelValue(%q) = %q: %v", n, LabelValue(n), errs)
		}
	}
}

// The README's example of a seat's slug.
func TestSeatSlugREADME(t *testing.T) {
	if got := SeatSlug("Lee"); got != "lee-e7da8" {
		t.Errorf(`SeatSlug("Lee") = %q; fix the README's example`, got)
	}
}

// FuzzDerivedNames: any seat or exercise name gives valid names.
//
//	go test -run=^$ -fuzz=FuzzDerivedNames -fuzztime=10s ./config/
func FuzzDerivedNames(f *testing.F) {
	for _, n := range hostileNames() {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		slug := SeatSlug(name)
		for _, got := range []string{slug, JoinLabel("prefix", slug, ExerciseSlug(name)), JoinLabel(slug), ExerciseSlug(name)} {
			if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
				t.Fatalf("%q gives %q: %v", name, got, errs)
			}
		}
		if errs := validation.IsValidLabelValue(LabelValue(name)); len(errs) > 0 {
			t.Fatalf("LabelValue(%q) = %q: %v", name, LabelValue(name), errs)
		}
	})
}
