/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Volumes made, resized, copied, moved and removed (../shared/SPEC.md V1-V4, V6). libvirt
 * has no rename: a move is a rename of the host file where both pools are local directories
 * on one filesystem, else a clone and a delete. Data never passes through this process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "ops/ops-private.h"

/* How long a move waits for libvirt to refresh a pool another call has a job on: 20 s. */
#define REFRESH_TRIES 200
#define REFRESH_WAIT  (100 * 1000) /* µs */

/* The XML of a new volume @name; no format element where @format is NULL (the pool's
 * default), no permissions where @mode is OPS_UNKNOWN. */
static char *
volume_xml(const char *name, guint64 capacity, guint64 allocation, const char *format, guint32 mode)
{
    GString *xml = g_string_new(NULL);
    g_autofree char *name_xml = g_markup_printf_escaped("<name>%s</name>", name);
    g_autofree char *format_xml =
        format ? g_markup_printf_escaped("<format type='%s'/>", format) : NULL;

    g_string_append_printf(xml,
                           "<volume>%s<capacity>%" G_GUINT64_FORMAT "</capacity>"
                           "<allocation>%" G_GUINT64_FORMAT "</allocation><target>%s",
                           name_xml, capacity, allocation, format_xml ? format_xml : "");
    if (mode != OPS_UNKNOWN)
        g_string_append_printf(xml, "<permissions><mode>0%o</mode></permissions>", mode & 07777);
    g_string_append(xml, "</target></volume>");
    return g_string_free(xml, FALSE);
}

static gboolean
create_volume(OpsConnection *conn, const char *pool_name, const char *name, const char *format,
              guint64 capacity, guint64 allocation, guint32 mode, GError **error)
{
    g_autoptr(virStoragePool) pool = ops_pool_lookup(conn, pool_name, error);
    g_autoptr(virStorageVol) volume = NULL;
    g_autofree char *xml = volume_xml(name, capacity, allocation, format, mode);

    if (!pool)
        return FALSE;
    g_debug("libvirt: virStorageVolCreateXML(%s, %s, %s, %" G_GUINT64_FORMAT ")", pool_name, name,
            format ? format : "no format", capacity);
    volume = virStorageVolCreateXML(pool, xml, 0);
    if (!volume)
        return ops_step_failed(error, "cannot create volume", name);
    return TRUE;
}

gboolean
ops_volume_create(OpsConnection *conn, const char *pool_name, const char *name, const char *format,
                  guint64 capacity, guint32 mode, GError **error)
{
    return create_volume(conn, pool_name, name, format, capacity, capacity, mode, error);
}

/* Whether pool @name has less than @bytes available: what libvirt refuses an allocation for
 * with a mere "operation failed". */
static gboolean
pool_lacks(OpsConnection *conn, const char *name, guint64 bytes)
{
    g_autoptr(OpsPool) pool = ops_pool_get(conn, name, NULL);

    return pool && pool->available < bytes;
}

/* Volume @name of @pool deleted and made anew, with its mode, in @format (NULL: its own), of
 * @capacity with @allocation. */
static gboolean
remake(OpsConnection *conn, const char *pool, const char *name, const char *format,
       guint64 capacity, guint64 allocation, GError **error)
{
    g_autoptr(OpsVolume) old = ops_volume_get(conn, pool, name, error);

    if (!old)
        return FALSE;
    return ops_volume_delete(conn, pool, name, error) &&
           create_volume(conn, pool, name, format ? format : old->format, capacity, allocation,
                         old->perms.mode == OPS_UNKNOWN ? 0600 : old->perms.mode, error);
}

gboolean
ops_volume_replace(OpsConnection *conn, const char *pool, const char *name, const char *format,
                   GError **error)
{
    return remake(conn, pool, name, format, 0, 0, error);
}

/* Whether @volume, a file, holds raw bytes (no format named is raw too). */
static gboolean
is_raw(virStorageVolPtr volume)
{
    g_autofree char *xml = virStorageVolGetXMLDesc(volume, 0);
    g_autoptr(OpsVolume) record = xml ? ops_volume_parse_xml(xml, NULL) : NULL;

    return record && (!record->format || g_str_equal(record->format, "raw"));
}

