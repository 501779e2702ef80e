package testhosts

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// E2EEnv is the variable that turns "skip" into "fail": set in CI, where a
// missing sshd must not let the suite pass by running nothing.
const E2EEnv = "PODLAB_E2E"

// debianPackages names what to apt-get install when a requirement is missing.
const debianPackages = "openssh-server sudo iproute2 util-linux"

// requirements reports why test hosts cannot be made here, or "" if they can.
func requirements() string {
	if os.Geteuid() != 0 {
		return "test hosts need root (network namespaces, mounts, sshd)"
	}
	for _, bin := range []string{"/usr/sbin/sshd", "sudo", "ip", "unshare", "nsenter", "mount"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Sprintf("test hosts need %s (Debian packages: %s)", bin, debianPackages)
		}
	}
	fs, err := os.ReadFile("/proc/filesystems")
	if err != nil || !strings.Contains(string(fs), "\toverlay\n") {
		return "test hosts need overlayfs in the kernel (modprobe overlay)"
	}
	return ""
}

// Require skips the test when test hosts cannot be made on this machine, or
// fails it when PODLAB_E2E=1 asks for the real thing.
func Require(t testing.TB) {
	t.Helper()
	why := requirements()
	if why == "" {
		return
	}
	if os.Getenv(E2EEnv) == "1" {
		t.Fatalf("%s=1 but %s", E2EEnv, why)
	}
	t.Skipf("%s (set %s=1 to make this a failure)", why, E2EEnv)
}
