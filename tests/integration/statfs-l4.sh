#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# L4: df on a pool's directory (or on anything in it) shows that pool's capacity, allocation
# and available space, as pool-info reports them. One pool sits on a tmpfs of its own so that
# its figures are its own and hold still.
. "$(dirname "$0")/lib.sh"

start_daemon
make_tmpfs_pool small 64m
v vol-create-as small filled.raw 8M --format raw >/dev/null
make_pool big start
mount_fs


info=$(v pool-info --bytes small)
expected="$(number "$info" Capacity) $(number "$info" Allocation) $(number "$info" Available)"
check_eq "L4: df on a pool shows pool-info's capacity, allocation and available" \
    "$expected" "$(df -B1 --output=size,used,avail "$MNT/small" | tail -1 | xargs)"
check_eq "L4: df on a volume shows its pool" \
    "$expected" "$(df -B1 --output=size,used,avail "$MNT/small/filled.raw" | tail -1 | xargs)"
check_eq "L4: df on a pool's XML shows its pool" \
    "$expected" "$(df -B1 --output=size,used,avail "$MNT/small.xml" | tail -1 | xargs)"
check_eq "L4: the tmpfs pool is the 64 MiB it sits on" 67108864 "$(number "$info" Capacity)"
check_eq "L4: each pool shows its own capacity" \
    "$(number "$(v pool-info --bytes big)" Capacity)" \
    "$(df -B1 --output=size "$MNT/big" | tail -1 | xargs)"
