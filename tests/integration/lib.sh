# SPDX-License-Identifier: LGPL-2.1-or-later
# The integration harness, sourced by each scenario: a private libvirtd (scripts/libvirtd-
# sandbox) in a temp dir, a mount of virt-poolfs over it, TAP assertions, and a cleanup by
# pid of everything started. $VIRT_POOLFS and $SANDBOX come from meson.
set -uo pipefail

: "${VIRT_POOLFS:?run through meson test}" "${SANDBOX:?run through meson test}"

# With VPFS_DAEMON=system the daemon is a root one in system mode: the whole scenario runs
# in private mount and PID namespaces, so that the daemon's directories, the pools it mounts
# and the mount of virt-poolfs are the scenario's alone, and the daemon dies with it even
# where a timeout's SIGKILL leaves no time to clean up.
if [ "${VPFS_DAEMON:-session}" = system ] && [ -z "${VPFS_NAMESPACE:-}" ]; then
    VPFS_HOST_MOUNT_NS=$(readlink /proc/self/ns/mnt) # for scripts/libvirtd-sandbox to check
    export VPFS_NAMESPACE=1 VPFS_HOST_MOUNT_NS
    exec unshare --mount --propagation private --pid --fork --kill-child --mount-proc -- "$0" "$@"
fi
# Who owns what is put straight into a pool's directory: the daemon's user.
POOL_OWNER=vpfs-sandbox
[ "${VPFS_DAEMON:-session}" = system ] && POOL_OWNER=root

WORK=$(mktemp -d /tmp/vpfs-test.XXXXXX)
chmod 755 "$WORK"
SB=$WORK/daemon # the daemon's state; its pools live under $SB/pools
MNT=$WORK/mnt
SERVER_PID=
TAP_COUNT=0
TAP_FAILED=0
EXTRA_CLEANUP=()

# TAP: one line per assertion, the plan at the end.
ok() { TAP_COUNT=$((TAP_COUNT + 1)); echo "ok $TAP_COUNT - $1"; }
not_ok() {
    TAP_COUNT=$((TAP_COUNT + 1))
    TAP_FAILED=$((TAP_FAILED + 1))
    echo "not ok $TAP_COUNT - $1"
    shift
    printf '%s\n' "$@" | sed 's/^/#   /'
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
    if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc" "failed: $*" "$out"; fi
}

# check_fails DESCRIPTION EXPECTED-MESSAGE COMMAND...: the command must fail, saying so.
check_fails() {
    local desc=$1 message=$2 out
    shift 2
    if out=$("$@" 2>&1); then
        not_ok "$desc" "succeeded: $*"
    elif [[ "$out" == *"$message"* ]]; then
        ok "$desc"
    else
        not_ok "$desc" "expected a message with: $message" "got: $out"
    fi
}

# virsh on the private daemon.
v() { virsh -q -c "$URI" "$@"; }

# field OUTPUT NAME: the value of "NAME: value" in virsh's OUTPUT, trailing blanks dropped.
field() { sed -nE "s/^$2: +(.*)/\1/p" <<<"$1" | sed -E 's/ +$//'; }
# number OUTPUT NAME: the number that value starts with ("1024 bytes" gives 1024).
number() { field "$1" "$2" | sed -nE 's/^([0-9]+).*/\1/p'; }

# wait_for DESCRIPTION COMMAND...: polls the command for up to 10 s.
wait_for() {
    local desc=$1
    shift
    for _ in $(seq 200); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "# timed out waiting for $desc" >&2
    return 1
}

# seconds_since START: the seconds since $EPOCHREALTIME was START, to two decimals.
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# timed DESCRIPTION COMMAND...: check, and the command's time as a TAP comment.
timed() {
    local start=$EPOCHREALTIME
    check "$@"
    echo "# $1: $(seconds_since "$start") s"
}

# within SECONDS DESCRIPTION COMMAND...: the command must succeed within that many seconds,
# polled every 50 ms.
within() {
    local limit=$1 desc=$2 start=$EPOCHREALTIME
    shift 2
    while ! "$@" >/dev/null 2>&1; do
        if awk -v a="$start" -v b="$EPOCHREALTIME" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then
            not_ok "$desc" "not within $limit s: $*"
            return
        fi
        sleep 0.05
    done
    ok "$desc"
}

