package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Local keeps states in files: DIR/envs/ENV/state.json, with
// state.json.backup (the copy before the last write) and state.lock.
type Local struct {
	Dir string

	mu    sync.Mutex
	locks map[string]*os.File
}

// NewLocal returns a backend storing under dir (normally LAB/.podlab).
func NewLocal(dir string) *Local {
	return &Local{Dir: dir, locks: map[string]*os.File{}}
}

// EnvDir is where an environment's files live; other files that must stay
// out of state (a kubeadm admin kubeconfig, host logs) go there too.
func (l *Local) EnvDir(env string) string { return filepath.Join(l.Dir, "envs", env) }

func (l *Local) statePath(env string) string { return filepath.Join(l.EnvDir(env), "state.json") }

// BackupPath is where the previous copy of env's state is kept.
func (l *Local) BackupPath(env string) string { return l.statePath(env) + ".backup" }

// Describe says where env's state is.
func (l *Local) Describe(env string) string { return l.statePath(env) }

// Read reads env's state; nil when there is none.
func (l *Local) Read(_ context.Context, env string) (*State, error) {
	p := l.statePath(env)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	st, err := Decode(b)
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return nil, fmt.Errorf("%s: %w. The previous copy is %s: if it reads well (podlab keeps it after every write), restore it with: cp %s %s",
				p, err, l.BackupPath(env), l.BackupPath(env), p)
		}
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return st, nil
}

// Write replaces env's state atomically: the new copy goes to a temporary
// file that is synced and renamed over the old one, and the directory is
// synced, so that a crash leaves either the old state or the new one. The
// old one is kept as the backup.
func (l *Local) Write(_ context.Context, env string, st *State) error {
	b, err := Encode(st)
	if err != nil {
		return err
	}
	dir := l.EnvDir(env)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	p := l.statePath(env)
	tmp, err := os.CreateTemp(dir, ".state-*.tmp")
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := l.keepBackup(p); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return syncDir(dir)
}

// keepBackup makes the current state file the backup, by a hard link so
// that the backup too is replaced atomically.
func (l *Local) keepBackup(p string) error {
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	tmp := p + ".backup.tmp"
	_ = os.Remove(tmp)
	if err := os.Link(p, tmp); err != nil {
		return fmt.Errorf("keep state backup: %w", err)
	}
	if err := os.Rename(tmp, p+".backup"); err != nil {
		return fmt.Errorf("keep state backup: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// Environments lists environments with a state file.
func (l *Local) Environments(context.Context) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(l.Dir, "envs"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var envs []string
	for _, e := range entries {
		if _, err := os.Stat(l.statePath(e.Name())); err == nil {
			envs = append(envs, e.Name())
		}
	}
	sort.Strings(envs)
	return envs, nil
}

// Delete removes an environment's state, its backup and what else podlab
// kept beside it, for "podlab workspace delete". It takes the lock first,
// so a command still working in the environment is not pulled from under.
func (l *Local) Delete(env string) error {
	id, err := l.Lock(context.Background(), env, NewLockInfo("workspace delete", ""))
	if err != nil {
		return err
	}
	defer l.Unlock(context.Background(), env, id) //nolint:errcheck // the directory is gone
	return os.RemoveAll(l.EnvDir(env))
}

// Lock takes an exclusive flock on the environment's lock file. The kernel
// releases it when the process dies, however it dies, so a crashed podlab
// never leaves a stale lock; the holder's description is written into the
// file for whoever is kept waiting.
func (l *Local) Lock(ctx context.Context, env string, info *LockInfo) (string, error) {
	dir := l.EnvDir(env)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("lock state: %w", err)
	}
	p := filepath.Join(dir, "state.lock")
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", fmt.Errorf("lock state: %w", err)
	}
	wait := 50 * time.Millisecond
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return "", fmt.Errorf("lock state %s: %w", p, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return "", &LockedError{Env: env, Holder: readLockInfo(p), Where: p}
		case <-time.After(wait):
		}
		wait = min(wait*2, time.Second)
	}
	b, _ := json.Marshal(info)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
		_ = f.Sync()
	}
	l.mu.Lock()
	l.locks[info.ID] = f
	l.mu.Unlock()
	return info.ID, nil
}

func readLockInfo(p string) *LockInfo {
	b, err := os.ReadFile(p)
	if err != nil || len(b) == 0 {
		return nil
	}
	var info LockInfo
	if json.Unmarshal(b, &info) != nil {
		return nil
	}
	return &info
}

// Unlock releases a lock this process took.
func (l *Local) Unlock(_ context.Context, env, id string) error {
	l.mu.Lock()
	f, ok := l.locks[id]
	delete(l.locks, id)
	l.mu.Unlock()
	if !ok {
		return fmt.Errorf("unlock state of %q: no lock %s held by this process", env, id)
	}
	_ = f.Truncate(0)
	defer f.Close()
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}

// ForceUnlock clears a lock file's holder. A live holder's flock cannot be
// broken (nor should it be); this only clears what a dead one described.
func (l *Local) ForceUnlock(_ context.Context, env, id string) error {
	p := filepath.Join(l.EnvDir(env), "state.lock")
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("environment %q is not locked", env)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		holder := readLockInfo(p)
		if holder != nil && holder.ID != id {
			return fmt.Errorf("environment %q is locked with ID %s, not %s", env, holder.ID, id)
		}
		return fmt.Errorf("environment %q is locked by a running process (%v); a local lock ends when its process ends: stop that process instead", env, holderString(holder))
	}
	defer unix.Flock(int(f.Fd()), unix.LOCK_UN)
	if holder := readLockInfo(p); holder != nil && holder.ID != id {
		return fmt.Errorf("the last lock of %q had ID %s, not %s", env, holder.ID, id)
	}
	return f.Truncate(0)
}

func holderString(h *LockInfo) string {
	if h == nil {
		return "holder unknown"
	}
	return fmt.Sprintf("%s, pid %d, %s", h.Operation, h.PID, h.Who)
}
