/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A volume's bytes through an open file (../shared/SPEC.md V1, V2, V5): reads, writes,
 * truncation and flushes, through ops/data.c, in place or through streams. Bytes written
 * into a new volume first are the volume (its format header goes), and once flushed libvirt
 * is asked to look at them to tell its format.
 */
#include <errno.h>

#include "fs/fs.h"

/* Tries of a refresh after bytes written first: 50 ms, then doubling, 1.55 s in all. */
#define REFRESH_ATTEMPTS 5

/*
 * Has libvirt rescan pool @pool so that it tells the format of bytes written first. The
 * refresh is refused while the pool has jobs under way (a volume being made by another
 * client, say), so it is tried a few times; if it never goes through, the data is in the
 * volume all the same, and the next flush, refresh= or a refresh asked for tells its format.
 */
static gboolean
refresh_for_format(const char *pool)
{
    for (guint attempt = 0; attempt < REFRESH_ATTEMPTS; attempt++) {
        g_autoptr(GError) error = NULL;

        if (ops_pool_refresh(fs_state()->conn, pool, &error))
            return TRUE;
        g_debug("refresh of pool '%s' for a volume's format: %s", pool, error->message);
        g_usleep((G_USEC_PER_SEC / 20) << attempt);
    }
    return FALSE;
}

/* Whether the volume of @parts, which libvirt could not find (@error), is gone for good: its
 * pool is there and running, and has no such volume. */
static gboolean
volume_is_gone(const MapPath *parts, const GError *error)
{
    g_autoptr(OpsPool) pool = NULL;

    if (error->code != ENOENT)
        return FALSE;
    pool = ops_pool_get(fs_state()->conn, parts->top, NULL);
    return pool && pool->state == OPS_POOL_RUNNING;
}

/* Flushes @handle's data, if any, as @operation; the handle's lock is held. */
static int
flush_locked(const char *operation, const char *path, FsHandle *handle, gboolean durable)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) parts = {0};
    g_autoptr(OpsVolume) volume = NULL;
    guint mark;

    if (!handle->data || !fs_volume_parts(path, &parts, &error))
        return 0;
    if (!ops_data_flush(handle->data, durable, &error))
        return fs_fail_logged(operation, path, error);
    if (!handle->wrote)
        return 0;
    map_forget_path(state->tree, path); /* its size and allocation changed */
    map_volume_changed(state->tree, parts.top, parts.volume);
    handle->wrote = FALSE;
    /* Written into a file that libvirt deleted meanwhile, the bytes went nowhere. One that
     * another file of the mount replaces (O_TRUNC) is there again once it is done. Where
     * libvirt cannot say (its pool stopped, the daemon away), the bytes are where they
     * were written: the flush itself succeeded. */
    mark = map_volume_await(state->tree, parts.top, parts.volume);
    while (!(volume = ops_volume_get(state->conn, parts.top, parts.volume, &error)) &&
           map_volume_retry(state->tree, parts.top, parts.volume, &mark, error))
        g_clear_error(&error);
    if (!volume && volume_is_gone(&parts, error)) {
        g_prefix_error(&error, "the volume was deleted while open, what was written is lost: ");
        return fs_fail_logged(operation, path, error);
    }
    if (!volume) {
        g_debug("%s '%s': the volume cannot be checked: %s", operation, path, error->message);
        return 0;
    }
    /* Bytes written first: libvirt now looks at them to tell the volume's format (V1). The
     * end of an upload has the daemon refresh the pool by itself, but later, on a thread of
     * its own: virsh asked at once (C1) could still see a raw volume. */
    if (map_volume_state(state->tree, parts.top, parts.volume) == MAP_VOLUME_FILLING &&
        refresh_for_format(parts.top))
        map_volume_set_state(state->tree, parts.top, parts.volume, MAP_VOLUME_SETTLED);
    return 0;
}

int
fs_volume_flush(const char *operation, const char *path, FsHandle *handle, gboolean durable)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&handle->lock);

    return flush_locked(operation, path, handle, durable);
}

/* The data channel of @handle, opened now if need be, or moved along with its volume (@parts:
 * where the file is now); the handle's lock is held. */
