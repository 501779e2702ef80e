package gke

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	container "cloud.google.com/go/container/apiv1"
	"cloud.google.com/go/container/apiv1/containerpb"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// EmulatorHostEnv names the environment variable that points podlab at a
// fake GKE (host:port of its gRPC server) instead of Google. It is for
// tests and demos only: the connection is plain-text and unauthenticated.
// The Kubernetes side still authenticates with Application Default
// Credentials, so a fake must also hand out tokens (see internal/fakegke).
const EmulatorHostEnv = "PODLAB_GKE_EMULATOR_HOST"

// timing is how patiently podlab talks to GKE. Tests shorten it.
type timing struct {
	// poll is the first interval between GetOperation calls; it doubles
	// up to maxPoll. A cluster takes minutes, a resize seconds.
	poll, maxPoll time.Duration
	// retry is the backoff between tries of a call that failed with a
	// transient code; attempts bounds the tries.
	retry    gax.Backoff
	attempts int
	// busyAttempts bounds the tries of a change GKE refuses while another
	// operation runs (each after waiting for the cluster to rest).
	busyAttempts int
	// reach bounds the wait for the API server to answer, as during a
	// control-plane upgrade.
	reach time.Duration
}

var defaultTiming = timing{
	poll:         500 * time.Millisecond,
	maxPoll:      5 * time.Second,
	retry:        gax.Backoff{Initial: time.Second, Max: 16 * time.Second, Multiplier: 2},
	attempts:     6,
	busyAttempts: 8,
	reach:        10 * time.Minute,
}

// retryable codes: the call did not happen, or may be repeated safely. A
// CreateCluster whose first try did happen answers ALREADY_EXISTS on the
// second, which podlab recognises by the cluster's labels.
var retryable = map[codes.Code]bool{
	codes.Unavailable:      true,
	codes.DeadlineExceeded: true,
	codes.Aborted:          true,
}

type retryer struct {
	bo   gax.Backoff
	left int
}

func (r *retryer) Retry(err error) (time.Duration, bool) {
	if r.left <= 0 || !retryable[codeOf(err)] {
		return 0, false
	}
	r.left--
	return r.bo.Pause(), true
}

// callOpts are given to every call: retries with backoff on transient
// codes, CreateCluster included (the client's defaults retry only reads).
func (p *Provider) callOpts() []gax.CallOption {
	t := p.timing
	return []gax.CallOption{gax.WithRetry(func() gax.Retryer {
		return &retryer{bo: t.retry, left: t.attempts - 1}
	})}
}

// emulatorOptions talk to a fake GKE: plain-text gRPC, no credentials.
func emulatorOptions(host string) []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(host),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}

// session is one command's conversation with GKE about one cluster.
type session struct {
	p    *Provider
	c    *container.ClusterManagerClient
	r    ref
	rec  providers.Recorder
	prog providers.Progress
	// applied are the node counts this session set, which state must keep.
	applied map[string]int
}

func (p *Provider) session(ctx context.Context, r ref, rec providers.Recorder, prog providers.Progress) (*session, error) {
	var opts []option.ClientOption
	if p.EmulatorHost != "" {
		opts = emulatorOptions(p.EmulatorHost)
	}
	c, err := container.NewClusterManagerClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("GKE cluster %s: cannot set up the GKE client: %w. podlab authenticates with Application Default Credentials: run gcloud auth application-default login, or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file", r, err)
	}
	if rec == nil {
		rec = func(func(*state.Cluster)) error { return nil }
	}
	if prog == nil {
		prog = providers.NoProgress{}
	}
	return &session{p: p, c: c, r: r, rec: rec, prog: prog}, nil
}

func (s *session) close() { _ = s.c.Close() }

// get returns the cluster, or nil when GKE says it does not exist.
func (s *session) get(ctx context.Context) (*containerpb.Cluster, error) {
	cl, err := s.c.GetCluster(ctx, &containerpb.GetClusterRequest{Name: s.r.path()}, s.p.callOpts()...)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, explain(s.r, "read the cluster", err)
	}
	return cl, nil
}

