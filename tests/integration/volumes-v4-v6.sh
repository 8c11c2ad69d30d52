#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# V4, V6: mv keeps a volume's bytes under its new name, within a pool and between pools,
# replacing any target, with no data through the mount (a host rename where one filesystem
# holds both pools, else a libvirt clone); cp and copy_file_range of a whole volume are a
# libvirt clone.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool p start
make_pool q start
# A pool on a filesystem of its own, so that a move there must be a copy.
make_tmpfs_pool t 1200m
mount_fs -d

# A 1 GiB raw volume with random data at five places, made on the host behind libvirt.
big=$SB/pools/p/big.raw
truncate -s 1G "$big"
for offset in 0 100 400 700 1020; do
    head -c 4M /dev/urandom | dd of="$big" bs=1M seek="$offset" conv=notrunc status=none
done
chown "$POOL_OWNER:" "$big"
v pool-refresh p >/dev/null
sum=$(cksum <"$big")
inode=$(stat -c %i "$big")
small=$SB/pools/p/small.raw
head -c 3M /dev/urandom >"$small" && chown "$POOL_OWNER:" "$small"
v pool-refresh p >/dev/null
small_sum=$(cksum <"$small")

host_sum() { cksum <"$1"; }  # CRC-32 and length: fast on 1 GiB
gone() { ! v vol-info --pool "$1" "$2" >/dev/null 2>&1; }

timed "V4: mv of a 1 GiB volume within a pool" mv "$MNT/p/big.raw" "$MNT/p/renamed.raw"
check_eq "V4: ... keeps its bytes" "$sum" "$(host_sum "$SB/pools/p/renamed.raw")"
check_eq "V4: ... as a host rename: the same file" "$inode" "$(stat -c %i "$SB/pools/p/renamed.raw")"
check "V4: ... and the old name is gone from libvirt" gone p big.raw
check_eq "V4: ... and the new name is in it" "1073741824" \
    "$(v vol-info --bytes --pool p renamed.raw | sed -nE 's/^Capacity: +([0-9]+).*/\1/p')"

timed "V4: mv between pools on one filesystem" mv "$MNT/p/renamed.raw" "$MNT/q/big.raw"
check_eq "V4: ... keeps its bytes" "$sum" "$(host_sum "$SB/pools/q/big.raw")"
check_eq "V4: ... as a host rename" "$inode" "$(stat -c %i "$SB/pools/q/big.raw")"
check "V4: ... and libvirt moved it" sh -c "v() { virsh -q -c '$URI' \"\$@\"; }; v vol-info --pool q big.raw >/dev/null && ! v vol-info --pool p renamed.raw 2>/dev/null"

timed "V4: mv between pools on two filesystems" mv "$MNT/q/big.raw" "$MNT/t/big.raw"
check_eq "V4: ... keeps its bytes" "$sum" "$(host_sum "$SB/pools/t/big.raw")"
check "V4: ... and the source is gone" gone q big.raw
check_eq "V4: ... and it stays sparse" yes \
    "$(test "$(stat -c %b "$SB/pools/t/big.raw")" -lt $((64 * 2048)) && echo yes || echo no)"

# A move while libvirt has a job on the source pool (another client's clone), which makes it
# refuse to refresh the pool until the job ends: the move waits for that, it does not fail.
head -c 256M /dev/urandom >"$SB/pools/p/slow.raw" && chown "$POOL_OWNER:" "$SB/pools/p/slow.raw"
v pool-refresh p >/dev/null
truncate -s 1M "$MNT/p/moving.raw"
v vol-clone --pool p slow.raw slow-copy.raw >/dev/null &
clone=$!
within 10 "V4: (another client's clone has begun)" test -e "$SB/pools/p/slow-copy.raw"
check "V4: mv between pools while a clone runs in the source pool" \
    mv "$MNT/p/moving.raw" "$MNT/q/moving.raw"
wait "$clone"
check "V4: ... and libvirt moved it" sh -c "v() { virsh -q -c '$URI' \"\$@\"; }; v vol-info --pool q moving.raw >/dev/null && ! v vol-info --pool p moving.raw 2>/dev/null"
v vol-delete --pool p slow.raw >/dev/null && v vol-delete --pool p slow-copy.raw >/dev/null
v vol-delete --pool q moving.raw >/dev/null

