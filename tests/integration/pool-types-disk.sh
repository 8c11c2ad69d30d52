#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 9, L2, V1, V5, P3: a disk pool on a loop device, against a system-mode daemon: its
# volumes are partitions, block devices. Their files report the device's size and read and
# write the device's bytes, in place and through libvirt streams.
. "$(dirname "$0")/lib.sh"

start_daemon
mount_fs
make_loop 256M --partscan
device=$LOOP
part=${device#/dev/}p1

cat >"$WORK/dp.xml" <<XML
<pool type='disk'><name>dp</name><source><device path='$device'/><format type='gpt'/></source><target><path>/dev</path></target></pool>
XML
check "P3: cp of a disk pool's XML defines it" cp "$WORK/dp.xml" "$MNT/dp.xml"
check_eq "P3: ... it is built (a partition table) and running" "gpt running" \
    "$(blkid -o value -s PTTYPE "$device") $(field "$(v pool-info dp)" State)"

check "V1: truncate -s of the partition's name makes a partition" truncate -s 64M "$MNT/dp/$part"
check_eq "V1: ... libvirt sees a block volume" "block 67108864" \
    "$(field "$(v vol-info --bytes "$part" --pool dp)" Type) $(number "$(v vol-info --bytes "$part" --pool dp)" Capacity)"
check_eq "L2: the file's size is the device's" "$(blockdev --getsize64 "/dev/$part")" \
    "$(stat -c %s "$MNT/dp/$part")"

head -c 3M /dev/urandom >"$WORK/data"
# at OFFSET-MIB through the mount, then on the device: the bytes written, and back.
write_and_read() {
    local how=$1 offset=$2
    check "V5 ($how): dd writes into the partition" \
        dd if="$WORK/data" of="$MNT/dp/$part" bs=1M seek="$offset" conv=notrunc status=none
    check "V5 ($how): ... the device holds those bytes" \
        cmp <(dd if="/dev/$part" bs=1M skip="$offset" count=3 status=none) "$WORK/data"
    check "V5 ($how): ... and reads give them back" \
        cmp <(dd if="$MNT/dp/$part" bs=64k skip=$((offset * 16)) count=48 status=none) "$WORK/data"
    check_eq "V5 ($how): a whole read is the device's bytes" \
        "$(sha256sum <"/dev/$part" | cut -d' ' -f1)" "$(cat "$MNT/dp/$part" | sha256sum | cut -d' ' -f1)"
}
write_and_read in-place 5
unmount_fs
mount_fs -o direct=never
write_and_read streams 40
check_eq "L2: the size is unchanged" 67108864 "$(stat -c %s "$MNT/dp/$part")"

# A block volume is a device: O_TRUNC leaves its size, cp writes over its first bytes.
check "V5: cp onto the partition" cp "$WORK/data" "$MNT/dp/$part"
check "V5: ... the device starts with those bytes" \
    cmp <(head -c 3M "/dev/$part") "$WORK/data"
check_eq "L2: ... and keeps its size" 67108864 "$(stat -c %s "$MNT/dp/$part")"

# libvirt makes a partition only of a given size: a new file is an empty placeholder in the
# mount until it has one, and bytes written first are refused, clearly.
next=${device#/dev/}p2
check "V1: touch of a new partition" touch "$MNT/dp/$next"
check_eq "V1: ... is an empty file in the mount" 0 "$(stat -c %s "$MNT/dp/$next")"
check_eq "V1: ... which ls lists" "$part $next" "$(ls "$MNT/dp" | xargs)"
check_eq "V1: ... and ls -l too" "$part $next" "$(ls -l "$MNT/dp" | awk 'NR > 1 { print $NF }' | xargs)"
check_eq "V1: ... and no partition yet" "$part" "$(v vol-list dp | awk '{print $1}' | xargs)"
check_fails "V1: cp into it is EINVAL" "Invalid argument" cp "$WORK/data" "$MNT/dp/$next"
check_fails "V4: mv of it is EOPNOTSUPP" "Operation not supported" mv "$MNT/dp/$next" "$MNT/dp/${next%2}9"
check "E2: ... saying what it needs" grep -q "give '$next' its size first" "$MNT/.errors"
check_eq "V1: ... and makes nothing" "$part" "$(v vol-list dp | awk '{print $1}' | xargs)"
check "V1: truncate -s of it" truncate -s 16M "$MNT/dp/$next"
check_eq "V1: ... makes the partition" "$part $next" "$(v vol-list dp | awk '{print $1}' | xargs)"
check_eq "L2: ... of that size" 16777216 "$(stat -c %s "$MNT/dp/$next")"
check "V3: rm of a placeholder" sh -c "touch '$MNT/dp/${next%2}3' && rm '$MNT/dp/${next%2}3'"
check_fails "V3: ... leaves nothing" "" test -e "$MNT/dp/${next%2}3"

# libvirt 9.0 cannot delete a loop device's partition (it asks parted for "p1", not "1"):
# rm fails with EIO, says why, and loses nothing.
check_fails "V3: rm of a loop device's partition fails with EIO" "Input/output error" \
    rm "$MNT/dp/$next"
check "E2: ... saying why" grep -q "cannot delete volume '$next'.*Partition doesn't exist" "$MNT/.errors"
check_eq "V3: ... and the partition stays" "$part $next" "$(v vol-list dp | awk '{print $1}' | xargs)"
