package testhosts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// baseDir holds every slot's files. Not under /tmp: each host gets its own
// /tmp, and the hosts must still see their harness files (sshd_config, host
// keys, the shared cluster directory) at the same absolute paths.
const baseDir = "/var/tmp/podlab-testhosts"

// maxSlots bounds the address plan: slot K uses 10.231.2K.0/24 and
// 10.231.(2K+1).0/24, so 16 slots fill 10.231.0.0/19.
const maxSlots = 16

// slotWait bounds how long New waits when every slot is taken by other
// running tests.
const slotWait = 2 * time.Minute

// slot is one exclusive set of names and addresses, held by an flock that the
// kernel drops when the holder dies, which is what lets a later run know the
// leftovers it finds are abandoned.
type slot struct {
	n    int
	lock *os.File
}

func (s *slot) dir() string { return filepath.Join(baseDir, fmt.Sprintf("slot-%d", s.n)) }

// prefix starts every namespace and link name of the slot; the dash keeps
// slot 1 from matching slot 10's names.
func (s *slot) prefix() string { return fmt.Sprintf("plh%d-", s.n) }

// release drops the lock; the lock file stays (deleting it would race with
// another process opening it).
func (s *slot) release() {
	if s.lock != nil {
		s.lock.Close()
		s.lock = nil
	}
}

// acquireSlot takes the first free slot and, on the way, sweeps the leftovers
// of every free slot it passes, since those belong to runs that died.
func acquireSlot() (*slot, error) {
	if err := os.MkdirAll(filepath.Join(baseDir, "locks"), 0o755); err != nil {
		return nil, fmt.Errorf("testhosts: %w", err)
	}
	// /var/tmp/podlab-testhosts must be traversable by the hosts' non-root
	// users, whatever the umask was.
	if err := os.Chmod(baseDir, 0o755); err != nil {
		return nil, fmt.Errorf("testhosts: %w", err)
	}
	deadline := time.Now().Add(slotWait)
	for {
		var mine *slot
		for n := 0; n < maxSlots; n++ {
			s, err := tryLock(n)
			if err != nil {
				return nil, err
			}
			if s == nil {
				continue
			}
			if err := sweep(s); err != nil {
				s.release()
				if mine != nil {
					mine.release()
				}
				return nil, err
			}
			if mine == nil {
				mine = s
			} else {
				s.release()
			}
		}
		if mine != nil {
			return mine, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("testhosts: all %d slots stayed busy for %s", maxSlots, slotWait)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tryLock returns the slot if its lock was free, nil if another process
// holds it.
func tryLock(n int) (*slot, error) {
	path := filepath.Join(baseDir, "locks", fmt.Sprintf("slot-%d.lock", n))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("testhosts: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, nil
		}
		return nil, fmt.Errorf("testhosts: lock %s: %w", path, err)
	}
	return &slot{n: n, lock: f}, nil
}

// sweep removes everything a run in this slot can have made. It is both the
// normal cleanup and the recovery from a killed run, so it must cope with any
// part being absent.
func sweep(s *slot) error {
	var errs []error
	nss, err := namespaces(s.prefix())
	if err != nil {
		errs = append(errs, err)
	}
	links, err := linksWithPrefix(s.prefix())
	if err != nil {
		errs = append(errs, err)
	}
	if _, err := os.Stat(s.dir()); len(nss) == 0 && len(links) == 0 && errors.Is(err, os.ErrNotExist) && !cgroupsLeft(s.prefix()) {
		return errors.Join(errs...) // nothing here: spare the exec calls
	}
	var pids []int
	for _, ns := range nss {
		p, err := namespacePIDs(ns)
		if err != nil {
			errs = append(errs, err)
		}
		pids = append(pids, p...)
	}
	killAndWait(pids)
	// Pods' containers live in network namespaces of their own: they are
	// found by the real nodes' cgroups.
	if err := sweepCgroups(s.prefix()); err != nil {
		errs = append(errs, err)
	}
	for _, ns := range nss {
		if err := ip("netns", "del", ns); err != nil {
			errs = append(errs, err)
		}
	}
	// Deleting the root-side end of a veth deletes its peer synchronously;
	// waiting for the kernel to tear a namespace down would not be.
	for _, l := range links {
		if err := delLink(l); err != nil {
			errs = append(errs, err)
		}
	}
	delUnreachableRoute(backSubnet(s.n))
	if err := os.RemoveAll(s.dir()); err != nil {
		errs = append(errs, fmt.Errorf("testhosts: %w", err))
	}
	return errors.Join(errs...)
}
