#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# E1: on a read-only mount (-o ro) anything that would write is EROFS and libvirt is left as
# it was.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool demo start
v vol-create-as demo a.raw 1M >/dev/null
mount_fs -o ro

before=$(v pool-dumpxml --inactive demo; v vol-list demo --details; v pool-list --all)
check_fails "EROFS: creating a file" "Read-only file system" touch "$MNT/demo/new.raw"
check_fails "EROFS: truncate" "Read-only file system" truncate -s 2M "$MNT/demo/a.raw"
check_fails "EROFS: rm" "Read-only file system" rm -f "$MNT/demo/a.raw"
check_fails "EROFS: mv" "Read-only file system" mv "$MNT/demo/a.raw" "$MNT/demo/b.raw"
check_fails "EROFS: mkdir" "Read-only file system" mkdir "$MNT/newpool"
check_fails "EROFS: rmdir" "Read-only file system" rmdir "$MNT/demo"
check_fails "EROFS: writing NAME.xml" "Read-only file system" \
    sh -c "echo '<pool/>' > '$MNT/demo.xml'"
check_fails "EROFS: setfattr" "Read-only file system" \
    setfattr -n user.libvirt.autostart -v yes "$MNT/demo"
check_eq "EROFS: libvirt is unchanged" "$before" \
    "$(v pool-dumpxml --inactive demo; v vol-list demo --details; v pool-list --all)"