// OperationError is a GKE operation that ended in error.
type OperationError struct {
	Cluster ref
	Op      *containerpb.Operation
	Hint    string
}

func (e *OperationError) Error() string {
	msg := e.Op.GetError().GetMessage()
	if msg == "" {
		msg = statusMessage(e.Op)
	}
	if msg == "" {
		msg = "no message"
	}
	s := fmt.Sprintf("GKE cluster %s: operation %s (%s) failed: %s", e.Cluster, e.Op.GetName(), e.Op.GetOperationType(), msg)
	if c := codes.Code(e.Op.GetError().GetCode()); c != codes.OK && c != codes.Unknown {
		s += " (" + c.String() + ")"
	}
	if e.Hint != "" {
		s += ". " + e.Hint
	}
	return s
}

// stepName says what an operation does, for the progress display.
func stepName(op *containerpb.Operation, r ref) string {
	switch op.GetOperationType() {
	case containerpb.Operation_CREATE_CLUSTER:
		return "creating GKE cluster " + r.Name
	case containerpb.Operation_DELETE_CLUSTER:
		return "deleting GKE cluster " + r.Name
	case containerpb.Operation_SET_NODE_POOL_SIZE:
		return fmt.Sprintf("resizing node pool %s of GKE cluster %s", lastSegment(op.GetTargetLink()), r.Name)
	case containerpb.Operation_UPDATE_CLUSTER:
		return "updating GKE cluster " + r.Name
	}
	return fmt.Sprintf("GKE operation %s on cluster %s", op.GetOperationType(), r.Name)
}

func lastSegment(s string) string { return s[strings.LastIndex(s, "/")+1:] }

// opStatus is an operation's status as the progress display shows it:
// PENDING, RUNNING, or RUNNING with the stage GKE reports.
func opStatus(op *containerpb.Operation) string {
	st := op.GetStatus().String()
	if op.GetStatus() != containerpb.Operation_RUNNING {
		return st
	}
	pr := op.GetProgress()
	for _, stage := range pr.GetStages() {
		if stage.GetStatus() != containerpb.Operation_DONE && stage.GetName() != "" {
			return st + ": " + stage.GetName()
		}
	}
	vals := map[string]int64{}
	var order []string
	for _, m := range pr.GetMetrics() {
		vals[m.GetName()] = m.GetIntValue()
		if !strings.HasSuffix(m.GetName(), "_TOTAL") {
			order = append(order, m.GetName())
		}
	}
	for _, n := range order {
		if total, ok := vals[n+"_TOTAL"]; ok && vals[n] < total {
			return fmt.Sprintf("%s: %s %d/%d", st, n, vals[n], total)
		}
	}
	return st
}

// errInterrupted says an operation goes on at GKE while podlab stopped
// waiting for it; the state records it, so the next run resumes.
type errInterrupted struct {
	Cluster ref
	Op      string
	Err     error
}

func (e *errInterrupted) Error() string {
	return fmt.Sprintf("GKE cluster %s: stopped waiting for operation %s (%v); it goes on at GKE and the state records it: run podlab again to resume waiting", e.Cluster, lastSegment(e.Op), e.Err)
}

func (e *errInterrupted) Unwrap() error { return e.Err }