static OpsData *
data_locked(const MapPath *parts, FsHandle *handle, GError **error)
{
    FsState *state = fs_state();
    g_autoptr(GError) local = NULL;

    /* A volume removed while open went at once (V3): its file keeps what it had. */
    if (handle->data && !ops_data_reaches(handle->data, parts->top, parts->volume) &&
        !g_str_has_prefix(parts->volume, FS_HIDDEN_PREFIX) &&
        !ops_data_follow_move(handle->data, parts->top, parts->volume, error))
        return NULL;
    if (handle->data)
        return handle->data;
    handle->replacement = map_volume_await(state->tree, parts->top, parts->volume);
    do {
        g_clear_error(&local);
        handle->changes = map_volume_changes(state->tree, parts->top, parts->volume);
        handle->data = ops_data_open(state->conn, parts->top, parts->volume, handle->writable,
                                     state->direct != FS_DIRECT_NEVER, &local);
    } while (!handle->data &&
             map_volume_retry(state->tree, parts->top, parts->volume, &handle->replacement, local));
    if (!handle->data)
        g_propagate_error(error, g_steal_pointer(&local));
    return handle->data;
}

/*
 * Has @handle's data forget what it read ahead of a change made since through the mount
 * (bytes written and flushed through another open file, a resize..., as map_volume_changes
 * counts them) and ask the volume's end anew, so that reads see the change. The handle's
 * lock is held.
 */
static gboolean
catch_up(FsHandle *handle, const MapPath *parts, GError **error)
{
    MapTree *tree = fs_state()->tree;
    guint changes = map_volume_changes(tree, parts->top, parts->volume);
    g_autoptr(GError) local = NULL;
    guint replacement;

    if (changes == handle->changes)
        return TRUE;
    /* A volume replaced again meanwhile is to be looked at once there again. */
    replacement = map_volume_await(tree, parts->top, parts->volume);
    handle->changes = map_volume_changes(tree, parts->top, parts->volume);
    for (;;) {
        if (handle->replacement != replacement) {
            handle->replacement = replacement;
            ops_data_follow_replacement(handle->data);
        }
        if (ops_data_refresh(handle->data, &local))
            return TRUE;
        /* Gone while it was asked about: replaced again (another file's O_TRUNC). */
        if (!map_volume_retry(tree, parts->top, parts->volume, &replacement, local))
            break;
        g_clear_error(&local);
    }
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
}

/*
 * Sets the length of file volume @parts, written through @handle, to @size bytes (not 0): a
 * program that writes a file's bytes means that by ftruncate, whatever its format (qemu-img trims
 * or extends the image it writes), as the bytes written are the volume (V1). The handle's lock is
 * held.
 */
static int
set_length_locked(const char *path, const MapPath *parts, FsHandle *handle, guint64 size)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    OpsData *data;
    int status = flush_locked("truncate", path, handle, FALSE);

    if (status)
        return status;
    if (!(data = data_locked(parts, handle, &error)) || !ops_data_set_length(data, size, &error))
        return fs_fail_logged("truncate", path, error);
    map_forget_path(state->tree, path);
    map_volume_changed(state->tree, parts->top, parts->volume);
    handle->changes = map_volume_changes(state->tree, parts->top, parts->volume);
    return 0;
}

/* Whether volume @path is a file: a device's length is its own, and a network volume has no
 * upload to cut it with. */
static gboolean
is_file_volume(const char *path)
{
    g_autoptr(MapNode) node = map_lookup(fs_state()->tree, path, NULL);

    return node && node->kind == MAP_NODE_VOLUME && g_strcmp0(node->volume->type, "file") == 0;
}

