#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# L2: every volume of a running pool is a regular file whose size is the physical size
# (vol-info --physical), whose blocks follow the allocation and whose mode, owner and times
# come from the volume XML.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool demo start
v vol-create-as demo a.qcow2 1G --format qcow2 >/dev/null
v vol-create-as demo "b c.raw" 10M --format raw >/dev/null
v vol-create-as demo sparse.raw 100M --allocation 0 --format raw >/dev/null
v vol-create-as demo .hidden.img 64K --format raw >/dev/null
v vol-create-as demo empty.raw 0 --format raw >/dev/null
mount_fs

# The names vol-list prints, read off its path column (names may hold spaces).
names=$(v vol-list demo | sed -E "s|.*$SB/pools/demo/||" | sort)
check_eq "L2: a file per volume, hidden names and spaces included" \
    "$names" "$(ls -A1 "$MNT/demo" | sort)"

# xml_text XML ELEMENT: the text of the first ELEMENT
xml_text() { sed -nE "s|.*<$2>([^<]*)</$2>.*|\1|p" <<<"$1" | head -1; }

while IFS= read -r name; do
    file="$MNT/demo/$name"
    info=$(v vol-info --bytes --physical --pool demo "$name")
    alloc=$(number "$(v vol-info --bytes --pool demo "$name")" Allocation)
    xml=$(v vol-dumpxml --pool demo "$name")
    check "L2: '$name' is a regular file" test -f "$file"
    check_eq "L2: st_size of '$name' is vol-info --physical" \
        "$(number "$info" Physical)" "$(stat -c %s "$file")"
    check_eq "L2: st_blocks of '$name' is its allocation in 512-byte blocks, rounded up" \
        "$(((alloc + 511) / 512))" "$(stat -c %b "$file")"
    check_eq "L2: mode, owner and group of '$name' come from the volume XML" \
        "$(printf '%o' "0$(xml_text "$xml" mode)") $(xml_text "$xml" owner) $(xml_text "$xml" group)" \
        "$(stat -c '%a %u %g' "$file")"
    check_eq "L2: atime and mtime of '$name' come from the volume XML" \
        "$(xml_text "$xml" atime) $(xml_text "$xml" mtime)" "$(stat -c '%.9X %.9Y' "$file")"
done <<<"$names"

check_eq "L2: the host file's length is what a volume's size says" \
    "$(stat -c %s "$SB/pools/demo/b c.raw")" "$(stat -c %s "$MNT/demo/b c.raw")"
check_fails "E1: a volume that does not exist is ENOENT" "No such file or directory" \
    stat "$MNT/demo/nope.raw"
