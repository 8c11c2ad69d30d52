#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 9, P3, P4, P5, L1, L3, E2: netfs, iscsi, rbd and disk pools whose source cannot be
# reached, against a system-mode daemon. Their XML is accepted and shown; starting them
# fails within the daemon's own timeout, with EIO and the reason in .errors; the pool stays
# defined, not running, an empty directory, and rmdir removes it. (A disk pool's build
# already finds the device missing.)
. "$(dirname "$0")/lib.sh"

start_daemon
mount_fs

# try_pool NAME LIMIT REASON XML: cp of the XML defines the pool, and starting it fails
# within LIMIT seconds, saying REASON.
try_pool() {
    local name=$1 limit=$2 reason=$3 started elapsed
    echo "$4" >"$WORK/$name.xml"
    started=$EPOCHREALTIME
    check_fails "P3, P4: cp of $name.xml: the start fails with EIO" "Input/output error" \
        cp "$WORK/$name.xml" "$MNT/$name.xml"
    elapsed=$(seconds_since "$started")
    echo "# $name: the start failed after $elapsed s"
    check "P3: ... within $limit s" awk -v e="$elapsed" -v l="$limit" 'BEGIN { exit !(e < l) }'
    check "E2: ... and .errors says why" grep -qE "defined, but cannot (build|start) pool '$name'.*$reason" \
        "$MNT/.errors"
    check_eq "P3: ... the pool stays defined, not running" inactive "$(field "$(v pool-info "$name")" State)"
    check_eq "L3: ... $name.xml shows its definition" "$(v pool-dumpxml --inactive "$name")" \
        "$(cat "$MNT/$name.xml")"
    check_eq "L1: ... its directory is empty" "" "$(ls -A "$MNT/$name")"
}

# This kernel has no NFS client: mount.nfs fails at once.
try_pool nfs 10 "mount.nfs" \
    "<pool type='netfs'><name>nfs</name><source><host name='127.0.0.1'/><dir path='/export'/><format type='nfs'/></source><target><path>/var/lib/libvirt/images/nfs</path></target></pool>"
check_fails "P5: setfattr state=running fails with EIO" "Input/output error" \
    setfattr -n user.libvirt.state -v running "$MNT/nfs"
check "E2: ... saying why" grep -q "cannot start pool 'nfs'.*mount.nfs" "$MNT/.errors"

# No iscsid runs here, nor the kernel's iSCSI initiator: iscsiadm fails.
try_pool iscsi 30 "iscsiadm" \
    "<pool type='iscsi'><name>iscsi</name><source><host name='127.0.0.1' port='3260'/><device path='iqn.2026-11.org.example:none'/></source><target><path>/dev/disk/by-path</path></target></pool>"

# No Ceph monitor listens: librados gives up after its 30 s mount timeout.
try_pool rbd 45 "failed to connect to the RADOS monitor" \
    "<pool type='rbd'><name>rbd</name><source><name>rbdpool</name><host name='127.0.0.1' port='6789'/></source></pool>"

# A disk pool whose device does not exist.
try_pool disk 10 "/dev/vpfs-no-such-disk" \
    "<pool type='disk'><name>disk</name><source><device path='/dev/vpfs-no-such-disk'/><format type='gpt'/></source><target><path>/dev</path></target></pool>"

for name in nfs iscsi rbd disk; do
    check "P2: rmdir of $name" rmdir "$MNT/$name"
done
check_eq "P2: ... undefines them all" "" "$(v pool-list --all --name | xargs)"
