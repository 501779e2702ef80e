# shellcheck shell=bash
# Settings, paths and small helpers shared by every phase of cluster.sh.

K8S_VERSION="${PODLAB_K8S_VERSION:-v1.34.4}"
CACHE_DIR="${PODLAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/podlab}"
CLUSTER_DIR="${PODLAB_CLUSTER_DIR:-/var/lib/podlab-testcluster}"

K8S_BIN_DIR="$CACHE_DIR/k8s/$K8S_VERSION/bin"
K8S_COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubeadm kube-proxy)

# The node's address lives on a bridge of its own: the kernel here has no
# dummy links and the kubelet refuses a loopback node IP.
NODE_NAME="podlab-node"
NODE_BRIDGE="podlab0"
NODE_IP="10.77.0.1"
POD_BRIDGE="cni0"
POD_CIDR="10.88.0.0/16"
SERVICE_CIDR="10.96.0.0/16"
SERVICE_IP="10.96.0.1"
APISERVER_PORT=6443
APISERVER_URL="https://127.0.0.1:$APISERVER_PORT"
# The cluster's own components reach the API server through apiproxy.
APIPROXY_PORT=6442
APIPROXY_URL="https://127.0.0.1:$APIPROXY_PORT"
ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380
REGISTRY_ADDR="127.0.0.1:5000"
SANDBOX_IMAGE="registry.k8s.io/pause:3.10"

PKI_DIR="$CLUSTER_DIR/pki"
KUBECONFIG_DIR="$CLUSTER_DIR/kubeconfig"
CONF_DIR="$CLUSTER_DIR/config"
LOG_DIR="$CLUSTER_DIR/logs"
RUN_DIR="$CLUSTER_DIR/run"
ETCD_DATA_DIR="$CLUSTER_DIR/etcd"
CONTAINERD_ROOT="$CLUSTER_DIR/containerd/root"
CONTAINERD_STATE="$CLUSTER_DIR/containerd/state"
CONTAINERD_SOCK="$CLUSTER_DIR/containerd/containerd.sock"
KUBELET_ROOT="$CLUSTER_DIR/kubelet"
ADMIN_KUBECONFIG="$KUBECONFIG_DIR/admin.kubeconfig"
TOKEN_KUBECONFIG="$KUBECONFIG_DIR/token.kubeconfig"
TOKEN_FILE="$CLUSTER_DIR/token"
ENV_FILE="$CLUSTER_DIR/env"
TOOLS_DIR="$CLUSTER_DIR/bin"

# Components in start order; teardown walks it backwards.
COMPONENTS=(registry etcd kube-apiserver apiproxy kube-controller-manager kube-scheduler containerd kubelet)

STOP_TIMEOUT="${PODLAB_STOP_TIMEOUT:-20}"

log() { printf '[cluster] %s\n' "$*" >&2; }
die() {
	printf '[cluster] error: %s\n' "$*" >&2
	exit 1
}

now() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# phase NAME FUNCTION [ARGS...] runs one step of the harness and reports how
# long it took, so slow steps on a cold machine are easy to spot in CI logs.
phase() {
	local name=$1 start
	shift
	start=$(now)
	log "phase $name ..."
	"$@"
	log "phase $name done in $(elapsed_since "$start")"
}

require_root() {
	[[ $(id -u) -eq 0 ]] || die "the test cluster needs root (network bridges, mounts, cgroups); run as root"
}

# wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND... polls COMMAND every 0.2s.
wait_for() {
	local what=$1 timeout=$2 deadline
	shift 2
	deadline=$(($(date +%s) + timeout))
	until "$@" >/dev/null 2>&1; do
		if (($(date +%s) >= deadline)); then
			log "timed out after ${timeout}s waiting for $what"
			return 1
		fi
		sleep 0.2
	done
}

# Binary each managed component runs, used to check that a recorded PID
# still belongs to that component before it is signalled.
component_exe() {
	case $1 in
	registry) command -v docker-registry ;;
	etcd) command -v etcd ;;
	containerd) command -v containerd ;;
	kube-*|kubelet) echo "$K8S_BIN_DIR/$1" ;;
	apiproxy) echo "$TOOLS_DIR/apiproxy" ;;
	*) return 1 ;;
	esac
}

# Output is captured before it is matched: under pipefail, a `grep -q`
# that stops reading early makes the writer die of SIGPIPE and the whole test
# fail at random.
port_in_use() {
	local out
	out=$(ss -Hltn "sport = :$1")
	[[ -n $out ]]
}

# unmount_under DIR lazily unmounts everything mounted below DIR, deepest
# first, so that a later rm -rf never walks into a mounted /proc or /dev.
unmount_under() {
	local dir=$1 mnt
	[[ -d $dir ]] || return 0
	dir=$(realpath "$dir")
	while read -r mnt; do
		umount -l "$mnt" 2>/dev/null || true
	done < <(awk -v d="$dir/" '{ m = $5; gsub(/\\040/, " ", m); if (index(m "/", d) == 1) print m }' /proc/self/mountinfo | sort -r)
}
