#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 9, P2, P3, L4, V1, V5: an fs pool on a loop device holding ext4, against a system-mode
# daemon. Writing NAME.xml defines it, uses the filesystem that is there (never formatting
# it) and starts it, which mounts it; its volumes behave as in a dir pool; rmdir stops and
# undefines it and leaves the filesystem's content. A blank device is formatted by the build.
. "$(dirname "$0")/lib.sh"

start_daemon
check_eq "the daemon is in system mode, run by root" "qemu:///system 0" \
    "$(v uri) $(ps -o uid= -p "$(cat "$SB/run/libvirt/libvirtd.pid")" | xargs)"
mount_fs

make_loop 256M
device=$LOOP
mkfs.ext4 -q "$device"
mkdir "$WORK/look"
mount "$device" "$WORK/look" && mkdir "$WORK/look/kept" && echo "not a volume" >"$WORK/look/kept/note" &&
    umount "$WORK/look"
uuid=$(blkid -o value -s UUID "$device")
target=/var/lib/libvirt/images/fsp # the system daemon's usual place, private to this test

pool_xml() { # NAME DEVICE
    echo "<pool type='fs'><name>$1</name><source><device path='$2'/><format type='ext4'/></source><target><path>/var/lib/libvirt/images/$1</path></target></pool>"
}
pool_xml fsp "$device" >"$WORK/fsp.xml"
check "P3: cp of an fs pool's XML defines it" cp "$WORK/fsp.xml" "$MNT/fsp.xml"
check_eq "P3: ... it is running" running "$(field "$(v pool-info fsp)" State)"
check_eq "P3: ... its filesystem is mounted on its target" "$device ext4" \
    "$(findmnt -no SOURCE,FSTYPE "$target" | xargs)"
check_eq "P3: ... the filesystem was used as it was, not formatted" "$uuid" \
    "$(blkid -o value -s UUID "$device")"
check_eq "L3: NAME.xml is the definition" "$(v pool-dumpxml --inactive fsp)" "$(cat "$MNT/fsp.xml")"
check_eq "L4: df shows the filesystem's size" "$(number "$(v pool-info --bytes fsp)" Capacity)" \
    "$(df -B1 --output=size "$MNT/fsp" | tail -1 | xargs)"

# Volumes as in a dir pool.
head -c 3M /dev/urandom >"$WORK/data"
check "V1: cp makes a volume" cp "$WORK/data" "$MNT/fsp/a.raw"
check "V5: its bytes are on the filesystem" cmp "$WORK/data" "$target/a.raw"
check "V5: and read back through the mount" cmp "$WORK/data" "$MNT/fsp/a.raw"
check "V1: truncate -s makes a qcow2 volume" truncate -s 10M "$MNT/fsp/b.qcow2"
check_eq "V1: ... with that capacity and format" "10485760 qcow2" \
    "$(number "$(v vol-info --bytes b.qcow2 --pool fsp)" Capacity) $(v vol-dumpxml b.qcow2 --pool fsp | sed -nE "s/.*<format type='([^']+)'.*/\1/p")"
check_fails "P2: rmdir of the pool with volumes is ENOTEMPTY" "Directory not empty" rmdir "$MNT/fsp"
check "V3: rm deletes its volumes" rm "$MNT/fsp/a.raw" "$MNT/fsp/b.qcow2"
check_eq "V3: ... libvirt sees them gone" "" "$(v vol-list fsp --details | grep ' file ')"

# The filesystem's own directories, which libvirt lists as volumes of type dir, are empty
# directories in the mount (libvirt says nothing of what they hold); only an empty one goes.
mkdir "$target/spare" && v pool-refresh fsp >/dev/null
check "L2: the filesystem's directories are directories" \
    test -d "$MNT/fsp/lost+found" -a -d "$MNT/fsp/kept" -a -d "$MNT/fsp/spare"
check_eq "L2: ... listing nothing" "" "$(ls -A "$MNT/fsp/kept")"
check_fails "V3: rmdir of one that is not empty on the host is ENOTEMPTY" "Directory not empty" \
    rmdir "$MNT/fsp/kept"
check "V3: rmdir of an empty one" rmdir "$MNT/fsp/spare"
check_fails "V3: ... removes it" "" test -e "$target/spare"

# Nor are they content: rmdir of the pool leaves them.
check "P2: rmdir of the pool" rmdir "$MNT/fsp"
check_fails "P2: ... it is undefined" "" v pool-info fsp
check_eq "P2: ... its filesystem is unmounted" "" "$(findmnt -no SOURCE "$target")"
mount -o ro "$device" "$WORK/look"
check_eq "P2: ... and its content kept" "not a volume" "$(cat "$WORK/look/kept/note")"
umount "$WORK/look"
check_eq "P2: ... and not formatted" "$uuid" "$(blkid -o value -s UUID "$device")"

# A blank device: the build makes the filesystem the XML names.
make_loop 64M
pool_xml blank "$LOOP" >"$WORK/blank.xml"
check "P3: an fs pool on a blank device" cp "$WORK/blank.xml" "$MNT/blank.xml"
check_eq "P3: ... is formatted and mounted" "$LOOP ext4" \
    "$(findmnt -no SOURCE,FSTYPE /var/lib/libvirt/images/blank | xargs)"
check "P2: ... and removed" rmdir "$MNT/blank"

# pool_root's default for the system daemon, with no "default" pool to sit beside.
check "P1: mkdir without pool_root" mkdir "$MNT/auto"
check_eq "P1: ... puts the pool in libvirt's usual images directory" \
    /var/lib/libvirt/images/auto "$(v pool-dumpxml auto | sed -nE 's|.*<path>(.*)</path>.*|\1|p')"
