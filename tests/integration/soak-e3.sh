#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# E3, E4, V5: a soak. Three writers copy, read back and remove volumes for SOAK_SECONDS
# (default 60) while the daemon is restarted twice. Each keeps a ledger of what it knows is
# in the pool; at the end every volume's bytes match the ledger, virsh and the mount agree,
# and the server's memory has not grown without bound. The figures are printed as TAP
# comments (docs/soak.md has those of a longer run).
. "$(dirname "$0")/lib.sh"

seconds=${SOAK_SECONDS:-60}
start_daemon
make_pool p start
v pool-autostart p >/dev/null
# ASan keeps freed memory in quarantine (256 MiB by default), which would look like growth.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=8"
mount_fs
for k in 1 2 3 4; do head -c $((k * 256))K /dev/urandom >"$WORK/data$k"; done

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status"; }
# writer ID: copies, reads back and removes its own volumes until the end, writing a ledger
# ("NAME CKSUM" of what is surely in the pool), its counts, and names left in doubt.
writer() {
    local id=$1 n=0 done=0 failed=0 end=$((SECONDS + seconds))
    declare -A ledger=()
    local doubt=()
    while [ "$SECONDS" -lt "$end" ]; do
        n=$((n + 1))
        local name="w$id-$((n % 12)).raw" k=$((RANDOM % 4 + 1))
        case $((RANDOM % 3)) in
        0 | 1)
            if cp "$WORK/data$k" "$MNT/p/$name" 2>/dev/null; then
                ledger[$name]=$(cksum <"$WORK/data$k")
            else
                unset "ledger[$name]"
                doubt+=("$name")
                failed=$((failed + 1))
            fi
            ;;
        2)
            if rm -f "$MNT/p/$name" 2>/dev/null; then
                unset "ledger[$name]"
            else
                doubt+=("$name")
                failed=$((failed + 1))
            fi
            ;;
        esac
        done=$((done + 1))
        # A read back of something the ledger holds must give its bytes, or fail loudly.
        for known in "${!ledger[@]}"; do
            # cat, not cksum <file: cksum takes a read error for the end of the file.
            got=$(cat "$MNT/p/$known" 2>/dev/null | cksum) || { failed=$((failed + 1)); break; }
            [ "$got" = "${ledger[$known]}" ] || echo "w$id: $known read back $got, not ${ledger[$known]}" >>"$WORK/wrong"
            break
        done
    done
    for name in "${!ledger[@]}"; do echo "$name ${ledger[$name]}"; done >"$WORK/ledger$id"
    printf '%s\n' "${doubt[@]}" | sort -u >"$WORK/doubt$id"
    echo "$done $failed" >"$WORK/counts$id"
}

: >"$WORK/wrong"
within 5 "soak: the mount answers before the start" ls "$MNT/p"
rss_start=$(rss_kib)
pids=()
for id in 1 2 3; do writer "$id" & pids+=($!); done
for restart in 1 2; do
    sleep $((seconds / 3)) # the load runs meanwhile: this is the soak's own pace
    sandbox stop
    start_daemon
    echo "# daemon restarted ($restart)"
done
wait "${pids[@]}"
within 15 "soak: the mount answers after the restarts" ls "$MNT/p"
rss_end=$(rss_kib)

# Names in doubt (an operation failed while the daemon was away) that the ledger does not
# vouch for are removed; everything else must be exactly the ledger.
cat "$WORK"/ledger* | sort >"$WORK/ledger"
for name in $(cat "$WORK"/doubt*); do
    grep -q "^$name " "$WORK/ledger" || rm -f "$MNT/p/$name"
done
ops=$(cat "$WORK"/counts* | awk '{ s += $1 } END { print s }')
failures=$(cat "$WORK"/counts* | awk '{ s += $2 } END { print s }')
echo "# soak: $seconds s, $ops operations, $failures failed while the daemon was away (expected)"
echo "# soak: server memory $((rss_start / 1024)) MiB at the start, $((rss_end / 1024)) MiB at the end"
check "soak: operations were done" test "$ops" -gt 30
check_eq "soak: no read gave wrong bytes" "" "$(cat "$WORK/wrong")"
bad=""
while read -r name sum; do
    [ "$(cksum <"$SB/pools/p/$name")" = "$sum" ] || bad="$bad $name"
done <"$WORK/ledger"
check_eq "soak: every volume's bytes match the ledger" "" "$bad"
check_eq "soak: virsh has exactly the ledger's volumes" "$(cut -d' ' -f1 "$WORK/ledger" | xargs)" \
    "$(v vol-list p | sed -E "s|.*$SB/pools/p/||" | sort | xargs)"
check_eq "soak: the mount has exactly the ledger's volumes" "$(cut -d' ' -f1 "$WORK/ledger" | xargs)" \
    "$(ls -A "$MNT/p" | sort | xargs)"
check "soak: the server's memory grew by less than 64 MiB" test $((rss_end - rss_start)) -lt 65536
