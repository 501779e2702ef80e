package fakegke_test

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"

	"github.com/podlab/podlab/internal/fakegke"
)

// The whole path podlab's GKE provider will take, with a stand-in API server
// over TLS: create a cluster, read endpoint and CA from GetCluster, and call
// Kubernetes with a token from Application Default Credentials. It proves
// the pieces fit without needing the real local test cluster.
func TestKubernetesClientFromClusterAndADC(t *testing.T) {
	const token = "kube-token"
	api := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"major": "1", "minor": "34", "gitVersion": "v1.34.4"})
	}))
	t.Cleanup(api.Close)

	e := newEnv(t, fakegke.Options{
		PendingFor: fastTimings.PendingFor, RunningFor: fastTimings.RunningFor,
		Backing: fakegke.Backing{
			Endpoint: strings.TrimPrefix(api.URL, "https://"),
			CAPEM:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: api.Certificate().Raw}),
			Token:    token,
		},
	})
	path, err := e.srv.WriteCredentials(t.TempDir())
	if err != nil {
		t.Fatalf("WriteCredentials: %v", err)
	}
	useCredentials(t, path)
	e.createRunning(t, newCluster("real"))
	c := e.get(t, zone, "real")

	ca, err := base64.StdEncoding.DecodeString(c.GetMasterAuth().GetClusterCaCertificate())
	if err != nil {
		t.Fatalf("decode CA: %v", err)
	}
	ts, err := google.DefaultTokenSource(ctxT(t), cloudPlatform)
	if err != nil {
		t.Fatalf("DefaultTokenSource: %v", err)
	}
	cfg := &rest.Config{
		Host:            "https://" + c.GetEndpoint(),
		TLSClientConfig: rest.TLSClientConfig{CAData: ca},
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
			return &oauth2.Transport{Source: ts, Base: rt}
		},
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatalf("discovery client: %v", err)
	}
	v, err := dc.ServerVersion()
	if err != nil {
		t.Fatalf("ServerVersion through the fake's endpoint, CA and token: %v", err)
	}
	if v.GitVersion != "v1.34.4" {
		t.Errorf("server version %q, want v1.34.4", v.GitVersion)
	}
}
