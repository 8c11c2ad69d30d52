#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# E3: when the daemon dies (kill -9) calls fail with EIO or ENOTCONN at once, when it hangs
# (SIGSTOP) within the keepalive bound, also calls already in flight, several at once,
# nothing hangs for good, the server never crashes, and once a daemon is back the same mount
# works again, with no remount; also with the daemon restarted while a large cp runs
# through it.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool p start
v pool-autostart p >/dev/null
mount_fs -o direct=never
server=$SERVER_PID
head -c 64M /dev/urandom >"$WORK/data"

daemon_pid() { cat "$SB/run/libvirt/libvirtd.pid"; }
# answers_fail DESCRIPTION COMMAND...: the command fails with EIO or ENOTCONN within 10 s.
answers_fail() {
    local desc=$1 out status
    shift
    out=$(timeout 10 "$@" 2>&1)
    status=$?
    if [ "$status" -eq 124 ]; then
        not_ok "$desc" "it hung: $*"
    elif [ "$status" -ne 0 ] && [[ "$out" == *"Transport endpoint is not connected"* ||
        "$out" == *"Input/output error"* ]]; then
        ok "$desc"
    else
        not_ok "$desc" "status $status: $out"
    fi
}

check "E3: the mount works" test -d "$MNT/p"
kill -9 "$(daemon_pid)"
answers_fail "E3: with the daemon killed, ls fails at once" ls "$MNT"
answers_fail "E3: ... and so does creating a volume" truncate -s 1M "$MNT/p/new.raw"
answers_fail "E3: ... and so does mkdir" mkdir "$MNT/q"
check "E3: ... and the server is still there" kill -0 "$server"
check "E3: ... and so is the mount" mountpoint -q "$MNT"

start_daemon
within 15 "E3: with a daemon back, the same mount lists the pool" ls "$MNT/p"
check "E3: ... and makes volumes" truncate -s 1M "$MNT/p/after.raw"
check "E3: ... that libvirt has" v vol-info --pool p after.raw
check_eq "E3: ... with no remount: the same server" "$server" "$SERVER_PID"

# A daemon that stops answering (SIGSTOP) is found out by keepalive: 2 s apart, 3 missed,
# so a call fails within about 8 s, and the mount comes back once the daemon answers again.
# fails_within SECONDS DESCRIPTION COMMAND...: the command fails, and within SECONDS.
fails_within() {
    local bound=$1 desc=$2 start=$SECONDS out status elapsed
    shift 2
    out=$(timeout 30 "$@" 2>&1)
    status=$?
    elapsed=$((SECONDS - start))
    if [ "$status" -ne 0 ] && [ "$status" -ne 124 ] && [ "$elapsed" -le "$bound" ]; then
        ok "$desc (${elapsed} s)"
    else
        not_ok "$desc" "status $status after $elapsed s: $out"
    fi
}
kill -STOP "$(daemon_pid)"
fails_within 15 "E3: with the daemon frozen, a call fails within the keepalive bound" ls "$MNT/p"
# Reconnecting to a frozen daemon never ends: it must not hold every later call with it.
fails_within 15 "E3: ... and so does the next one, which tries to reconnect" stat "$MNT/p/after.raw"
# (The three at once fail as one command only if every one of them fails.)
fails_within 15 "E3: ... and three at once" bash -c "ls '$MNT/p' & stat '$MNT/p/after.raw' &
    truncate -s 1M '$MNT/p/frozen.raw' & for job in \$(jobs -p); do wait \$job && exit 0; done; exit 1"
fails_within 2 "E3: ... and, the reconnection still pending, at once" ls "$MNT/p"
kill -CONT "$(daemon_pid)"
within 15 "E3: once the daemon answers again, the mount works" ls "$MNT/p"
check "E3: ... and makes volumes" truncate -s 1M "$MNT/p/thawed.raw"

# Calls already waiting for the daemon when it froze: several at once, and one while a file
# is written through streams. libvirt 9.0's client let a call wait behind another one on the
# same connection with no bound, and crashed when the daemon answered again; each thread now
# calls on a connection of its own (ops/connection.c). Whatever happens, the daemon is let go
# after the checks, so that a call that hangs cannot hang the test.
bash -c 'while head -c 1M /dev/zero; do sleep 0.05; done' >"$MNT/p/slow.raw" 2>/dev/null &
writer=$!
wait_for "the writer's first bytes in the pool" test -s "$SB/pools/p/slow.raw"
kill -STOP "$(daemon_pid)"
frozen=$EPOCHREALTIME
callers=()
for i in 1 2 3 4; do
    (! stat "$MNT/p/absent-$i" && touch "$WORK/failed-$i") >/dev/null 2>&1 &
    callers+=($!)
