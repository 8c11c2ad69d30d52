/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Volumes through the mount (../shared/SPEC.md V1-V7): each call is done in libvirt by the
 * time it returns (C1). A new file is a volume at once, empty, in the format its name's
 * extension gives, and stays "new" (MapVolumeState) until sized or written: a size given
 * first (truncate, fallocate) is its capacity; bytes written first are the volume (a format
 * header the mount made goes first), and libvirt probes their format when the file is
 * flushed. In a pool of partitions or logical volumes, which libvirt makes only of a given
 * size, a new file is "unsized" and becomes a volume when it is given its size; bytes first
 * are refused there. Bytes are fs/volume-data.c's.
 */
#include <errno.h>

#include "fs/fs.h"

gboolean
fs_volume_parts(const char *path, MapPath *parts, GError **error)
{
    if (!map_path_parse(path, parts, error))
        return FALSE;
    if (parts->kind == MAP_PATH_VOLUME)
        return TRUE;
    g_set_error(error, OPS_ERROR, EINVAL, "'%s' is not a volume", path);
    map_path_clear(parts);
    return FALSE;
}

gboolean
fs_volume_is_unsized(const MapPath *parts)
{
    return map_volume_state(fs_state()->tree, parts->top, parts->volume) == MAP_VOLUME_UNSIZED;
}

gboolean
fs_volume_unsized_error(const MapPath *parts, int code, GError **error)
{
    g_set_error(error, OPS_ERROR, code,
                "pool '%s' makes a volume only of a given size: give '%s' its size first "
                "(truncate -s SIZE)",
                parts->top, parts->volume);
    return FALSE;
}

int
fs_volume_create(const char *path, mode_t mode)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) parts = {0};
    g_autoptr(OpsPool) pool = NULL;

    if (!fs_volume_parts(path, &parts, &error) ||
        !(pool = map_lookup_pool_of(state->tree, path, &error)))
        return fs_fail("create", path, error);
    map_forget_volume(state->tree, parts.top, parts.volume);
    if (ops_pool_type_sizes_volumes(pool->type) && pool->state == OPS_POOL_RUNNING) {
        map_volume_set_state(state->tree, parts.top, parts.volume, MAP_VOLUME_UNSIZED);
        return 0;
    }
    if (!ops_volume_create(state->conn, parts.top, parts.volume, map_volume_format(parts.volume), 0,
                           mode, &error))
        return fs_fail("create", path, error);
    map_volume_set_state(state->tree, parts.top, parts.volume, MAP_VOLUME_NEW);
    return 0;
}

gboolean
fs_volume_replace(const MapPath *parts, const char *format, GError **error)
{
    FsState *state = fs_state();
    gboolean replaced;

    map_volume_replacing(state->tree, parts->top, parts->volume);
    map_forget_volume(state->tree, parts->top, parts->volume);
    replaced = ops_volume_replace(state->conn, parts->top, parts->volume, format, error);
    if (replaced)
        map_volume_changed(state->tree, parts->top, parts->volume); /* for open files */
    map_volume_replaced(state->tree, parts->top, parts->volume, replaced);
    return replaced;
}

int
fs_volume_empty(const char *path)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) parts = {0};
    g_autoptr(OpsPool) pool = NULL;

    map_forget_path(state->tree, path);
    if (!fs_volume_parts(path, &parts, &error) ||
        !(pool = map_lookup_pool_of(state->tree, path, &error)))
        return fs_fail("open", path, error);
    if (!ops_pool_type_holds_files(pool->type))
        return 0;
    if (!fs_volume_replace(&parts, map_volume_format(parts.volume), &error))
        return fs_fail("open", path, error);
    map_volume_set_state(state->tree, parts.top, parts.volume, MAP_VOLUME_NEW);
    return 0;
}

void
fs_volume_settle(const char *path)
{
    g_auto(MapPath) parts = {0};

    if (fs_volume_parts(path, &parts, NULL) && !fs_volume_is_unsized(&parts))
        map_volume_set_state(fs_state()->tree, parts.top, parts.volume, MAP_VOLUME_SETTLED);
}

gboolean
fs_volume_in_state(const char *path, MapVolumeState state)
{
    g_auto(MapPath) parts = {0};

    return fs_volume_parts(path, &parts, NULL) &&
           map_volume_state(fs_state()->tree, parts.top, parts.volume) == state;
}

int
fs_volume_resize(const char *operation, const char *path, guint64 capacity, gboolean allocate)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) parts = {0};
    gboolean fresh, resized;

    map_forget_path(state->tree, path);
    if (!fs_volume_parts(path, &parts, &error))
        return fs_fail(operation, path, error);
    if (fs_volume_is_unsized(&parts)) {
        /* EEXIST: another call made it meanwhile; then it is resized like any other. A
         * failure leaves the placeholder, as a failed truncate leaves an empty file. */
        if (!ops_volume_create(state->conn, parts.top, parts.volume, NULL, capacity, 0600,
                               &error) &&
            error->code != EEXIST)
            return fs_fail(operation, path, error);
        map_volume_set_state(state->tree, parts.top, parts.volume, MAP_VOLUME_SETTLED);
        if (!error)
            return 0;
        g_clear_error(&error);
    }
    /* Sized now, whatever it was (V1). A raw file cut to nothing, and an image the mount made
     * and nothing sized or wrote yet, are replaced (ops_volume_resize). */
    fresh = map_volume_state(state->tree, parts.top, parts.volume) == MAP_VOLUME_NEW;
    fs_volume_settle(path);
    map_volume_replacing(state->tree, parts.top, parts.volume);
    resized =
        ops_volume_resize(state->conn, parts.top, parts.volume, capacity, allocate, fresh, &error);
    map_volume_replaced(state->tree, parts.top, parts.volume, resized && (capacity == 0 || fresh));
    if (!resized)
        return fs_fail(operation, path, error);
    map_volume_changed(state->tree, parts.top, parts.volume); /* for open files that read ahead */
    return 0;
}

