#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# V5, V1 (data first), V2 (O_TRUNC): a volume's exact bytes through the mount, read and
# written by the usual tools, on the data path named by $1: "in-place" (the volume's file,
# from this host) or "streams" (libvirt's upload and download streams, direct=never).
. "$(dirname "$0")/lib.sh"

path=${1:?in-place or streams}
start_daemon
make_pool p start
make_tmpfs_pool full 16m

# A raw volume of 8 MiB with random bytes, a hole in the middle, made on the host.
src=$SB/pools/p/src.raw
head -c 3M /dev/urandom >"$src"
truncate -s 5M "$src"
head -c 3M /dev/urandom >>"$src"
chown "$POOL_OWNER:" "$src"
v pool-refresh p >/dev/null
if [ "$path" = streams ]; then mount_fs -d -o direct=never; else mount_fs -d; fi
local_dir=$WORK/local
mkdir -p "$local_dir"

if [ "$path" = streams ]; then
    check_eq "the data goes through streams" 0 "$(grep -c 'in place: yes' "$WORK/server.log")"
fi

# Reading (V5): every tool gets the exact bytes, as virsh vol-download does.
v vol-download --pool p src.raw "$local_dir/downloaded"
check "V5: cat reads the host file's bytes" cmp "$src" <(cat "$MNT/p/src.raw")
check "V5: ... and vol-download's" cmp "$local_dir/downloaded" <(cat "$MNT/p/src.raw")
if [ "$path" = streams ]; then
    check "V5: the read went through a sparse download" grep -q "virStorageVolDownload" "$WORK/server.log"
else
    check "V5: the read went in place" grep -q "in place: yes" "$WORK/server.log"
fi
check_eq "V5: sha256sum" "$(sha256sum <"$src")" "$(sha256sum <"$MNT/p/src.raw")"
check "V5: dd bs=1 (the first 64 KiB)" cmp <(head -c 65536 "$src") \
    <(dd if="$MNT/p/src.raw" bs=1 count=65536 status=none)
for bs in 4097 64k 1M 3M; do
    check "V5: dd bs=$bs" cmp "$src" <(dd if="$MNT/p/src.raw" bs="$bs" status=none)
done
check "V5: dd at an offset" cmp <(tail -c +4194305 "$src" | head -c 100000) \
    <(dd if="$MNT/p/src.raw" bs=1000 skip=4194304 count=100 iflag=skip_bytes status=none)
check_eq "V5: a read past the end returns nothing" 0 \
    "$(dd if="$MNT/p/src.raw" bs=1000 skip=9M count=1 iflag=skip_bytes status=none | wc -c)"
if [ "$path" = streams ]; then
    check "V5: ... whose first read downloads only the 1000 bytes it asks for, the next 2000" \
        sh -c "grep -q 'virStorageVolDownload(src.raw, 4194304, 1000)' '$WORK/server.log' &&
               grep -q 'virStorageVolDownload(src.raw, 4195304, 2000)' '$WORK/server.log'"
fi
head -c 4M /dev/urandom >"$SB/pools/p/cut.raw"
truncate -s 16M "$SB/pools/p/cut.raw" # libvirt cuts no volume below its allocation
chown "$POOL_OWNER:" "$SB/pools/p/cut.raw"
v pool-refresh p >/dev/null
check "V5: a file cut short through its own handle reads nothing past its new end, even what was read ahead" \
    python3 - "$MNT/p/cut.raw" "$SB/pools/p/cut.raw" <<'PY'
import os, sys
mib = 1 << 20
host = open(sys.argv[2], "rb").read()
fd = os.open(sys.argv[1], os.O_RDWR)
os.pread(fd, mib, 0)
os.pread(fd, mib, 12 * mib)  # through streams, [1, 12) MiB is kept for reads behind
os.ftruncate(fd, 5 * mib)
for at, size, want in [(10, mib, b""), (4, 2 * mib, host[4 * mib:5 * mib]), (5, mib, b"")]:
    got = os.pread(fd, size, at * mib)
    if got != want:
        sys.exit(f"{len(got)} bytes at {at} MiB, {len(want)} expected")
