#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 9, V4, V6: two dir pools on one btrfs (a loop device of 2 GiB, each pool a subvolume
# of its own, so that no host rename joins them). cp (--reflink=auto, coreutils' default)
# and mv of a 1 GiB volume between them are copy-on-write clones: instant, and sharing every
# extent, which a 2 GiB filesystem could not hold as two copies. cp --reflink=always cannot
# work through FUSE at all: the kernel answers FICLONE itself with EOPNOTSUPP.
. "$(dirname "$0")/lib.sh"

start_daemon
mount_fs
make_loop 2G
mkfs.btrfs -q "$LOOP" >/dev/null
btr=$SB/pools/btr
mkdir -p "$btr" && mount "$LOOP" "$btr"
EXTRA_CLEANUP+=("umount '$btr'")
for pool in a b; do
    btrfs -q subvolume create "$btr/$pool" >/dev/null
    v pool-define-as "$pool" dir --target "$btr/$pool" >/dev/null && v pool-start "$pool" >/dev/null
done

head -c 1G /dev/urandom >"$btr/a/big.raw" && sync "$btr/a/big.raw" # a clone flushes it first
sum=$(sha256sum <"$btr/a/big.raw" | cut -d' ' -f1)
v pool-refresh a >/dev/null

# exclusive FILE: the bytes of FILE that are not shared with another (btrfs' "Exclusive").
exclusive() { btrfs filesystem du --raw "$1" | awk 'NR == 2 { print $2 }'; }

timed "V6: cp of a 1 GiB volume to the other pool" cp "$MNT/a/big.raw" "$MNT/b/copy.raw"
check_eq "V6: ... is a clone sharing every extent" 0 "$(exclusive "$btr/b/copy.raw")"
check_eq "V6: ... with the same bytes" "$sum" "$(sha256sum <"$btr/b/copy.raw" | cut -d' ' -f1)"
check_eq "V6: ... which libvirt sees" 1073741824 "$(number "$(v vol-info --bytes copy.raw --pool b)" Capacity)"

timed "V4: mv of the 1 GiB volume to the other pool" mv "$MNT/a/big.raw" "$MNT/b/moved.raw"
check_eq "V4: ... is a clone too" 0 "$(exclusive "$btr/b/moved.raw")"
check_eq "V4: ... with the same bytes" "$sum" "$(sha256sum <"$btr/b/moved.raw" | cut -d' ' -f1)"
check_eq "V4: ... and the source is gone" "" "$(v vol-list a)"

check_fails "V6: cp --reflink=always is refused by FUSE" "Operation not supported" \
    cp --reflink=always "$MNT/b/moved.raw" "$MNT/a/again.raw"
