package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/podlab/podlab/internal/testcluster"
)

// namespacedLab is a lab of two exercises, each in a namespace the cluster
// admin made: a Pod that must become ready and answer from the node (its
// probe pod in the first namespace too), and a ConfigMap.
func namespacedLab(t *testing.T, nsA, nsB string) *lab {
	t.Helper()
	l := newLab(t, map[string]string{
		"lab.podlab.hcl": `
lab {
  name            = "shared-ns"
  probe_namespace = var.ns_a
  seats           = var.seats
}
variable "seats" {
  type    = list(string)
  default = null
}
variable "target" { default = "kubeconfig" }
variable "ns_a" { type = string }
variable "ns_b" { type = string }
cluster "kubeconfig" {
  kubeconfig {}
}
exercise "web" {
  namespace = var.ns_a
  manifests = [file("pod.yaml")]
  check "running" {
    ready { pod = "web" }
  }
  check "answers from the node" {
    http {
      pod         = "web"
      port        = 80
      from        = "node"
      expect_body = "Welcome to nginx!"
    }
  }
}
exercise "settings" {
  namespace = var.ns_b
  manifests = [file("configmap.yaml")]
}
`,
		"pod.yaml":       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: nginx\n    image: nginx:latest\n",
		"configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  greeting: hello\n",
	})
	l.env = append(l.env, "PODLAB_VAR_ns_a="+nsA, "PODLAB_VAR_ns_b="+nsB)
	return l
}

// A namespace the lab names that someone else made is used, never taken
// over: apply neither labels it nor makes it podlab's, and destroy leaves
// it (and what others keep in it) where it was.
func TestExistingNamespaceIsUsedNotTaken(t *testing.T) {
	c := testcluster.Get(t)
	nsA, nsB := c.Namespace(t, "shared-a"), c.Namespace(t, "shared-b")
	l := namespacedLab(t, nsA, nsB)
	cs := c.Clientset(t)
	ctx := context.Background()
	keep := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "not-podlabs"}, Data: map[string]string{"a": "b"}}
	if _, err := cs.CoreV1().ConfigMaps(nsB).Create(ctx, keep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	res := l.must(0, "plan")
	for _, ns := range []string{nsA, nsB} {
		if strings.Contains(res.stdout, `Namespace "`+ns+`"`) {
			t.Errorf("the plan creates the existing namespace %s:\n%s", ns, res.stdout)
		}
		if !strings.Contains(res.stdout, `The namespace "`+ns+`" already exists and is not podlab's`) {
			t.Errorf("the plan does not say that %s is not podlab's:\n%s", ns, res.stdout)
		}
	}
	if !strings.Contains(res.stdout, `It is left as it is: its own Pod Security labels apply there, not the lab's "baseline".`) {
		t.Errorf("the plan does not say the namespaces keep their own Pod Security:\n%s", res.stdout)
	}
	if !strings.Contains(res.stdout, "Plan: 2 to add") {
		t.Errorf("want 2 objects to add:\n%s", res.stdout)
	}
	l.must(0, "apply", "-auto-approve")
	for _, ns := range []string{nsA, nsB} {
		got, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := got.Labels["podlab.dev/env"]; ok {
			t.Errorf("apply labelled the namespace %s as podlab's (%s)", ns, v)
		}
		if v, ok := got.Labels["pod-security.kubernetes.io/enforce"]; ok {
			t.Errorf("apply relabelled the namespace %s for Pod Security (%s)", ns, v)
		}
	}
	if res := l.must(0, "plan"); !strings.Contains(res.stdout, "No changes.") {
		t.Errorf("a second plan:\n%s", res.stdout)
	}
	l.must(0, "destroy", "-auto-approve")
	for _, ns := range []string{nsA, nsB} {
		got, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err != nil || got.DeletionTimestamp != nil {
			t.Errorf("destroy deleted the namespace %s, which was not podlab's (%v)", ns, err)
		}
	}
	if _, err := cs.CoreV1().ConfigMaps(nsB).Get(ctx, "not-podlabs", metav1.GetOptions{}); err != nil {
		t.Errorf("destroy removed what was not podlab's: %v", err)
	}
	if _, err := cs.CoreV1().Pods(nsA).Get(ctx, "web", metav1.GetOptions{}); err == nil {
		t.Error("the exercise's pod is still there after destroy")
	}
}

