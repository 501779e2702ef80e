# shellcheck shell=bash
# Configuration files of the registry, containerd, CNI and the kubelet.

write_registry_config() {
	mkdir -p "$CONF_DIR" "$CACHE_DIR/registry"
	cat >"$CONF_DIR/registry.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    # In the cache, not the runtime dir: pushed images survive a teardown.
    rootdirectory: $CACHE_DIR/registry
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: $REGISTRY_ADDR
EOF
}

# Registries whose pulls containerd sends to the local registry. docker.io is
# the one the course uses; the others only make a missing image fail at once
# (404) instead of trying to reach the internet.
MIRRORED_REGISTRIES=(docker.io registry.k8s.io quay.io gcr.io ghcr.io)

write_containerd_config() {
	local d=$CLUSTER_DIR/containerd
	mkdir -p "$d" "$CONTAINERD_ROOT" "$CONTAINERD_STATE"
	cat >"$d/config.toml" <<EOF
version = 2
root = "$CONTAINERD_ROOT"
state = "$CONTAINERD_STATE"
# Storage drivers that cannot work here only log errors at start.
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = "$CONTAINERD_SOCK"

[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$SANDBOX_IMAGE"
  # The VM lacks CAP_SYS_RESOURCE: without this every sandbox fails with
  # "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  # Keeps pod network namespaces under the state dir instead of /run/netns.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$d/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CONF_DIR/cni"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$d/certs.d"
EOF
	local reg
	for reg in "${MIRRORED_REGISTRIES[@]}"; do
		mkdir -p "$d/certs.d/$reg"
		cat >"$d/certs.d/$reg/hosts.toml" <<EOF
server = "http://$REGISTRY_ADDR"

[host."http://$REGISTRY_ADDR"]
  capabilities = ["pull", "resolve"]
EOF
	done
}

write_cni_config() {
	mkdir -p "$CONF_DIR/cni"
	# No ipMasq and no portmap: no iptables rules to add or clean up. The host
	# reaches pod IPs directly through the bridge.
	cat >"$CONF_DIR/cni/10-podlab.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "podlab",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$POD_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$POD_CIDR"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$CLUSTER_DIR/cni/ipam"
      }
    }
  ]
}
EOF
}

write_kubelet_config() {
	mkdir -p "$CONF_DIR" "$KUBELET_ROOT" "$CLUSTER_DIR/pod-logs"
	cat >"$CONF_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $PKI_DIR/ca.crt
authorization:
  mode: Webhook
tlsCertFile: $PKI_DIR/kubelet.crt
tlsPrivateKeyFile: $PKI_DIR/kubelet.key
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
podLogsDir: $CLUSTER_DIR/pod-logs
# The machines run cgroup v1, which 1.34 still supports when asked to.
failCgroupV1: false
cgroupDriver: cgroupfs
failSwapOn: false
# No kube-proxy and no masquerading: the kubelet need not touch iptables.
makeIPTablesUtilChains: false
serializeImagePulls: false
# Build machines often run with little free disk; evicting pods or images
# there would make tests flaky, not more real.
evictionHard:
  memory.available: "50Mi"
  nodefs.available: "1%"
  nodefs.inodesFree: "1%"
  imagefs.available: "1%"
  imagefs.inodesFree: "1%"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
clusterDomain: cluster.local
EOF
}

write_configs() {
	write_registry_config
	write_containerd_config
	write_cni_config
	write_kubelet_config
}
