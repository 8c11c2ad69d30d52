#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# C1, C2 and the cache: ls and stat are served without libvirt calls while fresh; changes
# made with virsh show within cache_ttl; files put in a pool's host directory show after a
# refresh asked for, or after refresh= seconds; many clients at once leave the mount and
# virsh in agreement.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool p start
make_pool r start
for i in 1 2 3; do v vol-create-as p "v$i.raw" 1M >/dev/null; done
mount_fs -d -o cache_ttl=2,refresh=1

names() { ls -A "$MNT/$1" | sort | xargs; }
virsh_names() { v vol-list "$1" | sed -E "s|.*$SB/pools/$1/||" | sort | xargs; }
libvirt_calls() { grep -c "libvirt: " "$WORK/server.log"; }

ls -l "$MNT/p" >/dev/null
before=$(libvirt_calls)
ls -l "$MNT/p" >/dev/null
stat "$MNT/p/v1.raw" >/dev/null
check_eq "cache: a second ls -l and a stat while fresh make no libvirt call" "$before" \
    "$(libvirt_calls)"
check "cache: ls -l asked for the volumes by readdirplus" grep -q "readdir '/p' from 0 plus" \
    "$WORK/server.log"

# A pool the kernel has never seen: a cold ls -l gets every volume's attributes with its
# name (readdirplus, in pieces from stable offsets), so it looks up none of the names.
make_pool q start
(cd "$SB/pools/q" && for i in $(seq 3000); do truncate -s "$i" "vol$i.raw"; done)
chown -R "$POOL_OWNER:" "$SB/pools/q" && v pool-refresh q >/dev/null
mark=$(wc -l <"$WORK/server.log")
check_eq "cache: a cold ls -l lists 3,000 volumes with their sizes" \
    "$(ls -l "$SB/pools/q" | awk '{ print $5, $9 }')" "$(ls -l "$MNT/q" | awk '{ print $5, $9 }')"
since_mark() { tail -n +"$((mark + 1))" "$WORK/server.log"; }
check_eq "cache: ... and looks up none of them" 0 "$(since_mark | grep -c "getattr '/q/")"
pieces=$(since_mark | grep -c "readdir '/q' from [1-9]")
check "cache: ... read in pieces, from offsets ($pieces after the first)" test "$pieces" -gt 1
# An open directory reads on through the listing it began with: a name removed and one
# made meanwhile neither repeat nor hide any other, and a volume removed before its part of
# the listing is read does not come back (its attributes are not handed to the kernel).
setfattr -n user.libvirt.refresh -v 1 "$MNT/q" # a listing asked of libvirt anew
check_eq "cache: an open directory lists each of its names once while others change it" \
    "3000 3000 gone" "$(python3 - "$MNT/q" <<'PY'
import os, sys
directory = sys.argv[1]
entries = os.scandir(directory)
def read(count=None):  # stat as ls -l does: the kernel then asks for attributes again
    for entry in entries if count is None else (next(entries) for _ in range(count)):
        if entry.name not in ("vol999.raw", "new.raw"):
            entry.stat()
        yield entry.name
names = list(read(100))
os.unlink(os.path.join(directory, names[0]))
os.unlink(os.path.join(directory, "vol999.raw"))  # the last name, not read yet
open(os.path.join(directory, "new.raw"), "w").close()
names += [name for name in read() if name != "new.raw"]
gone = not os.path.exists(os.path.join(directory, "vol999.raw"))
print(len(names), len(set(names)), "gone" if gone else "back")
PY
)"

v vol-create-as p outside.raw 2M >/dev/null
within 3 "C2: a volume made with virsh shows within cache_ttl" \
    sh -c "ls '$MNT/p' | grep -qx outside.raw"
v vol-resize --pool p outside.raw 3M >/dev/null
within 3 "C2: a volume resized with virsh shows its size within cache_ttl" \
    sh -c "test \"\$(stat -c %s '$MNT/p/outside.raw')\" = 3145728"
v vol-delete --pool p outside.raw >/dev/null
within 3 "C2: a volume deleted with virsh goes within cache_ttl" \
    sh -c "! ls '$MNT/p' | grep -qx outside.raw"
check "C1: a volume made through the mount is in virsh at once" \
    sh -c "truncate -s 1M '$MNT/p/inside.raw' && virsh -q -c '$URI' vol-info --pool p inside.raw"
check_eq "C1: ... and in the mount's listing at once" "inside.raw v1.raw v2.raw v3.raw" "$(names p)"

head -c 4096 /dev/zero >"$SB/pools/r/dropped.raw" && chown "$POOL_OWNER:" "$SB/pools/r/dropped.raw"
within 4 "C2: a file put in a pool's directory shows after refresh= seconds" \
    test -f "$MNT/r/dropped.raw"

# Many clients: four writers, each on names of its own, and readers, for five seconds.
# ls -l may find a name gone between reading the directory and its stat (another client
# removed it), as on any filesystem; any other complaint is a failure.
lister() { ls -l "$MNT/p" 2>&1 >/dev/null | grep -v ": No such file or directory$"; }
head -c 1M /dev/urandom >"$WORK/data"
writer() {
    local id=$1 n=0 end=$((SECONDS + 5))
    while [ "$SECONDS" -lt "$end" ]; do
        n=$((n + 1))
        case $((n % 4)) in
        0) truncate -s $((n * 4096)) "$MNT/p/w$id-$n.raw" ;;
        1) cp "$WORK/data" "$MNT/p/w$id-$n.raw" ;;
        2) lister ;;
        3) rm -f "$MNT/p/w$id-$((n - 2)).raw" ;;
        esac 2>&1 | sed "s/^/w$id step $n: /" >>"$WORK/failures"
    done
}
: >"$WORK/failures"
pids=()
for id in 1 2 3 4; do writer "$id" & pids+=($!); done
for _ in 1 2; do (end=$((SECONDS + 5)); while [ "$SECONDS" -lt "$end" ]; do lister; done >>"$WORK/failures") & pids+=($!); done
wait "${pids[@]}"
check_eq "clients: no operation failed" "" "$(cat "$WORK/failures")"
check_eq "clients: the mount and virsh list the same volumes" "$(virsh_names p)" "$(names p)"
mismatch=""
for name in $(virsh_names p); do
    expected=$(v vol-info --bytes --physical --pool p "$name" | sed -nE 's/^Physical: +([0-9]+).*/\1/p')
    [ "$expected" = "$(stat -c %s "$MNT/p/$name")" ] || mismatch="$mismatch $name"
done
check_eq "clients: every volume's size agrees with virsh" "" "$mismatch"
# The volumes that cp made (step numbers 1 mod 4) hold the data, byte for byte.
bad_copies=""
for file in "$SB/pools/p"/w*-*.raw; do
    step=$(basename "$file" .raw)
    step=${step#*-}
    if [ $((step % 4)) -eq 1 ] && ! cmp -s "$WORK/data" "$file"; then
        bad_copies="$bad_copies $(basename "$file")"
    fi
done
check_eq "clients: every copy holds its bytes" "" "$bad_copies"