PY
head -c 8M /dev/urandom >"$SB/pools/p/shared.raw"
chown "$POOL_OWNER:" "$SB/pools/p/shared.raw"
v pool-refresh p >/dev/null
check "V5: bytes written and closed through one open file are what another reads next, even where it read ahead" \
    python3 - "$MNT/p/shared.raw" <<'PY'
import os, sys
mib = 1 << 20
reader = os.open(sys.argv[1], os.O_RDONLY)
os.pread(reader, mib, 0)
os.pread(reader, mib, 3 * mib)  # through streams, [1, 3) MiB is kept for reads behind
new = os.urandom(2 * mib)
writer = os.open(sys.argv[1], os.O_WRONLY)
os.pwrite(writer, new[:mib], mib)  # kept by the reader
os.pwrite(writer, new[mib:], 4 * mib)  # where the reader's download goes on
os.close(writer)
for at, want in [(1, new[:mib]), (4, new[mib:])]:
    if os.pread(reader, mib, at * mib) != want:
        sys.exit(f"the bytes at {at} MiB are the old ones")
PY
if [ "$path" = streams ]; then
    # In place, an open file stays on the file it opened, which O_TRUNC replaces.
    check "V2: emptied by O_TRUNC through one open file, nothing is what another reads next" \
        python3 - "$MNT/p/shared.raw" <<'PY'
import os, sys
mib = 1 << 20
reader = os.open(sys.argv[1], os.O_RDONLY)
os.pread(reader, mib, 0)
os.pread(reader, mib, 3 * mib)
os.close(os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC))
for at in (1, 4):
    got = os.pread(reader, mib, at * mib)
    if got:
        sys.exit(f"{len(got)} bytes at {at} MiB of an empty volume")
PY
fi
# Written through the mount, so that the mount numbers its changes, which rm forgets.
head -c 4M /dev/urandom >"$local_dir/removed"
cp "$local_dir/removed" "$MNT/p/removed.raw"
check "V3: rm of an open volume removes it at once: no hidden volume, no copy" \
    python3 - "$MNT/p/removed.raw" "$SB/pools/p" "$URI" "$path" <<'PY'
import errno, os, subprocess, sys
mount, pool_dir, uri, path = sys.argv[1:]
mib = 1 << 20
old = open(os.path.join(pool_dir, "removed.raw"), "rb").read()
fd = os.open(mount, os.O_RDONLY)
os.pread(fd, mib, 0)
subprocess.run(["rm", mount], check=True)
listed = subprocess.run(["virsh", "-q", "-c", uri, "vol-list", "p"], check=True,
                        capture_output=True, text=True).stdout
left = [n for n in listed.split() + os.listdir(pool_dir) if "removed" in n or "fuse_hidden" in n]
if left:
    sys.exit(f"left after rm: {left}")
try:  # in place the open file keeps the file it opened; through streams it is gone
    got = os.pread(fd, mib, 3 * mib)
    if path == "streams" or got != old[3 * mib:]:
        sys.exit(f"{len(got)} bytes read after rm")
except OSError as error:
    if path != "streams" or error.errno != errno.ENOENT:
        raise
os.close(fd)
PY
check "V5: writes with gaps after the file grew through its descriptor keep its new length" \
    python3 - "$MNT/p/grown.raw" "$SB/pools/p/grown.raw" <<'PY'
import os, sys
mib = 1 << 20
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
blocks = {at: os.urandom(4096) for at in (0, 16 * mib, 32 * mib)}
os.pwrite(fd, blocks[0], 0)
os.ftruncate(fd, 64 * mib)
os.pwrite(fd, blocks[16 * mib], 16 * mib)
os.pwrite(fd, blocks[32 * mib], 32 * mib)  # a gap inside the file: no hole may be sent
os.close(fd)
with open(sys.argv[2], "rb") as volume:
    data = volume.read()
