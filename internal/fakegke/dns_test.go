package fakegke_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"cloud.google.com/go/container/apiv1/containerpb"

	"github.com/podlab/podlab/internal/fakegke"
)

// The DNS-based endpoint: a client behind the fake's HTTPS proxy reaches the
// backing API server by the cluster's DNS name on port 443, with that name
// as the TLS server name, trusting the fake's stand-in for the public roots;
// the proxy goes nowhere else, and a control-plane upgrade cuts it too.
func TestDNSEndpoint(t *testing.T) {
	api := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "backing "+r.URL.Path)
	}))
	t.Cleanup(api.Close)
	e := newEnv(t, fakegke.Options{
		PendingFor: fastTimings.PendingFor, RunningFor: fastTimings.RunningFor, SystemOperationFor: stateTimings.RunningFor,
		Backing: fakegke.Backing{
			Endpoint: strings.TrimPrefix(api.URL, "https://"),
			CAPEM:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: api.Certificate().Raw}),
		},
	})
	e.createRunning(t, newCluster("dns"))
	name := e.get(t, zone, "dns").GetControlPlaneEndpointsConfig().GetDnsEndpointConfig().GetEndpoint()
	if !strings.HasSuffix(name, "."+zone+".gke.goog") {
		t.Fatalf("DNS endpoint %q", name)
	}
	rootsFile, err := e.srv.WriteDNSRoots(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pemRoots, err := os.ReadFile(rootsFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemRoots) {
		t.Fatal("no certificate in the roots file")
	}
	proxy, err := url.Parse(e.srv.DNSProxyURL())
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{Proxy: http.ProxyURL(proxy)}
	tr.TLSClientConfig = tlsConfig(roots)
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr}
	get := func(u string) (string, error) {
		resp, err := c.Get(u)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}

	if got, err := get("https://" + name + "/version"); err != nil || got != "backing /version" {
		t.Fatalf("GET through the DNS endpoint = %q, %v", got, err)
	}
	if got := e.srv.DNSHandshakes(); len(got) != 1 || got[0] != name {
		t.Fatalf("handshakes = %q, want [%q]", got, name)
	}
	// Trusted by the fake's roots only, not by the backing cluster's CA.
	clusterCA := x509.NewCertPool()
	clusterCA.AddCert(api.Certificate())
	byClusterCA := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: tlsConfig(clusterCA)}}
	if _, err := byClusterCA.Get("https://" + name + "/version"); err == nil || !strings.Contains(err.Error(), "unknown authority") {
		t.Fatalf("GET trusting the cluster CA = %v, want an unknown authority", err)
	}
	// The proxy reaches DNS endpoints on port 443 only.
	for _, u := range []string{"https://example.com/", "https://" + name + ":8443/", "https://" + api.Listener.Addr().String() + "/"} {
		if _, err := get(u); err == nil || !strings.Contains(err.Error(), "Forbidden") {
			t.Errorf("GET %s through the proxy = %v, want Forbidden", u, err)
		}
	}
	// A control-plane upgrade cuts the DNS endpoint with the others.
	tr.CloseIdleConnections()
	if _, err := e.srv.StartSystemOperation("dns", containerpb.Operation_UPGRADE_MASTER); err != nil {
		t.Fatal(err)
	}
	if _, err := get("https://" + name + "/version"); err == nil {
		t.Fatal("the DNS endpoint answered during a control-plane upgrade")
	}
}

func tlsConfig(roots *x509.CertPool) *tls.Config { return &tls.Config{RootCAs: roots} }
