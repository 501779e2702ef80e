package testhosts

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestSweepsLeftoversOfAKilledRun fakes what a killed run leaves in a free
// slot (a namespace with a process in it, a link, the directory) and checks
// that the next New removes it all.
func TestSweepsLeftoversOfAKilledRun(t *testing.T) {
	Require(t)
	if err := os.MkdirAll(filepath.Join(baseDir, "locks"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := tryLock(maxSlots - 1)
	if err != nil {
		t.Fatal(err)
	}
	if s == nil {
		t.Skip("the last slot is in use by another test run")
	}
	ns := s.prefix() + "node-0"
	if err := ip("netns", "add", ns); err != nil {
		s.release()
		t.Fatal(err)
	}
	if err := ip("link", "add", s.prefix()+"br", "type", "bridge"); err != nil {
		t.Error(err)
	}
	sleeper := exec.Command("ip", "netns", "exec", ns, "sleep", "600")
	if err := sleeper.Start(); err != nil {
		t.Error(err)
	}
	exited := make(chan struct{})
	go func() { _ = sleeper.Wait(); close(exited) }()
	if err := os.MkdirAll(filepath.Join(s.dir(), "node-0"), 0o755); err != nil {
		t.Error(err)
	}
	t.Cleanup(func() { // in case the sweep under test does not work
		_ = sleeper.Process.Kill()
		<-exited
		if again, _ := tryLock(s.n); again != nil { // never sweep a slot in use
			_ = sweep(again)
			again.release()
		}
	})
	s.release() // as if the holder had died

	New(t, 1)

	<-exited // killed by the sweep; this blocks (and the test times out) if not
	// Another test binary may be the one sweeping the slot right now; once
	// the slot's lock is ours again, whoever swept it is done.
	for i := 0; ; i++ {
		again, err := tryLock(s.n)
		if err != nil {
			t.Fatal(err)
		}
		if again != nil {
			defer again.release()
			break
		}
		if i == 1000 {
			t.Fatal("the slot stayed locked")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if nss, _ := namespaces(s.prefix()); len(nss) != 0 {
		t.Errorf("namespaces left: %v", nss)
	}
	if links, _ := linksWithPrefix(s.prefix()); len(links) != 0 {
		t.Errorf("links left: %v", links)
	}
	if _, err := os.Stat(s.dir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("directory left: %v", err)
	}
	if err := syscall.Kill(sleeper.Process.Pid, 0); err == nil {
		t.Errorf("process %d left", sleeper.Process.Pid)
	}
}
