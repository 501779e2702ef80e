# shellcheck shell=bash
# Container images built offline from Debian packages, served from a registry
# on loopback that containerd uses as its docker.io mirror.

DEBIAN_SUITE="bookworm"
DEBIAN_MIRROR="${PODLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# bash and coreutils are part of minbase already; naming them keeps the
# promise explicit should the variant ever change.
ROOTFS_PACKAGES="nginx-light,curl,ca-certificates,bash,coreutils"
# Bump when the way the rootfs is made changes, so caches get rebuilt.
ROOTFS_RECIPE=1

rootfs_tarball() {
	local key
	key=$(printf '%s %s %s %s' "$DEBIAN_SUITE" "$DEBIAN_MIRROR" "$ROOTFS_PACKAGES" "$ROOTFS_RECIPE" | sha256sum | cut -c1-12)
	echo "$CACHE_DIR/rootfs/$DEBIAN_SUITE-minbase-$key.tar"
}

build_rootfs() {
	local tar tmp
	tar=$(rootfs_tarball)
	if [[ -f $tar ]]; then
		log "rootfs cached: $tar"
		return 0
	fi
	mkdir -p "$CACHE_DIR/rootfs"
	tmp=$(mktemp -d "$CACHE_DIR/rootfs/build.XXXXXX")
	log "debootstrap $DEBIAN_SUITE minbase with $ROOTFS_PACKAGES (1-3 min), log: $tmp.log"
	if ! debootstrap --variant=minbase --include="$ROOTFS_PACKAGES" "$DEBIAN_SUITE" "$tmp/root" "$DEBIAN_MIRROR" >"$tmp.log" 2>&1; then
		tail -n 30 "$tmp.log" >&2
		unmount_under "$tmp"
		rm -rf --one-file-system "$tmp"
		die "debootstrap failed (log: $tmp.log)"
	fi
	unmount_under "$tmp"
	# Package caches only make the layer bigger; /dev, /proc and /sys are
	# provided by the container runtime.
	rm -rf "$tmp/root/var/cache/apt/archives/"*.deb "$tmp/root/var/lib/apt/lists/"* \
		"$tmp/root/dev/"* "$tmp/root/proc/"* "$tmp/root/sys/"* "$tmp/root/run/"*
	tar --numeric-owner -C "$tmp/root" -cf "$tmp/rootfs.tar" .
	mv "$tmp/rootfs.tar" "$tar"
	rm -rf --one-file-system "$tmp" "$tmp.log"
	log "rootfs: $tar ($(du -h "$tar" | cut -f1))"
}
