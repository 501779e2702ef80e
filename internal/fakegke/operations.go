package fakegke

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"cloud.google.com/go/container/apiv1/containerpb"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
)

// An operation's status is a function of time: PENDING until runningAt,
// RUNNING until doneAt, then DONE. Nothing runs in the background; instead
// every request first applies the effects of operations that have finished
// (advance), so what a client sees is always consistent with the clock.

type operation struct {
	base      *containerpb.Operation // the fields that never change
	project   string
	location  string
	cluster   clusterKey
	start     time.Time
	runningAt time.Time
	doneAt    time.Time
	// failure, when set, is how the operation ends: DONE with this error.
	failure *spb.Status
	// quiet failures are reported only in the deprecated status_message,
	// error left unset, as some GKE operations report theirs (the Terraform
	// Google provider's container operation waiter checks status_message
	// for this reason, not error).
	quiet bool
	// effect changes the cluster when the operation finishes, under s.mu.
	effect  func(op *operation)
	applied bool
	// staged reports create-cluster progress as GKE does; other operations
	// are single-stage and report none.
	staged bool
}

// startOperation records a new operation against cluster k and marks the
// cluster busy until it finishes.
func (s *Server) startOperation(now time.Time, k clusterKey, typ containerpb.Operation_Type, target string, effect func(*operation)) *operation {
	name := newOperationName(now)
	op := &operation{
		base: &containerpb.Operation{
			Name:          name,
			Location:      k.location,
			OperationType: typ,
			SelfLink:      operationLink(k.project, k.location, name),
			TargetLink:    target,
			StartTime:     now.UTC().Format(time.RFC3339Nano),
		},
		project:   k.project,
		location:  k.location,
		cluster:   k,
		start:     now,
		runningAt: now.Add(s.opts.PendingFor),
		doneAt:    now.Add(s.opts.PendingFor + s.opts.RunningFor),
		effect:    effect,
		staged:    typ == containerpb.Operation_CREATE_CLUSTER,
	}
	setString(op.base, "zone", k.location) // deprecated, still filled by GKE
	s.operations[name] = op
	s.opOrder = append(s.opOrder, op)
	if c := s.clusters[k]; c != nil {
		c.busy = op
	}
	return op
}

func (op *operation) statusAt(now time.Time) containerpb.Operation_Status {
	switch {
	case now.Before(op.runningAt):
		return containerpb.Operation_PENDING
	case now.Before(op.doneAt):
		return containerpb.Operation_RUNNING
	default:
		return containerpb.Operation_DONE
	}
}

// view is the operation as a client sees it at now.
func (op *operation) view(now time.Time) *containerpb.Operation {
	v := proto.Clone(op.base).(*containerpb.Operation)
	v.Status = op.statusAt(now)
	if op.staged && v.Status != containerpb.Operation_PENDING {
		v.Progress = createProgress(op.fraction(now))
	}
	if v.Status == containerpb.Operation_DONE {
		v.EndTime = op.doneAt.UTC().Format(time.RFC3339Nano)
		if op.failure != nil {
			if !op.quiet {
				v.Error = proto.Clone(op.failure).(*spb.Status)
			}
			setString(v, "status_message", op.failure.GetMessage()) // deprecated, still filled by GKE
		}
	}
	return v
}

// fraction is how far through RUNNING the operation is, from 0 to 1.
func (op *operation) fraction(now time.Time) float64 {
	total := op.doneAt.Sub(op.runningAt)
	if total <= 0 || !now.Before(op.doneAt) {
		return 1
	}
	return float64(now.Sub(op.runningAt)) / float64(total)
}

// createProgress reports create-cluster progress with the metric names GKE
// uses for that operation (stage done/total counts).
func createProgress(frac float64) *containerpb.OperationProgress {
	stages := []struct {
		name  string
		total int64
	}{{"CLUSTER_CONFIGURING", 8}, {"CLUSTER_DEPLOYING", 11}, {"CLUSTER_HEALTHCHECKING", 2}}
	p := &containerpb.OperationProgress{}
	for _, st := range stages {
		done := int64(frac * float64(st.total))
		p.Metrics = append(p.Metrics,
			intMetric(st.name, done),
			intMetric(st.name+"_TOTAL", st.total))
	}
	return p
}

func intMetric(name string, v int64) *containerpb.OperationProgress_Metric {
	return &containerpb.OperationProgress_Metric{
		Name:  name,
		Value: &containerpb.OperationProgress_Metric_IntValue{IntValue: v},
	}
}

// advance applies, in the order they finished, the effects of every
// operation that is DONE at now. Callers hold s.mu.
func (s *Server) advance(now time.Time) {
	var due []*operation
	for _, op := range s.opOrder {
		if !op.applied && !now.Before(op.doneAt) {
			due = append(due, op)
		}
	}
	sort.SliceStable(due, func(i, j int) bool { return due[i].doneAt.Before(due[j].doneAt) })
	for _, op := range due {
		op.applied = true
		if c := s.clusters[op.cluster]; c != nil && c.busy == op {
			c.busy = nil
		}
		if op.effect != nil {
			op.effect(op)
		}
	}
}

// newOperationName follows GKE's form: operation-<unix ms>-<uuid>.
func newOperationName(now time.Time) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("fakegke: crypto/rand: %v", err)) // never fails on Linux
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("operation-%d-%s-%s-%s-%s-%s", now.UnixMilli(), h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("fakegke: crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}
