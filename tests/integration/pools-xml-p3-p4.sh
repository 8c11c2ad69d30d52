#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# P3, P4, E1, E2: NAME.xml written the ways editors and tools write files defines the pool;
# a bad definition fails the write, leaves the old definition byte for byte, and says why.
# L3: NAME.xml's modification time follows a change of its definition.
. "$(dirname "$0")/lib.sh"

start_daemon
make_pool p1 start
mkdir "$SB/pools/tp" && chown "$POOL_OWNER:" "$SB/pools/tp"
v pool-create-as tp dir --target "$SB/pools/tp" >/dev/null # transient
mount_fs -d

mode_of() { v pool-dumpxml --inactive "$1" | sed -nE 's|.*<mode>([0-7]+)</mode>.*|\1|p' | head -1; }
pools() { v pool-list --all --persistent --name | sed -e 's/ *$//' -e '/^$/d' | sort | xargs; }
# The root should hold the pools, their definitions and the error log; nothing else remains.
root_files() { ls -A "$MNT" | sort | xargs; }

check "P3: sed -i" sed -i 's|<mode>[0-7]*</mode>|<mode>0750</mode>|' "$MNT/p1.xml"
check_eq "P3: sed -i changed the definition" 0750 "$(mode_of p1)"
# L3: NAME.xml's modification time follows its definition, so that a backup by rsync, which
# skips a file of the same size and time, takes a change that keeps the size.
mkdir "$WORK/backup"
rsync -a "$MNT/p1.xml" "$WORK/backup/"
saved=$(stat -c %Y "$WORK/backup/p1.xml")
wait_for "a second past NAME.xml's time" sh -c "[ \$(date +%s) -gt $saved ]"
sed -i 's|<mode>0750</mode>|<mode>0700</mode>|' "$MNT/p1.xml"
check_eq "L3: a definition changed, its size kept" "$(stat -c %s "$WORK/backup/p1.xml")" \
    "$(stat -c %s "$MNT/p1.xml")"
check "L3: ... NAME.xml's modification time is later" test "$(stat -c %Y "$MNT/p1.xml")" -gt "$saved"
rsync -a "$MNT/p1.xml" "$WORK/backup/"
check_eq "L3: ... and rsync -a takes the change" "$(v pool-dumpxml --inactive p1)" \
    "$(cat "$WORK/backup/p1.xml")"
check_eq "L3: ... which stays its time while it stays" "$(stat -c %Y "$MNT/p1.xml")" \
    "$(stat -c %Y "$WORK/backup/p1.xml")"
# The new definition is the pool's next start's: the running pool's directory keeps the mode
# it has (E5: a mode loosened in NAME.xml gives nobody access before then).
check_eq "E5, L1: ... the running pool's directory keeps its live mode" \
    "$(stat -c %a "$SB/pools/p1")" "$(stat -c %a "$MNT/p1")"
v vol-create-as p1 kept.raw 1M >/dev/null
mkdir "$SB/pools/p1-next" && chown "$POOL_OWNER:" "$SB/pools/p1-next"
check "P3: a new target path for a running pool" \
    sed -i "s|<path>$SB/pools/p1</path>|<path>$SB/pools/p1-next</path>|" "$MNT/p1.xml"
check_eq "L1: ... its volumes are still those of the directory it runs on" kept.raw \
    "$(ls "$MNT/p1")"
sed -i "s|<path>$SB/pools/p1-next</path>|<path>$SB/pools/p1</path>|" "$MNT/p1.xml"
v vol-delete --pool p1 kept.raw >/dev/null

for backupcopy in yes no auto; do
    mode=$(case $backupcopy in yes) echo 0700 ;; no) echo 0755 ;; auto) echo 0711 ;; esac)
    : >"$WORK/server.log.mark"
    check "P3: vim with backupcopy=$backupcopy" timeout 30 vim -Es -u NONE -i NONE \
        -c "set nocompatible backupcopy=$backupcopy writebackup backupskip= swapfile" \
        -c "%s#<mode>[0-7]*</mode>#<mode>$mode</mode>#" -c wq "$MNT/p1.xml"
    check_eq "P3: vim with backupcopy=$backupcopy changed the definition" "$mode" "$(mode_of p1)"
