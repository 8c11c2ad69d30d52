/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Open files: volumes (whose bytes fs/volumes.c serves), and at the root a pool's NAME.xml,
 * the scratch files beside it and the error log. Each of these holds a MapScratchFile: a
 * private copy of the definition for NAME.xml (read, written, truncated in place as editors
 * do), the shared file for a scratch file, and a snapshot for the error log. A written
 * definition is handed to libvirt when the file is flushed (close), fsynced or renamed into
 * place (P3); libvirt's refusal is the error that close, fsync or rename returns (P4). Every
 * file is direct_io, so that what a reader gets is always the current content, never a
 * stale page of the kernel's.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "fs/fs.h"

FsHandle *
fs_handle(const struct fuse_file_info *fi)
{
    return (FsHandle *)(uintptr_t)fi->fh;
}

static FsHandle *
handle_of(const struct fuse_file_info *fi)
{
    return fs_handle(fi);
}

static void
handle_free(FsHandle *handle)
{
    map_scratch_file_unref(handle->file);
    ops_data_close(handle->data);
    g_mutex_clear(&handle->lock);
    g_free(handle);
}

/* Makes @fi the handle of @file (taken), or of a volume where NULL. */
static void
attach(struct fuse_file_info *fi, MapScratchFile *file)
{
    FsHandle *handle = g_new0(FsHandle, 1);

    handle->file = file;
    handle->writable = (fi->flags & O_ACCMODE) != O_RDONLY;
    g_mutex_init(&handle->lock);
    fs_open_handle_add(handle, (GDestroyNotify)handle_free);
    fi->fh = (uint64_t)(uintptr_t)handle;
    /* Every read and write reaches the server: a volume can change under the kernel (made
     * anew when written first, replaced on O_TRUNC, written by other clients), and the
     * root's files are the server's. */
    fi->direct_io = 1;
}

/* The last component of a root-level @path, or NULL for any other path. */
static const char *
root_name(const char *path)
{
    const char *name = path + 1;

    return path[0] == '/' && *name && !strchr(name, '/') ? name : NULL;
}

/* Opens @node (already resolved from @path) as @fi asks. Errors: EACCES, EISDIR, and those
 * of fs_volume_resize for a volume opened with O_TRUNC. */
static int
open_node(const char *path, MapNode *node, struct fuse_file_info *fi)
{
    FsState *state = fs_state();
    gboolean truncate = (fi->flags & O_TRUNC) != 0;
    gboolean writing = (fi->flags & O_ACCMODE) != O_RDONLY;
    g_autoptr(GBytes) content = NULL;
    MapScratchFile *file;

    switch (node->kind) {
    case MAP_NODE_POOL_XML:
        /* root reaches here whatever the mode: a transient pool has no definition to write. */
        if (writing && !node->pool->persistent)
            return -EACCES;
        if (!truncate)
            content = g_bytes_new(node->pool->xml, strlen(node->pool->xml));
        file = map_scratch_file_new(0644, state->defaults.uid, state->defaults.gid, content);
        if (truncate)
            map_scratch_file_truncate(file, 0, NULL); /* written: defined at close */
        attach(fi, file);
        return 0;
    case MAP_NODE_SCRATCH:
        if (truncate)
            map_scratch_file_truncate(node->scratch, 0, NULL);
        attach(fi, map_scratch_file_ref(node->scratch));
        return 0;
    case MAP_NODE_ERROR_LOG:
        if (writing)
            return -EACCES;
        content = fs_log_recent();
        attach(fi, map_scratch_file_new(0444, 0, 0, content));
        return 0;
    case MAP_NODE_VOLUME:
        if (truncate && writing) {
            int status = fs_volume_empty(path);

            if (status)
                return status;
        }
        attach(fi, NULL);
        return 0;
    default:
        return -EISDIR;
    }
}

/* Errors: ENOENT, EACCES, EISDIR, EOPNOTSUPP, EIO, ENOTCONN. */
int
fs_open(const char *path, struct fuse_file_info *fi)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;

    g_debug("open '%s' flags 0%o", path, fi->flags);
    node = map_lookup(fs_state()->tree, path, &error);
    if (!node)
        return fs_fail("open", path, error);
    return open_node(path, node, fi);
}

/*
 * A new file in a pool is a volume (V1); at the root it is a scratch file (a new NAME.xml
 * among them, defined when closed). An existing one is opened, as a create that raced with
 * its maker must. Errors: EEXIST, EINVAL, EPERM (a pool not running), ENOSPC, EIO, ENOTCONN.
 */
int
fs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    FsState *state = fs_state();
    struct fuse_context *caller = fuse_get_context();
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;
    const char *name = root_name(path);
    MapScratchFile *file;

    g_debug("create '%s' mode 0%o", path, mode);
    node = map_lookup(state->tree, path, &error);
    if (node && (fi->flags & O_EXCL))
        return -EEXIST;
    if (node)
        return open_node(path, node, fi);
    if (error->code != ENOENT)
        return fs_fail("create", path, error);
    g_clear_error(&error);
    if (!name) {
        int status = fs_volume_create(path, mode);

        if (status == 0)
            attach(fi, NULL);
        return status;
    }
    file = map_scratch_create(state->tree->scratch, name, mode, caller->uid, caller->gid, NULL,
                              &error);
    if (!file)
        return fs_fail("create", path, error);
    attach(fi, file);
    return 0;
}

