package fakegke

import (
	"context"
	"testing"
)

// StartForTest starts a server for tb and closes it when tb ends.
func StartForTest(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := New(opts)
	if err := s.Start(context.Background()); err != nil {
		tb.Fatalf("start fake GKE: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}
