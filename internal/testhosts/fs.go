package testhosts

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// The users every host has. They exist only in the host's own /etc.
const (
	RootUser = "root"
	// SudoUser may run anything through sudo without a password, as
	// cloud images' default users can.
	SudoUser = "podlab"
	// PasswordSudoUser is in sudoers but must type a password, so sudo -n
	// fails: the case podlab must explain.
	PasswordSudoUser = "pwsudo"
)

var userIDs = map[string]int{SudoUser: 2901, PasswordSudoUser: 2902}

// overlaid are the machine directories each host sees through an overlay:
// the machine's content below, the host's own writes on top (in Root()).
var overlaid = []string{"etc", "var/lib", "var/log", "usr/local", "opt"}

// fresh are paths a host starts without, whatever the machine has there:
// the machine may run the real local test cluster, whose kubelet, etcd and
// containerd state must not look like this host's. Each is a whiteout in
// the host's layer until the host creates it.
var fresh = []string{
	"etc/kubernetes", "etc/cni", "etc/containerd", "opt/cni",
	"var/lib/kubelet", "var/lib/etcd", "var/lib/cni", "var/lib/containerd",
	"var/log/pods", "var/log/containers",
}

// private are the directories each host gets fresh and empty: bind mounts of
// Root()/<dir>. /tmp and /run in particular must not be shared, since podlab
// stages files in /tmp and sshd needs /run/sshd.
var private = []string{"tmp", "run", "root", "home"}

// stateDir is where the stand-ins keep their log, failure switches and
// answers, as the host sees it; it lies in the host's private /run, and
// standins/lib.sh names it too.
const stateDir = "/run/podlab-testhost"

// layout makes the host's directory tree under root.
func layout(root string, overlaid []string) error {
	dirs := map[string]os.FileMode{
		root:                            0o755,
		filepath.Join(root, ".harness"): 0o755,
		filepath.Join(root, ".harness", "authorized_keys"): 0o755,
		filepath.Join(root, "run", "sshd"):                 0o755,
		filepath.Join(root, stateDir, "fail"):              0o777,
		filepath.Join(root, "etc", "sudoers.d"):            0o755,
		filepath.Join(root, "usr", "local", "bin"):         0o755,
	}
	for _, d := range overlaid {
		dirs[filepath.Join(root, d)] = 0o755
		dirs[filepath.Join(root, ".work", d)] = 0o755
	}
	for _, d := range private {
		dirs[filepath.Join(root, d)] = 0o755
	}
	dirs[filepath.Join(root, "tmp")] = 0o1777
	dirs[filepath.Join(root, "root")] = 0o700
	dirs[filepath.Join(root, stateDir)] = 0o777
	for d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("testhosts: %w", err)
		}
	}
	// MkdirAll applies the umask and leaves existing parents alone, so set
	// the modes that matter (sticky /tmp, traversable parents) explicitly.
	for d, mode := range dirs {
		if err := os.Chmod(d, mode); err != nil {
			return fmt.Errorf("testhosts: %w", err)
		}
	}
	// An overlayfs whiteout is a 0:0 character device in the upper layer.
	for _, p := range fresh {
		if err := syscall.Mknod(filepath.Join(root, p), syscall.S_IFCHR, 0); err != nil {
			return fmt.Errorf("testhosts: whiteout %s: %w", p, err)
		}
	}
	return nil
}

// writeUsers gives the host its users, home directories, sudo rules and a
// hosts entry for its own name (sudo warns on every call otherwise), all in
// the host's /etc layer.
func writeUsers(root, hostname string) error {
	type addition struct {
		file, extra string
		mode        os.FileMode
	}
	var passwd, group, shadow strings.Builder
	for _, u := range []string{SudoUser, PasswordSudoUser} {
		id := userIDs[u]
		fmt.Fprintf(&passwd, "%s:x:%d:%d:podlab test user:/home/%s:/bin/bash\n", u, id, id, u)
		fmt.Fprintf(&group, "%s:x:%d:\n", u, id)
		// "*": no password can log in, but the account is not locked, so
		// public key login works without PAM.
		fmt.Fprintf(&shadow, "%s:*:20000:0:99999:7:::\n", u)
	}
	adds := []addition{
		{"passwd", passwd.String(), 0o644},
		{"group", group.String(), 0o644},
		{"shadow", shadow.String(), 0o640},
		{"hosts", fmt.Sprintf("127.0.1.1\t%s\n", hostname), 0o644},
	}
	for _, a := range adds {
		if err := extendCopy("/etc/"+a.file, filepath.Join(root, "etc", a.file), a.extra, a.mode); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "hostname"), []byte(hostname+"\n"), 0o644); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	sudoers := fmt.Sprintf("# podlab test hosts\n%s ALL=(ALL:ALL) NOPASSWD: ALL\n%s ALL=(ALL:ALL) ALL\n", SudoUser, PasswordSudoUser)
	if err := os.WriteFile(filepath.Join(root, "etc", "sudoers.d", "podlab-testhosts"), []byte(sudoers), 0o440); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	for u, id := range userIDs {
		home := filepath.Join(root, "home", u)
		if err := os.MkdirAll(home, 0o755); err != nil {
			return fmt.Errorf("testhosts: %w", err)
		}
		if err := os.Chown(home, id, id); err != nil {
			return fmt.Errorf("testhosts: %w", err)
		}
	}
	return nil
}

// extendCopy writes the machine's file plus extra lines into the host's
// layer, which then shadows the machine's file for that host only.
func extendCopy(src, dst, extra string, mode os.FileMode) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	b = append(b, extra...)
	if err := os.WriteFile(dst, b, mode); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	return os.Chmod(dst, mode)
}
