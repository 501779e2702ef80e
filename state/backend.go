package state

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Backend stores the states of a lab's environments.
type Backend interface {
	// Read returns an environment's state, or nil when it has none.
	Read(ctx context.Context, env string) (*State, error)
	// Write stores st as env's state. The caller holds env's lock.
	Write(ctx context.Context, env string, st *State) error
	// Environments lists the environments that have state.
	Environments(ctx context.Context) ([]string, error)
	// Lock takes env's lock, waiting until ctx ends; it returns the lock's
	// ID. A LockedError tells who holds it.
	Lock(ctx context.Context, env string, info *LockInfo) (string, error)
	// Unlock releases a lock taken by Lock.
	Unlock(ctx context.Context, env, id string) error
	// ForceUnlock removes a lock left by a process that died, by its ID.
	ForceUnlock(ctx context.Context, env, id string) error
	// Describe says where states live, for messages.
	Describe(env string) string
}

// LockInfo tells who holds a lock.
type LockInfo struct {
	ID        string    `json:"id"`
	Operation string    `json:"operation"`
	Who       string    `json:"who"`
	PID       int       `json:"pid"`
	Version   string    `json:"version"`
	Created   time.Time `json:"created"`
}

// NewLockInfo describes this process taking a lock for operation.
func NewLockInfo(operation, version string) *LockInfo {
	who := "unknown"
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	if h, err := os.Hostname(); err == nil {
		who += "@" + h
	}
	return &LockInfo{
		ID: uuid.NewString(), Operation: operation, Who: who,
		PID: os.Getpid(), Version: version, Created: time.Now().UTC(),
	}
}

// LockedError says that another process holds a lock.
type LockedError struct {
	Env    string
	Holder *LockInfo // nil when the holder could not be told
	Where  string
}

func (e *LockedError) Error() string {
	if e.Holder == nil {
		return fmt.Sprintf("the state of environment %q (%s) is locked by another podlab", e.Env, e.Where)
	}
	h := e.Holder
	if addr, ok := strings.CutPrefix(h.Operation, "board at "); ok {
		return fmt.Sprintf("a podlab board is already served at %s for environment %q (pid %d, %s, since %s): open it there, or stop that board (Ctrl-C) first",
			addr, e.Env, h.PID, h.Who, h.Created.Local().Format("2006-01-02 15:04:05"))
	}
	return fmt.Sprintf("the state of environment %q is locked by %q (pid %d, %s) since %s, lock ID %s; wait for it to finish, pass -lock-timeout=5m to wait, or if that process is gone, run podlab force-unlock %s",
		e.Env, h.Operation, h.PID, h.Who, h.Created.Local().Format("2006-01-02 15:04:05"), h.ID, h.ID)
}
