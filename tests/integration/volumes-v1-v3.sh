#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# V1, V2, V3, V7, C1: files made, sized and removed in a pool are volumes made, resized and
# deleted in libvirt, with the format their extension names, visible to virsh at once.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool p start
make_pool q start
mount_fs

# vol_field NAME ELEMENT: a field of the volume's XML (capacity, allocation, format type).
vol_field() {
    local xml
    xml=$(v vol-dumpxml --pool p "$1") || return 1
    case $2 in
    format) sed -nE "s|.*<format type='([^']*)'/>.*|\1|p" <<<"$xml" ;;
    *) sed -nE "s|.*<$2 unit='bytes'>([0-9]+)</$2>.*|\1|p" <<<"$xml" ;;
    esac
}
G=$((1024 * 1024 * 1024))

check "V1: truncate -s 1G NAME.qcow2" truncate -s 1G "$MNT/p/a.qcow2"
check_eq "V1: ... is a qcow2 volume of 1 GiB" "qcow2 $G" \
    "$(vol_field a.qcow2 format) $(vol_field a.qcow2 capacity)"
check "V1: truncate -s 1G NAME.raw" truncate -s 1G "$MNT/p/b.raw"
check_eq "V1: ... is a raw volume of 1 GiB, not allocated" "raw $G 0" \
    "$(vol_field b.raw format) $(vol_field b.raw capacity) $(vol_field b.raw allocation)"
check_eq "V1: ... whose file is 1 GiB long" "$G" "$(stat -c %s "$MNT/p/b.raw")"
check "V1: fallocate -l 64M NAME.img" fallocate -l 64M "$MNT/p/c.img"
check_eq "V1: ... is a raw volume of 64 MiB, all allocated" "raw 67108864 67108864" \
    "$(vol_field c.img format) $(vol_field c.img capacity) $(vol_field c.img allocation)"
# Formats that cannot be resized (vmdk, vdi, vpc) or preallocated once made (qcow2): a new
# file given a size is made at that size, in the format its extension names.
check "V1: fallocate -l 64M NAME.qcow2" fallocate -l 64M "$MNT/p/f.qcow2"
check_eq "V1: ... is a qcow2 volume of 64 MiB" "qcow2 67108864" \
    "$(vol_field f.qcow2 format) $(vol_field f.qcow2 capacity)"
check "V1: truncate -s 64M NAME.vmdk" truncate -s 64M "$MNT/p/d.vmdk"
check_eq "V1: ... is a vmdk volume of 64 MiB" "vmdk 67108864" \
    "$(vol_field d.vmdk format) $(vol_field d.vmdk capacity)"
check "V1: ... that qemu-img reads as such" sh -c \
    "qemu-img info '$SB/pools/p/d.vmdk' | grep -q 'file format: vmdk'"
v vol-delete --pool p f.qcow2 >/dev/null
v vol-delete --pool p d.vmdk >/dev/null
check "V1: touch NAME" touch "$MNT/p/empty.iso"
check_eq "V1: ... is an empty raw volume" "raw 0" \
    "$(vol_field empty.iso format) $(vol_field empty.iso capacity)"
check_eq "V1, C1: virsh vol-list has them all" "a.qcow2 b.raw c.img empty.iso" \
    "$(v vol-list p | sed -E "s|.*$SB/pools/p/||" | sort | xargs)"
check_eq "V1: ls -l shows their sizes" "$(stat -c %s "$SB/pools/p/c.img")" \
    "$(stat -c %s "$MNT/p/c.img")"

check "V2: truncate -s 2G on a qcow2" truncate -s 2G "$MNT/p/a.qcow2"
check_eq "V2: ... grows its capacity" "$((2 * G))" "$(vol_field a.qcow2 capacity)"
check "V2: truncate -s 512M on a raw volume" truncate -s 512M "$MNT/p/b.raw"
check_eq "V2: ... shrinks it" "536870912" "$(stat -c %s "$SB/pools/p/b.raw")"
check "V2: truncate -s 1G on a raw volume" truncate -s 1G "$MNT/p/b.raw"
check_eq "V2: ... grows it" "$G" "$(vol_field b.raw capacity)"
# libvirt's resize will not shrink a volume below its allocation: a raw one is cut anyway.
check "V2: truncate -s 1M on a raw volume all allocated" truncate -s 1M "$MNT/p/c.img"
check_eq "V2: ... cuts it" "1048576 1048576" \
    "$(vol_field c.img capacity) $(stat -c %s "$SB/pools/p/c.img")"
check_fails "V2: a shrink libvirt refuses on a qcow2 (below its allocation) is EINVAL" \
    "Invalid argument" truncate -s 0 "$MNT/p/a.qcow2"
check_eq "V2: ... and the volume is unchanged" "$((2 * G))" "$(vol_field a.qcow2 capacity)"
check "V7: setfattr user.libvirt.capacity" setfattr -n user.libvirt.capacity -v 3G "$MNT/p/a.qcow2"
check_eq "V7: ... resizes the volume" "$((3 * G))" "$(vol_field a.qcow2 capacity)"
check_eq "V7: ... and getfattr says so" "$((3 * G))" \
    "$(getfattr --only-values -n user.libvirt.capacity "$MNT/p/a.qcow2")"
check_eq "V7, C1: setfattr of a raw volume's capacity: stat tells the new size at once" \
    "1048576 3145728" "$(stat -c %s "$MNT/p/c.img") $(setfattr -n user.libvirt.capacity -v 3M \
        "$MNT/p/c.img" && stat -c %s "$MNT/p/c.img")"
check_fails "V7: a capacity that is no size is EINVAL" "Invalid argument" \
    setfattr -n user.libvirt.capacity -v lots "$MNT/p/a.qcow2"
check_fails "E1: a symbolic link in a pool is EPERM" "Operation not permitted" \
    ln -s c.img "$MNT/p/link.img"
check_fails "E1: ... as is a hard link" "Operation not permitted" ln "$MNT/p/c.img" "$MNT/p/hard.img"
check_fails "E1: ... and a pipe" "Operation not permitted" mkfifo "$MNT/p/fifo"
check_fails "V7: other attributes are read-only" "Operation not permitted" \
    setfattr -n user.libvirt.format -v raw "$MNT/p/a.qcow2"

check "V3: rm" rm "$MNT/p/empty.iso"
check_fails "V3: ... deletes the volume" "" v vol-info --pool p empty.iso
check_fails "V3: ... and the file" "" test -e "$SB/pools/p/empty.iso"
check "V3: rm of every file in a pool" sh -c "rm '$MNT/p/'*"
check_eq "V3: ... leaves an empty, running pool" "running /" \
    "$(v pool-info p | sed -nE 's/^State: +//p') /$(ls -A "$MNT/p")"
truncate -s 1M "$MNT/q/one.raw" "$MNT/q/two.qcow2"
check "P2, V3: rm -rf of a pool's directory" rm -rf "$MNT/q"
check_fails "P2, V3: ... removes the pool" "" v pool-info q
check_fails "P2, V3: ... and its directory" "" test -e "$SB/pools/q"
