package sshx

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestTailLines(t *testing.T) {
	var many []string
	for i := 1; i <= 30; i++ {
		many = append(many, fmt.Sprintf("line %d", i))
	}
	tests := []struct {
		name string
		in   string
		n    int
		want []string
	}{
		{"empty", "", 20, nil},
		{"blank only", "\n\n  \n", 20, nil},
		{"short", "a\nb\n", 20, []string{"a", "b"}},
		{"trailing blank lines dropped", "a\nb\n\n\n", 20, []string{"a", "b"}},
		{"crlf", "a\r\nb\r\n", 20, []string{"a", "b"}},
		{"cut to n", strings.Join(many, "\n") + "\n", 20, many[10:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tailLines(tt.in, tt.n); !slices.Equal(got, tt.want) {
				t.Errorf("tailLines = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOutputTail(t *testing.T) {
	lines := func(prefix string, n int) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "%s %d\n", prefix, i)
		}
		return b.String()
	}
	tests := []struct {
		name           string
		stdout, stderr string
		first, last    string
		count          int
	}{
		{"stdout only", lines("out", 30), "", "out 11", "out 30", 20},
		{"stderr only", "", lines("err", 30), "err 11", "err 30", 20},
		{"both short", lines("out", 3), lines("err", 2), "out 1", "err 2", 5},
		{"long stderr keeps some stdout", lines("out", 30), lines("err", 30), "out 26", "err 30", 20},
		{"short stderr, long stdout", lines("out", 30), "boom\n", "out 12", "boom", 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := outputTail(tt.stdout, tt.stderr, 20)
			if len(got) != tt.count || got[0] != tt.first || got[len(got)-1] != tt.last {
				t.Errorf("outputTail = %q", got)
			}
		})
	}
}
