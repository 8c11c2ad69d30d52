/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Volumes made, sized, copied, moved and removed through the mount (../shared/SPEC.md
 * V1-V4, V6, V7): each call is one libvirt operation, done by the time it returns (C1).
 * A new file is a volume at once, empty, in the format its name's extension gives; a size
 * given before any data (truncate, fallocate) is its capacity.
 */
#include <errno.h>
#include <fcntl.h>

#include "fs/fs.h"

/* The pool and volume names of volume @path into @parts; EINVAL for any other path. */
static gboolean
volume_parts(const char *path, MapPath *parts, GError **error)
{
    if (!map_path_parse(path, parts, error))
        return FALSE;
    if (parts->kind == MAP_PATH_VOLUME)
        return TRUE;
    g_set_error(error, OPS_ERROR, EINVAL, "'%s' is not a volume", path);
    map_path_clear(parts);
    return FALSE;
}

int
fs_volume_create(const char *path, mode_t mode)
{
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) parts = {0};

    if (!volume_parts(path, &parts, &error) ||
        !ops_volume_create(fs_state()->conn, parts.top, parts.volume,
                           map_volume_format(parts.volume), mode, &error))
        return fs_fail("create", path, error);
    return 0;
}

int
fs_volume_resize(const char *operation, const char *path, guint64 capacity, gboolean allocate)
{
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) parts = {0};

    if (!volume_parts(path, &parts, &error) ||
        !ops_volume_resize(fs_state()->conn, parts.top, parts.volume, capacity, allocate,
                           &error))
        return fs_fail(operation, path, error);
    return 0;
}

int
fs_volume_unlink(const char *path)
{
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) parts = {0};

    if (!volume_parts(path, &parts, &error) ||
        !ops_volume_delete(fs_state()->conn, parts.top, parts.volume, &error))
        return fs_fail("unlink", path, error);
    return 0;
}

int
fs_volume_rename(const char *from, const char *to)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) source = {0};
    g_auto(MapPath) target = {0};

    if (!volume_parts(from, &source, &error) || !volume_parts(to, &target, &error) ||
        !ops_volume_move(state->conn, source.top, source.volume, target.top, target.volume,
                         state->direct != FS_DIRECT_NEVER, &error))
        return fs_fail("rename", from, error);
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
    node = map_lookup(fs_state()->tree, path, &error);
    if (!node)
        return fs_fail("fallocate", path, error);
    if (mode != 0 || node->kind != MAP_NODE_VOLUME || end <= node->volume->capacity)
        return -EOPNOTSUPP;
    fs_take_new_volume(fi);
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

    g_debug("copy_file_range '%s'@%jd '%s'@%jd %zu", path_in, (intmax_t)offset_in, path_out,
            (intmax_t)offset_out, size);
    if (!volume_parts(path_in, &in, NULL) || !volume_parts(path_out, &out, NULL))
        return -EOPNOTSUPP;
    source = ops_volume_get(state->conn, in.top, in.volume, &error);
    if (!source)
        return fs_fail("copy_file_range", path_in, error);
    if ((guint64)offset_in >= source->physical && offset_in > 0)
        return 0; /* the end of a copy done already */
    /* Only a whole volume into a new one: the clone takes the new volume's place. */
    if (offset_in != 0 || offset_out != 0 || size < source->physical ||
        !fs_take_new_volume(fi_out))
        return -EOPNOTSUPP;
    if (!ops_volume_delete(state->conn, out.top, out.volume, &error) ||
        !ops_volume_clone(state->conn, in.top, in.volume, out.top, out.volume, &error))
        return fs_fail("copy_file_range", path_out, error);
    return (ssize_t)source->physical;
}