check "V4: mv onto an existing volume" mv "$MNT/p/small.raw" "$MNT/t/big.raw"
check_eq "V4: ... replaces it" "$small_sum" "$(host_sum "$SB/pools/t/big.raw")"
check "V4: ... and the source is gone" gone p small.raw
check_fails "V4: mv -n onto an existing volume leaves both" "" \
    sh -c "truncate -s 1M '$MNT/p/x.raw' && mv -n '$MNT/p/x.raw' '$MNT/t/big.raw' && test ! -e '$MNT/p/x.raw'"
check_eq "V4: ... the target is untouched" "$small_sum" "$(host_sum "$SB/pools/t/big.raw")"
# A file put into a pool's directory behind libvirt's back is no volume yet (C2): a move
# onto its name must not destroy it, as libvirt's own copy would not.
echo "not a volume yet" >"$SB/pools/q/unknown.raw" && chown "$POOL_OWNER:" "$SB/pools/q/unknown.raw"
# (rename(2) itself: mv words EEXIST as it guesses, "File exists" or "cannot overwrite
# directory", from what it saw of the target.)
check "V4: a rename onto a host file libvirt does not know fails with EEXIST" \
    python3 - "$MNT/p/x.raw" "$MNT/q/unknown.raw" <<'PY'
import errno, os, sys
try:
    os.rename(sys.argv[1], sys.argv[2])
except OSError as error:
    sys.exit(0 if error.errno == errno.EEXIST else f"errno {error.errno}")
sys.exit("renamed")
PY
check_eq "V4: ... and leaves that file as it was" "not a volume yet" "$(cat "$SB/pools/q/unknown.raw")"
check "V4: ... and the volume where it was" sh -c "test -f '$MNT/p/x.raw' && test -f '$SB/pools/p/x.raw'"
check_fails "V4: mv of a volume out of the pools, to the root, is refused" "Operation not permitted" \
    mv "$MNT/p/x.raw" "$MNT/"
check "V4: ... and the volume stays, in libvirt and on the host" \
    sh -c "test -f '$SB/pools/p/x.raw' && virsh -q -c '$URI' vol-info --pool p x.raw >/dev/null &&
        test ! -e '$MNT/x.raw'"
# A move by copy deletes the target first: one that cannot fit must fail before that.
make_tmpfs_pool small 16m
head -c 4096 /dev/urandom >"$MNT/small/keep.raw"
keep_sum=$(host_sum "$SB/pools/small/keep.raw")
head -c 24M /dev/urandom >"$MNT/p/large.raw"
check_fails "V4: mv onto a volume of a pool too small for it fails with ENOSPC" "No space left" \
    mv "$MNT/p/large.raw" "$MNT/small/keep.raw"
check_eq "V4: ... and leaves the target as it was" "$keep_sum" "$(host_sum "$SB/pools/small/keep.raw")"
check "V4: ... and the source" sh -c "test -f '$SB/pools/p/large.raw' && test -f '$MNT/p/large.raw'"
# L1: a pool that is not running takes no file, moved there or made there.
make_pool stopped
check_fails "V4, L1: mv into a pool that is not running fails" "Operation not permitted" \
    mv "$MNT/p/x.raw" "$MNT/stopped/x.raw"
check "V4, L1: ... and the volume stays where it was, in libvirt and on the host" \
    sh -c "test -f '$SB/pools/p/x.raw' && test ! -e '$SB/pools/stopped/x.raw' &&
        virsh -q -c '$URI' vol-info --pool p x.raw >/dev/null && test -f '$MNT/p/x.raw'"

check "V6: cp --reflink=auto of a qcow2" sh -c "truncate -s 1G '$MNT/p/a.qcow2' &&
    cp --reflink=auto '$MNT/p/a.qcow2' '$MNT/p/copy.qcow2'"
check "V6: ... is the same bytes" cmp "$SB/pools/p/a.qcow2" "$SB/pools/p/copy.qcow2"
check_eq "V6: ... a qcow2 of the same capacity" "1073741824 qcow2" \
    "$(v vol-dumpxml --pool p copy.qcow2 | sed -nE "s|.*<format type='([^']*)'/>.*|\1|p; s|.*<capacity unit='bytes'>([0-9]+)<.*|\1|p" | xargs)"