if len(data) != 64 * mib:
    sys.exit(f"{len(data)} bytes, {64 * mib} expected")
for at, block in blocks.items():
    if data[at:at + 4096] != block:
        sys.exit(f"the bytes at {at} differ")
PY
# V4: a file open for writing goes on after mv, as rename(2) promises: its later writes,
# reads and close are of the volume under its new name.
check "V4: writes through an open file before and after its mv, within a pool" \
    python3 - "$MNT/p/moving.raw" "$MNT/p/moved.raw" <<'PY'
import os, sys
before, after = b"b" * 65536, b"a" * 65536
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
os.pwrite(fd, before, 0)
os.rename(sys.argv[1], sys.argv[2])
os.pwrite(fd, after, 65536)
if os.pread(fd, 131072, 0) != before + after:
    sys.exit("read back through the moved file differs")
os.close(fd)
PY
check "V4: ... has both" cmp <(head -c 65536 /dev/zero | tr '\0' b; head -c 65536 /dev/zero | tr '\0' a) \
    "$SB/pools/p/moved.raw"

# E1, V5: 12 processes writing 4 names at once, each opening with O_CREAT|O_TRUNC (as a
# shell's `>`): as on any filesystem every open and write succeeds and each name ends up with
# the bytes, although each O_TRUNC replaces the volume (deleted, made again) under the others.
head -c 200000 /dev/urandom >"$local_dir/racing"
errors_before=$(wc -l <"$MNT/.errors")
writers=()
for i in $(seq 1 12); do
    python3 - "$MNT/p/racing$((i % 4)).raw" "$local_dir/racing" 2>>"$local_dir/racing.err" <<'PY' &
import os, sys
data = open(sys.argv[2], "rb").read()
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
for offset in range(0, len(data), 4096):
    os.pwrite(fd, data[offset:offset + 4096], offset)
os.close(fd)
PY
    writers+=($!)
done
failed=0
for writer in "${writers[@]}"; do wait "$writer" || failed=$((failed + 1)); done
check_eq "E1, V5: 12 writers of 4 names at once, O_TRUNC: none fails" "0 " \
    "$failed $(grep -m1 Error "$local_dir/racing.err")"
check "E1, V5: ... each name has the bytes" sh -c "for i in 0 1 2 3; do
    cmp '$local_dir/racing' '$SB/pools/p/racing'\$i.raw || exit 1; done"
check_eq "E2: ... and .errors has nothing to say" "" "$(tail -n +$((errors_before + 1)) "$MNT/.errors")"

# Two open files writing one volume (V5: "concurrently on many files"). Through streams a gap
# past the volume's end may travel as a hole, and the daemon cuts the file where a hole
# ends: bytes the other file put beyond must survive it, whether that file is still open or
# closed since.
check "V5: gaps written through one file keep what another wrote further, still open or closed" \
    python3 - "$MNT/p" "$SB/pools/p" <<'PY'
import os, sys, time
mib = 1 << 20
mounted, host = sys.argv[1:]

def host_length_reaches(path, length):
    deadline = time.monotonic() + 10
    while os.path.getsize(path) < length:
        if time.monotonic() > deadline:
            sys.exit(f"{path} never reached {length} bytes")
        time.sleep(0.01)

def two_writers(name, other_closes):
    with open(f"{mounted}/{name}", "wb") as new:
        new.write(os.urandom(4096))
    blocks = {}

    def put(fd, at):
        blocks[at] = os.urandom(4096)
        os.pwrite(fd, blocks[at], at)

    one = os.open(f"{mounted}/{name}", os.O_RDWR)
    put(one, 0)
    put(one, 16 * mib)  # a gap past the end
    other = os.open(f"{mounted}/{name}", os.O_RDWR)
    put(other, 32 * mib)
    if other_closes:
        os.close(other)
    host_length_reaches(f"{host}/{name}", 32 * mib + 4096)  # the other's bytes have landed
    put(one, 20 * mib)  # a gap past the end as the first file knew it
    if not other_closes:
        os.close(other)
    os.close(one)
    with open(f"{host}/{name}", "rb") as volume:
        data = volume.read()
    if len(data) != 32 * mib + 4096:
        sys.exit(f"{name}: {len(data)} bytes, {32 * mib + 4096} expected")
    for at, block in blocks.items():
        if data[at:at + 4096] != block:
            sys.exit(f"{name}: the bytes at {at} differ")

