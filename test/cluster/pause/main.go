// Command pause is the pod sandbox ("pause") container of the test cluster.
// It holds a pod's namespaces open and does nothing else, like the upstream
// pause image, which cannot be pulled on machines without registry access.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range sigs {
		if sig == syscall.SIGCHLD {
			// With a shared PID namespace the sandbox is PID 1 and inherits
			// orphans; reap them so they do not linger as zombies.
			reap()
			continue
		}
		os.Exit(0)
	}
}

func reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
