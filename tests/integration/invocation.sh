#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Invocation: virt-poolfs [options] [URI] MOUNTPOINT. Bad options and unreachable URIs fail
# with one line before anything is mounted; without -f the server leaves the terminal.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool demo start
mkdir -p "$MNT"

# fails_cleanly DESCRIPTION EXPECTED-MESSAGE ARGS...: non-zero, one line, nothing mounted.
fails_cleanly() {
    local desc=$1 message=$2 status
    shift 2
    timeout 30 "$VIRT_POOLFS" "$@" >"$WORK/out" 2>"$WORK/err"
    status=$?
    if [ "$status" -eq 0 ] || [ "$status" -eq 124 ]; then
        not_ok "$desc" "exit status $status"
    elif [ "$(wc -l <"$WORK/err")" -ne 1 ] || ! grep -q -- "$message" "$WORK/err"; then
        not_ok "$desc" "expected one line with: $message" "got: $(cat "$WORK/err")"
    elif mountpoint -q "$MNT"; then
        not_ok "$desc" "it mounted"
    else
        ok "$desc"
    fi
}

fails_cleanly "a bad option value" "cache_ttl=abc" -o cache_ttl=abc "$URI" "$MNT"
fails_cleanly "an unknown option" "--bogus" --bogus "$URI" "$MNT"
fails_cleanly "an unknown mount option" "nosuchoption" -o nosuchoption "$URI" "$MNT"
fails_cleanly "no mountpoint" "mountpoint" "$URI"
fails_cleanly "a missing mountpoint" "No such file or directory" "$URI" "$WORK/missing"
mkdir -p "$WORK/full" && touch "$WORK/full/file"
fails_cleanly "a mountpoint that is not empty" "is not empty" "$URI" "$WORK/full"
fails_cleanly "an unreachable URI" "cannot connect" \
    "qemu+unix:///session?socket=$WORK/no-such-socket" "$MNT"

check_eq "--help fits on a screen" yes \
    "$("$VIRT_POOLFS" --help | awk 'END { print (NR <= 24 && NR > 5) ? "yes" : "no" }')"
check "--help shows the usage" sh -c "'$VIRT_POOLFS' --help | grep -q '^usage: .*\[URI\] MOUNTPOINT'"
check_eq "-V prints the version" "virt-poolfs 0.1.0" "$("$VIRT_POOLFS" -V)"

# Without -f the command returns once mounted and the server goes on in the background.
"$VIRT_POOLFS" "$URI" "$MNT" 2>"$WORK/err"
check_eq "without -f it returns success" "0" "$?"
check "without -f the mount serves" test -d "$MNT/demo"
"$VIRT_POOLFS" "$URI" "$MNT" 2>"$WORK/err"
check_eq "a mountpoint already mounted fails with one line" \
    "1 virt-poolfs: mountpoint '$MNT' is already a mount point (see --help)" \
    "$(wc -l <"$WORK/err") $(cat "$WORK/err")"
server=$(ps -eo pid=,args= | grep -F -- "virt-poolfs $URI $MNT" | grep -v grep | awk '{ print $1 }')
check "without -f the server runs on" test -n "$server"
fusermount3 -u "$MNT"
check "unmounting ends the background server" wait_for "the server to exit" \
    sh -c "! kill -0 $server 2>/dev/null"

# The URI by -c, and by $LIBVIRT_DEFAULT_URI when none is given.
mount_fs_with() {
    "$@" >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    wait_for "the mount" mountpoint -q "$MNT"
}
mount_fs_with "$VIRT_POOLFS" -f -c "$URI" "$MNT"
check "-c URI connects to that URI" test -d "$MNT/demo"
unmount_fs
mount_fs_with env LIBVIRT_DEFAULT_URI="$URI" "$VIRT_POOLFS" -f "$MNT"
check "\$LIBVIRT_DEFAULT_URI is the default URI" test -d "$MNT/demo"
unmount_fs

# -d: a line per operation and per libvirt call.
: >"$WORK/debug.log"
"$VIRT_POOLFS" -d "$URI" "$MNT" 2>"$WORK/debug.log" &
SERVER_PID=$!
wait_for "the mount" mountpoint -q "$MNT"
ls "$MNT" >/dev/null
check "-d logs each operation" grep -q "readdir '/'" "$WORK/debug.log"
check "-d logs each libvirt call" grep -q "libvirt: virConnectListAllStoragePools" "$WORK/debug.log"
unmount_fs
cat "$WORK/debug.log" >>"$WORK/server.log"
