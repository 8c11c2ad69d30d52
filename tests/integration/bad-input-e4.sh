#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# E4, E1: bad input through the mount gets a clear errno and the server keeps running:
# overlong names, control bytes and invalid UTF-8, dot tricks, XML entities and bombs, a
# 100 MiB XML write, files beside the pools past 64 MiB in all, attribute values that are no
# numbers, absurd offsets, and operations racing on one name.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool p start
v vol-create-as p a.raw 1M >/dev/null
mount_fs

# Before any NAME.xml is written: a writer's copy of one counts until its release comes.
# Four files of 16 MiB fill what files beside the pools may hold together.
for n in 1 2 3 4; do head -c 16M /dev/zero >"$MNT/junk$n"; done
check_fails "E4: files beside the pools hold 64 MiB in all (ENOSPC)" "No space left on device" \
    sh -c "head -c 1M /dev/zero > '$MNT/junk5'"
check_eq "E4: ... the four before it are whole" "16777216 16777216 16777216 16777216" \
    "$(stat -c %s "$MNT"/junk[1-4] | xargs)"
rm -f "$MNT"/junk[1-5]
# (Released by the kernel after close, asynchronously: polled.)
within 10 "E4: ... and removing them gives the memory back" \
    sh -c "head -c 16M /dev/zero > '$MNT/junk1' && rm '$MNT/junk1'"
rm -f "$MNT/junk1"

long=$(printf 'x%.0s' $(seq 256))
check_fails "E4: a name over 255 bytes is ENAMETOOLONG" "File name too long" touch "$MNT/p/$long"
check_fails "E4: a pool name over 255 bytes too" "File name too long" mkdir "$MNT/$long"
check_fails "E4: a control byte in a volume name is EINVAL" "Invalid argument" \
    touch "$MNT/p/$(printf 'a\033b')"
check_fails "E4: invalid UTF-8 in a volume name is EINVAL" "Invalid argument" \
    touch "$MNT/p/$(printf 'bad\377\376.raw')"
check_fails "E4: invalid UTF-8 in a pool name is EINVAL" "Invalid argument" \
    mkdir "$MNT/$(printf 'bad\377')"
check "E4: .. from a pool is the root" test "$(stat -c %i "$MNT/p/..")" = "$(stat -c %i "$MNT")"
check_fails "E4: a volume's dot entries lead nowhere" "Not a directory" ls "$MNT/p/a.raw/."
check_fails "E4: an entity bomb is refused (a DOCTYPE)" "Invalid argument" sh -c "
    { printf '<!DOCTYPE pool [<!ENTITY a \"aaaaaaaaaa\">'
      printf '<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>'
      virsh -q -c '$URI' pool-dumpxml --inactive p | sed 's|<name>p</name>|<name>p&c;</name>|'
    } | cat > '$MNT/p.xml'"
check_fails "E4: a 100 MiB XML write stops at the limit (EFBIG)" "File too large" \
    sh -c "head -c 100M /dev/zero | tr '\\0' ' ' | cat > '$MNT/p.xml'"
check_fails "E4: a capacity that is no number is EINVAL" "Invalid argument" \
    setfattr -n user.libvirt.capacity -v 12abc "$MNT/p/a.raw"
check_fails "E4: a capacity that overflows is EINVAL" "Invalid argument" \
    setfattr -n user.libvirt.capacity -v 99999999999999999999999 "$MNT/p/a.raw"
check_fails "E4: a write at an absurd offset fails" "" \
    dd if=/dev/zero of="$MNT/p/a.raw" bs=1 count=1 seek=9223372036854775000 conv=notrunc status=none
check_eq "E4: ... and the volume is unchanged" 1048576 "$(stat -c %s "$SB/pools/p/a.raw")"

# Operations racing on one name: creates, writes, truncates and removals at once.
race() {
    local end=$((SECONDS + 3))
    while [ "$SECONDS" -lt "$end" ]; do
        case $((RANDOM % 4)) in
        0) truncate -s 1M "$MNT/p/race.raw" ;;
        1) head -c 64K /dev/urandom >"$MNT/p/race.raw" ;;
        2) rm -f "$MNT/p/race.raw" ;;
        3) stat "$MNT/p/race.raw" >/dev/null ;;
        esac 2>/dev/null
    done
}
pids=()
for _ in 1 2 3 4; do race & pids+=($!); done
wait "${pids[@]}"
check "E4: after racing operations the server still runs" kill -0 "$SERVER_PID"
check "E4: ... and answers" ls "$MNT/p"
check_eq "E4: ... and the mount agrees with virsh" \
    "$(v vol-list p | sed -E "s|.*$SB/pools/p/||" | sort | xargs)" \
    "$(ls -A "$MNT/p" | sort | xargs)"

# A forced unmount cuts the connection while files are open: the kernel then never sends
# their releases. The server exits, freeing what they held (the sanitizers' check of the
# server's log, at the end, sees a handle left behind).
exec 3<"$MNT/.errors" 4<"$MNT/p/a.raw"
head -c 1 <&4 >/dev/null
umount -f "$MNT" 2>/dev/null # busy, so it stays mounted; the connection is cut all the same
exec 3<&- 4<&-
within 10 "E4: after a forced unmount the server exits" sh -c "! kill -0 $SERVER_PID"
umount -l "$MNT"
