package sshx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// TailLines is how many lines of output a CommandError carries.
const TailLines = 20

// RunOption changes how one command runs or is logged.
type RunOption func(*runOptions)

type runOptions struct {
	stdin        io.Reader
	secretStdin  bool
	bulkStdin    bool
	secretOutput bool
	redact       []string
	okExit       []int
	loginUser    bool
}

// Stdin feeds r to the command (logged, unless Secret is also given). r must
// reach EOF, as a bytes.Reader or a file does: the session waits for it.
func Stdin(r io.Reader) RunOption { return func(o *runOptions) { o.stdin = r } }

// Secret keeps the command's stdin out of the log (a key, a token).
func Secret() RunOption { return func(o *runOptions) { o.secretStdin = true } }

// Bulk logs only the size of the command's stdin: file contents too large
// or too binary for the log.
func Bulk() RunOption { return func(o *runOptions) { o.bulkStdin = true } }

// SecretOutput keeps stdout out of the log and out of errors (e.g. reading an
// admin kubeconfig, or printing a join command with its token).
func SecretOutput() RunOption { return func(o *runOptions) { o.secretOutput = true } }

// Redact replaces each given string with <redacted> in the log and in
// errors, wherever it appears: command line, stdout, stderr. The values
// returned to the caller are untouched.
func Redact(secrets ...string) RunOption {
	return func(o *runOptions) { o.redact = append(o.redact, secrets...) }
}

// OKExit lists non-zero exit codes that are answers, not failures (e.g. 1 of
// "test -f"): Run then returns them with a nil error.
func OKExit(codes ...int) RunOption {
	return func(o *runOptions) { o.okExit = append(o.okExit, codes...) }
}

// AsLoginUser runs the command as the login user, without sudo.
func AsLoginUser() RunOption { return func(o *runOptions) { o.loginUser = true } }

func (o *runOptions) scrub(s string) string {
	for _, r := range o.redact {
		if r != "" {
			s = strings.ReplaceAll(s, r, "<redacted>")
		}
	}
	return s
}

// Run runs cmd, shell text, on the host: as root (through sudo -n when the
// login user is not root) unless AsLoginUser. It returns the output and exit
// code; err is a *CommandError for a non-zero exit not allowed by OKExit, a
// *SudoPasswordError when sudo wants a password, the context's error
// (wrapped) when ctx ends first, or a transport error.
func (c *Client) Run(ctx context.Context, cmd string, opts ...RunOption) (stdout, stderr string, exitCode int, err error) {
	var o runOptions
	for _, opt := range opts {
		opt(&o)
	}
	sudo := !c.root && !o.loginUser
	shown := o.scrub(cmd)
	if err := ctx.Err(); err != nil {
		return "", "", -1, fmt.Errorf("ssh %s: %s: %w", c, shown, err)
	}
	// sh -c gives POSIX semantics whatever the login shell is.
	remote := Command("sh", "-c", cmd)
	as := "as " + c.s.target.user
	switch {
	case sudo:
		remote = "sudo -n -- " + remote
		as = "as root via sudo"
	case c.root:
		as = "as root"
	}

	n := c.log.next()
	// A multi-line script logs its first line in the header and the rest
	// indented, so every log line still starts with a timestamp or spaces.
	first, rest, _ := strings.Cut(shown, "\n")
	c.log.block(fmt.Sprintf("[#%d] %s $ %s", n, as, first), logSection{prefix: "> ", text: rest})
	started := time.Now()

	sess, err := c.conn.NewSession()
	if err != nil {
		c.log.event("[#%d] could not open a session: %v", n, err)
		return "", "", -1, fmt.Errorf("ssh %s: open session for %s: %w", c, shown, err)
	}
	defer sess.Close()

	var out, errOut bytes.Buffer
	sess.Stdout = &out
	sess.Stderr = &errOut
	in := newStdinRecorder(o)
	sess.Stdin = in.reader()

	// On cancel: ask the command to stop (sudo passes SIGTERM on to it),
	// then close the session so Run returns whatever the host does.
	stop := context.AfterFunc(ctx, func() {
		_ = sess.Signal(ssh.SIGTERM)
		sess.Close()
	})
	runErr := sess.Run(remote)
	cancelled := !stop()

	stdout, stderr = out.String(), errOut.String()
	exitCode, signal, runErr := exitStatus(runErr)
	sections := append(in.sections(), outputSections(o, stdout, stderr)...)
	took := time.Since(started).Round(time.Millisecond)

	switch {
	case cancelled:
		c.log.block(fmt.Sprintf("[#%d] cancelled after %s (%v)", n, took, ctx.Err()), sections...)
		return stdout, stderr, -1, fmt.Errorf("ssh %s: %s: %w", c, shown, ctx.Err())
	case runErr != nil:
		c.log.block(fmt.Sprintf("[#%d] lost after %s: %v", n, took, runErr), sections...)
		return stdout, stderr, -1, fmt.Errorf("ssh %s: %s: %w", c, shown, runErr)
	}
	status := fmt.Sprintf("exit %d", exitCode)
	if signal != "" {
		status = "killed by signal " + signal
	}
	c.log.block(fmt.Sprintf("[#%d] %s after %s", n, status, took), sections...)

	if exitCode == 0 || (signal == "" && slices.Contains(o.okExit, exitCode)) {
		return stdout, stderr, exitCode, nil
	}
	if sudo && exitCode == 1 && sudoWantsPassword(stderr) {
		return stdout, stderr, exitCode, &SudoPasswordError{Host: c.s.target.host, User: c.s.target.user}
	}
	shownOut := stdout
	if o.secretOutput {
		shownOut = ""
	}
	return stdout, stderr, exitCode, &CommandError{
		Host: c.String(), Command: shown, ExitCode: exitCode, Signal: signal,
		Tail: outputTail(o.scrub(shownOut), o.scrub(stderr), TailLines),
	}
}

// exitStatus splits a session's result into an exit code, the killing
// signal, and a remaining error that is not about the command's status.
func exitStatus(err error) (code int, signal string, rest error) {
	var ee *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
		return 0, "", nil
	case errors.As(err, &ee):
		if ee.Signal() != "" {
			return -1, ee.Signal(), nil
		}
		return ee.ExitStatus(), "", nil
	case errors.As(err, &missing):
		return -1, "", nil
	}
	return -1, "", err
}

// sudoWantsPassword recognises sudo -n's refusals (sudo's own messages, in
// the C locale a non-interactive SSH session has; older sudo versions say
// "a terminal is required" or "no tty present").
func sudoWantsPassword(stderr string) bool {
	for _, m := range []string{"sudo: a password is required", "sudo: a terminal is required", "sudo: no tty present"} {
		if strings.Contains(stderr, m) {
			return true
		}
	}
	return false
}
