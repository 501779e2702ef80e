// Command fakegke serves podlab's fake GKE API on loopback for demos and
// manual tests: run it, export the variables it prints, and point podlab at
// a GKE lab. See internal/fakegke for what it models.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/podlab/podlab/internal/fakegke"
)

func main() {
	cfg, err := parseArgs(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakegke:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fakegke:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done. The export lines go to stdout, so that
// `fakegke ... | head -2` or a harness can read them; notes go to stderr.
func run(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	opts, err := cfg.options()
	if err != nil {
		return fmt.Errorf("backing cluster: %w", err)
	}
	if opts.Backing.Endpoint == "" {
		fmt.Fprintln(stderr, "fakegke: warning: no backing cluster (-kubeconfig or -endpoint): clusters will have no endpoint")
	}

	dir := cfg.credentialsDir
	if dir == "" {
		// The key file is a credential: keep it only as long as the server.
		if dir, err = os.MkdirTemp("", "fakegke-"); err != nil {
			return fmt.Errorf("credentials directory: %w", err)
		}
		defer os.RemoveAll(dir)
	}

	srv := fakegke.New(opts)
	if err := srv.Start(ctx); err != nil {
		return err
	}
	defer srv.Close()
	creds, err := srv.WriteCredentials(dir)
	if err != nil {
		return err
	}

	fmt.Fprintf(stderr, "fakegke: ClusterManager gRPC on %s, OAuth2 token endpoint %s\n", srv.GRPCAddr(), srv.TokenURL())
	if opts.Backing.Endpoint != "" {
		fmt.Fprintf(stderr, "fakegke: clusters are backed by https://%s, through the endpoint https://%s\n", opts.Backing.Endpoint, srv.Endpoint())
	}
	fmt.Fprintf(stdout, "export %s=%s\n", fakegke.EmulatorHostEnv, srv.GRPCAddr())
	fmt.Fprintf(stdout, "export GOOGLE_APPLICATION_CREDENTIALS=%s\n", creds)

	<-ctx.Done()
	fmt.Fprintln(stderr, "fakegke: stopping")
	return nil
}