int
fs_volume_unlink(const char *operation, const char *path)
{
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) parts = {0};
    gboolean unsized;

    map_forget_path(fs_state()->tree, path);
    if (!fs_volume_parts(path, &parts, &error))
        return fs_fail(operation, path, error);
    /* An unsized volume is in libvirt only where a call racing this one made it; else there
     * is none (ENOENT), or no running pool to hold one (EPERM). */
    unsized = fs_volume_is_unsized(&parts);
    map_volume_forget(fs_state()->tree, parts.top, parts.volume);
    if (!ops_volume_delete(fs_state()->conn, parts.top, parts.volume, &error) &&
        !(unsized && (error->code == ENOENT || error->code == EPERM)))
        return fs_fail(operation, path, error);
    return 0;
}

int
fs_volume_rename(const char *from, const char *to)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) source = {0};
    g_auto(MapPath) target = {0};

    if (!fs_volume_parts(from, &source, &error) || !fs_volume_parts(to, &target, &error))
        return fs_fail("rename", from, error);
    /* Not EINVAL: mv takes that for a move of a directory into itself. */
    if (fs_volume_is_unsized(&source) && !fs_volume_unsized_error(&source, EOPNOTSUPP, &error))
        return fs_fail("rename", from, error);
    fs_volume_settle(from);
    fs_volume_settle(to);
    map_forget_path(state->tree, from);
    map_forget_path(state->tree, to);
    if (!ops_volume_move(state->conn, source.top, source.volume, target.top, target.volume,
                         state->direct != FS_DIRECT_NEVER, &error))
        return fs_fail("rename", from, error);
    /* A placeholder at the target is replaced, as rename(2) replaces a file; so are the
     * bytes of a volume there, for open files that read ahead of them. */
    map_volume_forget(state->tree, source.top, source.volume);
    map_volume_set_state(state->tree, target.top, target.volume, MAP_VOLUME_SETTLED);
    map_volume_changed(state->tree, target.top, target.volume);
    return 0;
}

/*
 * Allocates a volume's space up to @offset + @length (fallocate -l on a new file makes a
 * fully allocated raw volume). Only growing is possible through libvirt: other modes and
 * ranges inside the volume are EOPNOTSUPP, so that posix_fallocate writes zeros instead.
 * Errors: EOPNOTSUPP, ENOSPC, EINVAL, ENOENT, EIO, ENOTCONN.
 */
int
fs_fallocate(const char *path, int mode, off_t offset, off_t length, struct fuse_file_info *fi)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;
    guint64 end = (guint64)offset + (guint64)length;

    g_debug("fallocate '%s' mode %d %jd+%jd", path, mode, (intmax_t)offset, (intmax_t)length);
    node = map_lookup_described(fs_state()->tree, path, &error);
    if (!node)
        return fs_fail("fallocate", path, error);
    if (mode != 0 || node->kind != MAP_NODE_VOLUME || end <= node->volume->capacity)
        return -EOPNOTSUPP;
    return fs_volume_resize("fallocate", path, end, TRUE);
}

/*
 * V6: a copy of a whole volume into a volume just created for it (cp, which tries
 * copy_file_range) is a libvirt clone, so no byte passes through the mount. Anything else is
 * EOPNOTSUPP, and the caller copies through read and write instead. Returns the bytes
 * copied or a negative errno.
 */
ssize_t
fs_copy_file_range(const char *path_in, struct fuse_file_info *fi_in, off_t offset_in,
                   const char *path_out, struct fuse_file_info *fi_out, off_t offset_out,
                   size_t size, int flags)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) in = {0};
    g_auto(MapPath) out = {0};
    g_autoptr(OpsVolume) source = NULL;
    g_autoptr(OpsVolume) target = NULL;

    g_debug("copy_file_range '%s'@%jd '%s'@%jd %zu", path_in, (intmax_t)offset_in, path_out,
            (intmax_t)offset_out, size);
    if (!fs_volume_parts(path_in, &in, NULL) || !fs_volume_parts(path_out, &out, NULL))
        return -EOPNOTSUPP;
    source = ops_volume_get(state->conn, in.top, in.volume, &error);
    if (!source)
        return fs_fail("copy_file_range", path_in, error);
    if ((guint64)offset_in >= source->physical && offset_in > 0)
        return 0; /* the end of a copy done already */
    /* Only a whole volume into a new one: the clone takes the new volume's place. */
    if (offset_in != 0 || offset_out != 0 || size < source->physical ||
        !fs_volume_in_state(path_out, MAP_VOLUME_NEW) || !ops_volume_clones_exactly(source))
        return -EOPNOTSUPP;
    fs_volume_settle(path_out);
    map_forget_path(state->tree, path_out);
    /* The copy keeps the mode the new file was made with (cp's, from the source and umask). */
    target = ops_volume_get(state->conn, out.top, out.volume, &error);
    if (!target || !ops_volume_delete(state->conn, out.top, out.volume, &error) ||
        !ops_volume_clone(state->conn, in.top, in.volume, out.top, out.volume, target->perms.mode,
                          &error))
        return fs_fail("copy_file_range", path_out, error);
    map_volume_changed(state->tree, out.top, out.volume); /* for open files that read ahead */
    return (ssize_t)source->physical;
}
