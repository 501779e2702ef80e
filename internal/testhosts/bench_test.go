package testhosts_test

import (
	"fmt"
	"testing"

	"github.com/podlab/podlab/internal/testhosts"
)

// BenchmarkNew measures making and tearing down n hosts:
// go test -run '^$' -bench New ./internal/testhosts/
func BenchmarkNew(b *testing.B) {
	for _, n := range []int{1, 3, 10, 30} {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) {
			for b.Loop() {
				testhosts.New(b, n).Close()
			}
		})
	}
}
