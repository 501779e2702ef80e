// Package testhosts gives tests real machines to drive over SSH: each test
// host is a Linux network namespace running Debian's own OpenSSH server, with
// its own host key, addresses, hostname and private copy of the paths kubeadm
// touches, plus recording stand-ins for kubeadm, kubectl, systemctl, apt-get
// and friends.
//
//	env := testhosts.New(t, 2)                      // node-0, node-1
//	env := testhosts.New(t, 2, testhosts.WithBastion()) // reachable only via env.Bastion
//
// # Requirements
//
// Root, and the Debian packages openssh-server (/usr/sbin/sshd), sudo,
// iproute2 (ip) and util-linux (unshare, nsenter), and a kernel with network
// namespaces and overlayfs. Without them New skips the test with the reason,
// unless PODLAB_E2E=1, when it fails it: CI must not pass by skipping.
//
// # Network
//
// Every New call takes a slot K (0..15) by flock on
// /var/tmp/podlab-testhosts/locks/slot-K.lock, so test binaries running in
// parallel never share names or addresses. Slot K owns 10.231.2K.0/24 (the
// "front" network: a bridge plh<K>br in the root namespace at .1, hosts from
// .10) and 10.231.(2K+1).0/24 (the "back" network behind a bastion: a bridge
// inside the bastion's namespace at .1, hosts from .10). The root namespace
// gets an "unreachable" route for the back network, so trying to reach a
// back host directly fails at once on this machine instead of leaving by the
// default route. Hosts get no default route: nothing they send can leave the
// machine. All of 10.231.0.0/19 is therefore used only inside namespaces and
// links this package creates and deletes.
//
// # Isolation
//
// Network namespaces share the filesystem, so each sshd is started through
// `ip netns exec NS unshare --mount --uts` and a boot script that, inside the
// new mount namespace only, mounts an overlay over /etc, /var/lib, /var/log,
// /usr/local and /opt (lower: the machine's own directory; upper: the host's Root()), and
// bind-mounts fresh per-host directories over /tmp, /run, /root and /home,
// then sets the hostname and execs sshd. So every host sees the machine's
// programs but writes into its own layer: /etc/kubernetes, /var/lib/kubelet,
// /var/lib/etcd, /etc/cni/net.d, /opt/cni/bin and so on are private to it, and
// Root()+"/etc/kubernetes/admin.conf" is where the test finds a file the host
// wrote. The kubeadm, CNI and containerd paths start absent on every host
// (whiteouts in its layer), even when the machine itself has them because
// it runs the real local test cluster. Users (root; "podlab" with passwordless sudo; "pwsudo" whose sudo
// wants a password) exist only in the host's /etc/passwd; the machine's own
// /etc is never written. The stand-ins sit in the host's /usr/local/bin,
// which comes first in both sshd's default PATH and sudo's secure_path.
// No mount is made in the root mount namespace: the overlays vanish with the
// host's processes.
//
// # Stand-ins
//
// The stand-ins record every call (CommandLog, Calls) and answer in the
// shapes the real commands print, keeping their state on the host or, for
// what a cluster shares, in the environment's directory:
//
//   - kubeadm: init (from --config; --skip-token-print, --upload-certs),
//     init phase upload-certs, token create --print-join-command (with
//     --certificate-key for control planes), join (checks endpoint, token,
//     CA hash and certificate key), reset, version; refuses what the real
//     one refuses (init twice, join twice, reset without -f).
//   - kubectl: get nodes, wait (per node; --for=create and
//     --for=condition=Ready, which holds only once something, the pod
//     network, was applied; an unmet wait fails at once as a timeout),
//     apply -f, version, cluster-info.
//   - swapon/swapoff (WithSwap sets the devices), apt-get install with
//     dpkg-query answering what it installed, curl (a placeholder
//     download), containerd config default, kubelet --version,
//     iptables-save/-restore and ip6tables twins (rules kept per host),
//     systemctl, sysctl; modprobe, iptables, apt-mark and ipvsadm only
//     record. None of them reaches the shared kernel or the machine.
//
// FailNext makes the next matching call fail with a message; Listen holds
// a port open inside a host, for "port in use" cases.
//
// # Cleanup
//
// t.Cleanup kills each sshd by PID (and any process left in the host's
// network namespace, by PID), deletes the namespaces, links and route, and
// removes the slot's directory. A run that was killed before its cleanup ran
// leaves its slot unlocked; the next New sweeps every unlocked slot's
// leftovers (namespaces named plh<K>-*, links named plh<K>*, the route, the
// directory) before it creates anything. sshd is also started with a parent
// death signal, so it dies with a killed test binary.
package testhosts