two_writers("two-open.raw", other_closes=False)
two_writers("two-closed.raw", other_closes=True)
PY
check "V5: cp out" sh -c "cp '$MNT/p/src.raw' '$local_dir/copied' && cmp '$src' '$local_dir/copied'"
check "V5: rsync out" sh -c "rsync '$MNT/p/src.raw' '$local_dir/rsynced' && cmp '$src' '$local_dir/rsynced'"
# rsync -t skips a file whose size and time match: in place the mode and times a tool sets
# are the volume file's. Through streams they are libvirt's: times are left as they are, and
# a mode is EPERM, which rsync reports (its exit status 23) once the bytes are in.
touch -d '2021-02-03 04:05:06' "$local_dir/rsynced"
if [ "$path" = in-place ]; then
    check "V5: rsync -t in" rsync -t "$local_dir/rsynced" "$MNT/p/"
else
    check_fails "V5: rsync -t in: the new file's mode is refused" "failed to set permissions" \
        rsync -t "$local_dir/rsynced" "$MNT/p/"
fi
check "V5: ... has the bytes" cmp "$src" "$SB/pools/p/rsynced"
if [ "$path" = in-place ]; then
    check_eq "V5: ... and the time" "$(stat -c '%Y %Y' "$local_dir/rsynced")" \
        "$(stat -c %Y "$MNT/p/rsynced") $(stat -c %Y "$SB/pools/p/rsynced")"
    check_eq "V5: ... so that rsync -t again copies nothing" 0 \
        "$(rsync -t --stats "$local_dir/rsynced" "$MNT/p/" | sed -n 's/^Number of regular files transferred: //p')"
    check_eq "V5: touch -d sets a volume's time" "$(date -d '2022-03-04 05:06:07' +%s)" \
        "$(touch -d '2022-03-04 05:06:07' "$MNT/p/rsynced" && stat -c %Y "$MNT/p/rsynced")"
    check_eq "V5: chmod sets a volume's mode, which libvirt tells" "640 0640" \
        "$(chmod 0640 "$MNT/p/rsynced" && stat -c %a "$MNT/p/rsynced") $(v vol-dumpxml --pool p rsynced |
            sed -nE 's|.*<mode>([0-7]+)</mode>.*|\1|p')"
else
    check_fails "V5: through streams a volume's mode is libvirt's: chmod is EPERM" \
        "Operation not permitted" chmod 0640 "$MNT/p/rsynced"
fi

# Downloads go by windows of 1, 2, 4, 8, 16, 32, 32... MiB for 1 MiB reads (ending at 1, 3,
# 7, 15, 31, 63, 95... MiB): the bytes come right across their ends, at holes too and at the
# volume's end; and libvirt's client keeps whatever the daemon sends, so a reader that
# stops leaves the server holding a window at most.
if [ "$path" = streams ]; then
    head -c 3M /dev/urandom >"$SB/pools/p/three.raw"
    long=$SB/pools/p/long.raw
    head -c 256M /dev/urandom >"$long"
    fallocate -p -o 31M -l 2M "$long" # a hole from the end of a window
    fallocate -p -o 60M -l 6M "$long" # and one across the end of another
    chown "$POOL_OWNER:" "$SB/pools/p/three.raw" "$long"
    v pool-refresh p >/dev/null
    check "V5: a volume of 3 MiB, which two windows end at its end" \
        cmp "$SB/pools/p/three.raw" <(dd if="$MNT/p/three.raw" bs=1M status=none)
    check "V5: 256 MiB with holes at and across the ends of windows" \
        cmp "$long" <(dd if="$MNT/p/long.raw" bs=1M status=none)
    check "V5: ... and read by 1000000 bytes, across them" \
        cmp "$long" <(dd if="$MNT/p/long.raw" bs=1000000 status=none)
    # Reads in flight together come out of order; the bytes a download passes on its way to
    # a read ahead are kept for the reads behind it, so that one download serves them all.
    downloads() { grep -c "virStorageVolDownload(long.raw," "$WORK/server.log"; }
    before=$(downloads)
    check "V5: qemu-img convert out of the volume (8 reads of 2 MiB in flight)" \
        sh -c "qemu-img convert -f raw -O raw '$MNT/p/long.raw' '$local_dir/converted' &&
               cmp '$long' '$local_dir/converted'"
    converted=$(($(downloads) - before))
    check "V5: ... through ${converted} downloads (a window each: 13; one a MiB: 256)" \
        test "$converted" -le 64 # loaded machines see more reads far out of order
    check "V5: reads out of order, behind the download, far ahead of it, and back" \
        python3 - "$MNT/p/long.raw" "$long" <<'PY'
