package kubeadm

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strings"
)

// Files whose presence says what a host already is.
const (
	adminConf       = "/etc/kubernetes/admin.conf"
	kubeletConf     = "/etc/kubernetes/kubelet.conf"
	kubeletConfig   = "/var/lib/kubelet/config.yaml"
	apiServerManif  = "/etc/kubernetes/manifests/kube-apiserver.yaml"
	clusterCA       = "/etc/kubernetes/pki/ca.crt"
	podlabRemoteDir = "/etc/kubernetes/podlab"
)

// facts are what the gather-facts phase found on a host.
type facts struct {
	osID      string // "debian", "ubuntu", ...
	osVersion string
	osLike    string // ID_LIKE, e.g. "debian" on Ubuntu derivatives
	osName    string
	arch      string // uname -m
	hostname  string
	addrs     []string // the host's own IPv4/IPv6 addresses
	swap      []string // active swap devices
	files     map[string]bool
	kubeadm   string // kubeadm version -o short, "" when not installed
	kubelet   bool
	kubectl   bool
	// containerd is on root's PATH.
	containerd bool
}

// initialised: kubeadm init has run here (an admin kubeconfig exists).
func (f *facts) initialised() bool { return f.files[adminConf] }

// joined: the kubelet has a cluster to talk to.
func (f *facts) joined() bool { return f.files[kubeletConf] }

// leftovers: kubeadm wrote files here that make its preflight refuse to
// run again (a failed init or join leaves them).
func (f *facts) leftovers() bool {
	return f.files[apiServerManif] || f.files[clusterCA] || f.files[kubeletConf] || f.files[kubeletConfig]
}

// nodeName is the node name kubeadm registers: the hostname, lower-cased.
func (f *facts) nodeName() string { return strings.ToLower(f.hostname) }

// hasAddr tells whether ip is one of the host's own addresses.
func (f *facts) hasAddr(ip string) bool { return slices.Contains(f.addrs, ip) }

// factsScript prints one key=value per line; lists repeat their key. It
// uses only POSIX sh and what every Debian, Ubuntu, RHEL-like or SUSE host
// has, and never fails: a fact that cannot be found is left out.
var factsScript = `if [ -r /etc/os-release ]; then . /etc/os-release; fi
echo "os_id=${ID-}"
echo "os_version=${VERSION_ID-}"
echo "os_like=${ID_LIKE-}"
echo "os_name=${PRETTY_NAME-}"
echo "arch=$(uname -m)"
echo "hostname=$(hostname)"
for a in $(hostname -I 2>/dev/null); do echo "addr=$a"; done
swapon --show=NAME --noheadings 2>/dev/null | while read -r s; do echo "swap=$s"; done
for f in ` + strings.Join([]string{adminConf, kubeletConf, kubeletConfig, apiServerManif, clusterCA}, " ") + `; do
	if [ -e "$f" ]; then echo "file=$f"; fi
done
if command -v kubeadm >/dev/null 2>&1; then echo "kubeadm=$(kubeadm version -o short 2>/dev/null)"; fi
if command -v kubelet >/dev/null 2>&1; then echo "kubelet=yes"; fi
if command -v kubectl >/dev/null 2>&1; then echo "kubectl=yes"; fi
if command -v containerd >/dev/null 2>&1; then echo "containerd=yes"; fi
exit 0`

// parseFacts reads factsScript's output.
func parseFacts(out string) *facts {
	f := &facts{files: map[string]bool{}}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "os_id":
			f.osID = v
		case "os_version":
			f.osVersion = v
		case "os_like":
			f.osLike = v
		case "os_name":
			f.osName = v
		case "arch":
			f.arch = v
		case "hostname":
			f.hostname = v
		case "addr":
			f.addrs = append(f.addrs, v)
		case "swap":
			if v != "" {
				f.swap = append(f.swap, v)
			}
		case "file":
			f.files[v] = true
		case "kubeadm":
			f.kubeadm = v
		case "kubelet":
			f.kubelet = true
		case "kubectl":
			f.kubectl = true
		case "containerd":
			f.containerd = true
		}
	}
	return f
}

// gatherFacts learns what each host is: OS, architecture, swap, and
// whether kubeadm already made it part of a cluster. It changes nothing
// and runs on every apply, since the hosts may have changed.
type gatherFacts struct{}

func (gatherFacts) name() string             { return "facts" }
func (gatherFacts) hosts(c *cluster) []*host { return c.hosts }
func (gatherFacts) everyTime()               {}

func (gatherFacts) describe(f *facts) string {
	state := "no cluster"
	switch {
	case f.initialised():
		state = "kubeadm control plane"
	case f.joined():
		state = "joined node"
	case f.leftovers():
		state = "leftovers of an unfinished kubeadm run"
	}
	swap := "swap off"
	if len(f.swap) > 0 {
		swap = "swap on"
	}
	kubeadm := "kubeadm not installed"
	if f.kubeadm != "" {
		kubeadm = "kubeadm " + f.kubeadm
	}
	return fmt.Sprintf("%s, %s, %s, %s, %s", f.osName, f.arch, swap, kubeadm, state)
}

func (p gatherFacts) run(ctx context.Context, c *cluster, h *host) error {
	out, err := h.script(ctx, factsScript)
	if err != nil {
		return err
	}
	h.facts = parseFacts(out)
	if h.facts.hostname == "" {
		return fmt.Errorf("the host did not say its hostname (output: %q)", out)
	}
	c.logf("%s: %s", h, p.describe(h.facts))
	return nil
}
