package sshx

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// hostLog appends to one host's log file. Each command gets a number so that
// lines of commands running at the same time can be told apart; each entry
// is written in one call so entries never interleave mid-line.
type hostLog struct {
	mu  sync.Mutex
	f   *os.File // nil: not logging
	seq int
}

// openHostLog opens (creates 0600, with a 0700 directory: output may hold
// things worth keeping private) or, for path "", returns a log that drops
// everything.
func openHostLog(path string) (*hostLog, error) {
	if path == "" {
		return &hostLog{}, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("ssh: log file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("ssh: log file: %w", err)
	}
	return &hostLog{f: f}, nil
}

func (l *hostLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

func (l *hostLog) next() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	return l.seq
}

func stamp(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z07:00") }

// event logs one timestamped line.
func (l *hostLog) event(format string, args ...any) {
	l.write(stamp(time.Now()) + " " + fmt.Sprintf(format, args...) + "\n")
}

// block logs a timestamped header and an indented body, e.g. a command's
// output; prefix marks the stream ("out| ", "err| ").
func (l *hostLog) block(header string, sections ...logSection) {
	var b strings.Builder
	b.WriteString(stamp(time.Now()) + " " + header + "\n")
	for _, s := range sections {
		if s.note != "" {
			fmt.Fprintf(&b, "    %s\n", s.note)
			continue
		}
		text := strings.TrimSuffix(s.text, "\n")
		if text == "" {
			continue
		}
		for _, line := range strings.Split(text, "\n") {
			b.WriteString("    " + s.prefix + line + "\n")
		}
	}
	l.write(b.String())
}

// logSection is one stream's text, or a note standing in for it.
type logSection struct {
	prefix, text, note string
}

func (l *hostLog) write(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return
	}
	// A failing log write must not fail the command it records.
	_, _ = l.f.WriteString(s)
}