import os, sys
mib = 1 << 20
mount, host = (os.open(path, os.O_RDONLY) for path in sys.argv[1:])
# Behind a read ahead (kept), far ahead (past what is kept: a new download), and back to
# bytes passed and not yet read, and to bytes read already.
for at in [2, 0, 1, 5, 3, 4, 30, 60, 61, 200, 62, 31, 29, 0, 255, 254]:
    size = mib + 4096 if at == 255 else mib  # the last one across the volume's end
    if os.pread(mount, size, at * mib) != os.pread(host, size, at * mib):
        sys.exit(f"the bytes at {at} MiB differ")
PY
    # What the daemon read of the volume beyond what the reader took is what it sent ahead:
    # at most a window (libvirt's client holds that much in the server's memory).
    ahead=$(python3 - "$MNT/p/long.raw" "$(cat "$SB/run/libvirt/libvirtd.pid")" <<'PY'
import sys, time
def daemon_read():
    with open(f"/proc/{sys.argv[2]}/io") as io:
        return next(int(line.split()[1]) for line in io if line.startswith("rchar:"))
before = daemon_read()
with open(sys.argv[1], "rb", buffering=0) as volume:
    for _ in range(130):  # past the end of the window that ends at 127 MiB
        volume.read(1 << 20)
    readings = [daemon_read()]
    while len(readings) < 50 and not (len(readings) >= 4 and readings[-1] == readings[-4]):
        time.sleep(0.2)  # until the daemon stops reading: all it will send is sent
        readings.append(daemon_read())
print((readings[-1] - before) // (1 << 20) - 130)
PY
)
    check "V5: a reader stopped after 130 MiB of 256 MiB had the daemon read ${ahead} MiB ahead (a window: 32 at most)" \
        test "$ahead" -le 33
fi

# Writing (V1: data first): the bytes written are the volume, in the format libvirt sees.
qemu-img create -q -f qcow2 "$local_dir/disk.qcow2" 64M
qemu-io -c "write -P 0x5a 1M 2M" "$local_dir/disk.qcow2" >/dev/null
check "V1: cp disk.qcow2 into a pool" cp "$local_dir/disk.qcow2" "$MNT/p/"
check "V1: ... the volume is those bytes" cmp "$local_dir/disk.qcow2" "$SB/pools/p/disk.qcow2"
check_eq "V1: ... and libvirt sees a qcow2 of 64 MiB" "qcow2 67108864" \
    "$(v vol-dumpxml --pool p disk.qcow2 | sed -nE "s|.*<format type='([^']*)'/>.*|\1|p; s|.*<capacity unit='bytes'>([0-9]+)<.*|\1|p" | sort -r | xargs)"
check "V1: cp of a qcow2 into a name that says raw" cp "$local_dir/disk.qcow2" "$MNT/p/disk.img"
check_eq "V1: ... is the qcow2 libvirt detects" qcow2 \
    "$(v vol-dumpxml --pool p disk.img | sed -nE "s|.*<format type='([^']*)'/>.*|\1|p")"
