package testhosts

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Addresses: slot K owns 10.231.2K.0/24 (front) and 10.231.(2K+1).0/24
// (back, behind the bastion). .1 is the gateway side (the root namespace's
// bridge, or the bastion's back bridge); hosts start at .10; the bastion's
// front address is .2.
const (
	frontGateway = 1
	bastionOctet = 2
	firstHost    = 10
)

func frontAddr(slot, octet int) string { return fmt.Sprintf("10.231.%d.%d", 2*slot, octet) }
func backAddr(slot, octet int) string  { return fmt.Sprintf("10.231.%d.%d", 2*slot+1, octet) }
func backSubnet(slot int) string       { return fmt.Sprintf("10.231.%d.0/24", 2*slot+1) }

// ip runs the ip(8) command and returns its output in the error.
func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("testhosts: ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// namespaces lists named network namespaces with the prefix. ip netns keeps
// them as files in /run/netns, so no exec is needed to look.
func namespaces(prefix string) ([]string, error) {
	ents, err := os.ReadDir("/run/netns")
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("testhosts: %w", err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), prefix) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// namespacePIDs lists every process living in the network namespace: the
// sshd, its per-connection children and whatever sessions started.
func namespacePIDs(ns string) ([]int, error) {
	out, err := exec.Command("ip", "netns", "pids", ns).Output()
	if err != nil {
		return nil, fmt.Errorf("testhosts: ip netns pids %s: %w", ns, err)
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if p, err := strconv.Atoi(f); err == nil {
			pids = append(pids, p)
		}
	}
	return pids, nil
}

// killAndWait SIGKILLs the processes and waits (bounded) until they are gone,
// so that their mount namespaces, and with them the overlays over the slot's
// directory, are gone before the directory is removed.
func killAndWait(pids []int) {
	for _, p := range pids {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range pids {
		for time.Now().Before(deadline) {
			if err := syscall.Kill(p, 0); errors.Is(err, syscall.ESRCH) {
				break
			}
			if isZombie(p) {
				break // dead; only its parent's wait is missing
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// The state follows the parenthesised command name, which may itself
	// contain spaces or parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}

// linksWithPrefix lists the root namespace's interfaces with the prefix.
func linksWithPrefix(prefix string) ([]string, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("testhosts: %w", err)
	}
	var out []string
	for _, i := range ifs {
		if strings.HasPrefix(i.Name, prefix) {
			out = append(out, i.Name)
		}
	}
	return out, nil
}

// delLink deletes a link that may already have gone with its namespace.
func delLink(name string) error {
	if _, err := net.InterfaceByName(name); err != nil {
		return nil
	}
	err := ip("link", "del", name)
	// The link can vanish between the look-up and the delete: the netns
	// deletion just before tears its veth peer down asynchronously. iproute2
	// says "Cannot find device" or, from the kernel, "No such device".
	if err != nil && (strings.Contains(err.Error(), "Cannot find device") || strings.Contains(err.Error(), "No such device")) {
		return nil
	}
	return err
}

// addUnreachableRoute makes the back network fail fast from the root
// namespace; without it a direct dial would leave by the default route.
func addUnreachableRoute(subnet string) error {
	return ip("route", "replace", "unreachable", subnet)
}

func delUnreachableRoute(subnet string) {
	_ = exec.Command("ip", "route", "del", "unreachable", subnet).Run()
}

// addBridge creates a bridge with the gateway address, in the root namespace
// (ns == "") or inside a host's namespace.
func addBridge(ns, name, cidr string) error {
	steps := [][]string{
		{"link", "add", name, "type", "bridge"},
		{"addr", "add", cidr, "dev", name},
		{"link", "set", name, "up"},
	}
	for _, s := range steps {
		if ns != "" {
			s = append([]string{"-n", ns}, s...)
		}
		if err := ip(s...); err != nil {
			return err
		}
	}
	return nil
}

// addHostNetwork creates the host's namespace and a veth pair whose inside
// end is the host's eth0 and whose outside end (named outside) joins bridge
// in namespace bridgeNS ("" for the root namespace).
func addHostNetwork(ns, outside, bridgeNS, bridge, cidr string) error {
	if err := ip("netns", "add", ns); err != nil {
		return err
	}
	if err := ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns); err != nil {
		return err
	}
	attach := []string{"link", "set", outside, "master", bridge, "up"}
	if bridgeNS != "" {
		if err := ip("link", "set", outside, "netns", bridgeNS); err != nil {
			return err
		}
		attach = append([]string{"-n", bridgeNS}, attach...)
	}
	steps := [][]string{
		attach,
		{"-n", ns, "addr", "add", cidr, "dev", "eth0"},
		{"-n", ns, "link", "set", "eth0", "up"},
		{"-n", ns, "link", "set", "lo", "up"},
	}
	for _, s := range steps {
		if err := ip(s...); err != nil {
			return err
		}
	}
	return nil
}
