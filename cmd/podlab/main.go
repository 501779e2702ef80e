// Command podlab builds, checks and tears down repeatable Kubernetes class
// environments described in HCL.
package main

import (
	"context"
	"encoding/json"
	"os"
	"os/signal"
	"runtime/pprof"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/podlab/podlab/internal/command"
	"github.com/podlab/podlab/internal/kubeapi"
)

// stopGrace bounds how long a command that writes no state may take to
// return after an interrupt before podlab exits anyway.
const stopGrace = 3 * time.Second

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	// A class's apply watches a hundred pods at once; a soft memory limit
	// makes the collector work harder instead of letting the heap double,
	// which keeps podlab light on an instructor's laptop. GOMEMLIMIT
	// overrides it.
	if os.Getenv("GOMEMLIMIT") == "" {
		keepMemoryLight()
	}
	// client-go logs retries and watch restarts through klog; podlab
	// reports what matters itself. PODLAB_LOG=debug shows klog again.
	if os.Getenv("PODLAB_LOG") != "debug" {
		klog.SetLogger(logr.Discard())
	}
	// The API server's warnings (Pod Security's warn level among them)
	// are shown as kubectl shows them, each once, rather than going to
	// klog, which is silenced above.
	rest.SetDefaultWarningHandler(rest.NewWarningWriter(os.Stderr, rest.WarningWriterOptions{Deduplicate: true}))

	ctx, stop := context.WithCancel(context.Background())
	kill, abandon := context.WithCancel(context.Background())
	m := &command.Meta{
		Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin,
		Environ: os.Environ(), Version: version, Ctx: ctx, Kill: kill,
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	returned := make(chan struct{})
	var received atomic.Value // the first signal
	go func() {
		sig := <-sigs
		received.Store(sig)
		name := "Interrupt"
		if sig == syscall.SIGTERM {
			name = "SIGTERM"
		}
		if m.Interrupt() {
			// Changing the environment: stop starting new work, let the
			// calls in flight finish and record them; the second signal
			// abandons them.
			os.Stderr.WriteString("\n" + name + " received: finishing what is in flight and saving state (interrupt again to abandon it).\n")
			stop()
			<-sigs
			os.Stderr.WriteString("\nSecond interrupt: abandoning in-flight work; state is still saved.\n")
			abandon()
			return
		}
		// Nothing is being written: stop now. What is in flight sees its
		// context end and returns (releasing a remote lock) within
		// stopGrace; a command that does not look (a prompt, validate on a
		// huge file) is ended then. A local lock dies with the process.
		os.Stderr.WriteString("\n" + name + " received: stopping.\n")
		stop()
		abandon()
		select {
		case <-returned:
			return
		case <-sigs:
		case <-time.After(stopGrace):
		}
		os.Exit(command.SignalExitCode(sig))
	}()
	// PODLAB_API_STATS=FILE writes how many Kubernetes API requests the
	// command made, for tests and benchmarks.
	stats := os.Getenv("PODLAB_API_STATS")
	if stats != "" {
		m.Counter = &kubeapi.RequestCounter{}
	}
	code := command.Run(m, os.Args[1:])
	close(returned)
	if sig, ok := received.Load().(os.Signal); ok {
		// However the command ended, it was interrupted.
		code = command.SignalExitCode(sig)
	}
	if stats != "" {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		b, _ := json.Marshal(map[string]int64{
			"reads": m.Counter.Reads.Load(), "writes": m.Counter.Writes.Load(),
			"max_rss_kb": ru.Maxrss, // Linux reports kilobytes
		})
		_ = os.WriteFile(stats, b, 0o644)
	}
	// PODLAB_MEMPROFILE=FILE writes a heap profile as the command ends,
	// for bench/profile.sh: what the memory went to.
	if prof := os.Getenv("PODLAB_MEMPROFILE"); prof != "" {
		if f, err := os.Create(prof); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			_ = f.Close()
		}
	}
	os.Exit(code)
}
