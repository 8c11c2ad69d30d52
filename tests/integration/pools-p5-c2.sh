#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# P5, L1, C2: start, stop, autostart and refresh from the shell with setfattr; pools changed
# with virsh show in the mount at once, by libvirt's events (cache_ttl is a minute here, so
# only an event can explain it).
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool p1 start
make_pool idle
mount_fs -o cache_ttl=60

state() { v pool-info "$1" | sed -nE "s/^$2: +//p"; }

check "P5: stop a pool" setfattr -n user.libvirt.state -v inactive "$MNT/p1"
check_eq "P5: the pool stopped" inactive "$(state p1 State)"
check "P5: start a pool" setfattr -n user.libvirt.state -v running "$MNT/idle"
check_eq "P5: the pool started" running "$(state idle State)"
check "P5: autostart on" setfattr -n user.libvirt.autostart -v yes "$MNT/idle"
check_eq "P5: autostart is on" yes "$(state idle Autostart)"
check "P5: autostart off" setfattr -n user.libvirt.autostart -v no "$MNT/idle"
check_eq "P5: autostart is off" no "$(state idle Autostart)"
mkdir -p "$SB/pools/passing" && chown "$POOL_OWNER:" "$SB/pools/passing"
v pool-create-as passing dir --target "$SB/pools/passing" >/dev/null
check_fails "P5, E1: a transient pool has no autostart: EPERM" "Operation not permitted" \
    setfattr -n user.libvirt.autostart -v yes "$MNT/passing"
v pool-destroy passing >/dev/null
check_fails "P5: a state that is none is EINVAL" "Invalid argument" \
    setfattr -n user.libvirt.state -v sleeping "$MNT/idle"
check_fails "P5: a read-only attribute is EPERM" "Operation not permitted" \
    setfattr -n user.libvirt.uuid -v 0 "$MNT/idle"

check_eq "L1: a stopped pool is an empty directory" "" "$(ls -A "$MNT/p1")"
check_fails "L1: creating a file in a stopped pool fails" "" touch "$MNT/p1/new.raw"

# A file put into the pool's directory behind libvirt's back shows after a refresh.
head -c 4096 /dev/zero >"$SB/pools/idle/behind.raw"
chown "$POOL_OWNER:" "$SB/pools/idle/behind.raw"
check "P5: refresh a pool" setfattr -n user.libvirt.refresh -v 1 "$MNT/idle"
check "P5: after the refresh libvirt has the file" v vol-info --pool idle behind.raw
within 3 "C2: after the refresh the mount has the file" test -f "$MNT/idle/behind.raw"

# C2: changes made with virsh show at once, though cache_ttl is a minute.
check_fails "C2: (a pool not yet defined is not there)" "No such file" stat "$MNT/later"
v pool-define-as later dir --target "$SB/pools/later" >/dev/null
within 3 "C2: a pool defined with virsh shows" test -d "$MNT/later"
within 3 "C2: ... with its definition" test -f "$MNT/later.xml"
v pool-build later >/dev/null && v pool-start later >/dev/null
within 3 "C2: a pool started with virsh shows as running" \
    sh -c "test \"\$(getfattr --only-values -n user.libvirt.state '$MNT/later')\" = running"
v pool-destroy later >/dev/null
within 3 "C2: a pool stopped with virsh shows as stopped" \
    sh -c "test \"\$(getfattr --only-values -n user.libvirt.state '$MNT/later')\" = inactive"
v pool-undefine later >/dev/null
within 3 "C2: a pool undefined with virsh goes" sh -c "! test -e '$MNT/later'"
within 3 "C2: ... with its definition" sh -c "! test -e '$MNT/later.xml'"
