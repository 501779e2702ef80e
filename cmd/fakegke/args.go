package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/podlab/podlab/internal/fakegke"
)

// config is what the command line asks for, parsed before anything runs.
type config struct {
	grpcAddr       string
	tokenAddr      string
	kubeconfig     string
	kubeContext    string
	endpoint       string
	caFile         string
	tokenFile      string
	pending        time.Duration
	running        time.Duration
	tokenLifetime  time.Duration
	credentialsDir string
	projects       []string
}

const usage = `Usage: fakegke [flags]

Serves a fake GKE ClusterManager API (gRPC) and an OAuth2 token endpoint on
loopback, for podlab's tests and demos. Every cluster it creates reports the
backing Kubernetes cluster's endpoint and CA, and the token endpoint hands out
that cluster's bearer token. It prints the environment variables that point
podlab at it, then runs until interrupted.

The backing cluster comes from -kubeconfig (e.g. the local test cluster's
admin kubeconfig), or from -endpoint, -ca-file and -token-file; the latter
override what the kubeconfig says.

Flags:
`

func parseArgs(args []string, stderr io.Writer) (config, error) {
	var c config
	var projects string
	fs := flag.NewFlagSet("fakegke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.grpcAddr, "listen", "127.0.0.1:0", "`host:port` of the ClusterManager gRPC server (loopback only)")
	fs.StringVar(&c.tokenAddr, "token-listen", "127.0.0.1:0", "`host:port` of the OAuth2 token endpoint (loopback only)")
	fs.StringVar(&c.kubeconfig, "kubeconfig", "", "kubeconfig `file` of the backing cluster")
	fs.StringVar(&c.kubeContext, "context", "", "kubeconfig context (default: the current one)")
	fs.StringVar(&c.endpoint, "endpoint", "", "backing API server `host:port`, e.g. 127.0.0.1:6443")
	fs.StringVar(&c.caFile, "ca-file", "", "PEM `file` of the backing API server's CA")
	fs.StringVar(&c.tokenFile, "token-file", "", "`file` holding a bearer token the backing cluster accepts")
	fs.DurationVar(&c.pending, "pending", fakegke.DefaultPendingFor, "how long each operation stays PENDING")
	fs.DurationVar(&c.running, "running", fakegke.DefaultRunningFor, "how long each operation then stays RUNNING")
	fs.DurationVar(&c.tokenLifetime, "token-lifetime", fakegke.DefaultTokenLifetime, "expires_in of issued access tokens")
	fs.StringVar(&c.credentialsDir, "credentials-dir", "", "`dir` to write the service-account key into (default: a temporary directory removed on exit)")
	fs.StringVar(&projects, "projects", "", "comma-separated projects that exist (default: every project)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if c.pending <= 0 || c.running <= 0 || c.tokenLifetime <= 0 {
		return config{}, errors.New("-pending, -running and -token-lifetime must be positive")
	}
	for _, p := range strings.Split(projects, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.projects = append(c.projects, p)
		}
	}
	return c, nil
}

// options turns the configuration into server options, reading the backing
// cluster's files.
func (c config) options() (fakegke.Options, error) {
	opts := fakegke.Options{
		GRPCAddr:      c.grpcAddr,
		TokenAddr:     c.tokenAddr,
		PendingFor:    c.pending,
		RunningFor:    c.running,
		TokenLifetime: c.tokenLifetime,
		Projects:      c.projects,
	}
	if c.kubeconfig != "" {
		b, err := fakegke.BackingFromKubeconfig(c.kubeconfig, c.kubeContext)
		if err != nil {
			return opts, err
		}
		opts.Backing = b
	}
	if c.endpoint != "" {
		opts.Backing.Endpoint = c.endpoint
	}
	if c.caFile != "" {
		ca, err := os.ReadFile(c.caFile)
		if err != nil {
			return opts, fmt.Errorf("read CA: %w", err)
		}
		opts.Backing.CAPEM = ca
	}
	if c.tokenFile != "" {
		tok, err := os.ReadFile(c.tokenFile)
		if err != nil {
			return opts, fmt.Errorf("read token: %w", err)
		}
		opts.Backing.Token = strings.TrimSpace(string(tok))
	}
	return opts, nil
}