# cp -p sets the times (futimens) before it closes the file: what that call reports, and the
# kernel keeps, must be the size written, not the size before (C1).
check "V1: cp -p into a pool" sh -c "cp -p '$local_dir/disk.qcow2' '$MNT/p/kept.qcow2' 2>/dev/null ||
    cmp '$local_dir/disk.qcow2' '$SB/pools/p/kept.qcow2'"
check_eq "V1, C1: ... stat then tells its size" "$(stat -c %s "$local_dir/disk.qcow2")" \
    "$(stat -c %s "$MNT/p/kept.qcow2")"
check_eq "C1: fstat after a write tells the size written" 5000 "$(python3 -c "
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
os.write(fd, bytes(5000))
print(os.fstat(fd).st_size)" "$MNT/p/fstat.raw")"
head -c 1M /dev/urandom >"$local_dir/other"
check "V2: cp over an existing volume" cp "$local_dir/other" "$MNT/p/disk.qcow2"
check "V2: ... replaces its content" cmp "$local_dir/other" "$SB/pools/p/disk.qcow2"
check "V2: shell redirection over a volume" sh -c "printf 'short' > '$MNT/p/disk.img'"
check_eq "V2: ... replaces its content" short "$(cat "$SB/pools/p/disk.img")"
check "V5: dd into the middle of a volume" dd if="$local_dir/other" of="$MNT/p/src.raw" bs=4k \
    seek=300 count=10 conv=notrunc status=none
check "V5: ... changes just those bytes" cmp <(dd if="$local_dir/other" bs=4k count=10 status=none) \
    <(dd if="$src" bs=4k skip=300 count=10 status=none)
check "V5: ... and the rest stays" cmp <(head -c 1228800 "$local_dir/downloaded") <(head -c 1228800 "$src")

# V2: a raw volume is cut to any length, what comes before kept, although libvirt's resize
# will not shrink a volume below its allocation (whole blocks: not even 100 bytes of 4096).
head -c 3M /dev/urandom >"$local_dir/cut"
cp "$local_dir/cut" "$MNT/p/cut.raw"
check "V2: truncate -s 5000 of a raw volume full of data" truncate -s 5000 "$MNT/p/cut.raw"
check "V2: ... keeps the bytes before" cmp <(head -c 5000 "$local_dir/cut") "$SB/pools/p/cut.raw"
check_eq "V2: ... and libvirt and stat tell its new size" "5000 5000" \
    "$(v vol-dumpxml --pool p cut.raw | sed -nE "s|.*<capacity unit='bytes'>([0-9]+)<.*|\1|p") $(stat -c %s "$MNT/p/cut.raw")"
check "V2: truncate -s 100 of it" truncate -s 100 "$MNT/p/cut.raw"
check "V2: ... keeps the bytes before" cmp <(head -c 100 "$local_dir/cut") "$SB/pools/p/cut.raw"
check "V2: truncate -s 0 of it" truncate -s 0 "$MNT/p/cut.raw"
check_eq "V2: ... empties it, a volume still" "0 0" \
    "$(stat -c %s "$SB/pools/p/cut.raw") $(v vol-dumpxml --pool p cut.raw | sed -nE "s|.*<capacity unit='bytes'>([0-9]+)<.*|\1|p")"
check "V2: ftruncate down, by the file that wrote the bytes" python3 - "$MNT/p/cut.raw" "$local_dir/cut" <<'PY'
import os, sys
data = open(sys.argv[2], "rb").read(1 << 20)
fd = os.open(sys.argv[1], os.O_WRONLY)
os.write(fd, data)
os.ftruncate(fd, 12345)
os.close(fd)
PY
check "V2: ... keeps the bytes before" cmp <(head -c 12345 "$local_dir/cut") "$SB/pools/p/cut.raw"
check "V2: ftruncate to 0, then writes by that file" python3 - "$MNT/p/cut.raw" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
os.write(fd, bytes(1 << 20))
os.ftruncate(fd, 0)
os.pwrite(fd, b"after", 0)
os.close(fd)
PY
check_eq "V2: ... are the volume" after "$(cat "$SB/pools/p/cut.raw")"