done
# What vim did through the mount, from the -d log: its probe, swap and backup files.
check "P3: vim probed the directory with 4913" grep -q "create '/4913'" "$WORK/server.log"
check "P3: vim made its swap file beside NAME.xml" grep -q "create '/.p1.xml.swp'" "$WORK/server.log"
check "P3: vim backupcopy=yes copied to a backup" grep -q "create '/p1.xml~'" "$WORK/server.log"
check "P3: vim backupcopy=no renamed to a backup" \
    grep -q "rename '/p1.xml' '/p1.xml~'" "$WORK/server.log"

check "P3: a Python atomic replace" python3 - "$MNT/p1.xml" <<'PY'
import os, sys, tempfile
target = sys.argv[1]
text = open(target).read().replace("<mode>0711</mode>", "<mode>0770</mode>")
fd, temporary = tempfile.mkstemp(dir=os.path.dirname(target))
with os.fdopen(fd, "w") as f:
    f.write(text)
    f.flush()
    os.fsync(f.fileno())
os.replace(temporary, target)
PY
check_eq "P3: the atomic replace changed the definition" 0770 "$(mode_of p1)"

v pool-dumpxml --inactive p1 | sed 's|<mode>0770</mode>|<mode>0751</mode>|' >"$WORK/p1.xml"
check "P3: truncate and write in place" sh -c "cat '$WORK/p1.xml' > '$MNT/p1.xml'"
check_eq "P3: the write in place changed the definition" 0751 "$(mode_of p1)"

cat >"$WORK/p2.xml" <<EOF2
<pool type='dir'>
  <name>p2</name>
  <target><path>$SB/pools/p2</path></target>
</pool>
EOF2
check "P3: cp of a new NAME.xml" cp "$WORK/p2.xml" "$MNT/p2.xml"
check_eq "P3: the new pool is built and running" running \
    "$(v pool-info p2 | sed -nE 's/^State: +//p')"
check "P3: the new pool's directory is there" test -d "$SB/pools/p2"
check_eq "P3: editors' files never reached libvirt" "p1 p2" "$(pools)"
check_eq "P3: and none is left beside the definitions" ".errors p1 p1.xml p2 p2.xml tp tp.xml" \
    "$(root_files)"
check "C1: the new definition reads back as libvirt has it" \
    cmp <(v pool-dumpxml --inactive p2) "$MNT/p2.xml"

# P4: each bad definition fails the writing tool; the old one stays byte for byte.
v pool-dumpxml --inactive p1 >"$WORK/before.xml"
# bad_definition DESCRIPTION MESSAGE-IN-.errors COMMAND...
bad_definition() {
    local desc=$1 message=$2
    shift 2
    check_fails "P4: $desc fails the write" "" "$@"
    check "P4: $desc leaves the definition byte for byte" \
        cmp "$WORK/before.xml" <(v pool-dumpxml --inactive p1)
    check "E2: $desc is explained in .errors" grep -q -- "$message" "$MNT/.errors"
}
bad_definition "malformed XML" "malformed XML" sh -c "echo '<pool type=' | cat > '$MNT/p1.xml'"
bad_definition "a name mismatch" "defines pool 'other'" \
    sed -i 's|<name>p1</name>|<name>other</name>|' "$MNT/p1.xml"
bad_definition "an unknown pool type" "unknown storage pool type\|Invalid value for attribute 'type'" \
    sed -i "s|<pool type='dir'>|<pool type='nonsense'>|" "$MNT/p1.xml"
bad_definition "a definition libvirt refuses" "libvirt refused" \
    sed -i "s|<path>$SB/pools/p1</path>|<path>$SB/pools/p2</path>|" "$MNT/p1.xml"
bad_definition "an XML entity" "DOCTYPE" sh -c "
    printf '<!DOCTYPE pool [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n' > '$WORK/entity.xml'
    sed 's|<name>p1</name>|<name>p1&x;</name>|' '$WORK/before.xml' >> '$WORK/entity.xml'
    cp '$WORK/entity.xml' '$MNT/p1.xml'"
