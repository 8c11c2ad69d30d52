#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# V7 (read side): the extended attributes user.libvirt.* of pools and volumes say what virsh
# says, and getfattr -d lists exactly them.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool demo start
make_pool idle
v pool-autostart demo >/dev/null
v vol-create-as demo a.qcow2 1G --format qcow2 >/dev/null
mount_fs

attr() { getfattr --absolute-names --only-values -n "user.libvirt.$2" "$1"; }
names() { getfattr --absolute-names -d -m - "$1" | sed -nE 's/^(user\.libvirt\.[a-z]+)=.*/\1/p' | sort | xargs; }

info=$(v pool-info --bytes demo)
check_eq "V7: a pool lists type, state, autostart, sizes, uuid and xml" \
    "user.libvirt.allocation user.libvirt.autostart user.libvirt.available user.libvirt.capacity user.libvirt.state user.libvirt.type user.libvirt.uuid user.libvirt.xml" \
    "$(names "$MNT/demo")"
check_eq "V7: pool type" dir "$(attr "$MNT/demo" type)"
check_eq "V7: pool state, running" running "$(attr "$MNT/demo" state)"
check_eq "V7: pool state, not running" inactive "$(attr "$MNT/idle" state)"
check_eq "V7: pool autostart, on" yes "$(attr "$MNT/demo" autostart)"
check_eq "V7: pool autostart, off" no "$(attr "$MNT/idle" autostart)"
check_eq "V7: pool capacity" "$(number "$info" Capacity)" "$(attr "$MNT/demo" capacity)"
check_eq "V7: pool allocation" "$(number "$info" Allocation)" "$(attr "$MNT/demo" allocation)"
check_eq "V7: pool available" "$(number "$info" Available)" "$(attr "$MNT/demo" available)"
check_eq "V7: pool uuid" "$(v pool-uuid demo)" "$(attr "$MNT/demo" uuid)"
v pool-dumpxml --inactive demo >"$WORK/expected.xml"
getfattr --absolute-names --only-values -n user.libvirt.xml "$MNT/demo" >"$WORK/actual.xml"
check "V7: pool xml is pool-dumpxml --inactive" cmp "$WORK/expected.xml" "$WORK/actual.xml"

vol="$MNT/demo/a.qcow2"
info=$(v vol-info --bytes --pool demo a.qcow2)
check_eq "V7: a volume lists format, sizes, key, path, type and xml" \
    "user.libvirt.allocation user.libvirt.capacity user.libvirt.format user.libvirt.key user.libvirt.path user.libvirt.physical user.libvirt.type user.libvirt.xml" \
    "$(names "$vol")"
check_eq "V7: volume format" qcow2 "$(attr "$vol" format)"
check_eq "V7: volume capacity" "$(number "$info" Capacity)" "$(attr "$vol" capacity)"
check_eq "V7: volume allocation" "$(number "$info" Allocation)" "$(attr "$vol" allocation)"
check_eq "V7: volume physical" \
    "$(number "$(v vol-info --bytes --physical --pool demo a.qcow2)" Physical)" "$(attr "$vol" physical)"
check_eq "V7: volume key" "$(v vol-key --pool demo a.qcow2)" "$(attr "$vol" key)"
check_eq "V7: volume path" "$(v vol-path --pool demo a.qcow2)" "$(attr "$vol" path)"
check_eq "V7: volume type" "$(field "$info" Type)" "$(attr "$vol" type)"
v vol-dumpxml --pool demo a.qcow2 >"$WORK/expected.xml"
getfattr --absolute-names --only-values -n user.libvirt.xml "$vol" >"$WORK/actual.xml"
check "V7: volume xml is vol-dumpxml" cmp "$WORK/expected.xml" "$WORK/actual.xml"

check_fails "V7: an attribute that does not exist is ENODATA" "No such attribute" \
    getfattr -n user.libvirt.nope "$vol"
check_fails "V7: security labels are not supported (so ls -l stops asking for them)" \
    "Operation not supported" getfattr -n security.selinux "$vol"
check_fails "V7: nor are ACLs" "Operation not supported" getfattr -n system.posix_acl_access "$vol"
check_eq "V7: the root and the XML files have no attributes" "" \
    "$(names "$MNT")$(names "$MNT/demo.xml")"
check_fails "V7: libvirt's attributes cannot be removed" "Operation not permitted" \
    setfattr -x user.libvirt.capacity "$vol"
check_fails "V7: ... and one that is not there is ENODATA" "No such attribute" \
    setfattr -x user.libvirt.nothing "$vol"