// A seat's own namespace that someone made already is used the same way:
// the seat's ServiceAccount goes in, the namespace stays theirs.
func TestExistingSeatNamespaceIsUsedNotTaken(t *testing.T) {
	c := testcluster.Get(t)
	nsA, nsB := c.Namespace(t, "seat-a"), c.Namespace(t, "seat-b")
	l := namespacedLab(t, nsA, nsB)
	cs := c.Clientset(t)
	ctx := context.Background()
	home := "shared-ns-" + l.workspace + "-kim"
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: home}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), home, metav1.DeleteOptions{}) })

	res := l.must(0, "apply", "-auto-approve", "-var", `seats=["kim"]`)
	if !strings.Contains(res.stdout, `The namespace "`+home+`" already exists and is not podlab's`) {
		t.Errorf("the plan does not say that %s is not podlab's:\n%s", home, res.stdout)
	}
	if _, err := cs.CoreV1().ServiceAccounts(home).Get(ctx, "student", metav1.GetOptions{}); err != nil {
		t.Errorf("the seat's ServiceAccount: %v", err)
	}
	l.must(0, "destroy", "-auto-approve", "-var", `seats=["kim"]`)
	got, err := cs.CoreV1().Namespaces().Get(ctx, home, metav1.GetOptions{})
	if err != nil || got.DeletionTimestamp != nil {
		t.Errorf("destroy deleted the seat namespace %s, which was not podlab's (%v)", home, err)
	}
	if _, err := cs.CoreV1().ServiceAccounts(home).Get(ctx, "student", metav1.GetOptions{}); err == nil {
		t.Error("the seat's ServiceAccount is still there after destroy")
	}
}

// A kubeconfig whose rights end at two namespaces, as an instructor on a
// shared cluster gets: no listing across the cluster, no namespaces of its
// own. podlab must still plan, apply, wait, notice drift and destroy,
// namespace by namespace.
func TestNamespaceLimitedCredentials(t *testing.T) {
	c := testcluster.Get(t)
	nsA, nsB := c.Namespace(t, "limited-a"), c.Namespace(t, "limited-b")
	l := namespacedLab(t, nsA, nsB)
	cs := c.Clientset(t)
	ctx := context.Background()

	sa, err := cs.CoreV1().ServiceAccounts(nsA).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "instructor"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{nsA, nsB} {
		_, err := cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "instructor-admin"},
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "admin"},
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa.Name, Namespace: nsA}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	expiry := int64(3600)
	tok, err := cs.CoreV1().ServiceAccounts(nsA).CreateToken(ctx, sa.Name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expiry}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "instructor.kubeconfig")
	err = clientcmd.WriteToFile(clientcmdapi.Config{
		Clusters:       map[string]*clientcmdapi.Cluster{"test": {Server: c.Server, CertificateAuthorityData: c.CAData}},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{"instructor": {Token: tok.Status.Token}},
		Contexts:       map[string]*clientcmdapi.Context{"instructor": {Cluster: "test", AuthInfo: "instructor"}},
		CurrentContext: "instructor",
	}, kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	l.env = append(l.env, "KUBECONFIG="+kubeconfig)

	// The premise: these credentials cannot list across the cluster.
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	limited := kubernetes.NewForConfigOrDie(cfg)
	if _, err := limited.CoreV1().Pods("").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("listing pods across the cluster: %v, want forbidden", err)
	}
	if _, err := limited.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("listing namespaces: %v, want forbidden", err)
	}
	res := l.must(0, "apply", "-auto-approve")
	if !strings.Contains(res.stdout, "2 checks: 2 passed, 0 failed.") {
		t.Errorf("apply's check:\n%s", res.all())
	}
	if res := l.must(0, "plan"); !strings.Contains(res.stdout, "No changes.") {
		t.Errorf("a plan after apply:\n%s", res.all())
	}

	zero := int64(0)
	if err := cs.CoreV1().Pods(nsA).Delete(ctx, "web", metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	waitGone(t, func() error { _, err := cs.CoreV1().Pods(nsA).Get(ctx, "web", metav1.GetOptions{}); return err })
	res = l.must(0, "plan")
	if !strings.Contains(res.stdout, "it was deleted outside podlab") || !strings.Contains(res.stdout, "Plan: 1 to add") {
		t.Errorf("the plan misses the deleted pod:\n%s", res.all())
	}
	l.must(0, "apply", "-auto-approve")

	res = l.must(0, "destroy", "-auto-approve")
	if !strings.Contains(res.stdout, "Destroy complete!") {
		t.Errorf("destroy:\n%s", res.all())
	}
	for _, ns := range []string{nsA, nsB} {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "podlab.dev/env"})
		if err != nil {
			t.Fatal(err)
		}
		cms, err := cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{LabelSelector: "podlab.dev/env"})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(pods.Items) + len(cms.Items); n != 0 {
			t.Errorf("%d of podlab's objects left in %s after destroy", n, ns)
		}
	}
}

// waitGone polls get until it fails (the object is gone).
func waitGone(t *testing.T, get func() error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for get() == nil {
		if time.Now().After(deadline) {
			t.Fatal("the object is still there after a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