// wait polls an operation until it is DONE, reporting its status and the
// time since it started. timeout (0 for none) bounds the wait, not the
// operation: GKE carries on, and so can the next podlab.
func (s *session) wait(ctx context.Context, opPath string, timeout time.Duration, setting string) (*containerpb.Operation, error) {
	wctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	start := time.Now()
	first := true
	interval := s.p.timing.poll
	for {
		op, err := s.c.GetOperation(wctx, &containerpb.GetOperationRequest{Name: opPath}, s.p.callOpts()...)
		if err != nil {
			if wctx.Err() != nil {
				return nil, s.stopped(ctx, opPath, timeout, setting)
			}
			return nil, explain(s.r, "follow operation "+lastSegment(opPath), err)
		}
		if first {
			first = false
			if t, err := time.Parse(time.RFC3339Nano, op.GetStartTime()); err == nil && t.Before(start) {
				start = t
			}
		}
		step := stepName(op, s.r)
		elapsed := time.Since(start)
		if op.GetStatus() == containerpb.Operation_DONE {
			s.prog.Step(step, providers.StepDone, elapsed)
			if failed(op) {
				return op, &OperationError{Cluster: s.r, Op: op}
			}
			return op, nil
		}
		s.prog.Step(step, opStatus(op), elapsed)
		select {
		case <-wctx.Done():
			return nil, s.stopped(ctx, opPath, timeout, setting)
		case <-time.After(interval):
		}
		interval = min(interval*2, s.p.timing.maxPoll)
	}
}

// failed reports whether a DONE operation failed: its error is set, or,
// with no error, its status_message is (GKE reports some failures only
// there; the Terraform Google provider's ContainerOperationWaiter treats a
// non-empty status_message of a finished operation as its error).
func failed(op *containerpb.Operation) bool {
	if op.GetError() != nil && op.GetError().GetCode() != int32(codes.OK) {
		return true
	}
	return op.GetError() == nil && statusMessage(op) != ""
}

func statusMessage(op *containerpb.Operation) string {
	//lint:ignore SA1019 GKE still reports some failures only in this deprecated field.
	return op.GetStatusMessage()
}

func (s *session) stopped(ctx context.Context, opPath string, timeout time.Duration, setting string) error {
	if ctx.Err() != nil {
		return &errInterrupted{Cluster: s.r, Op: opPath, Err: ctx.Err()}
	}
	return &errInterrupted{Cluster: s.r, Op: opPath,
		Err: fmt.Errorf("%w: still not done after %s (%s; raise it in the gke block to wait longer)", context.DeadlineExceeded, timeout, setting)}
}

// runningOperation finds an operation in flight on the cluster, for when
// the state lost its name: GKE runs one at a time per cluster.
func (s *session) runningOperation(ctx context.Context) (*containerpb.Operation, error) {
	resp, err := s.c.ListOperations(ctx, &containerpb.ListOperationsRequest{Parent: s.r.parent()}, s.p.callOpts()...)
	if err != nil {
		return nil, explain(s.r, "list operations", err)
	}
	var found *containerpb.Operation
	for _, op := range resp.GetOperations() {
		target := op.GetTargetLink()
		if op.GetStatus() == containerpb.Operation_DONE {
			continue
		}
		if strings.HasSuffix(target, "/clusters/"+s.r.Name) || strings.Contains(target, "/clusters/"+s.r.Name+"/") {
			found = op // the newest wins: operations are listed oldest first
		}
	}
	return found, nil
}

// waitStatus polls the cluster while it is in status from (no operation
// to follow), until it leaves it or is gone; it returns the cluster then,
// or nil when it is gone.
func (s *session) waitStatus(ctx context.Context, from containerpb.Cluster_Status, step string) (*containerpb.Cluster, error) {
	start := time.Now()
	interval := s.p.timing.poll
	for {
		cl, err := s.get(ctx)
		if err != nil {
			return nil, err
		}
		if cl == nil || cl.GetStatus() != from {
			s.prog.Step(step, providers.StepDone, time.Since(start))
			return cl, nil
		}
		s.prog.Step(step, cl.GetStatus().String(), time.Since(start))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("GKE cluster %s: stopped waiting while it is %s: %w", s.r, from, ctx.Err())
		case <-time.After(interval):
		}
		interval = min(interval*2, s.p.timing.maxPoll)
	}
}

// isInterrupt reports whether err is podlab stopping, not GKE failing.
func isInterrupt(err error) bool {
	var ie *errInterrupted
	return errors.As(err, &ie) || errors.Is(err, context.Canceled)
}
