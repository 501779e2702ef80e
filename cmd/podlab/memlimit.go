package main

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// softLimit is podlab's soft memory limit while its live heap is small.
const softLimit = 64 << 20

// keepMemoryLight sets a soft memory limit of 64 MiB, and raises it to twice
// the live heap whenever the live heap passes half of it. A fixed limit
// below the live heap makes the collector run back to back: loading a lab
// of a million locals then took minutes, growing with the square of its
// size. Raising it keeps the collector's work proportional to allocation,
// as GOGC's doubling does, while small runs stay as light as before.
func keepMemoryLight() {
	debug.SetMemoryLimit(softLimit)
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		limit := uint64(softLimit)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for range tick.C {
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			if next := nextLimit(sample[0].Value.Uint64(), limit); next != limit {
				limit = next
				debug.SetMemoryLimit(int64(limit))
			}
		}
	}()
}

// nextLimit is the soft memory limit for a live heap: the current one
// while the live heap is under half of it, else twice the live heap. It
// never goes down, so a heap that shrinks again does not thrash.
func nextLimit(live, current uint64) uint64 {
	if live <= current/2 {
		return current
	}
	return 2 * live
}
