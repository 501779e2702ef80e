package kubeadm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/podlab/podlab/internal/testhosts"
)

// fakeAPIServer is a TLS server answering /version for one bearer token, as a
// kube-apiserver does.
func fakeAPIServer(t *testing.T) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer admin-token" {
			http.Error(w, `{"kind":"Status","code":401}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"major":"1","minor":"34","gitVersion":"v1.34.4"}`))
	}))
	// A CA of its own: httptest's built-in certificate is the same for
	// every server.
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

// selfSigned is a fresh self-signed certificate for 127.0.0.1.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kube-apiserver"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// adminKubeconfig is a kubeconfig for server, trusting ts's CA.
func adminKubeconfig(t *testing.T, ts *httptest.Server, server, token string) *clientcmdapi.Config {
	t.Helper()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	kc := clientcmdapi.NewConfig()
	kc.Clusters["kubernetes"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	kc.AuthInfos["kubernetes-admin"] = &clientcmdapi.AuthInfo{Token: token}
	kc.Contexts["kubernetes-admin@kubernetes"] = &clientcmdapi.Context{Cluster: "kubernetes", AuthInfo: "kubernetes-admin"}
	kc.CurrentContext = "kubernetes-admin@kubernetes"
	return kc
}

func TestReachableServer(t *testing.T) {
	ts, other := fakeAPIServer(t), fakeAPIServer(t)
	dead := "https://127.0.0.1:1"
	tests := []struct {
		name       string
		candidates []string
		token      string
		want       string
	}{
		{"the kubeconfig's own server answers", []string{ts.URL, dead}, "admin-token", ts.URL},
		{"the second candidate answers", []string{dead, ts.URL}, "admin-token", ts.URL},
		{"a server with another CA is not taken", []string{dead, other.URL}, "admin-token", ""},
		{"credentials that are refused", []string{ts.URL}, "wrong", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kc := adminKubeconfig(t, ts, tt.candidates[0], tt.token)
			got, tried := reachableServer(t.Context(), kc, tt.candidates, nil)
			if got != tt.want || len(tried) == 0 {
				t.Errorf("reachableServer = %q (tried %v), want %q", got, tried, tt.want)
			}
		})
	}
}

// TestKubeconfigRewritten: kubeadm wrote a server address this machine
// cannot reach; the fetched kubeconfig names the api_server_endpoint,
// which answers, instead.
func TestKubeconfigRewritten(t *testing.T) {
	t.Parallel()
	ts := fakeAPIServer(t)
	endpoint := strings.TrimPrefix(ts.URL, "https://")
	kc := adminKubeconfig(t, ts, "https://127.0.0.1:1", "admin-token")
	raw, err := clientcmd.Write(*kc)
	if err != nil {
		t.Fatal(err)
	}
	env := testhosts.New(t, 1, testhosts.WithAdminConf(raw))
	l := newLab(t, env, func(k *Config) { k.APIEndpoint = endpoint })
	l.p.probe = nil // the real probe
	conn := l.mustApply()
	if conn.REST.Host != ts.URL {
		t.Errorf("connection goes to %q, want %q", conn.REST.Host, ts.URL)
	}
	got, err := clientcmd.LoadFromFile(conn.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Clusters["kubernetes"].Server; s != ts.URL {
		t.Errorf("kubeconfig server = %q, want %q", s, ts.URL)
	}
	if !strings.Contains(l.prog.text(), "https://127.0.0.1:1 does not answer from this machine; using "+ts.URL) {
		t.Errorf("progress does not say the server was rewritten:\n%s", l.prog.text())
	}
	if a := l.state().Attributes["endpoint"]; a != ts.URL {
		t.Errorf("state endpoint = %q", a)
	}
}
