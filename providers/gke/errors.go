package gke

import (
	"context"
	"errors"
	"fmt"

	"github.com/googleapis/gax-go/v2/apierror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// codeOf is the gRPC code of an error from the container client, however
// it is wrapped; codes.OK for nil, codes.Unknown for other errors.
func codeOf(err error) codes.Code {
	if err == nil {
		return codes.OK
	}
	var ae *apierror.APIError
	if errors.As(err, &ae) && ae.GRPCStatus() != nil {
		return ae.GRPCStatus().Code()
	}
	if s, ok := status.FromError(err); ok {
		return s.Code()
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return codes.Canceled
	}
	return codes.Unknown
}

// messageOf is GKE's own message in an error, without the gRPC prefix.
func messageOf(err error) string {
	var ae *apierror.APIError
	if errors.As(err, &ae) && ae.GRPCStatus() != nil {
		return ae.GRPCStatus().Message()
	}
	if s, ok := status.FromError(err); ok {
		return s.Message()
	}
	return err.Error()
}

// APIError is a failed call to GKE, explained: what podlab was doing to
// which cluster, GKE's answer, and what to do about it.
type APIError struct {
	Cluster ref
	Doing   string // "create", "get", "delete", ...
	Code    codes.Code
	Message string
	Hint    string
	Err     error
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("GKE cluster %s: %s: %s", e.Cluster, e.Doing, e.Message)
	if e.Code != codes.Unknown && e.Code != codes.OK {
		s = fmt.Sprintf("GKE cluster %s: %s: %s (%s)", e.Cluster, e.Doing, e.Message, e.Code)
	}
	if e.Hint != "" {
		s += ". " + e.Hint
	}
	return s
}

func (e *APIError) Unwrap() error { return e.Err }

// GRPCStatus lets status.Code see through the explanation.
func (e *APIError) GRPCStatus() *status.Status { return status.New(e.Code, e.Message) }

// explain turns an error from the container client into an APIError with
// advice. Context errors pass through unchanged: they are interrupts.
func explain(r ref, doing string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	code := codeOf(err)
	e := &APIError{Cluster: r, Doing: doing, Code: code, Message: messageOf(err), Err: err}
	switch code {
	case codes.PermissionDenied:
		e.Message = "permission denied: " + e.Message
		e.Hint = fmt.Sprintf("The Application Default Credentials podlab uses (gcloud auth application-default login, or the key file in GOOGLE_APPLICATION_CREDENTIALS) need the Kubernetes Engine Admin role (roles/container.admin) in project %s, and the project needs the Kubernetes Engine API: gcloud services enable container.googleapis.com --project %s", r.Project, r.Project)
	case codes.Unauthenticated:
		e.Message = "not authenticated: " + e.Message
		e.Hint = "Run gcloud auth application-default login, or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file"
	case codes.ResourceExhausted:
		e.Message = "quota exceeded: " + e.Message
		e.Hint = fmt.Sprintf("Ask for fewer resources (a lower node_count, a smaller machine_type or disk_size_gb, or another location), delete clusters you no longer need, or request more quota for project %s in the console (IAM & Admin, Quotas)", r.Project)
	case codes.InvalidArgument:
		e.Message = "GKE refused the request: " + e.Message
		e.Hint = "Fix the gke block and run podlab plan again"
	case codes.FailedPrecondition:
		e.Hint = "Another operation is running on the cluster (in the console, or another podlab); wait for it to finish and run podlab again"
	case codes.Unavailable, codes.DeadlineExceeded, codes.Internal, codes.Aborted:
		e.Message = "GKE did not answer after several tries: " + e.Message
		e.Hint = "Check the network and https://status.cloud.google.com, then run podlab again: it carries on from the state"
	case codes.NotFound:
		e.Hint = fmt.Sprintf("Check the project (%s) and location (%s) in the gke block", r.Project, r.Location)
	}
	return e
}

func isNotFound(err error) bool { return codeOf(err) == codes.NotFound }
