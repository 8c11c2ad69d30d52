#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 9, P2, P3, L4, V1, E2: a logical pool on a loop device, against a system-mode daemon.
# Writing NAME.xml defines it and builds the volume group; creating a logical volume needs
# the kernel's device-mapper, which this machine lacks: truncate -s then fails with EIO and
# LVM's own words in .errors, and nothing is left in libvirt or LVM (the file stays, empty,
# in the mount until removed). rmdir keeps the volume group.
. "$(dirname "$0")/lib.sh"

# LVM's tools make /dev/mapper/control on the host's /dev; it goes again at the end.
[ -e /dev/mapper ] || EXTRA_CLEANUP+=("rm -f /dev/mapper/control; rmdir /dev/mapper 2>/dev/null")
start_daemon
mount_fs
make_loop 128M
vg=vpfs_test_$$
EXTRA_CLEANUP+=("vgremove -qq -f '$vg' >/dev/null 2>&1; pvremove -qq -ff -y '$LOOP' >/dev/null 2>&1")

cat >"$MNT/vg.xml" <<XML
<pool type='logical'>
  <name>vg</name>
  <source><device path='$LOOP'/><name>$vg</name><format type='lvm2'/></source>
  <target><path>/dev/$vg</path></target>
</pool>
XML
check_eq "P3: > vg.xml defines a logical pool, running" running "$(field "$(v pool-info vg)" State)"
check_eq "P3: ... its build made the volume group on the device" "$vg $LOOP" \
    "$(pvs --noheadings -o vg_name,pv_name "$LOOP" 2>/dev/null | xargs)"
check_eq "L4: df shows the volume group's size" "$(number "$(v pool-info --bytes vg)" Capacity)" \
    "$(df -B1 --output=size "$MNT/vg" | tail -1 | xargs)"

check_fails "V1: truncate -s of a logical volume fails with EIO" \
    "failed to truncate '$MNT/vg/lv1' at 8388608 bytes: Input/output error" truncate -s 8M "$MNT/vg/lv1"
check "E2: ... and .errors has LVM's reason" \
    grep -q "cannot create volume 'lv1'.*device-mapper" "$MNT/.errors"
check_eq "V1: ... no volume is left behind" "" "$(v vol-list vg)"
check_eq "V1: ... nor a logical volume" "" "$(lvs --noheadings "$vg" 2>/dev/null)"
check_eq "V1: ... the file stays, empty, as after any failed truncate" 0 "$(stat -c %s "$MNT/vg/lv1")"

check_fails "P2: rmdir while it is there is ENOTEMPTY" "Directory not empty" rmdir "$MNT/vg"
check "V3: rm of it" rm "$MNT/vg/lv1"
check "P2: rmdir of the logical pool" rmdir "$MNT/vg"
check_fails "P2: ... undefines it" "" v pool-info vg
check_eq "P2: ... the volume group stays" "$vg" "$(vgs --noheadings -o vg_name "$vg" 2>/dev/null | xargs)"