gboolean
ops_volume_resize(OpsConnection *conn, const char *pool_name, const char *name, guint64 capacity,
                  gboolean allocate, gboolean fresh, GError **error)
{
    g_autoptr(virStorageVol) volume = ops_volume_lookup(conn, pool_name, name, error);
    virStorageVolInfo info;
    unsigned int flags = allocate ? VIR_STORAGE_VOL_RESIZE_ALLOCATE : 0;

    if (!volume)
        return FALSE;
    g_debug("libvirt: virStorageVolGetInfo, Resize(%s, %s, %" G_GUINT64_FORMAT ")", pool_name, name,
            capacity);
    if (virStorageVolGetInfo(volume, &info) < 0)
        return ops_step_failed(error, "cannot read volume", name);
    if (capacity == info.capacity && !allocate)
        return TRUE;
    /* V1: an image nothing sized or wrote yet is made anew at its size: not every format can
     * be resized (vmdk, vdi, vpc), nor be preallocated once made (qcow2). */
    if (fresh && info.type == VIR_STORAGE_VOL_FILE && !is_raw(volume))
        return remake(conn, pool_name, name, NULL, capacity, allocate ? capacity : 0, error);
    if (capacity < info.capacity)
        flags |= VIR_STORAGE_VOL_RESIZE_SHRINK;
    if (capacity < info.capacity && capacity < info.allocation && !allocate &&
        info.type == VIR_STORAGE_VOL_FILE && is_raw(volume))
        return capacity > 0 ? ops_upload_cut(volume, name, capacity, error)
                            : ops_volume_replace(conn, pool_name, name, "raw", error);
    if (virStorageVolResize(volume, capacity, flags) < 0) {
        ops_step_failed(error, "cannot resize volume", name);
        if (allocate && error && *error && (*error)->code == EIO &&
            pool_lacks(conn, pool_name, capacity - info.allocation))
            (*error)->code = ENOSPC;
        return FALSE;
    }
    return TRUE;
}

gboolean
ops_volume_delete(OpsConnection *conn, const char *pool_name, const char *name, GError **error)
{
    g_autoptr(virStorageVol) volume = ops_volume_lookup(conn, pool_name, name, error);

    if (!volume)
        return FALSE;
    g_debug("libvirt: virStorageVolDelete(%s, %s)", pool_name, name);
    /* Another open file may be starting a transfer of it: an O_TRUNC replacing the volume
     * while other files write it (E1) waits that out. */
    for (int tries = 1; virStorageVolDelete(volume, 0) < 0; tries++) {
        if (!ops_volume_busy_wait(tries))
            return ops_step_failed(error, "cannot delete volume", name);
    }
    return TRUE;
}

/* Deletes volume @name of @pool where it exists: what a rename onto it replaces. */
static gboolean
delete_if_present(OpsConnection *conn, const char *pool, const char *name, GError **error)
{
    g_autoptr(GError) local = NULL;

    if (ops_volume_delete(conn, pool, name, &local) || local->code == ENOENT)
        return TRUE;
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
}

gboolean
ops_volume_clones_exactly(const OpsVolume *volume)
{
    /* libvirt copies an image with qemu-img convert, which reads through its backing file. */
    return volume->backing == NULL;
}

