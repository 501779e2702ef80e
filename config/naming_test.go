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
