package testhosts

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// Listen holds TCP port open inside the host's network namespace, as a
// process on the host listening there would (ss shows it), until the test
// ends. It needs no program on the host: the socket is made by this test
// process from a thread that enters the namespace for that one call.
func (h *Host) Listen(port int) error {
	type result struct {
		l   net.Listener
		err error
	}
	ch := make(chan result, 1)
	go func() {
		// This goroutine's thread changes namespace; if it cannot change
		// back, it stays locked and dies with the goroutine instead of
		// carrying the host's namespace to other goroutines.
		runtime.LockOSThread()
		l, restored, err := listenIn(h.sshd.pid, h.Addr, port)
		if restored {
			runtime.UnlockOSThread()
		}
		ch <- result{l, err}
	}()
	r := <-ch
	if r.err != nil {
		return fmt.Errorf("testhosts: %s: listen on %d: %w", h.Name, port, r.err)
	}
	h.env.t.Cleanup(func() { r.l.Close() })
	return nil
}

func listenIn(pid int, addr string, port int) (l net.Listener, restored bool, err error) {
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return nil, true, err
	}
	defer self.Close()
	target, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		return nil, true, err
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		return nil, true, err
	}
	l, err = net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
	if serr := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); serr != nil {
		if l != nil {
			l.Close()
		}
		return nil, false, serr
	}
	return l, true, err
}
