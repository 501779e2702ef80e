package testhosts

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Host is one test machine: a network namespace with an address, a real
// sshd, its own filesystem layer and the recording stand-ins. Its methods
// report their own failures with t.Errorf on the test that made the Env,
// which is safe from subtests and goroutines.
type Host struct {
	Name      string // hostname inside the host, e.g. "node-0"
	Addr      string // IPv4 address its sshd listens on
	Port      int    // 22 unless WithSSHPort
	Namespace string // network namespace, e.g. "plh0-node-0"

	env  *Env
	root string
	// cgroupRoot is a real node's own cgroup, "" otherwise.
	cgroupRoot string
	hostKey    *keyPair
	rsaKey     *keyPair // nil unless WithRSAHostKey
	sshd       *sshdProc
	fails      atomic.Int64
}

// HostPort is Addr:Port, as a client dials it.
func (h *Host) HostPort() string { return net.JoinHostPort(h.Addr, strconv.Itoa(h.Port)) }

// Users are the accounts that accept KeyFile: root, SudoUser (passwordless
// sudo) and PasswordSudoUser (sudo wants a password).
func (h *Host) Users() []string { return []string{RootUser, SudoUser, PasswordSudoUser} }

// KeyFile is the passphrase-less OpenSSH private key every user accepts.
func (h *Host) KeyFile() string { return h.env.keyFile }

// HostPublicKey is the host's ed25519 host key.
func (h *Host) HostPublicKey() ssh.PublicKey { return h.hostKey.public }

// RSAHostPublicKey is the host's RSA host key, or nil without WithRSAHostKey.
func (h *Host) RSAHostPublicKey() ssh.PublicKey {
	if h.rsaKey == nil {
		return nil
	}
	return h.rsaKey.public
}

// KnownHostsLine is the known_hosts line for the ed25519 host key, in the
// form ssh-keyscan prints.
func (h *Host) KnownHostsLine() string { return h.KnownHostsLineFor(h.hostKey.public) }

// KnownHostsLineFor is the known_hosts line for this host and key.
func (h *Host) KnownHostsLineFor(key ssh.PublicKey) string {
	return knownhosts.Line([]string{knownhosts.Normalize(h.HostPort())}, key)
}

// Root is the host's private layer as the test sees it: a file the host
// wrote at /etc/kubernetes/admin.conf is at Root()+"/etc/kubernetes/admin.conf".
// (Files the host only read from the machine are not there, and a kubeadm
// path the host has not created yet is an overlayfs whiteout, a character
// device; ReadFile sees what the host sees.)
func (h *Host) Root() string { return h.root }

// PID is the host's sshd's process ID.
func (h *Host) PID() int { return h.sshd.pid }

// ReadFile reads a file as the host sees it (its layer over the machine's),
// through /proc/<sshd>/root, without SSH.
func (h *Host) ReadFile(path string) ([]byte, error) {
	if !filepath.IsAbs(path) {
		return nil, fmt.Errorf("testhosts: %s: path %q is not absolute", h.Name, path)
	}
	return os.ReadFile(fmt.Sprintf("/proc/%d/root%s", h.sshd.pid, path))
}

// Exec runs a shell script as root inside the host's namespaces, without
// SSH: for setting a host up ("this host already has a cluster") or looking
// at it. The output is stdout and stderr combined.
func (h *Host) Exec(script string) (string, error) {
	out, err := exec.Command("nsenter", "-t", strconv.Itoa(h.sshd.pid), "-m", "-u", "-n",
		"--", "/bin/sh", "-c", script).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("testhosts: %s: %q: %w: %s", h.Name, script, err, out)
	}
	return string(out), nil
}

func (h *Host) stateFile(name string) string {
	return filepath.Join(h.root, stateDir, name)
}

// CommandLog is every stand-in call on this host so far, in order, one
// shell-quoted line each, e.g. "kubeadm init --config /tmp/kubeadm.yaml".
func (h *Host) CommandLog() []string {
	h.env.t.Helper()
	var lines []string
	for _, argv := range h.Calls() {
		lines = append(lines, quoteLine(argv))
	}
	return lines
}

// Calls is CommandLog parsed back into argv slices.
func (h *Host) Calls() [][]string {
	h.env.t.Helper()
	b, err := os.ReadFile(h.stateFile("commands.log"))
	if err != nil {
		h.env.t.Errorf("testhosts: %s: %v", h.Name, err)
		return nil
	}
	calls, err := parseLog(string(b))
	if err != nil {
		h.env.t.Errorf("testhosts: %s: %v", h.Name, err)
	}
	return calls
}

// ClearCommandLog forgets the calls so far, e.g. between two applies.
func (h *Host) ClearCommandLog() {
	h.env.t.Helper()
	if err := os.Truncate(h.stateFile("commands.log"), 0); err != nil {
		h.env.t.Errorf("testhosts: %s: %v", h.Name, err)
	}
}

// FailNext makes the next stand-in call whose command line starts with the
// words of cmd (e.g. "kubeadm join", or just "systemctl") print msg to
// stderr and exit with code exit, once. The call is still recorded.
// Failures queue in the order given.
func (h *Host) FailNext(cmd string, exit int, msg string) {
	h.env.t.Helper()
	words := strings.Fields(cmd)
	if len(words) == 0 || exit < 1 || exit > 255 {
		h.env.t.Errorf("testhosts: FailNext(%q, %d): need a command and an exit code in 1..255", cmd, exit)
		return
	}
	n := h.fails.Add(1)
	body := fmt.Sprintf("%d\n%s\n%s\n", exit, quoteLine(words), strings.TrimRight(msg, "\n"))
	p := h.stateFile(filepath.Join("fail", fmt.Sprintf("%06d", n)))
	// Written whole then renamed in, so a stand-in never reads half a file.
	if err := os.WriteFile(p+".tmp", []byte(body), 0o666); err != nil {
		h.env.t.Errorf("testhosts: %s: %v", h.Name, err)
		return
	}
	if err := os.Rename(p+".tmp", p); err != nil {
		h.env.t.Errorf("testhosts: %s: %v", h.Name, err)
	}
}

// PendingFailures counts FailNext failures not used up yet.
func (h *Host) PendingFailures() int {
	ents, err := os.ReadDir(h.stateFile("fail"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		h.env.t.Errorf("testhosts: %s: %v", h.Name, err)
	}
	n := 0
	for _, e := range ents {
		if !strings.Contains(e.Name(), ".") {
			n++
		}
	}
	return n
}

// SSHDLog is the host's sshd output (LogLevel VERBOSE), for diagnosing a
// refused login.
func (h *Host) SSHDLog() string {
	b, _ := os.ReadFile(filepath.Join(h.root, ".harness", "sshd.log"))
	return string(b)
}
