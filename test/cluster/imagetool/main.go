// Command imagetool builds the test cluster's container images without a
// Docker engine: the course's images from a Debian rootfs tarball, pushed to
// the harness's local registry, and the pod sandbox image as an archive for
// `ctr images import`. test/cluster/cluster.sh drives it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const usage = `usage:
  imagetool push -rootfs ROOTFS.tar -registry HOST:PORT -recipe KEY
  imagetool pause -binary PAUSE -tag REF -out ARCHIVE.tar`

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "imagetool:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("no command\n%s", usage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "push":
		return runPush(ctx, args[1:])
	case "pause":
		return runPause(args[1:])
	default:
		return fmt.Errorf("unknown command %q\n%s", args[0], usage)
	}
}

func runPush(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("push", flag.ContinueOnError)
	rootfs := fs.String("rootfs", "", "Debian rootfs tarball")
	registry := fs.String("registry", "127.0.0.1:5000", "registry to push to (plain HTTP)")
	recipe := fs.String("recipe", "", "key of the inputs; images already pushed with it are kept")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rootfs == "" || *recipe == "" {
		return fmt.Errorf("push needs -rootfs and -recipe\n%s", usage)
	}
	start := time.Now()
	todo, err := stale(ctx, *registry, *recipe, courseRefs)
	if err != nil {
		return err
	}
	if len(todo) == 0 {
		fmt.Printf("images current in %s (%d tags)\n", *registry, len(courseRefs))
		return nil
	}
	set, err := courseImages(*rootfs, *recipe)
	if err != nil {
		return err
	}
	if err := push(ctx, *registry, set); err != nil {
		return err
	}
	fmt.Printf("pushed %d tags to %s in %s\n", len(set), *registry, time.Since(start).Round(time.Millisecond))
	return nil
}

func runPause(args []string) error {
	fs := flag.NewFlagSet("pause", flag.ContinueOnError)
	binary := fs.String("binary", "", "static pause binary")
	tag := fs.String("tag", "", "reference to tag the image with (containerd's sandbox_image)")
	out := fs.String("out", "", "docker-archive tarball to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *binary == "" || *tag == "" || *out == "" {
		return fmt.Errorf("pause needs -binary, -tag and -out\n%s", usage)
	}
	return writePauseArchive(*binary, *tag, *out)
}
