#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# P1, P2, E1, E2, C1: mkdir makes a running, persistent, autostarted dir pool under pool_root;
# rmdir stops and undefines it and removes its empty target, but never a pool's volumes and
# never the storage under another type of pool.
. "$(dirname "$0")/lib.sh"

start_daemon
mount_fs -o pool_root="$SB/pools"

# pool_state NAME: "STATE AUTOSTART PERSISTENT" as pool-info says.
pool_state() {
    v pool-info "$1" | sed -nE 's/^(State|Autostart|Persistent): +//p' | xargs
}

check "P1: mkdir makes a pool" mkdir "$MNT/p1"
check_eq "P1: the pool is running, autostarted and persistent" "running yes yes" "$(pool_state p1)"
check_eq "P1: its target is pool_root/NAME" "$SB/pools/p1" \
    "$(v pool-dumpxml p1 | sed -nE 's|.*<path>(.*)</path>.*|\1|p')"
check "P1: its target exists on disk" test -d "$SB/pools/p1"
check "C1: the new directory is there" test -d "$MNT/p1"
check_fails "P1: mkdir of an existing pool is EEXIST" "File exists" mkdir "$MNT/p1"
check_fails "P1, L3: ... and of its definition's name" "File exists" mkdir "$MNT/p1.xml"
check "P1: a pool named NAME.xml" mkdir "$MNT/taken.xml"
check_fails "L3: ... then pool NAME, whose definition it would hide, is EEXIST" "File exists" \
    mkdir "$MNT/taken"
check_fails "L3: ... and defines nothing" "" v pool-info taken
check "P2: rmdir of the pool NAME.xml" rmdir "$MNT/taken.xml"
before=$(v pool-list --all --name | xargs)
check_fails "P1: a name libvirt refuses is EINVAL" "Invalid argument" mkdir "$MNT/bad
name"
check_eq "P1: a refused name defines nothing" "$before" "$(v pool-list --all --name | xargs)"
check "E2: the refusal is in .errors with libvirt's message" \
    grep -q "mkdir '/bad\\\\x0aname': cannot define pool.*invalid char in name" "$MNT/.errors"
check "E2: the refusal is logged" grep -q "mkdir '/bad\\\\x0aname'" "$WORK/server.log"
check_fails "P1: directories inside a pool are refused" "Operation not permitted" \
    mkdir "$MNT/p1/sub"

v vol-create-as p1 disk.raw 1M >/dev/null
check_fails "P2: rmdir of a pool with volumes is ENOTEMPTY" "Directory not empty" rmdir "$MNT/p1"
check_eq "P2: ... and the pool is untouched" "running yes yes" "$(pool_state p1)"
check "P2: ... and so is its volume" v vol-info --pool p1 disk.raw
v vol-delete --pool p1 disk.raw >/dev/null
check "P2: rmdir of an empty pool" rmdir "$MNT/p1"
check_fails "P2: the pool is undefined" "" v pool-info p1
check_fails "P2: its empty target directory is removed" "" test -e "$SB/pools/p1"
check_fails "C1: the directory is gone" "" test -e "$MNT/p1"

# A transient pool is gone once stopped: rmdir succeeds, and libvirt cannot remove its
# directory any more, which stays.
mkdir -p "$SB/pools/passing"
chown "$POOL_OWNER:" "$SB/pools/passing"
v pool-create-as passing dir --target "$SB/pools/passing" >/dev/null
check "P2: rmdir of an empty transient pool" rmdir "$MNT/passing"
check_fails "P2: ... which is gone" "" v pool-info passing
check_fails "C1: ... and so is its directory in the mount" "" test -e "$MNT/passing"

# A pool that is not running and not a dir pool: its storage stays (P2).
mkdir -p "$SB/pools/fsdata"
echo keep >"$SB/pools/fsdata/keep.txt"
truncate -s 16M "$SB/disk.img"
v pool-define-as fspool fs --source-dev "$SB/disk.img" --target "$SB/pools/fsdata" >/dev/null
check "P2: rmdir of an fs pool" rmdir "$MNT/fspool"
check_fails "P2: the fs pool is undefined" "" v pool-info fspool
check_eq "P2: the storage under an fs pool stays" "keep" "$(cat "$SB/pools/fsdata/keep.txt")"
check_eq "P2: the fs pool's device stays" 16777216 "$(stat -c %s "$SB/disk.img")"

# Without pool_root, a new pool goes beside the pool named "default".
unmount_fs
v pool-define-as default dir --target "$SB/pools/images" >/dev/null
mount_fs
check "P1: mkdir without pool_root" mkdir "$MNT/p3"
check_eq "P1: the target sits beside the default pool's" "$SB/pools/p3" \
    "$(v pool-dumpxml p3 | sed -nE 's|.*<path>(.*)</path>.*|\1|p')"
