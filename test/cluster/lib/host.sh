# shellcheck shell=bash
# The host side: Debian packages, the harness's Go tools and the node network.

PACKAGES=(containerd runc containernetworking-plugins etcd-server docker-registry debootstrap
	iptables conntrack socat openssl iproute2 curl ca-certificates util-linux)

ensure_packages() {
	local p missing=()
	for p in "${PACKAGES[@]}"; do
		[[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
	done
	if ((${#missing[@]} == 0)); then
		log "Debian packages present"
		return 0
	fi
	log "installing ${missing[*]}"
	# etcd, containerd and docker-registry ship services that would grab the
	# ports this harness uses; policy-rc.d stops Debian from starting them.
	local policy=/usr/sbin/policy-rc.d added_policy=
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		added_policy=1
	fi
	local rc=0
	# A third-party source that cannot be reached should not stop the
	# install from Debian's own archive.
	apt-get update -qq >&2 || log "warning: apt-get update reported errors; trying the install anyway"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || rc=$?
	[[ -z $added_policy ]] || rm -f "$policy"
	((rc == 0)) || die "apt-get install ${missing[*]} failed"
}

HARNESS_TOOLS=(imagetool apiproxy pause)

# tools_key changes whenever anything the harness's Go tools are built from does.
tools_key() {
	{
		go version
		cat "$REPO_DIR/go.mod" "$REPO_DIR/go.sum"
		local t
		for t in "${HARNESS_TOOLS[@]}"; do cat "$HARNESS_DIR/$t"/*.go; done
	} | sha256sum | cut -c1-16
}

# build_tools builds imagetool, apiproxy and pause once per source version
# into the cache and copies them into the runtime dir, where the running
# apiproxy's binary stays put even if the sources change meanwhile.
build_tools() {
	command -v go >/dev/null || die "go is not on PATH"
	local key dir t
	key=$(tools_key)
	dir="$CACHE_DIR/tools/$key"
	if [[ ! -f $dir/done ]]; then
		rm -rf "$CACHE_DIR/tools"
		mkdir -p "$dir"
		for t in "${HARNESS_TOOLS[@]}"; do
			# Static binaries: pause runs as a container's only process, with
			# no libc beside it.
			(cd "$REPO_DIR" && CGO_ENABLED=0 go build -ldflags "-s -w" -o "$dir/$t" "./test/cluster/$t") ||
				die "building test/cluster/$t failed"
		done
		touch "$dir/done"
	else
		log "harness tools cached in $dir"
	fi
	mkdir -p "$TOOLS_DIR"
	for t in "${HARNESS_TOOLS[@]}"; do
		cp "$dir/$t" "$TOOLS_DIR/$t"
	done
}

# images_recipe keys the pushed images by everything they are made from.
images_recipe() {
	{
		basename "$(rootfs_tarball)"
		cat "$HARNESS_DIR"/imagetool/*.go
	} | sha256sum | cut -c1-16
}

push_images() {
	"$TOOLS_DIR/imagetool" push -rootfs "$(rootfs_tarball)" -registry "$REGISTRY_ADDR" -recipe "$(images_recipe)" >&2 ||
		die "pushing the course images to $REGISTRY_ADDR failed"
}

preflight() {
	local port
	for port in "${REGISTRY_ADDR##*:}" $ETCD_CLIENT_PORT $ETCD_PEER_PORT $APISERVER_PORT $APIPROXY_PORT 10248 10250 10257 10259; do
		port_in_use "$port" && die "TCP port $port is in use by a process this harness did not start ($(ss -Hltnp "sport = :$port" | head -n1))"
	done
	local clash
	clash=$(ip -o -4 addr show | awk -v a="${NODE_IP%.*}." -v b="${POD_CIDR%.*.*}." \
		'index($4, a) == 1 || index($4, b) == 1 { print $2, $4 }')
	[[ -z $clash ]] || die "addresses the cluster uses are already on this host: $clash"
	return 0
}

setup_network() {
	mkdir -p "$RUN_DIR"
	[[ -f $RUN_DIR/ip_forward.orig ]] || cat /proc/sys/net/ipv4/ip_forward >"$RUN_DIR/ip_forward.orig"
	ip link show "$NODE_BRIDGE" >/dev/null 2>&1 || ip link add "$NODE_BRIDGE" type bridge
	ip addr replace "$NODE_IP/32" dev "$NODE_BRIDGE"
	ip link set "$NODE_BRIDGE" up
}

write_env() {
	mkdir -p "$CLUSTER_DIR"
	cat >"$ENV_FILE.tmp" <<EOF
PODLAB_TEST_CLUSTER=$CLUSTER_DIR
KUBECONFIG=$ADMIN_KUBECONFIG
PODLAB_TEST_TOKEN_KUBECONFIG=$TOKEN_KUBECONFIG
PODLAB_TEST_SERVER=$APISERVER_URL
PODLAB_TEST_CA_FILE=$PKI_DIR/ca.crt
PODLAB_TEST_TOKEN_FILE=$TOKEN_FILE
PODLAB_TEST_NODE_NAME=$NODE_NAME
PODLAB_TEST_NODE_IP=$NODE_IP
PODLAB_TEST_HARNESS=$HARNESS_DIR/cluster.sh
PODLAB_TEST_K8S_VERSION=$K8S_VERSION
PODLAB_TEST_K8S_BIN=$K8S_BIN_DIR
PODLAB_TEST_REGISTRY=$REGISTRY_ADDR
EOF
	mv "$ENV_FILE.tmp" "$ENV_FILE"
}

# load_env_file makes commands on an existing cluster use the binaries it
# was started with, even when the cache location differs in this shell.
load_env_file() {
	[[ -f $ENV_FILE ]] || return 0
	local bin
	bin=$(sed -n 's/^PODLAB_TEST_K8S_BIN=//p' "$ENV_FILE")
	[[ -z $bin ]] || K8S_BIN_DIR=$bin
}

print_env() {
	[[ -f $ENV_FILE ]] || die "no cluster in $CLUSTER_DIR: run 'make cluster-up'"
	local k v
	while IFS='=' read -r k v; do
		printf 'export %s=%q\n' "$k" "$v"
	done <"$ENV_FILE"
}
