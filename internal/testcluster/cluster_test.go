package testcluster_test

import (
	"context"
	"slices"
	"testing"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/podlab/podlab/internal/testcluster"
)

// TestCredentials checks both ways in: the admin client certificate and the
// static bearer token, each mapped to a system:masters user.
func TestCredentials(t *testing.T) {
	c := testcluster.Get(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for name, tc := range map[string]struct {
		cfg  *rest.Config
		user string
	}{
		"client certificate": {c.RESTConfig(), "podlab-admin"},
		"bearer token":       {c.TokenRESTConfig(), "podlab-token-admin"},
	} {
		t.Run(name, func(t *testing.T) {
			cs, err := kubernetes.NewForConfig(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			review, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("who am I: %v", err)
			}
			u := review.Status.UserInfo
			if u.Username != tc.user || !slices.Contains(u.Groups, "system:masters") {
				t.Fatalf("authenticated as %q in %v, want %q in system:masters", u.Username, u.Groups, tc.user)
			}
		})
	}
	// Control: a wrong token is refused.
	bad := c.TokenRESTConfig()
	bad.BearerToken = "not-" + c.Token
	cs, err := kubernetes.NewForConfig(bad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); err == nil {
		t.Fatal("a wrong bearer token was accepted")
	}

	node, err := c.Clientset(t).CoreV1().Nodes().Get(ctx, c.NodeName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get node %s: %v", c.NodeName, err)
	}
	if v := node.Status.NodeInfo.KubeletVersion; v != c.Version {
		t.Errorf("kubelet version %s, want %s", v, c.Version)
	}
	if !slices.ContainsFunc(node.Status.Addresses, func(a corev1.NodeAddress) bool {
		return a.Type == corev1.NodeInternalIP && a.Address == c.NodeIP
	}) {
		t.Errorf("node addresses %v lack InternalIP %s", node.Status.Addresses, c.NodeIP)
	}
}

// TestAPIServerRestart stops and starts kube-apiserver alone: requests fail
// while it is down, and what was stored before is there after.
func TestAPIServerRestart(t *testing.T) {
	c := testcluster.Get(t)
	cs := c.Clientset(t)
	ns := c.Namespace(t, "restart")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "before-restart"},
		Data:       map[string]string{"k": "v"},
	}
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	c.StopAPIServer(t)
	stopped := true
	t.Cleanup(func() {
		if stopped {
			c.StartAPIServer(t)
		}
	})
	if _, err := cs.Discovery().ServerVersion(); err == nil {
		t.Fatal("the API server answered after StopAPIServer")
	}

	c.StartAPIServer(t)
	stopped = false
	// A fresh bound: StopAPIServer first waits for every other end-to-end
	// test to finish, which can take longer than the bound above.
	ctx, cancel = context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	got, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, cm.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("configmap after restart: %v", err)
	}
	if got.Data["k"] != "v" {
		t.Fatalf("configmap data after restart: %v", got.Data)
	}
}
