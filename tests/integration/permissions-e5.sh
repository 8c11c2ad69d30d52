#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# E5: without allow_other only the mounting user can use the mount; with it, the kernel
# checks every access against the modes and owners libvirt's XML gives
# (default_permissions), so a second local user can do what they allow and nothing more.
. "$(dirname "$0")/lib.sh"

other=vpfs-other
id "$other" >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$other"
as_other() { setpriv --reuid="$other" --regid="$other" --init-groups -- "$@"; }

start_daemon
make_pool demo start
chmod 0711 "$SB/pools/demo" # what pool-build makes: others may pass, not list
v vol-create-as demo private.raw 1M >/dev/null # mode 0600, the daemon's user's
make_pool open start
v pool-autostart open >/dev/null
chmod 0777 "$SB/pools/open" && v pool-refresh open >/dev/null # a shared pool
mount_fs
check_fails "E5: without allow_other another user cannot see into the mount" \
    "Permission denied" as_other ls "$MNT"
unmount_fs

mount_fs -o allow_other
check "E5: with allow_other another user lists the root (0755)" as_other ls "$MNT"
check "E5: ... and reads a definition (0644)" as_other cat "$MNT/demo.xml"
check_fails "E5: ... but not write it (root's, 0644)" "Permission denied" \
    as_other sh -c "echo x > '$MNT/demo.xml'"
check_fails "E5: ... nor list a pool whose mode is 0711" "Permission denied" \
    as_other ls "$MNT/demo"
check_fails "E5: ... nor read a volume whose mode is 0600" "Permission denied" \
    as_other cat "$MNT/demo/private.raw"
check_fails "E5: ... nor make a pool in the root (0755, root's)" "Permission denied" \
    as_other mkdir "$MNT/theirs"
check_fails "E5: ... nor remove a volume" "Permission denied" as_other rm -f "$MNT/demo/private.raw"
check "E5: and libvirt still has the volume" v vol-info --pool demo private.raw
check_eq "E5: and no pool was made" "demo open" "$(v pool-list --all --name | sed -e 's/ *$//' -e '/^$/d' | xargs)"
check_fails "E5: ... nor stop a pool whose directory it may write (0777), not being its owner" \
    "Operation not permitted" as_other setfattr -n user.libvirt.state -v inactive "$MNT/open"
check_fails "E5: ... nor change its autostart" "Operation not permitted" \
    as_other setfattr -n user.libvirt.autostart -v 0 "$MNT/open"
check_eq "E5: ... and the pool still runs, autostarted" "running yes" \
    "$(v pool-info open | awk '/^State:/ { s = $2 } /^Autostart:/ { a = $2 } END { print s, a }')"
check "E5: the mounting user (root) can do all of it" truncate -s 2M "$MNT/demo/private.raw"
