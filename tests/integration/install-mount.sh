#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installing and mounting as a system does: meson install puts the binary and the man page
# in place; mount -t fuse.virt-poolfs and an fstab line mount it through mount.fuse3. The
# mounts are made in a private mount namespace, with the installed binary and a test fstab
# bound over /usr/local/bin and /etc/fstab there only: the host's stay untouched.
. "$(dirname "$0")/lib.sh"

: "${BUILD_ROOT:?run through meson test}"
start_daemon
make_pool demo start
dest=$WORK/dest
mkdir -p "$MNT"

check "meson install" meson install -C "$BUILD_ROOT" --no-rebuild --quiet --destdir "$dest"
bin=$(find "$dest" -type f -name virt-poolfs -path '*/bin/*' | head -1)
man=$(find "$dest" -type f -name virt-poolfs.1 -path '*/man1/*' | head -1)
check "... installs the binary" test -x "$bin"
check "... and the man page virt-poolfs(1)" test -f "$man"
check_eq "the man page renders without a warning" "" \
    "$(man --warnings -l "$man" 2>&1 >/dev/null)"
check "the man page covers every option" sh -c "man -l '$man' 2>/dev/null | grep -q cache_ttl &&
    man -l '$man' 2>/dev/null | grep -q refresh= && man -l '$man' 2>/dev/null | grep -q pool_root &&
    man -l '$man' 2>/dev/null | grep -q direct="

echo "$URI $MNT fuse.virt-poolfs defaults,_netdev,cache_ttl=2 0 0" >"$WORK/fstab"
# In the namespace: mount, list, unmount, with both forms; each step prints a line.
unshare -m bash -s >"$WORK/namespace.out" 2>&1 <<EOF2
mount --make-rprivate /
mount --bind "$(dirname "$bin")" /usr/local/bin
mount --bind "$WORK/fstab" /etc/fstab
mount -t fuse.virt-poolfs "$URI" "$MNT" -o cache_ttl=5 && echo "mount -t: mounted"
ls "$MNT" | grep -qx demo && echo "mount -t: lists the pool"
grep -q " $MNT fuse.virt-poolfs " /proc/self/mounts && echo "mount -t: type fuse.virt-poolfs"
umount "$MNT" && echo "mount -t: unmounted"
mount "$MNT" && echo "fstab: mounted"
ls "$MNT" | grep -qx demo.xml && echo "fstab: lists the definition"
umount "$MNT" && echo "fstab: unmounted"
EOF2
for line in "mount -t: mounted" "mount -t: lists the pool" "mount -t: type fuse.virt-poolfs" \
    "mount -t: unmounted" "fstab: mounted" "fstab: lists the definition" "fstab: unmounted"; do
    if grep -qx "$line" "$WORK/namespace.out"; then ok "$line"; else not_ok "$line" "$(cat "$WORK/namespace.out")"; fi
done
check_fails "no mount was left on the host" "" mountpoint -q "$MNT"
within 10 "the servers the namespace started have exited" \
    sh -c "! ps -eo args= | grep -F -- '$URI $MNT' | grep -v grep"
