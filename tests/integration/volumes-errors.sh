#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# E1, E2 for volumes: bad names, names taken, a pool not running and a full pool each give
# the right errno, a readable message in .errors, and no half-made volume.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool p start
make_pool idle
make_tmpfs_pool full 64m
mount_fs

volumes() { v vol-list "$1" | sed -E "s|.*$SB/pools/$1/||" | sort | xargs; }

check_fails "E1: a name libvirt refuses is EINVAL" "Invalid argument" \
    touch "$MNT/p/bad$(printf '\001')name.raw"
check_eq "E1: ... and makes no volume" "" "$(volumes p)"
check "E2: ... with libvirt's message in .errors" grep -q "create '/p/bad\\\\x01name.raw'" "$MNT/.errors"
touch "$MNT/p/taken.raw"
check_fails "E1: O_EXCL on a name that exists is EEXIST" "File exists" \
    python3 -c "import os; os.open('$MNT/p/taken.raw', os.O_CREAT | os.O_EXCL | os.O_WRONLY)"
check_fails "E1: creating a file in a pool that is not running is EPERM" \
    "Operation not permitted" touch "$MNT/idle/new.raw"
check "E2: ... and .errors says the pool is not active" grep -q "create '/idle/new.raw'.*not active" \
    "$MNT/.errors"
check_fails "E1: fallocate past a full pool is ENOSPC" "No space left on device" \
    fallocate -l 128M "$MNT/full/big.img"
check_eq "E1: ... and allocates nothing" "0 0" \
    "$(v vol-info --bytes --pool full big.img | sed -nE 's/^(Capacity|Allocation): +([0-9]+).*/\2/p' | xargs)"
check_eq "E1: ... so the pool's space is all there" "$(df -B1 --output=avail "$SB/pools/full" | tail -1 | xargs)" \
    "$(df -B1 --output=avail "$MNT/full" | tail -1 | xargs)"
check "E2: ... and .errors says why" grep -q "fallocate '/full/big.img'.*No space left" "$MNT/.errors"
check_fails "E1: a directory in a pool is EPERM" "Operation not permitted" mkdir "$MNT/p/sub"
check_fails "E1: rm of a volume that is not there is ENOENT" "No such file" rm "$MNT/p/nope.raw"
