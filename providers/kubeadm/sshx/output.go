package sshx

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// stdinRecorder passes a command's stdin through, keeping a copy for the log
// or, for a secret, only its size.
type stdinRecorder struct {
	o     *runOptions
	copy  bytes.Buffer
	count countingWriter
}

func newStdinRecorder(o runOptions) *stdinRecorder { return &stdinRecorder{o: &o} }

// reader is what the session reads; nil (no stdin) when none was given.
func (r *stdinRecorder) reader() io.Reader {
	switch {
	case r.o.stdin == nil:
		return nil
	case r.o.secretStdin, r.o.bulkStdin:
		return io.TeeReader(r.o.stdin, &r.count)
	}
	return io.TeeReader(r.o.stdin, &r.copy)
}

func (r *stdinRecorder) sections() []logSection {
	switch {
	case r.o.stdin == nil:
		return nil
	case r.o.secretStdin:
		return []logSection{{note: fmt.Sprintf("stdin: %d bytes, secret, not logged", r.count.n)}}
	case r.o.bulkStdin:
		return []logSection{{note: fmt.Sprintf("stdin: %d bytes of file data, not logged", r.count.n)}}
	}
	return []logSection{
		{note: fmt.Sprintf("stdin (%d bytes):", r.copy.Len())},
		{prefix: "in | ", text: r.o.scrub(r.copy.String())},
	}
}

// countingWriter counts the bytes of a secret stdin, for the log.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

// outputSections is a command's output as the log shows it.
func outputSections(o runOptions, stdout, stderr string) []logSection {
	out := logSection{prefix: "out| ", text: o.scrub(stdout)}
	if o.secretOutput {
		out = logSection{note: fmt.Sprintf("stdout: %d bytes, secret, not logged", len(stdout))}
	}
	return []logSection{out, {prefix: "err| ", text: o.scrub(stderr)}}
}

// tailLines returns the last n lines of s, ignoring trailing blank lines.
func tailLines(s string, n int) []string {
	s = strings.TrimRight(s, "\n \t\r")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	return lines
}

// minStdoutLines is how much of stdout a tail keeps even when stderr alone
// could fill it: progress lines often say which step failed.
const minStdoutLines = 5

// outputTail is the last n lines of output: stdout's, then stderr's, where
// the error usually is. The two streams' interleaving is not known (the SSH
// library buffers them apart), so they are not mixed.
func outputTail(stdout, stderr string, n int) []string {
	o, e := tailLines(stdout, n), tailLines(stderr, n)
	keepOut := min(len(o), max(minStdoutLines, n-len(e)))
	keepErr := min(len(e), n-keepOut)
	return append(o[len(o)-keepOut:], e[len(e)-keepErr:]...)
}
