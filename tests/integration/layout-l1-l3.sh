#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# L1, L3: every pool (running or not, persistent or transient) is a directory named as the
# pool, and NAME.xml beside it holds its definition as virsh prints it.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool demo start
make_pool idle
make_pool "two words" start
mkdir "$SB/pools/passing" && chown "$POOL_OWNER:" "$SB/pools/passing"
v pool-create-as passing dir --target "$SB/pools/passing" >/dev/null
v vol-create-as demo disk.raw 1M >/dev/null
mount_fs

check_eq "L1: a directory per pool, running or not" \
    "$(v pool-list --all --name | sed -e 's/ *$//' -e '/^$/d' | sort)" \
    "$(find "$MNT" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)"
check_eq "L3: a NAME.xml per pool and nothing else" \
    "$(v pool-list --all --name | sed -e 's/ *$//' -e '/^$/d' | sed 's/$/.xml/' | sort)" \
    "$(find "$MNT" -mindepth 1 -maxdepth 1 -type f ! -name .errors -printf '%f\n' | sort)"
check_eq "E2: the error log sits at the root, read-only" 444 "$(stat -c %a "$MNT/.errors")"
check_eq "L1: a pool that is not running is an empty directory" "" "$(ls -A "$MNT/idle")"
check_eq "L1: a running pool lists its volumes" "disk.raw" "$(ls -A "$MNT/demo")"
check_eq "L1: a running pool without volumes is empty" "" "$(ls -A "$MNT/two words")"

for pool in demo idle "two words"; do
    v pool-dumpxml --inactive "$pool" >"$WORK/expected.xml"
    check "L3: '$pool.xml' is pool-dumpxml --inactive byte for byte" \
        cmp "$WORK/expected.xml" "$MNT/$pool.xml"
    check_eq "L3: st_size of '$pool.xml' is exact" \
        "$(stat -c %s "$WORK/expected.xml")" "$(stat -c %s "$MNT/$pool.xml")"
    check_eq "L3: '$pool.xml' of a persistent pool is writable by its owner" \
        644 "$(stat -c %a "$MNT/$pool.xml")"
done

v pool-dumpxml passing >"$WORK/expected.xml"
check "L3: a transient pool's XML is its live definition" cmp "$WORK/expected.xml" "$MNT/passing.xml"
check_eq "L3: a transient pool's XML is read-only" 444 "$(stat -c %a "$MNT/passing.xml")"

check_eq "L1: a pool directory has the target's mode and owner from the pool XML" \
    "$(stat -c '%a %u' "$SB/pools/demo")" "$(stat -c '%a %u' "$MNT/demo")"
check_fails "E1: a pool that does not exist is ENOENT" "No such file or directory" stat "$MNT/nope"
check_fails "E1: the definition of a pool that does not exist is ENOENT" \
    "No such file or directory" cat "$MNT/nope.xml"
check_fails "E1: below a volume there is nothing" "Not a directory" stat "$MNT/demo/disk.raw/x"

# libvirt takes "." and ".." for pool names; the kernel's own entries hide such pools, and
# the root lists each dot entry once.
mkdir "$SB/pools/dots" && chown "$POOL_OWNER:" "$SB/pools/dots"
v pool-define-as . dir --target "$SB/pools/dots" >/dev/null
v pool-define-as .. dir --target "$SB/pools/dots" >/dev/null
check_eq "L1: pools named . and .. do not list the dot entries twice" ". .." \
    "$(ls -a "$MNT" | grep -xE '\.{1,2}' | xargs)"
v pool-undefine . >/dev/null && v pool-undefine .. >/dev/null
echo note >"$MNT/note.txt"
check_fails "E2: nothing can be renamed onto the error log" "Operation not permitted" \
    mv "$MNT/note.txt" "$MNT/.errors"
check "E2: ... and the file stays" test -f "$MNT/note.txt"
rm -f "$MNT/note.txt"