gboolean
ops_volume_clone(OpsConnection *conn, const char *from_pool, const char *from, const char *to_pool,
                 const char *to, guint32 mode, GError **error)
{
    g_autoptr(virStorageVol) source = ops_volume_lookup(conn, from_pool, from, error);
    g_autoptr(virStoragePool) pool = NULL;
    g_autoptr(virStorageVol) copy = NULL;
    g_autoptr(OpsVolume) record = NULL;
    g_autofree char *source_xml = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *to_type = NULL;
    const char *format;

    if (!source)
        return FALSE;
    source_xml = virStorageVolGetXMLDesc(source, 0);
    if (!source_xml)
        return ops_step_failed(error, "cannot read volume", from);
    record = ops_volume_parse_xml(source_xml, error);
    pool = record ? ops_pool_lookup(conn, to_pool, error) : NULL;
    if (!pool)
        return FALSE;
    format = record->format ? record->format : "raw";
    if (mode == OPS_UNKNOWN)
        mode = record->perms.mode;
    /* A raw volume is first cloned copy-on-write into a pool of files, which a filesystem
     * with reflinks (btrfs, xfs) does at once whatever the size; elsewhere libvirt refuses
     * that and leaves nothing behind, and the bytes are copied. (libvirt has no reflink for
     * other formats, and would make a partition or logical volume only to remove it.) The
     * clone is asked for with no allocation: libvirt would reserve that much first. */
    to_type = ops_pool_type(pool, to_pool, NULL);
    if (g_str_equal(format, "raw") && ops_pool_type_holds_files(to_type)) {
        g_debug("libvirt: virStorageVolCreateXMLFrom(%s/%s -> %s/%s, REFLINK)", from_pool, from,
                to_pool, to);
        xml = volume_xml(to, record->capacity, 0, format, mode);
        copy = virStorageVolCreateXMLFrom(pool, xml, source, VIR_STORAGE_VOL_CREATE_REFLINK);
        if (copy)
            return TRUE;
        g_debug("no copy-on-write clone: %s", virGetLastErrorMessage());
        g_free(xml);
    }
    /* The allocation is given so that a sparse volume stays sparse, and no more than the
     * capacity: libvirt writes zeros up to the allocation first, and the blocks of a file whose
     * length is no multiple of the block size would make the copy longer (V4, V6). */
    xml = volume_xml(to, record->capacity, MIN(record->allocation, record->capacity), format, mode);
    g_debug("libvirt: virStorageVolCreateXMLFrom(%s/%s -> %s/%s)", from_pool, from, to_pool, to);
    copy = virStorageVolCreateXMLFrom(pool, xml, source, 0);
    if (!copy)
        return ops_step_failed(error, "cannot copy volume", from);
    return TRUE;
}

/* The device of @path as this process sees it; FALSE where it cannot see it. */
static gboolean
device_of(const char *path, dev_t *device)
{
    struct stat st;

    if (!path || stat(path, &st) < 0)
        return FALSE;
    *device = st.st_dev;
    return TRUE;
}

/* Refreshes pool @name for a file moved on the host. libvirt refuses while another call has
 * a job on the pool (a clone, a build: EBUSY from ops_pool_refresh): that is waited out,
 * REFRESH_TRIES times at most, REFRESH_WAIT apart, since the file has already moved. */
static gboolean
refresh_patiently(OpsConnection *conn, const char *name, GError **error)
{
    for (int tries = 1;; tries++) {
        g_autoptr(GError) local = NULL;

        if (ops_pool_refresh(conn, name, &local))
            return TRUE;
        if (tries == REFRESH_TRIES || local->code != EBUSY) {
            g_propagate_error(error, g_steal_pointer(&local));
            return FALSE;
        }
        g_usleep(REFRESH_WAIT);
    }
}

/*
 * Moves the volume by renaming its host file (replacing @replaced, the target volume if
 * there is one), where the daemon is on this host, both pools are directories, the target
 * is running (one that is not could not be told, and the volume would vanish) and one
 * filesystem holds both; then both pools are refreshed so that libvirt sees it. Returns FALSE
 * without @error where such a rename cannot be done, and with @error where the file moved
 * but libvirt could not be told, or where a file libvirt does not know of is in the way
 * (EEXIST).
 */
