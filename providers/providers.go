// Package providers defines what podlab needs of a kind of cluster: to plan
// the cluster itself, to bring it into being, to connect to it and to tear
// it down. The engine works through this interface alone, so a cluster that
// does not exist at plan time (a fresh GKE class) is created, connected to
// and used within one apply.
package providers

import (
	"context"
	"errors"
	"time"

	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

// Cluster is one environment's cluster, of some kind.
type Cluster interface {
	// Plan says what apply must do to the cluster itself. It asks the
	// cloud or the hosts only when refresh is set and state records a
	// cluster; a cluster podlab has not made yet is simply to be created.
	Plan(ctx context.Context, prior *state.Cluster, refresh bool) (*plan.ClusterChange, error)
	// Connect returns a connection to an existing cluster without
	// changing it, or ErrNotCreated.
	Connect(ctx context.Context, prior *state.Cluster) (*Connection, error)
	// Ensure creates or adopts the cluster, recording each step through
	// rec so an interrupted apply resumes, and returns a connection once
	// the cluster is ready for objects.
	Ensure(ctx context.Context, prior *state.Cluster, rec Recorder, p Progress) (*Connection, error)
	// Destroy tears down what podlab created; a cluster it adopted or was
	// merely given is left alone.
	Destroy(ctx context.Context, prior *state.Cluster, rec Recorder, p Progress) error
	// CheckDestroy refuses, before anything in the cluster is deleted, a
	// destroy that Destroy would refuse (a protected cluster).
	CheckDestroy(prior *state.Cluster) error
	// Describe tells what the provider knows of its cluster from its block
	// alone.
	Describe() Description
}

// Description is what a provider tells of its cluster without asking it.
type Description struct {
	// Sized is set when the provider decides how many nodes the cluster
	// runs (not for an existing cluster, hosts given, or Autopilot), and
	// Nodes is that number.
	Sized bool
	Nodes int
	// Quota is the cloud quota those nodes need, in words, or "".
	Quota string
	// DeleteWipesObjects is set when deleting the cluster deletes every
	// object in it at once (kubeadm reset wipes etcd), so destroy need not
	// delete them one by one first.
	DeleteWipesObjects bool
}

// Options are what every provider may need besides its own block.
type Options struct {
	// Lab and Env name the lab and the environment (for labels).
	Lab, Env string
	// LabDir is the lab's directory: relative paths in the block are
	// found there.
	LabDir string
	// WorkDir is where the provider keeps files on this machine (a
	// kubeconfig, host logs): the environment's directory beside its
	// state.
	WorkDir string
	// ExpiresAt, when set, is when the environment expires, labelled on
	// what the provider creates so that tools outside podlab see it.
	ExpiresAt *time.Time
	// Getenv reads the environment podlab runs in.
	Getenv func(string) string
}

// KubeconfigSource is a provider that can write a kubeconfig for people to
// use the environment's cluster with kubectl.
type KubeconfigSource interface {
	Kubeconfig(ctx context.Context, prior *state.Cluster) (*clientcmdapi.Config, error)
}

// ErrNotCreated says the cluster does not exist yet.
var ErrNotCreated = errors.New("the cluster does not exist yet")

// Connection is how to reach a ready cluster.
type Connection struct {
	REST *rest.Config
	// Attributes are public facts recorded in state (endpoint, version).
	Attributes map[string]string
	// Kubeconfig, when set, is a file students can use as it is.
	Kubeconfig string
	// Context is the kubeconfig context in use, for kubectl hints.
	Context string
}

// Recorder changes the cluster's record in state and saves it at once.
type Recorder func(update func(c *state.Cluster)) error

// Progress receives what a long step is doing, for the user to see.
type Progress interface {
	// Step reports a named step starting or changing ("creating cluster",
	// "PROVISIONING"), with the time since it began.
	Step(name, status string, elapsed time.Duration)
	// Log reports a plain line of progress.
	Log(msg string)
}

// StepDone is the status that ends a step.
const StepDone = "done"

// NoProgress discards progress.
type NoProgress struct{}

// Step discards a step.
func (NoProgress) Step(string, string, time.Duration) {}

// Log discards a line.
func (NoProgress) Log(string) {}