# Random access: qemu-img and fio through the mount.
# The backing file is named relative to the overlay, so that both qemu-img here (through the
# mount) and libvirt there (in the pool's directory) find it.
check "V5: qemu-img create with a backing file" \
    qemu-img create -q -f qcow2 -b disk.img -F raw "$MNT/p/overlay.qcow2"
check "V5: ... qemu-img check" qemu-img check -q "$MNT/p/overlay.qcow2"
check_eq "V5: ... libvirt sees the backing file" qcow2 \
    "$(v vol-dumpxml --pool p overlay.qcow2 | sed -nE "s|.*<format type='([^']*)'/>.*|\1|p" | head -1)"
head -c 6M /dev/urandom >"$local_dir/in.img"
check "V5: qemu-img convert into the pool" \
    qemu-img convert -O qcow2 "$local_dir/in.img" "$MNT/p/out.qcow2"
check "V5: ... qemu-img check" qemu-img check -q "$MNT/p/out.qcow2"
check "V5: ... the same image" qemu-img compare -q "$local_dir/in.img" "$MNT/p/out.qcow2"
# cp -a and mv replay the source's capacity while they write: a qcow2 with a snapshot is
# longer than its capacity, and must not be cut to it (V1, V7).
qemu-img create -q -f qcow2 "$local_dir/snap.qcow2" 1M
qemu-io -c 'write -P 0x41 0 1M' "$local_dir/snap.qcow2" >/dev/null
qemu-img snapshot -c s1 "$local_dir/snap.qcow2"
qemu-io -c 'write -P 0x42 0 1M' "$local_dir/snap.qcow2" >/dev/null
python3 - "$local_dir/snap.qcow2" "$MNT/p/snap.qcow2" <<'PY' 2>/dev/null
import os, sys
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, open(sys.argv[1], "rb").read())
try:
    os.setxattr(fd, "user.libvirt.capacity", b"1048576")
except OSError:
    pass
os.close(fd)
PY
check "V1, V7: a capacity set while the bytes are written first leaves them whole" \
    cmp "$local_dir/snap.qcow2" "$MNT/p/snap.qcow2"
# qemu-img trims (compressed qcow2) or sizes (vmdk) the file it writes with ftruncate: a byte
# length, not a capacity, from a program that writes the bytes (V1).
head -c 1M /dev/zero | tr '\0' Z >"$local_dir/mostly-empty.img"
truncate -s 64M "$local_dir/mostly-empty.img"
check "V1, V5: qemu-img convert -c, which trims the image it writes" \
    qemu-img convert -c -O qcow2 "$local_dir/mostly-empty.img" "$MNT/p/small.qcow2"
check "V1, V5: ... the same image" \
    qemu-img compare -q "$local_dir/mostly-empty.img" "$MNT/p/small.qcow2"
check "V1, V5: qemu-img convert -O vmdk" qemu-img convert -O vmdk "$local_dir/in.img" "$MNT/p/out.vmdk"
check "V1, V5: ... the same image" qemu-img compare -q "$local_dir/in.img" "$MNT/p/out.vmdk"
check "V5: fio random reads and writes, verified" fio --name=verify --filename="$MNT/p/fio.raw" \
    --size=4M --rw=randrw --bs=4k --ioengine=psync --verify=crc32c --verify_fatal=1 \
    --do_verify=1 --verify_state_save=0 --output="$WORK/fio.out"
check_eq "V5: ... with no error" 0 "$(grep -c 'err= *[1-9]' "$WORK/fio.out")"

# A reader and a writer of one volume at once, each at random offsets: every write lands.
truncate -s 16M "$MNT/p/shared.raw"
check_eq "V5: a reader and a writer of one volume at once: no write fails" "0" \
    "$(python3 - "$MNT/p/shared.raw" <<'PY'
