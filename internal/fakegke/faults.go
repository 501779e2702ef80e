package fakegke

import (
	"context"
	"fmt"
	"path"
	"time"

	"cloud.google.com/go/container/apiv1/containerpb"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// TokenMethod is the name the token endpoint's requests are logged and
// counted under, and the name FailNext takes to make it fail.
const TokenMethod = "Token"

// methods are the names FailNext accepts: the RPCs the fake implements
// (unimplemented ones answer UNIMPLEMENTED anyway) and the token endpoint.
var methods = map[string]bool{
	"CreateCluster": true, "GetCluster": true, "ListClusters": true, "DeleteCluster": true,
	"GetOperation": true, "ListOperations": true, "SetLabels": true,
	"CreateNodePool": true, "DeleteNodePool": true, "GetNodePool": true, "ListNodePools": true,
	"SetNodePoolSize": true, TokenMethod: true,
}

// Call is one request the fake received.
type Call struct {
	// Method is the RPC's short name ("CreateCluster"), or TokenMethod.
	Method string
	// Request is a copy of the request message; nil for the token endpoint.
	Request proto.Message
	// Code is how the call ended; codes.OK for success.
	Code codes.Code
	Time time.Time
}

type fault struct {
	code  codes.Code
	msg   string
	quiet bool // reported in status_message only; see operation.quiet
}

func (f fault) status() *spb.Status {
	return &spb.Status{Code: int32(f.code), Message: f.msg}
}

// FailNext makes the next n calls of method fail with code and msg before
// the fake looks at them, as GKE's front end does for PERMISSION_DENIED,
// RESOURCE_EXHAUSTED (quota) or UNAVAILABLE. Failed calls are still counted
// and logged. It panics on an unknown method or codes.OK: both are mistakes
// in the test.
//
// The real client retries some methods by itself: GetCluster, ListClusters,
// DeleteCluster, GetOperation and ListOperations on UNAVAILABLE and
// DEADLINE_EXCEEDED. An injected UNAVAILABLE there is invisible to the caller
// unless n outlasts the client's retries; Calls shows the retries.
func (s *Server) FailNext(method string, code codes.Code, msg string, n int) {
	if !methods[method] {
		panic(fmt.Sprintf("fakegke: FailNext: unknown method %q", method))
	}
	if code == codes.OK {
		panic("fakegke: FailNext: codes.OK is not a failure")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], fault{code: code, msg: msg})
	}
}

// FailOperation makes the create operation of the cluster named cluster end
// in error, as GKE's do when, say, the nodes cannot be provisioned: the
// operation ends DONE with error set to code and msg, and the cluster goes to
// ERROR with msg as its status message. It applies to a create in flight, or
// else to the next create of that name, once.
func (s *Server) FailOperation(cluster string, code codes.Code, msg string) {
	s.failOperation(cluster, fault{code: code, msg: msg})
}

// FailOperationQuietly is FailOperation for a failure GKE reports only in
// the operation's status_message, with error unset.
func (s *Server) FailOperationQuietly(cluster, msg string) {
	s.failOperation(cluster, fault{code: codes.Unknown, msg: msg, quiet: true})
}

func (s *Server) failOperation(cluster string, f fault) {
	_, unlock := s.begin()
	defer unlock()
	for k, c := range s.clusters {
		if k.name == cluster && c.busy != nil && c.busy.base.OperationType == containerpb.Operation_CREATE_CLUSTER {
			c.busy.failure = f.status()
			c.busy.quiet = f.quiet
			return
		}
	}
	s.failCreate[cluster] = f
}

// Calls is how many requests of method the fake received, failed ones
// included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// Log is every request the fake received, oldest first.
func (s *Server) Log() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		out[i] = c
		if c.Request != nil {
			out[i].Request = proto.Clone(c.Request)
		}
	}
	return out
}

// record logs a call and takes the next injected failure for its method,
// returning the call's index for recordOutcome.
func (s *Server) record(method string, req proto.Message) (int, *fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if req != nil {
		req = proto.Clone(req)
	}
	s.calls = append(s.calls, Call{Method: method, Request: req, Time: time.Now()})
	var f *fault
	if q := s.faults[method]; len(q) > 0 {
		f = &q[0]
		s.faults[method] = q[1:]
	}
	return len(s.calls) - 1, f
}

func (s *Server) recordOutcome(i int, code codes.Code) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[i].Code = code
}

// intercept logs every RPC and applies injected failures before the handler.
func (s *Server) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	msg, _ := req.(proto.Message)
	i, f := s.record(path.Base(info.FullMethod), msg)
	var resp any
	var err error
	if f != nil {
		err = status.Error(f.code, f.msg)
	} else {
		resp, err = handler(ctx, req)
	}
	s.recordOutcome(i, status.Code(err))
	return resp, err
}
