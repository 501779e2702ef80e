package fakegke_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/podlab/podlab/internal/fakegke"
)

func writeKubeconfig(t *testing.T, cluster *clientcmdapi.Cluster, user *clientcmdapi.AuthInfo) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["test"] = cluster
	cfg.AuthInfos["admin"] = user
	cfg.Contexts["test"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "admin"}
	cfg.CurrentContext = "test"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatalf("write kubeconfig: %v", err)
	}
	return path
}

func TestBackingFromKubeconfig(t *testing.T) {
	t.Parallel()
	ca := testCA(t)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("file-token\n"), 0o600); err != nil {
		t.Fatalf("write token: %v", err)
	}
	caFile := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(caFile, ca, 0o600); err != nil {
		t.Fatalf("write CA: %v", err)
	}

	t.Run("inline CA and token", func(t *testing.T) {
		path := writeKubeconfig(t,
			&clientcmdapi.Cluster{Server: "https://127.0.0.1:6443", CertificateAuthorityData: ca},
			&clientcmdapi.AuthInfo{Token: "inline-token"})
		b, err := fakegke.BackingFromKubeconfig(path, "")
		if err != nil {
			t.Fatalf("BackingFromKubeconfig: %v", err)
		}
		if b.Endpoint != "127.0.0.1:6443" || string(b.CAPEM) != string(ca) || b.Token != "inline-token" {
			t.Errorf("backing %+v", b)
		}
	})
	t.Run("CA and token files, default port", func(t *testing.T) {
		path := writeKubeconfig(t,
			&clientcmdapi.Cluster{Server: "https://10.0.0.10", CertificateAuthority: caFile},
			&clientcmdapi.AuthInfo{TokenFile: tokenFile})
		b, err := fakegke.BackingFromKubeconfig(path, "test")
		if err != nil {
			t.Fatalf("BackingFromKubeconfig: %v", err)
		}
		if b.Endpoint != "10.0.0.10:443" || string(b.CAPEM) != string(ca) || b.Token != "file-token" {
			t.Errorf("backing %+v", b)
		}
	})
	t.Run("client certificate only", func(t *testing.T) {
		path := writeKubeconfig(t,
			&clientcmdapi.Cluster{Server: "https://127.0.0.1:6443", CertificateAuthorityData: ca},
			&clientcmdapi.AuthInfo{ClientCertificateData: []byte("cert"), ClientKeyData: []byte("key")})
		if _, err := fakegke.BackingFromKubeconfig(path, ""); err == nil || !strings.Contains(err.Error(), "bearer token") {
			t.Errorf("got %v, want an error about the missing bearer token", err)
		}
	})
	t.Run("unknown context", func(t *testing.T) {
		path := writeKubeconfig(t,
			&clientcmdapi.Cluster{Server: "https://127.0.0.1:6443", CertificateAuthorityData: ca},
			&clientcmdapi.AuthInfo{Token: "t"})
		if _, err := fakegke.BackingFromKubeconfig(path, "other"); err == nil {
			t.Error("unknown context accepted")
		}
	})
}

func TestStartRefusesBadSetups(t *testing.T) {
	t.Parallel()
	cases := map[string]fakegke.Options{
		"non-loopback listener": {GRPCAddr: "0.0.0.0:0"},
		"URL as endpoint":       {Backing: fakegke.Backing{Endpoint: "https://127.0.0.1:6443"}},
		"CA that is not PEM":    {Backing: fakegke.Backing{Endpoint: "127.0.0.1:6443", CAPEM: []byte("not pem")}},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			s := fakegke.New(opts)
			if err := s.Start(context.Background()); err == nil {
				_ = s.Close()
				t.Fatal("Start succeeded")
			}
		})
	}
}
