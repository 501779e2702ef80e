package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	container "cloud.google.com/go/container/apiv1"
	"cloud.google.com/go/container/apiv1/containerpb"
	"golang.org/x/oauth2/google"

	"github.com/podlab/podlab/internal/fakegke"
)

func TestParseArgs(t *testing.T) {
	c, err := parseArgs([]string{"-endpoint", "127.0.0.1:6443", "-running", "5s", "-projects", "a-project, b-project"}, io.Discard)
	if err != nil {
		t.Fatalf("parseArgs: %v", err)
	}
	if c.endpoint != "127.0.0.1:6443" || c.running != 5*time.Second || c.pending != fakegke.DefaultPendingFor {
		t.Errorf("parsed %+v", c)
	}
	if len(c.projects) != 2 || c.projects[1] != "b-project" {
		t.Errorf("projects %q, want [a-project b-project]", c.projects)
	}

	for _, bad := range [][]string{{"-pending", "0s"}, {"extra"}, {"-nope"}} {
		if _, err := parseArgs(bad, io.Discard); err == nil {
			t.Errorf("parseArgs(%q) succeeded, want an error", bad)
		}
	}
}

func TestOptionsReadBackingFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatalf("write %s: %v", name, err)
		}
		return p
	}
	c := config{endpoint: "127.0.0.1:6443", caFile: write("ca.pem", "PEM"), tokenFile: write("token", "secret\n")}
	opts, err := c.options()
	if err != nil {
		t.Fatalf("options: %v", err)
	}
	if opts.Backing.Endpoint != "127.0.0.1:6443" || string(opts.Backing.CAPEM) != "PEM" || opts.Backing.Token != "secret" {
		t.Errorf("backing %+v", opts.Backing)
	}
	if _, err := (config{caFile: filepath.Join(dir, "missing")}).options(); err == nil {
		t.Error("options with a missing CA file succeeded")
	}
}

// run prints the two export lines, and what they point at works: the gRPC
// address serves ClusterManager and the credentials yield the backing token.
func TestRunPrintsWorkingEnvironment(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("demo-token\n"), 0o600); err != nil {
		t.Fatalf("write token: %v", err)
	}
	cfg, err := parseArgs([]string{"-endpoint", "127.0.0.1:6443", "-token-file", tokenFile, "-credentials-dir", dir}, io.Discard)
	if err != nil {
		t.Fatalf("parseArgs: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, w, io.Discard) }()

	env := map[string]string{}
	sc := bufio.NewScanner(out)
	for len(env) < 2 && sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if !ok {
			t.Fatalf("unexpected output line %q", sc.Text())
		}
		env[k] = v
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()

	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", env["GOOGLE_APPLICATION_CREDENTIALS"])
	tctx, tcancel := context.WithTimeout(ctx, 30*time.Second)
	defer tcancel()
	ts, err := google.DefaultTokenSource(tctx, "https://www.googleapis.com/auth/cloud-platform")
	if err != nil {
		t.Fatalf("DefaultTokenSource: %v", err)
	}
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "demo-token" {
		t.Errorf("token %v, %v; want demo-token", tok, err)
	}
	client, err := container.NewClusterManagerClient(tctx, fakegke.EmulatorClientOptions(env[fakegke.EmulatorHostEnv])...)
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	defer client.Close()
	if _, err := client.ListClusters(tctx, &containerpb.ListClustersRequest{Parent: "projects/demo-project/locations/-"}); err != nil {
		t.Errorf("ListClusters at %s: %v", env[fakegke.EmulatorHostEnv], err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}