check_eq "P4: refused writes leave no file behind and reach no pool" \
    ".errors p1 p1.xml p2 p2.xml tp tp.xml / p1 p2" "$(root_files) / $(pools)"
check_fails "P4: the definition of a transient pool cannot be written" "Permission denied" \
    sh -c "echo x > '$MNT/tp.xml'"
check_fails "L3, P4: ... nor replaced as sed -i does (a temporary file renamed onto it)" \
    "Permission denied" sed -i 's|<pool |<pool  |' "$MNT/tp.xml"
check_fails "L3, P4: ... nor by mv" "Permission denied" \
    sh -c "cat '$MNT/tp.xml' > '$MNT/tp.new' && mv '$MNT/tp.new' '$MNT/tp.xml'"
check_eq "P4: ... and the transient pool stays as it was" "tp" \
    "$(v pool-list --transient --name | xargs)"
# Tools that remove a file before writing it anew (P3).
v pool-dumpxml --inactive p1 >"$WORK/p1-new.xml"
for how in install cp mv; do
    mode=$(case $how in install) echo 0701 ;; cp) echo 0705 ;; mv) echo 0710 ;; esac)
    sed -i "s|<mode>[0-7]*</mode>|<mode>$mode</mode>|" "$WORK/p1-new.xml"
    cp "$WORK/p1-new.xml" "$WORK/p1-$how.xml"
    case $how in
    install) check "P3: install onto NAME.xml" install -m 644 "$WORK/p1-$how.xml" "$MNT/p1.xml" ;;
    cp) check "P3: cp --remove-destination onto NAME.xml" \
        cp --remove-destination "$WORK/p1-$how.xml" "$MNT/p1.xml" ;;
    mv) check "P3: mv from another filesystem onto NAME.xml" mv "$WORK/p1-$how.xml" "$MNT/p1.xml" ;;
    esac
    check_eq "P3: ... defined the pool" "$mode" "$(mode_of p1)"
done
# Removed while another process has it open, libfuse renames it to a hidden name instead.
exec 3<"$MNT/p1.xml"
sed "s|<mode>[0-7]*</mode>|<mode>0750</mode>|" "$WORK/p1-new.xml" >"$WORK/p1-open.xml"
check "P3: install onto NAME.xml while another process has it open" \
    install -m 644 "$WORK/p1-open.xml" "$MNT/p1.xml"
check_eq "P3: ... defined the pool" 0750 "$(mode_of p1)"
exec 3<&-
check "P3: rm of NAME.xml leaves the pool defined (rmdir removes it)" \
    sh -c "rm '$MNT/p1.xml' && virsh -q -c '$URI' pool-info p1 >/dev/null"
check_fails "P3: ... and hides NAME.xml for a while, to be written anew" "No such file" \
    stat "$MNT/p1.xml"
check "P3: ... as cp does" cp "$WORK/p1-new.xml" "$MNT/p1.xml"
check "P3: ... after which it shows the pool's definition" \
    grep -q "<mode>0710</mode>" "$MNT/p1.xml"
make_pool again start
rm "$MNT/again.xml" && rmdir "$MNT/again"
make_pool again start
check "P3: a pool made again just after its NAME.xml was removed shows its NAME.xml" \
    test -f "$MNT/again.xml"
rmdir "$MNT/again"
check_fails "P3: a transient pool's definition cannot be removed" "Operation not permitted" \
    rm "$MNT/tp.xml"
# A new pool that libvirt defines but cannot build: the close says why, and so does .errors,
# although the errno is ENOENT (no lookup's answer here).
echo "<pool type='dir'><name>nodir</name><target><path>/proc/none/nodir</path></target></pool>" \
    >"$WORK/nodir.xml"
check_fails "P4: a new pool whose target cannot be made fails at close" "No such file" \
    cp "$WORK/nodir.xml" "$MNT/nodir.xml"
check "E2: ... and .errors says why" grep -q "'/nodir.xml'.*cannot build pool" "$MNT/.errors"