int
fs_volume_truncate(const char *path, FsHandle *handle, guint64 size)
{
    g_autoptr(GMutexLocker) locker = handle ? g_mutex_locker_new(&handle->lock) : NULL;
    g_auto(MapPath) parts = {0};
    gboolean unsized = fs_volume_parts(path, &parts, NULL) && fs_volume_is_unsized(&parts);
    int status;

    /* qemu-img and others empty a file they just made before writing it: still new. */
    if (size == 0 && (unsized || fs_volume_in_state(path, MAP_VOLUME_NEW)))
        return 0;
    if (handle && handle->writes_bytes && size > 0 && is_file_volume(path))
        return set_length_locked(path, &parts, handle, size);
    /* libvirt resizes no volume that a stream is writing. */
    status = handle && !unsized ? flush_locked("truncate", path, handle, FALSE) : 0;
    status = status ? status : fs_volume_resize("truncate", path, size, FALSE);
    /* A raw file cut to nothing is a new one (ops_volume_resize): the file opens it anew. */
    if (!status && size == 0 && handle)
        g_clear_pointer(&handle->data, ops_data_close);
    return status;
}

int
fs_volume_read(const char *path, FsHandle *handle, char *buf, size_t size, off_t offset)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&handle->lock);
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) parts = {0};
    OpsData *data;
    gssize got;

    if (!fs_volume_parts(path, &parts, &error))
        return fs_fail("read", path, error);
    if (fs_volume_is_unsized(&parts))
        return 0; /* an empty file */
    data = data_locked(&parts, handle, &error);
    got = data && catch_up(handle, &parts, &error) ? ops_data_read(data, buf, size, offset, &error)
                                                   : -1;

    return got < 0 ? fs_fail_logged("read", path, error) : (int)got;
}

/*
 * Before the first bytes go into a new volume, it is emptied: the bytes are the volume (V1),
 * whatever format its name gave it. In place the file is cut to nothing, so every handle
 * keeps seeing the same file; through streams, which cannot cut, the volume is made anew as
 * an empty raw one. The handle's lock is held.
 */
static gboolean
fill_new_volume(const MapPath *parts, FsHandle *handle, GError **error)
{
    FsState *state = fs_state();
    g_autoptr(GError) local = NULL;
    OpsData *data;

    if (fs_volume_is_unsized(parts))
        return fs_volume_unsized_error(parts, EINVAL, error);
    if (map_volume_state(state->tree, parts->top, parts->volume) != MAP_VOLUME_NEW)
        return TRUE;
    data = data_locked(parts, handle, error);
    if (!data)
        return FALSE;
    /* A raw volume the mount made is empty already; another format's header must go. */
    if (!g_str_equal(map_volume_format(parts->volume), "raw") && !ops_data_empty(data, &local)) {
        if (local->code != ENOTSUP) {
            g_propagate_error(error, g_steal_pointer(&local));
            return FALSE;
        }
        g_clear_pointer(&handle->data, ops_data_close);
        if (!fs_volume_replace(parts, "raw", error))
            return FALSE;
    }
    map_volume_set_state(state->tree, parts->top, parts->volume, MAP_VOLUME_FILLING);
    return TRUE;
}

int
fs_volume_write(const char *path, FsHandle *handle, const char *buf, size_t size, off_t offset)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&handle->lock);
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) parts = {0};
    OpsData *data;

    if (!fs_volume_parts(path, &parts, &error) || !fill_new_volume(&parts, handle, &error) ||
        !(data = data_locked(&parts, handle, &error)) || !catch_up(handle, &parts, &error))
        return fs_fail_logged("write", path, error);
    /* A replacement of the volume (another file's O_TRUNC) that began since catch_up: the
     * write goes into the new volume once it is made, as on one inode. */
    while (!ops_data_write(data, buf, size, offset, &error)) {
        if (!map_volume_retry(fs_state()->tree, parts.top, parts.volume, &handle->replacement,
                              error))
            return fs_fail_logged("write", path, error);
        g_clear_error(&error);
        ops_data_follow_replacement(data);
    }
    handle->wrote = TRUE;
    handle->writes_bytes = TRUE;
    map_volume_wrote(fs_state()->tree, parts.top, parts.volume, (guint64)offset + size);
    return (int)size;
}

void
fs_volume_stat_written(const char *path, struct stat *st)
{
    g_auto(MapPath) parts = {0};
    guint64 end;

    if (!fs_volume_parts(path, &parts, NULL))
        return;
    end = map_volume_written_end(fs_state()->tree, parts.top, parts.volume);
    if ((guint64)st->st_size < end)
        st->st_size = (off_t)end;
}
