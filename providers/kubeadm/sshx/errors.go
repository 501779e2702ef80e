package sshx

import (
	"fmt"
	"strings"
)

// The error types below let a caller tell failures apart with errors.As and
// choose what to tell the user; each message already says what to do.

// UnreachableError: no TCP connection (or no SSH handshake) to the host.
type UnreachableError struct {
	Addr string // host:port
	Via  string // the bastion, user@host:port, when dialled through one
	Err  error
}

func (e *UnreachableError) Error() string {
	via, hint := "", "check that the host is up, that sshd listens on that port, and that no firewall is in the way"
	if e.Via != "" {
		via = " via bastion " + e.Via
		hint = "check that the bastion can reach it and allows TCP forwarding (AllowTcpForwarding)"
	}
	return fmt.Sprintf("ssh: cannot reach %s%s: %v (%s)", e.Addr, via, e.Err, hint)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// AuthError: the server refused every credential offered.
type AuthError struct {
	Addr  string
	User  string
	Tried []string // e.g. "key file /home/me/.ssh/id_ed25519 (ssh-ed25519 SHA256:...)"
	Err   error
}

func (e *AuthError) Error() string {
	tried := "nothing"
	if len(e.Tried) > 0 {
		tried = strings.Join(e.Tried, "; ")
	}
	return fmt.Sprintf("ssh: %s refused to log in user %q (tried public keys from: %s): %v; check the user name, and that the public key is in ~%s/.ssh/authorized_keys on the host",
		e.Addr, e.User, tried, e.Err, e.User)
}

func (e *AuthError) Unwrap() error { return e.Err }

// KeyFileError: the private key file cannot be used.
type KeyFileError struct {
	File      string
	Encrypted bool // protected by a passphrase, which podlab will not ask for
	Err       error
}

func (e *KeyFileError) Error() string {
	if e.Encrypted {
		return fmt.Sprintf("ssh: private key %s is encrypted with a passphrase, and podlab does not prompt: load it into your agent (ssh-add %s) and use the agent, or use a key without a passphrase", e.File, e.File)
	}
	return fmt.Sprintf("ssh: private key %s: %v", e.File, e.Err)
}

func (e *KeyFileError) Unwrap() error { return e.Err }

// UnknownHostKeyError: known_hosts has no key for the host.
type UnknownHostKeyError struct {
	Addr        string
	KeyType     string
	Fingerprint string // SHA256:...
	File        string // the known_hosts file checked
	Line        string // the known_hosts line that would trust this key
}

func (e *UnknownHostKeyError) Error() string {
	return fmt.Sprintf("ssh: the host key of %s is not known: %s %s.\nIf that is the right fingerprint (on the host: ssh-keygen -lf /etc/ssh/ssh_host_%s_key.pub), add this line to %s:\n%s\nor set trust_on_first_use = true to record it automatically",
		e.Addr, e.KeyType, e.Fingerprint, keyFileStem(e.KeyType), e.File, e.Line)
}

// HostKeyChangedError: the host offered a key different from the one
// recorded for it. This is what a man-in-the-middle looks like.
type HostKeyChangedError struct {
	Addr           string
	KeyType        string
	Fingerprint    string // what the host offered
	File           string // where the old entry is
	LineNumber     int
	OldFingerprint string
}

func (e *HostKeyChangedError) Error() string {
	return fmt.Sprintf("ssh: WARNING: THE HOST KEY OF %s HAS CHANGED. Someone may be intercepting the connection (man-in-the-middle), or the host was reinstalled. It offered %s %s, but %s:%d records %s. Refusing to connect. If the change is expected, remove line %d of %s and connect again",
		e.Addr, e.KeyType, e.Fingerprint, e.File, e.LineNumber, e.OldFingerprint, e.LineNumber, e.File)
}

// RevokedHostKeyError: the key is marked @revoked in known_hosts.
type RevokedHostKeyError struct {
	Addr        string
	Fingerprint string
	File        string
	LineNumber  int
}

func (e *RevokedHostKeyError) Error() string {
	return fmt.Sprintf("ssh: the host key of %s (%s) is revoked by %s:%d; refusing to connect", e.Addr, e.Fingerprint, e.File, e.LineNumber)
}

// SudoPasswordError: the login user is not root and sudo wants a password,
// which podlab does not give.
type SudoPasswordError struct {
	Host string
	User string
}

func (e *SudoPasswordError) Error() string {
	return fmt.Sprintf("sudo wants a password on host %s: configure NOPASSWD for user %s (e.g. a file in /etc/sudoers.d with \"%s ALL=(ALL) NOPASSWD: ALL\"), or log in as root", e.Host, e.User, e.User)
}

// CommandError: the command ran and exited non-zero (or was killed).
type CommandError struct {
	Host     string // user@host:port
	Command  string // as given, secrets redacted
	ExitCode int    // -1 when it died without an exit status
	Signal   string // the signal that killed it, if one did
	Tail     []string
}

func (e *CommandError) Error() string {
	var b strings.Builder
	status := fmt.Sprintf("exit code %d", e.ExitCode)
	if e.Signal != "" {
		status = "signal " + e.Signal
	}
	fmt.Fprintf(&b, "ssh %s: command failed with %s: %s", e.Host, status, e.Command)
	if len(e.Tail) > 0 {
		fmt.Fprintf(&b, "\nlast %d lines of output:", len(e.Tail))
		for _, l := range e.Tail {
			b.WriteString("\n    " + l)
		}
	} else {
		b.WriteString("\n(no output)")
	}
	return b.String()
}

// keyFileStem maps a key type to the stem of sshd's host key file name, for
// the hint on how to check a fingerprint on the host itself.
func keyFileStem(keyType string) string {
	switch {
	case strings.Contains(keyType, "ed25519"):
		return "ed25519"
	case strings.Contains(keyType, "ecdsa"):
		return "ecdsa"
	case strings.Contains(keyType, "rsa"):
		return "rsa"
	}
	return "*"
}
