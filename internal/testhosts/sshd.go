package testhosts

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// sshdReadyWait bounds the wait for sshd to listen; it normally takes a few
// milliseconds.
const sshdReadyWait = 20 * time.Second

// bootScript runs as root in the host's fresh mount and UTS namespaces and
// ends by becoming sshd, so the PID the harness holds is sshd's own. Mounts
// made here are seen by sshd and its sessions only. $1 is the host's Root(),
// $2 its hostname.
const bootScript = `set -eu
R=$1
for d in ` + "OVERLAID" + `; do
	mount -t overlay "podlab-testhost" -o "lowerdir=/$d,upperdir=$R/$d,workdir=$R/.work/$d" "/$d"
done
for d in ` + "PRIVATE" + `; do
	mount --bind "$R/$d" "/$d"
done
hostname "$2"
exec /usr/sbin/sshd -D -e -f "$R/.harness/sshd_config"
`

// sshdConfig is deliberately self-contained (no Include of the machine's
// config). UsePAM is off because PAM's session modules expect a booted
// system; StrictModes is off because the key files live under /var/tmp.
func sshdConfig(root string, port int, rsa bool) string {
	h := filepath.Join(root, ".harness")
	var b strings.Builder
	fmt.Fprintf(&b, "Port %d\nListenAddress 0.0.0.0\n", port)
	fmt.Fprintf(&b, "HostKey %s\n", filepath.Join(h, "ssh_host_ed25519_key"))
	if rsa {
		fmt.Fprintf(&b, "HostKey %s\n", filepath.Join(h, "ssh_host_rsa_key"))
	}
	fmt.Fprintf(&b, "AuthorizedKeysFile %s/%%u\n", filepath.Join(h, "authorized_keys"))
	b.WriteString(`PidFile none
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
PrintLastLog no
LogLevel VERBOSE
`)
	return b.String()
}

// writeSSHD writes the host key(s), authorized keys, config and boot script.
func writeSSHD(root string, overlaid []string, port int, host *keyPair, rsaKey *keyPair, clientPub []byte) error {
	h := filepath.Join(root, ".harness")
	if err := host.write(filepath.Join(h, "ssh_host_ed25519_key"), "podlab-testhost"); err != nil {
		return err
	}
	if rsaKey != nil {
		if err := rsaKey.write(filepath.Join(h, "ssh_host_rsa_key"), "podlab-testhost"); err != nil {
			return err
		}
	}
	for _, u := range []string{RootUser, SudoUser, PasswordSudoUser} {
		if err := os.WriteFile(filepath.Join(h, "authorized_keys", u), clientPub, 0o644); err != nil {
			return fmt.Errorf("testhosts: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(h, "sshd_config"), []byte(sshdConfig(root, port, rsaKey != nil)), 0o644); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	boot := strings.NewReplacer("OVERLAID", strings.Join(overlaid, " "), "PRIVATE", strings.Join(private, " ")).Replace(bootScript)
	if err := os.WriteFile(filepath.Join(h, "boot.sh"), []byte(boot), 0o755); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	return nil
}

// sshdProc is a running sshd. Its PID is sshd's own: ip netns exec, unshare
// and the boot script each exec the next step.
type sshdProc struct {
	pid    int
	proc   *os.Process
	exited chan error
}

// stop kills sshd by PID and reaps it. Its sessions are killed by the sweep,
// which finds them by network namespace.
func (p *sshdProc) stop() {
	if p == nil || p.proc == nil {
		return
	}
	_ = p.proc.Kill()
	<-p.exited
	p.proc = nil
}

// startSSHD starts the host's sshd in its namespaces and waits until it
// listens.
func startSSHD(ns, root, hostname string) (*sshdProc, error) {
	h := filepath.Join(root, ".harness")
	logPath := filepath.Join(h, "sshd.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("testhosts: %w", err)
	}
	defer logf.Close() // the child has its own copy
	cmd := exec.Command("ip", "netns", "exec", ns,
		"unshare", "--mount", "--uts", "--propagation", "private", "--",
		"/bin/sh", filepath.Join(h, "boot.sh"), root, hostname)
	cmd.Stdout = logf
	cmd.Stderr = logf
	// A killed test binary takes its sshds with it; the next run sweeps the
	// namespaces.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testhosts: start sshd for %s: %w", hostname, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(sshdReadyWait)
	for {
		b, _ := os.ReadFile(logPath)
		if strings.Contains(string(b), "Server listening on") {
			return &sshdProc{pid: cmd.Process.Pid, proc: cmd.Process, exited: exited}, nil
		}
		select {
		case err := <-exited:
			return nil, fmt.Errorf("testhosts: sshd for %s exited (%v) before listening:\n%s", hostname, err, b)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return nil, fmt.Errorf("testhosts: sshd for %s did not listen within %s:\n%s", hostname, sshdReadyWait, b)
		}
	}
}
