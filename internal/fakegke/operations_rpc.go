package fakegke

import (
	"context"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// GetOperation returns an operation as it stands now; clients poll it until
// it is DONE. Operations outlive their clusters, as on GKE.
func (s *Server) GetOperation(_ context.Context, req *containerpb.GetOperationRequest) (*containerpb.Operation, error) {
	r, err := s.parse(req, true, "operations")
	if err != nil {
		return nil, err
	}
	now, unlock := s.begin()
	defer unlock()
	op := s.operations[r.operation]
	if op == nil || op.project != r.project || (r.location != "-" && op.location != r.location) {
		// approximated
		return nil, status.Errorf(codes.NotFound, "Not found: %s.", r.path())
	}
	return op.view(now), nil
}

// ListOperations lists the operations of a location, or of all with "-",
// oldest first, finished ones included.
func (s *Server) ListOperations(_ context.Context, req *containerpb.ListOperationsRequest) (*containerpb.ListOperationsResponse, error) {
	r, err := s.parse(req, true)
	if err != nil {
		return nil, err
	}
	now, unlock := s.begin()
	defer unlock()
	resp := &containerpb.ListOperationsResponse{}
	for _, op := range s.opOrder {
		if op.project == r.project && (r.location == "-" || op.location == r.location) {
			resp.Operations = append(resp.Operations, op.view(now))
		}
	}
	return resp, nil
}
