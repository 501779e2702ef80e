package gke

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

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
	var already *APIError
	if errors.As(err, &already) {
		return err
	}
	code := codeOf(err)
	e := &APIError{Cluster: r, Doing: doing, Code: code, Message: messageOf(err), Err: err}
	switch code {
	case codes.PermissionDenied:
		if q := quotaOf(e.Message); q.ok {
			e.Message = "over quota: " + e.Message
			e.Hint = quotaHint(r, q)
			break
		}
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

// quota is what a quota refusal names.
type quota struct {
	ok       bool
	resource string // "CPUS", "SSD_TOTAL_GB", ...; "" for the cluster count
}

// quotaRE finds the resource in GKE's quota refusals: Insufficient
// regional quota to satisfy request: resource "CPUS": request requires ...
var quotaRE = regexp.MustCompile(`(?i)insufficient (?:regional |project )?quota to satisfy request(?: for resource)?:? (?:resource )?"?([A-Z0-9_]+)"?`)

// quotaOf tells a quota refusal from a permission one. GKE answers both
// with PERMISSION_DENIED (HTTP 403): "Insufficient regional quota to
// satisfy request: resource \"CPUS\"...", or that no more clusters may be
// created in the location.
func quotaOf(msg string) quota {
	if m := quotaRE.FindStringSubmatch(msg); m != nil && !strings.EqualFold(m[1], "cannot") {
		return quota{ok: true, resource: strings.ToUpper(m[1])}
	}
	l := strings.ToLower(msg)
	if strings.Contains(l, "quota") && strings.Contains(l, "cluster") {
		return quota{ok: true}
	}
	return quota{}
}

// region is the region of a zone or region: quotas are regional.
func region(location string) string {
	if strings.Count(location, "-") == 2 {
		return location[:strings.LastIndex(location, "-")]
	}
	return location
}

func quotaHint(r ref, q quota) string {
	reg := region(r.Location)
	if q.resource == "" {
		return fmt.Sprintf("This is a quota, not a missing permission: project %s may not have more clusters in %s. Delete clusters you no longer need (gcloud container clusters list --project %s), or use another region", r.Project, reg, r.Project)
	}
	fewer := "use fewer or smaller nodes (node_count, machine_type, disk_size_gb)"
	if reg == r.Location {
		fewer = fmt.Sprintf("use a zonal location such as %s-a (a regional cluster runs node_count nodes in each of three zones), or %s", reg, fewer)
	}
	return fmt.Sprintf("This is a quota, not a missing permission: the %s quota of project %s in region %s is too small for this cluster. %s; or request more %s quota in %s (console: IAM & Admin, Quotas)", q.resource, r.Project, reg, upperFirst(fewer), q.resource, reg)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