import multiprocessing, os, random, sys
path = sys.argv[1]
def writer(failures):
    rng, fd = random.Random(1), os.open(path, os.O_WRONLY)
    for _ in range(200):
        try:
            os.pwrite(fd, b"W" * 4096, rng.randrange(4000) * 4096)
        except OSError as error:
            failures.put(str(error))
    os.close(fd)
def reader():
    rng, fd = random.Random(2), os.open(path, os.O_RDONLY)
    for _ in range(200):
        os.pread(fd, 4096, rng.randrange(4000) * 4096)
    os.close(fd)
failures = multiprocessing.Queue()
jobs = [multiprocessing.Process(target=writer, args=(failures,)), multiprocessing.Process(target=reader)]
[job.start() for job in jobs]
[job.join() for job in jobs]
print(failures.qsize())
PY
)"

check_fails "V5, E1: a write far past what a file can hold fails with EFBIG" "File too large" \
    python3 -c "import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600)
os.pwrite(fd, b'x', 1 << 62)
os.close(fd)" "$MNT/p/far.raw"
rm -f "$MNT/p/far.raw"

# Errors (V5, E1): a full pool, a volume deleted while open.
check_fails "V5: cp into a full pool fails with ENOSPC" "No space left on device" \
    sh -c "head -c 32M /dev/urandom > '$local_dir/big' && cp '$local_dir/big' '$MNT/full/big.raw'"
check "V5: ... and says so in .errors" grep -q "'/full/big.raw'.*No space left" "$MNT/.errors"
# A little more than fits: the daemon drops the last bytes of an upload without a word.
rm -f "$MNT/full/big.raw"
avail=$(df -B1 --output=avail "$SB/pools/full" | tail -1)
check_fails "V5: a write 4 KiB past a full pool's room fails with ENOSPC" "No space left on device" \
    sh -c "head -c $((avail + 4096)) /dev/urandom > '$local_dir/over' &&
           dd if='$local_dir/over' of='$MNT/full/over.raw' bs=64k conv=fsync status=none"
check_fails "V5: a volume deleted while open fails the write or the close" "No such file" \
    python3 - "$MNT/p/src.raw" "$URI" <<'PY'
import os, subprocess, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
os.pwrite(fd, b"x" * 4096, 0)
subprocess.run(["virsh", "-q", "-c", sys.argv[2], "vol-delete", "--pool", "p", "src.raw"],
               check=True, stdout=subprocess.DEVNULL)
os.pwrite(fd, b"y" * 4096, 4096)
os.close(fd)
PY
check "V5: ... and says so in .errors (E2)" grep -q "'/p/src.raw'.*No such file" "$MNT/.errors"
check "V5: ... and the server goes on" test -f "$MNT/p/disk.img"
# A pool stopped while a file writes it in place: the bytes land in its file all the same,
# and the close, where libvirt can no longer see the volume, must not say they were lost.
if [ "$path" = in-place ]; then
    make_pool stops start
    v vol-create-as stops kept.raw 1M >/dev/null
    check "V5: a pool stopped under a file writing it in place: the close succeeds" \
        python3 - "$MNT/stops/kept.raw" "$URI" <<'PY'
import os, subprocess, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
os.pwrite(fd, b"x" * 4096, 0)
subprocess.run(["virsh", "-q", "-c", sys.argv[2], "pool-destroy", "stops"], check=True,
               stdout=subprocess.DEVNULL)
os.pwrite(fd, b"y" * 4096, 4096)
os.close(fd)
PY
    check_eq "V5: ... the bytes are in its file" "$(printf 'x%.0s' $(seq 4096))$(printf 'y%.0s' $(seq 4096))" \
        "$(head -c 8192 "$SB/pools/stops/kept.raw")"
    check_fails "E2: ... and .errors says nothing was lost" "" grep -q "'/stops/kept.raw'" "$MNT/.errors"
fi