# sandbox start|stop: the private daemon. With VPFS_TRANSPORT=tcp the mount and virsh reach
# it through qemu+tcp on the loopback (a remote transport: no file of the daemon's is used in
# place); VPFS_DAEMON=system makes it a system-mode daemon.
sandbox() {
    local options=()
    if [ "${VPFS_TRANSPORT:-unix}" = tcp ]; then
        TCP_PORT=${TCP_PORT:-$(free_port)}
        options+=(--tcp "$TCP_PORT")
    fi
    [ "${VPFS_DAEMON:-session}" = system ] && options+=(--system)
    "$SANDBOX" "$1" "$SB" "${options[@]}"
}

start_daemon() {
    URI=$(sandbox start) || { echo "Bail out! the private libvirtd did not start"; exit 1; }
}

# A TCP port on the loopback that nothing listens on.
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 20000))
        ss -Hltn "sport = :$port" | grep -q . || { echo "$port"; return; }
    done
}

# make_pool NAME [start]: a dir pool under the daemon's pools directory.
make_pool() {
    v pool-define-as "$1" dir --target "$SB/pools/$1" >/dev/null &&
        v pool-build "$1" >/dev/null &&
        if [ "${2:-}" = start ]; then v pool-start "$1" >/dev/null; fi
}

# make_tmpfs_pool NAME SIZE: a running dir pool on a tmpfs of its own (figures that hold
# still, a pool that fills up, another filesystem), unmounted at the end.
make_tmpfs_pool() {
    mkdir -p "$SB/pools/$1"
    mount -t tmpfs -o "size=$2,mode=0755" virt-poolfs-test "$SB/pools/$1"
    EXTRA_CLEANUP+=("umount '$SB/pools/$1'")
    chown "$POOL_OWNER:" "$SB/pools/$1"
    v pool-define-as "$1" dir --target "$SB/pools/$1" >/dev/null && v pool-start "$1" >/dev/null
}

# make_loop SIZE [LOSETUP-OPTION...]: a loop device over a sparse file of SIZE in $LOOP,
# detached at the end.
make_loop() {
    local image
    image=$(mktemp "$WORK/loop.XXXXXX")
    truncate -s "$1" "$image"
    shift
    LOOP=$(losetup -f --show "$@" "$image") || { echo "Bail out! no loop device"; exit 1; }
    EXTRA_CLEANUP+=("losetup -d '$LOOP'")
}

# mount_fs [OPTION...]: mounts $MNT in the foreground process $SERVER_PID, logging to
# $WORK/server.log, and waits until the mount answers.
mount_fs() {
    mkdir -p "$MNT"
    "$VIRT_POOLFS" -f "$@" "$URI" "$MNT" 2>>"$WORK/server.log" &
    SERVER_PID=$!
    if ! wait_for "the mount" mountpoint -q "$MNT"; then
        echo "Bail out! the mount did not come up: $(cat "$WORK/server.log")"
        exit 1
    fi
}

unmount_fs() {
    [ -n "$SERVER_PID" ] || return 0
    fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
    for _ in $(seq 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
}

# A sanitizer's report in the server's log fails the run: it is a bug even if no assertion saw it.
check_server_log() {
    if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK/server.log" 2>/dev/null; then
        not_ok "the server ran clean under the sanitizers" "$(grep -A30 -E 'Sanitizer|runtime error' "$WORK/server.log" | head -40)"
    fi
}

cleanup() {
    trap '' TERM INT # a second signal must not cut the cleanup short
    unmount_fs
    check_server_log
    for ((i = ${#EXTRA_CLEANUP[@]} - 1; i >= 0; i--)); do eval "${EXTRA_CLEANUP[i]}"; done # last made, first undone
    sandbox stop >/dev/null 2>&1
    rm -rf "$WORK"
    echo "1..$TAP_COUNT"
    [ "$TAP_FAILED" -eq 0 ]
}
trap 'cleanup; exit $?' EXIT
# A timeout's SIGTERM cleans up too, with a failed assertion, so the run fails.
trap 'not_ok "interrupted by a signal"; exit 143' TERM INT