static gboolean
rename_on_host(OpsConnection *conn, const char *from_pool, const char *from, const char *to_pool,
               const char *to, const OpsVolume *replaced, GError **error)
{
    g_autoptr(OpsVolume) volume = ops_volume_get(conn, from_pool, from, NULL);
    g_autoptr(OpsPool) source = ops_pool_get(conn, from_pool, NULL);
    g_autoptr(OpsPool) target = ops_pool_get(conn, to_pool, NULL);
    g_autofree char *destination = NULL;
    dev_t volume_device, target_device;
    unsigned int flags;

    if (!conn->local || !volume || !source || !target || g_strcmp0(source->type, "dir") ||
        g_strcmp0(target->type, "dir") || target->state != OPS_POOL_RUNNING ||
        !device_of(volume->path, &volume_device) || !device_of(target->target, &target_device) ||
        volume_device != target_device)
        return FALSE;
    destination = g_build_filename(target->target, to, NULL);
    /* A volume of that name is replaced, as rename(2) replaces a file; a file put there behind
     * libvirt's back is not (libvirt's copy would not replace it either). */
    flags = replaced ? 0 : RENAME_NOREPLACE;
    g_debug("host: rename(%s, %s)", volume->path, destination);
    if (renameat2(AT_FDCWD, volume->path, AT_FDCWD, destination, flags) < 0) {
        if (errno == EEXIST) {
            g_set_error(error, OPS_ERROR, EEXIST,
                        "'%s' is a file of pool '%s' that libvirt does not know of: refresh the "
                        "pool to see it",
                        to, to_pool);
            return FALSE;
        }
        g_debug("host: rename failed, copying instead: %s", g_strerror(errno));
        return FALSE;
    }
    return refresh_patiently(conn, from_pool, error) &&
           (g_str_equal(from_pool, to_pool) || refresh_patiently(conn, to_pool, error));
}

/*
 * A move by copy deletes an existing target first (@replaced, NULL where none; libvirt has
 * no rename to put a copy in its place), so a copy that cannot be made must fail before
 * that: EXDEV for an image libvirt would not copy byte for byte (ops_volume_clones_exactly),
 * ENOSPC where the pool has no room for @source's allocation even once the target is gone.
 */
static gboolean
copy_allowed(OpsConnection *conn, const OpsVolume *source, const char *to_pool,
             const OpsVolume *replaced, GError **error)
{
    g_autoptr(OpsPool) pool = NULL;
    guint64 room;

    if (!ops_volume_clones_exactly(source)) {
        g_set_error(error, OPS_ERROR, EXDEV,
                    "volume '%s' reads through backing file '%s', which libvirt's copy would "
                    "merge into it",
                    source->name, source->backing);
        return FALSE;
    }
    if (!replaced)
        return TRUE; /* a failed copy then loses nothing */
    pool = ops_pool_get(conn, to_pool, error);
    if (!pool)
        return FALSE;
    room = pool->available + replaced->allocation;
    if (source->allocation <= room)
        return TRUE;
    g_set_error(error, OPS_ERROR, ENOSPC,
                "pool '%s' has room for %" G_GUINT64_FORMAT
                " bytes, volume '%s' holds %" G_GUINT64_FORMAT,
                to_pool, room, source->name, source->allocation);
    return FALSE;
}

gboolean
ops_volume_move(OpsConnection *conn, const char *from_pool, const char *from, const char *to_pool,
                const char *to, gboolean on_host, GError **error)
{
    g_autoptr(OpsVolume) replaced = ops_volume_get(conn, to_pool, to, NULL); /* NULL: none */
    g_autoptr(OpsVolume) source = NULL;
    g_autoptr(GError) local = NULL;

    if (on_host && rename_on_host(conn, from_pool, from, to_pool, to, replaced, &local))
        return TRUE;
    if (local) {
        g_propagate_error(error, g_steal_pointer(&local));
        return FALSE;
    }
    /* No rename in libvirt: the target goes first (rename(2) replaces it), then a copy. */
    source = ops_volume_get(conn, from_pool, from, error);
    return source && copy_allowed(conn, source, to_pool, replaced, error) &&
           delete_if_present(conn, to_pool, to, error) &&
           ops_volume_clone(conn, from_pool, from, to_pool, to, OPS_UNKNOWN, error) &&
           ops_volume_delete(conn, from_pool, from, error);
}
