package main

import "testing"

func TestNextLimit(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name                string
		live, current, want uint64
	}{
		{"a small heap keeps the limit", 10 * mib, softLimit, softLimit},
		{"at half of it", 32 * mib, softLimit, softLimit},
		{"past half: twice the live heap", 40 * mib, softLimit, 80 * mib},
		{"a large lab", 900 * mib, 80 * mib, 1800 * mib},
		{"a shrinking heap never lowers it", 5 * mib, 1800 * mib, 1800 * mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextLimit(tt.live, tt.current); got != tt.want {
				t.Errorf("nextLimit(%d MiB, %d MiB) = %d MiB, want %d MiB", tt.live/mib, tt.current/mib, got/mib, tt.want/mib)
			}
		})
	}
}
