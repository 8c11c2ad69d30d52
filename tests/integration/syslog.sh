#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# E2, logging: in the background the server logs to syslog, each failure once with the
# operation, the path and libvirt's message. The syslog socket is a receiver of the test's
# own at /dev/log, in a private mount namespace with a /dev of its own.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool demo start
mkdir -p "$MNT"

unshare -m bash -s >"$WORK/namespace.out" 2>&1 <<EOF2
mount --make-rprivate /
mount -t tmpfs virt-poolfs-test /dev
mknod -m 666 /dev/fuse c 10 229
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/urandom c 1 9
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
s.settimeout(30)
with open(sys.argv[1], "wb") as out:
    while True:
        try:
            message = s.recv(65536)
        except socket.timeout:
            break
        out.write(message + b"\n")
        out.flush()
' "$WORK/syslog" &
receiver=\$!
while [ ! -S /dev/log ]; do sleep 0.05; done
"$VIRT_POOLFS" "$URI" "$MNT" && echo "mounted in the background"
mkdir "$MNT/bad
name" 2>/dev/null || echo "mkdir failed as it should"
for _ in \$(seq 100); do grep -q "mkdir" "$WORK/syslog" && break; sleep 0.05; done
umount "$MNT"
kill \$receiver
EOF2

check "the server went to the background" grep -qx "mounted in the background" "$WORK/namespace.out"
check "a failing mkdir" grep -qx "mkdir failed as it should" "$WORK/namespace.out"
check "syslog got the failure, tagged virt-poolfs with its pid" \
    grep -qE "virt-poolfs\[[0-9]+\]: mkdir '/bad\\\\x0aname': cannot define pool" "$WORK/syslog"
check "... with libvirt's own message" grep -q "invalid char in name" "$WORK/syslog"
check_eq "... once" 1 "$(grep -c "mkdir '/bad" "$WORK/syslog")"
check_fails "nothing went to the terminal" "" grep -q "virt-poolfs:" "$WORK/namespace.out"
