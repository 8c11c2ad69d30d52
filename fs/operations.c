/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The FUSE operations: each resolves its path through mapping/ and answers from the records
 * it gets, turning a GError into the errno it carries. The mount is read-only for now (the
 * kernel answers EROFS to anything that would write), so only reading operations are here.
 */
#include <errno.h>
#include <string.h>

#include "fs/fs.h"

static FsState *
fs_state(void)
{
    return fuse_get_context()->private_data;
}

/*
 * Ends a failed operation: logs it once, unless its errno is an ordinary answer (a lookup
 * of a name that is not there), and returns the negative errno for FUSE.
 */
static int
fs_fail(const char *operation, const char *path, const GError *error)
{
    if (error->code != ENOENT && error->code != ENODATA)
        g_warning("%s '%s': %s", operation, path, error->message);
    else
        g_debug("%s '%s': %s", operation, path, error->message);
    return -error->code;
}

static void *
fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    FsState *state = fs_state();

    /* The kernel's caches of names and attributes are the cache_ttl of ../shared/SPEC.md. */
    cfg->entry_timeout = state->cache_ttl;
    cfg->attr_timeout = state->cache_ttl;
    cfg->negative_timeout = state->cache_ttl;
    return state;
}

/* Errors: ENOENT, EINVAL, EIO, ENOTCONN, EACCES. */
static int
fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;

    g_debug("getattr '%s'", path);
    node = map_lookup(state->conn, path, &error);
    if (!node)
        return fs_fail("getattr", path, error);
    map_node_stat(node, &state->defaults, st);
    return 0;
}

/* Errors: ENOENT, ENOTDIR, EIO, ENOTCONN, EACCES. */
static int
fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t offset,
           struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) names = NULL;

    g_debug("readdir '%s'", path);
    names = map_list(state->conn, path, &error);
    if (!names)
        return fs_fail("readdir", path, error);
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    for (char **name = names; *name; name++) {
        if (fill(buf, *name, NULL, 0, 0))
            break;
    }
    return 0;
}

/*
 * A definition file is read from the copy taken at open, so that a reader sees one
 * consistent definition however libvirt's changes. Volume data is not served yet.
 * Errors: ENOENT, EOPNOTSUPP (a volume), EIO, ENOTCONN.
 */
static int
fs_open(const char *path, struct fuse_file_info *fi)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;

    g_debug("open '%s'", path);
    node = map_lookup(state->conn, path, &error);
    if (!node)
        return fs_fail("open", path, error);
    if (node->kind != MAP_NODE_POOL_XML)
        return -EOPNOTSUPP;
    fi->fh = (uint64_t)(uintptr_t)g_bytes_new(node->pool->xml, strlen(node->pool->xml));
    return 0;
}

static GBytes *
file_content(const struct fuse_file_info *fi)
{
    return (GBytes *)(uintptr_t)fi->fh;
}

/* Errors: none; reading past the end returns 0 bytes. */
static int
fs_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
{
    gsize length;
    const char *data = g_bytes_get_data(file_content(fi), &length);

    if (offset < 0 || (guint64)offset >= length)
        return 0;
    size = MIN(size, length - (gsize)offset);
    memcpy(buf, data + offset, size);
    return (int)size;
}

static int
fs_release(const char *path, struct fuse_file_info *fi)
{
    g_bytes_unref(file_content(fi));
    return 0;
}

/* The pool's capacity and free space for its directory and what is in it (L4). */
/* Errors: ENOENT, EIO, ENOTCONN. */
static int
fs_statfs(const char *path, struct statvfs *st)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autoptr(OpsPool) pool = NULL;

    g_debug("statfs '%s'", path);
    if (g_str_equal(path, "/")) {
        map_pool_statvfs(NULL, st);
        return 0;
    }
    pool = map_lookup_pool_of(state->conn, path, &error);
    if (!pool)
        return fs_fail("statfs", path, error);
    map_pool_statvfs(pool, st);
    return 0;
}

/* Errors: ENOENT, ENODATA, ERANGE, EIO, ENOTCONN. */
static int
fs_getxattr(const char *path, const char *name, char *value, size_t size)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;
    g_autofree char *text = NULL;
    size_t length;

    g_debug("getxattr '%s' %s", path, name);
    node = map_lookup(state->conn, path, &error);
    if (node)
        text = map_xattr_value(node, name, &error);
    if (!text)
        return fs_fail("getxattr", path, error);
    length = strlen(text);
    if (size == 0)
        return (int)length;
    if (size < length)
        return -ERANGE;
    memcpy(value, text, length);
    return (int)length;
}

/* Errors: ENOENT, ERANGE, EIO, ENOTCONN. */
static int
fs_listxattr(const char *path, char *list, size_t size)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;
    g_auto(GStrv) names = NULL;
    size_t length = 0;

    g_debug("listxattr '%s'", path);
    node = map_lookup(state->conn, path, &error);
    if (!node)
        return fs_fail("listxattr", path, error);
    names = map_xattr_names(node);
    for (char **name = names; *name; name++) {
        size_t one = strlen(*name) + 1;

        if (size && length + one <= size)
            memcpy(list + length, *name, one);
        else if (size)
            return -ERANGE;
        length += one;
    }
    return (int)length;
}

const struct fuse_operations fs_operations = {
    .init = fs_init,
    .getattr = fs_getattr,
    .readdir = fs_readdir,
    .open = fs_open,
    .read = fs_read,
    .release = fs_release,
    .statfs = fs_statfs,
    .getxattr = fs_getxattr,
    .listxattr = fs_listxattr,
};
