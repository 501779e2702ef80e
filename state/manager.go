package state

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Manager is a command's handle on one environment's state: it holds the
// lock (when taken), the current state, and persists after every change.
type Manager struct {
	b      Backend
	env    string
	lockID string

	mu sync.Mutex
	st *State
}

// OpenOptions control how a state is opened.
type OpenOptions struct {
	Lab         string
	Lock        bool
	LockTimeout time.Duration
	Operation   string
	Version     string
}

// Open locks (when asked) and reads an environment's state, starting an
// empty one when there is none. It refuses a state that belongs to another
// lab or environment.
func Open(ctx context.Context, b Backend, env string, opts OpenOptions) (*Manager, error) {
	m := &Manager{b: b, env: env}
	if opts.Lock {
		lctx, cancel := context.WithTimeout(ctx, opts.LockTimeout)
		defer cancel()
		id, err := b.Lock(lctx, env, NewLockInfo(opts.Operation, opts.Version))
		if err != nil {
			return nil, err
		}
		m.lockID = id
	}
	st, err := b.Read(ctx, env)
	if err != nil {
		m.Close()
		return nil, err
	}
	if st == nil {
		st = New(opts.Lab, env)
		st.PodlabVersion = opts.Version
	} else if st.Lab != opts.Lab || st.Environment != env {
		m.Close()
		return nil, fmt.Errorf("%s holds the state of lab %q, environment %q, not of lab %q, environment %q: it was copied from elsewhere; move it away",
			b.Describe(env), st.Lab, st.Environment, opts.Lab, env)
	}
	m.st = st
	return m, nil
}

// Env is the environment the manager holds.
func (m *Manager) Env() string { return m.env }

// Backend is where the state lives.
func (m *Manager) Backend() Backend { return m.b }

// State returns a copy of the current state.
func (m *Manager) State() *State {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st.Clone()
}

// Update changes the state with fn and writes it at once. Updates are
// serialised, so concurrent workers can each record their own object.
func (m *Manager) Update(ctx context.Context, fn func(*State)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	next := m.st.Clone()
	fn(next)
	next.Serial = m.st.Serial + 1
	next.UpdatedAt = time.Now().UTC()
	next.FormatVersion = FormatVersion
	if err := m.b.Write(ctx, m.env, next); err != nil {
		return fmt.Errorf("save state of %q: %w", m.env, err)
	}
	m.st = next
	return nil
}

// Close releases the lock. Writes already happened in Update.
func (m *Manager) Close() error {
	if m.lockID == "" {
		return nil
	}
	id := m.lockID
	m.lockID = ""
	return m.b.Unlock(context.Background(), m.env, id)
}