/* Errors: a volume's (fs_volume_read); past the end a read returns 0 bytes. */
int
fs_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
{
    FsHandle *handle = handle_of(fi);

    fs_trace("read '%s' %zu@%jd", path, size, (intmax_t)offset);
    if (!handle->file)
        return fs_volume_read(path, handle, buf, size, offset);
    return (int)map_scratch_file_read(handle->file, buf, size, offset);
}

/* Errors: EBADF (opened read-only), EFBIG, a volume's (fs_volume_write). */
int
fs_write(const char *path, const char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
{
    g_autoptr(GError) error = NULL;
    FsHandle *handle = handle_of(fi);

    fs_trace("write '%s' %zu@%jd", path, size, (intmax_t)offset);
    if (!handle->writable)
        return -EBADF;
    if (!handle->file)
        return fs_volume_write(path, handle, buf, size, offset);
    if (!map_scratch_file_write(handle->file, buf, size, offset, &error))
        return fs_fail("write", path, error);
    return (int)size;
}

/*
 * A volume's capacity (V2); with a handle, the open file's content; by path, a scratch
 * file's, or a definition that is then handed to libvirt at once.
 * Errors: EFBIG, EINVAL, ENOSPC, EACCES, EIO, ENOTCONN.
 */
int
fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;
    g_autoptr(MapScratchFile) copy = NULL;
    g_autoptr(GBytes) content = NULL;

    g_debug("truncate '%s' to %jd", path, (intmax_t)size);
    if (fi && !handle_of(fi)->file)
        return fs_volume_truncate(path, handle_of(fi), size);
    if (fi) {
        if (!map_scratch_file_truncate(handle_of(fi)->file, size, &error))
            return fs_fail("truncate", path, error);
        return 0;
    }
    node = map_lookup(fs_state()->tree, path, &error);
    if (!node)
        return fs_fail("truncate", path, error);
    switch (node->kind) {
    case MAP_NODE_SCRATCH:
        if (!map_scratch_file_truncate(node->scratch, size, &error))
            return fs_fail("truncate", path, error);
        return 0;
    case MAP_NODE_POOL_XML:
        content = g_bytes_new_static(node->pool->xml, strlen(node->pool->xml));
        copy = map_scratch_file_new(0644, 0, 0, content);
        if (!map_scratch_file_truncate(copy, size, &error))
            return fs_fail("truncate", path, error);
        return fs_define_from("truncate", path, copy, TRUE);
    case MAP_NODE_VOLUME:
        return fs_volume_truncate(path, NULL, size);
    case MAP_NODE_ERROR_LOG:
        return -EACCES;
    default:
        return -EISDIR;
    }
}

int
fs_define_from(const char *operation, const char *path, MapScratchFile *file, gboolean always)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autofree char *pool = NULL;
    g_autofree char *xml = NULL;
    const char *name = root_name(path);
    gboolean dirty;

    pool = name ? map_xml_stem(name) : NULL;
    if (!pool)
        return 0; /* not a definition: a scratch file like any other */
    xml = map_scratch_file_text(file, &dirty, &error);
    /* A shell's `> NAME.xml` closes the emptied file once before the command writes into
     * it: an empty definition is taken as one still being written (see fs_release). */
    if (xml && !always && (!dirty || !*xml))
        return 0;
    if (!xml || !ops_pool_define(state->conn, pool, xml, &error))
        return fs_fail_logged(operation, path, error);
    /* C1: NAME.xml read at once shows it, without waiting for libvirt's event. */
    map_forget_pool(state->tree, pool);
    map_scratch_file_mark_clean(file);
    /* A new pool's definition is libvirt's now: the scratch file that carried it is done, and
     * NAME.xml, removed to be written anew, shows the pool's again. */
    map_scratch_remove(state->tree->scratch, name, NULL);
    map_definition_restored(state->tree, pool);
    return 0;
}

/*
 * What a close (@operation "close") or an fsync ("fsync", @durable) owes what was written:
 * a volume's bytes in the volume, a definition handed to libvirt.
 * Errors: those of fs_define_from, or of fs_volume_flush.
 */
static int
settle_writes(const char *operation, const char *path, struct fuse_file_info *fi, gboolean durable)
{
    FsHandle *handle = handle_of(fi);

    g_debug("%s '%s'", operation, path);
    if (!handle->file)
        return fs_volume_flush(operation, path, handle, durable);
    return handle->writable ? fs_define_from(operation, path, handle->file, FALSE) : 0;
}

int
fs_flush(const char *path, struct fuse_file_info *fi)
{
    return settle_writes("close", path, fi, FALSE);
}

int
fs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    return settle_writes("fsync", path, fi, TRUE);
}

/* A definition left empty by its last writer was never applied: it is logged, as release
 * has no caller to tell. */
int
fs_release(const char *path, struct fuse_file_info *fi)
{
    FsHandle *handle = handle_of(fi);
    const char *name = root_name(path);
    g_autofree char *pool = name && handle->writable && handle->file ? map_xml_stem(name) : NULL;
    gboolean dirty = FALSE;
    g_autofree char *text = pool ? map_scratch_file_text(handle->file, &dirty, NULL) : NULL;

    if (text && dirty && !*text) {
        g_autoptr(GError) error = g_error_new(OPS_ERROR, EINVAL,
                                              "an empty definition of "
                                              "pool '%s' was not applied",
                                              pool);
        fs_fail("close", path, error);
    }
    fs_open_handle_release(handle);
    return 0;
}
