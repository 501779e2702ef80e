package fakegke

import (
	"fmt"
	"time"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// GKE runs operations of its own on a cluster: it upgrades the control
// plane when the release channel moves on (often right after a create), and
// repairs it (REPAIR_CLUSTER). They hold the cluster like a user's operation
// does: the cluster is RECONCILING ("some work is actively being done on the
// cluster, such as upgrading the master", Cluster.Status in
// google/container/v1/cluster_service.proto) and every change is refused
// with FAILED_PRECONDITION until they are DONE. During a control-plane
// upgrade of a zonal cluster the API server is down for a while (GKE's
// documentation of control-plane upgrades: "you cannot deploy or change
// workloads ... the cluster control plane is unavailable"); the fake cuts
// the cluster's endpoints for the whole RUNNING phase.

// StartSystemOperation starts an operation GKE begins itself on the
// cluster named cluster: UPGRADE_MASTER or REPAIR_CLUSTER. It runs for
// Options.SystemOperationFor and returns its name. It fails as a user's
// change would when another operation holds the cluster.
func (s *Server) StartSystemOperation(cluster string, typ containerpb.Operation_Type) (string, error) {
	if typ != containerpb.Operation_UPGRADE_MASTER && typ != containerpb.Operation_REPAIR_CLUSTER {
		return "", fmt.Errorf("fakegke: GKE starts UPGRADE_MASTER and REPAIR_CLUSTER itself, not %s", typ)
	}
	now, unlock := s.begin()
	defer unlock()
	for k, c := range s.clusters {
		if k.name != cluster {
			continue
		}
		if err := c.busyError(); err != nil {
			return "", err
		}
		if c.pb.Status != containerpb.Cluster_RUNNING {
			return "", status.Errorf(codes.FailedPrecondition, "cluster %s is %s", cluster, c.pb.Status)
		}
		return s.startSystemOperation(now, k, typ).base.Name, nil
	}
	return "", status.Errorf(codes.NotFound, "no cluster named %q", cluster)
}

// startSystemOperation starts GKE's own operation at now. Callers hold s.mu.
func (s *Server) startSystemOperation(now time.Time, k clusterKey, typ containerpb.Operation_Type) *operation {
	c := s.clusters[k]
	c.pb.Status = containerpb.Cluster_RECONCILING
	op := s.startOperation(now, k, typ, clusterLink(k), func(op *operation) {
		s.settle(op.cluster)
	})
	// GKE's own operations start without a PENDING wait.
	op.runningAt = now
	op.doneAt = now.Add(s.opts.SystemOperationFor)
	if typ == containerpb.Operation_UPGRADE_MASTER && s.public != nil {
		s.public.setCut(true)
		s.private.setCut(true)
		time.AfterFunc(time.Until(op.doneAt), func() {
			s.public.setCut(false)
			s.private.setCut(false)
		})
	}
	return op
}

// Surge adds nodes to the cluster named cluster for d, as GKE does when it
// repairs or upgrades nodes with surge (NodePool.UpgradeSettings.max_surge):
// they show in the cluster's current_node_count and nowhere in the node
// pools' configuration.
func (s *Server) Surge(cluster string, nodes int, d time.Duration) error {
	now, unlock := s.begin()
	defer unlock()
	for k, c := range s.clusters {
		if k.name == cluster {
			c.surge = int32(nodes)
			c.surgeUntil = now.Add(d)
			return nil
		}
	}
	return fmt.Errorf("fakegke: no cluster named %q", cluster)
}