done
all_failed() { for i in 1 2 3 4; do [ -e "$WORK/failed-$i" ] || return 1; done; }
within 15 "E3: calls in flight when the daemon froze, four at once, each fail within the bound" \
    all_failed
# The writer's close then waits for one reconnection at most, as long again: 20 s from the
# freeze.
within "$(awk -v a="$frozen" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", 20 - (b - a) }')" \
    "E3: ... and a write through streams fails within twice the bound" bash -c "! kill -0 $writer"
kill "$writer" 2>/dev/null # one that did not fail would write on for ever
kill -CONT "$(daemon_pid)"
wait "$writer" "${callers[@]}"
within 15 "E3: ... and once the daemon answers, the mount works" ls "$MNT/p"
check "E3: ... the same server" kill -0 "$server"
rm -f "$MNT/p/slow.raw"

# A read through streams waits for the daemon's bytes with no call in flight (ops/download.c),
# and libvirt does not tell it that the connection died: the reader must find out itself.
# The volume is large enough that the daemon is still sending it when the signal comes.
head -c 512M /dev/urandom >"$SB/pools/p/stream.raw"
chown "$POOL_OWNER:" "$SB/pools/p/stream.raw"
v pool-refresh p >/dev/null
has_read() { [ "$(awk '/^rchar/ { print $2 }' "/proc/$1/io")" -ge $((4 << 20)) ]; }
# cut_read SIGNAL BOUND DESCRIPTION: a cat of stream.raw through the mount, whose daemon gets
# SIGNAL once cat has read 4 MiB, fails with EIO or ENOTCONN within BOUND seconds.
cut_read() {
    local signal=$1 bound=$2 desc=$3 reader start status
    cat "$MNT/p/stream.raw" >/dev/null 2>"$WORK/read.err" &
    reader=$!
    wait_for "cat to read" has_read "$reader"
    kill "-$signal" "$(daemon_pid)"
    start=$EPOCHREALTIME
    if ! timeout 30 tail --pid="$reader" -f /dev/null; then
        kill -9 "$reader"
        wait "$reader"
        not_ok "$desc" "it hung for 30 s"
        return
    fi
    wait "$reader"
    status=$?
    if [ "$status" -ne 0 ] && grep -qE "Input/output error|not connected" "$WORK/read.err" &&
        awk -v a="$start" -v b="$EPOCHREALTIME" -v l="$bound" 'BEGIN { exit !(b - a <= l) }'; then
        ok "$desc ($(seconds_since "$start") s)"
    else
        not_ok "$desc" "status $status after $(seconds_since "$start") s: $(cat "$WORK/read.err")"
    fi
}
cut_read STOP 15 "E3: a read through streams fails within the keepalive bound when the daemon freezes"
kill -CONT "$(daemon_pid)"
within 15 "E3: ... and once the daemon answers again, the volume reads whole" \
    cmp "$MNT/p/stream.raw" "$SB/pools/p/stream.raw"
cut_read KILL 2 "E3: a read through streams fails at once when the daemon is killed"
start_daemon
within 15 "E3: ... and once a daemon is back, the volume reads whole" \
    cmp "$MNT/p/stream.raw" "$SB/pools/p/stream.raw"
rm -f "$SB/pools/p/stream.raw"
v pool-refresh p >/dev/null

# The daemon stopped and started again while a large cp runs through the mount.
cp "$WORK/data" "$MNT/p/big.raw" 2>"$WORK/cp.err" &
copier=$!
sleep 0.2
sandbox stop
start_daemon
if timeout 60 tail --pid="$copier" -f /dev/null; then
    wait "$copier"
    copied=$?
    if [ "$copied" -eq 0 ]; then
        check "E3: a cp that went on across the restart has every byte" cmp "$WORK/data" "$MNT/p/big.raw"
    else
        check "E3: a cp cut by the restart says why" grep -qE "Input/output error|not connected|No such file" "$WORK/cp.err"
    fi
else
    not_ok "E3: a cp across a restart ends" "it hung for 60 s"
fi
within 15 "E3: after the restart a new cp works" cp "$WORK/data" "$MNT/p/again.raw"
check "E3: ... with every byte" cmp "$WORK/data" "$SB/pools/p/again.raw"