check "V6: copy_file_range of a whole volume" python3 - "$MNT/t/big.raw" "$MNT/q/copied.raw" <<'PY'
import os, sys
source = os.open(sys.argv[1], os.O_RDONLY)
target = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_EXCL)
copied = os.copy_file_range(source, target, 1 << 40)
assert copied == os.fstat(source).st_size, copied
assert os.copy_file_range(source, target, 1 << 40) == 0
PY
check_eq "V6: ... is the same bytes" "$small_sum" "$(host_sum "$SB/pools/q/copied.raw")"
# libvirt's clone wrote zeros up to the allocation, whole blocks: it made 5000 bytes 8192.
head -c 5000 /dev/urandom >"$WORK/odd"
chmod 0640 "$WORK/odd"
cp "$WORK/odd" "$MNT/p/odd.raw"
check "V6: cp of a volume whose length is no multiple of a block" cp "$MNT/p/odd.raw" "$MNT/p/odd-copy.raw"
check "V6: ... has the same bytes, no more" cmp "$WORK/odd" "$SB/pools/p/odd-copy.raw"
check_eq "V6: ... and the mode cp asked for" "640" "$(stat -c %a "$SB/pools/p/odd-copy.raw")"
check "V4: mv of it between two filesystems (a clone)" mv "$MNT/p/odd.raw" "$MNT/t/odd.raw"
check "V4: ... has the same bytes, no more" cmp "$WORK/odd" "$SB/pools/t/odd.raw"
check_eq "V4: ... and keeps its mode" "640" "$(stat -c %a "$SB/pools/t/odd.raw")"
# A file open for writing goes on after a move by clone: the rest lands in the copy.
check "V4: writes through an open file before and after its mv to another filesystem" \
    python3 - "$MNT/p/open.raw" "$MNT/t/open.raw" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
os.pwrite(fd, b"b" * 65536, 0)
os.fsync(fd)
os.rename(sys.argv[1], sys.argv[2])
os.pwrite(fd, b"a" * 65536, 65536)
os.close(fd)
PY
check "V4: ... the copy has both" cmp <(head -c 65536 /dev/zero | tr '\0' b; head -c 65536 /dev/zero | tr '\0' a) \
    "$SB/pools/t/open.raw"

# libvirt copies an image with qemu-img convert, which merges its backing file in: an
# overlay is copied byte for byte instead (cp reads and writes; mv, told EXDEV, too).
qemu-img create -q -f qcow2 "$SB/pools/p/base.qcow2" 16M
qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 "$SB/pools/p/overlay.qcow2"
cp "$SB/pools/p/overlay.qcow2" "$WORK/overlay.qcow2"
chown "$POOL_OWNER:" "$SB/pools/p/base.qcow2" "$SB/pools/p/overlay.qcow2"
v pool-refresh p >/dev/null
check "V6: cp of a qcow2 overlay" cp "$MNT/p/overlay.qcow2" "$MNT/q/overlay.qcow2"
check "V6: ... has its very bytes, its backing file named still" \
    cmp "$WORK/overlay.qcow2" "$SB/pools/q/overlay.qcow2"
check "V4: mv of it between two filesystems" mv "$MNT/p/overlay.qcow2" "$MNT/t/overlay.qcow2"
check "V4: ... has its very bytes" cmp "$WORK/overlay.qcow2" "$SB/pools/t/overlay.qcow2"
check_fails "V4: ... and is gone from where it was" "" test -e "$SB/pools/p/overlay.qcow2"
# A copy cp makes itself: a volume whose allocation is below its size looks sparse to cp,
# which then reads and writes instead of asking for copy_file_range.
truncate -s 64M "$MNT/p/sparse.raw"
head -c 1M /dev/urandom | dd of="$SB/pools/p/sparse.raw" bs=1M seek=10 conv=notrunc status=none
check "V6: a copy cp makes by reading and writing" cp "$MNT/p/sparse.raw" "$MNT/q/sparse-copy.raw"
check "V6: ... has the same bytes" cmp "$SB/pools/p/sparse.raw" "$SB/pools/q/sparse-copy.raw"
check "V6: ... which went through reads and writes" grep -q "read '/p/sparse.raw'" "$WORK/server.log"
check "V4, V6: libvirt did the copies: the mount saw copy_file_range" \
    grep -q "copy_file_range '/p/a.qcow2'@0 '/p/copy.qcow2'@0" "$WORK/server.log"
check_fails "V4, V6: ... and no data of the moved or cloned volumes passed through it" "" \
    grep -qE "^virt-poolfs: (read|write) '/[^/]+/(big|renamed|small|a|copy|copied|odd-copy)[.]" "$WORK/server.log"
