/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The FUSE operations on names and attributes: each resolves its path through mapping/,
 * asks ops/ for any change, and turns a GError into the errno it carries. Open files are in
 * fs/files.c, listings in fs/directories.c, what is particular to volumes in fs/volumes.c.
 */
#include <errno.h>
#include <stdio.h> /* RENAME_NOREPLACE, RENAME_EXCHANGE */
#include <string.h>

#include "fs/fs.h"

FsState *
fs_state(void)
{
    return fuse_get_context()->private_data;
}

int
fs_fail(const char *operation, const char *path, const GError *error)
{
    if (error->code == ENOENT || error->code == ENODATA)
        g_debug("%s '%s': %s", operation, path, error->message);
    else
        fs_log_failure(operation, path, error);
    return -error->code;
}

int
fs_fail_logged(const char *operation, const char *path, const GError *error)
{
    fs_log_failure(operation, path, error);
    return -error->code;
}

/* Fails @operation on @path with @code and a message of our own. */
static int
fs_refuse(const char *operation, const char *path, int code, const char *message)
{
    g_autoptr(GError) error = g_error_new_literal(OPS_ERROR, code, message);

    return fs_fail(operation, path, error);
}

static void *
fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    FsState *state = fs_state();

    /* The kernel's caches of names and attributes are the cache_ttl of ../shared/SPEC.md. */
    cfg->entry_timeout = state->cache_ttl;
    cfg->attr_timeout = state->cache_ttl;
    cfg->negative_timeout = state->cache_ttl;
    /* O_TRUNC reaches open, so that truncating NAME.xml is part of the edit, not a define. */
    conn->want |= conn->capable & FUSE_CAP_ATOMIC_O_TRUNC;
    /* Requests of up to 1 MiB, reads too (FUSE sizes both by max_write): each costs a round
     * trip through the kernel, and through streams a message to the daemon. */
    conn->max_write = MAP_IO_SIZE;
    return state;
}

/* Errors: ENOENT, EINVAL, EIO, ENOTCONN, EACCES. */
static int
fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;
    g_autoptr(GBytes) log = NULL;

    g_debug("getattr '%s'", path);
    node = map_lookup(state->tree, path, &error);
    if (!node)
        return fs_fail("getattr", path, error);
    map_node_stat(node, &state->defaults, st);
    if (node->kind == MAP_NODE_VOLUME)
        fs_volume_stat_written(path, st);
    if (node->kind == MAP_NODE_ERROR_LOG) {
        log = fs_log_recent();
        st->st_size = (off_t)g_bytes_get_size(log);
    }
    return 0;
}

/* Whether a pool's directory takes the name of pool @name's definition: NAME.xml. */
static gboolean
definition_name_taken(const char *name)
{
    g_autofree char *xml = map_xml_name(name);
    g_autofree char *xml_path = g_strconcat("/", xml, NULL);
    g_autoptr(MapNode) node = map_lookup(fs_state()->tree, xml_path, NULL);

    return node && node->kind == MAP_NODE_POOL;
}

/* P1: a new dir pool, running and autostarted. Errors: EEXIST, EINVAL, EPERM, EIO,
 * ENOTCONN. */
static int
fs_mkdir(const char *path, mode_t mode)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) parts = {0};
    g_autofree char *target = NULL;

    g_debug("mkdir '%s'", path);
    if (!map_path_parse(path, &parts, &error))
        return fs_fail("mkdir", path, error);
    if (parts.kind != MAP_PATH_TOP)
        return fs_refuse("mkdir", path, EPERM, "a pool holds volumes, not directories");
    /* L3: its definition would be hidden; the other way round, the name is taken already. */
    if (definition_name_taken(parts.top))
        return fs_refuse("mkdir", path, EEXIST,
                         "a pool named as this pool's definition (NAME.xml) exists");
    target = map_new_pool_target(state->tree, state->pool_root, parts.top, &error);
    map_forget_path(state->tree, path);
    if (!target || !ops_pool_create_dir(state->conn, parts.top, target, &error))
        return fs_fail("mkdir", path, error);
    map_definition_restored(state->tree, parts.top); /* a new pool's NAME.xml shows at once */
    return 0;
}

/* P2; V3 for a directory volume. Errors: ENOENT, ENOTEMPTY, ENOTDIR, EPERM, EACCES, EIO,
 * ENOTCONN. */
static int
fs_rmdir(const char *path)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;
    g_auto(GStrv) unsized = NULL;

    g_debug("rmdir '%s'", path);
    node = map_lookup(state->tree, path, &error);
    if (!node)
        return fs_fail("rmdir", path, error);
    if (node->kind == MAP_NODE_VOLUME && map_volume_is_directory(node->volume))
        return fs_volume_unlink("rmdir", path); /* libvirt removes it where it is empty */
    if (node->kind != MAP_NODE_POOL)
        return -ENOTDIR;
    unsized = map_unsized_names(state->tree, node->pool->name);
    if (*unsized) {
        error = g_error_new(OPS_ERROR, ENOTEMPTY,
                            "pool '%s' holds '%s', not yet given a size (rm it, or truncate -s)",
                            node->pool->name, *unsized);
        return fs_fail("rmdir", path, error);
    }
    map_forget_path(state->tree, path);
    if (!ops_pool_remove(state->conn, node->pool->name, &error))
        return fs_fail("rmdir", path, error);
    map_volume_settle_pool(state->tree, node->pool->name);
    map_definition_restored(state->tree, node->pool->name);
    return 0;
}

/* Removing NAME.xml (P3): a tool replacing the file removes it first. The pool stays (rmdir
 * removes it) and a new NAME.xml written in its place defines it. */
static int
remove_definition(const char *path, const OpsPool *pool)
{
    if (!pool->persistent)
        return fs_refuse("unlink", path, EPERM, "a transient pool has no definition to replace");
    map_definition_removed(fs_state()->tree, pool->name);
    return 0;
}

/* Errors: ENOENT, EPERM (a transient pool's definition, the log), EIO, ENOTCONN. */
static int
fs_unlink(const char *path)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;

    g_debug("unlink '%s'", path);
    node = map_lookup(state->tree, path, &error);
    if (!node)
        return fs_fail("unlink", path, error);
    switch (node->kind) {
    case MAP_NODE_SCRATCH:
        if (!map_scratch_remove(state->tree->scratch, path + 1, &error))
            return fs_fail("unlink", path, error);
        return 0;
    case MAP_NODE_POOL_XML:
        return remove_definition(path, node->pool);
    case MAP_NODE_VOLUME:
        return fs_volume_unlink("unlink", path);
    default:
        return -EPERM;
    }
}

/*
 * A rename at the root: onto NAME.xml it defines the pool (sed -i, vim, an atomic replace);
 * NAME.xml onto a scratch name copies the definition (vim's backup), the pool staying; among
 * scratch files it is a plain rename. Pools themselves cannot be renamed.
 */
static int
rename_at_root(const char *from, const char *to, MapNode *source)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autofree char *target_pool = map_xml_stem(to + 1);
    g_autoptr(GBytes) content = NULL;
    g_autoptr(MapScratchFile) copy = NULL;
    int status;

    switch (source->kind) {
    case MAP_NODE_SCRATCH:
        if (target_pool) {
            status = fs_define_from("rename", to, source->scratch, TRUE);
            if (status == 0)
                map_scratch_remove(state->tree->scratch, from + 1, NULL);
            return status;
        }
        if (!map_scratch_rename(state->tree->scratch, from + 1, to + 1, &error))
            return fs_fail("rename", from, error);
        return 0;
    case MAP_NODE_POOL_XML:
        if (target_pool)
            return fs_refuse("rename", from, EPERM, "libvirt cannot rename a pool");
        content = g_bytes_new(source->pool->xml, strlen(source->pool->xml));
        map_scratch_remove(state->tree->scratch, to + 1, NULL);
        copy = map_scratch_create(state->tree->scratch, to + 1, 0644, state->defaults.uid,
                                  state->defaults.gid, content, &error);
        return copy ? 0 : fs_fail("rename", from, error);
    case MAP_NODE_POOL:
        return fs_refuse("rename", from, EPERM, "libvirt cannot rename a pool");
    default:
        return -EPERM;
    }
}

/* Errors: ENOENT, EEXIST, EINVAL, EPERM, EXDEV, ENOSPC, EIO, ENOTCONN. */
static int
fs_rename(const char *from, const char *to, unsigned int flags)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) source = NULL;
    g_autoptr(MapNode) target = NULL;
    g_auto(MapPath) from_parts = {0};
    g_auto(MapPath) to_parts = {0};

    g_debug("rename '%s' '%s' flags %u", from, to, flags);
    if (flags & RENAME_EXCHANGE)
        return -EINVAL;
    if (!map_path_parse(from, &from_parts, &error) || !map_path_parse(to, &to_parts, &error))
        return fs_fail("rename", from, error);
    source = map_lookup(state->tree, from, &error);
    if (!source)
        return fs_fail("rename", from, error);
    if (flags & RENAME_NOREPLACE) {
        target = map_lookup(state->tree, to, NULL);
        if (target)
            return -EEXIST;
    }
    /* A volume lives only in a pool. EXDEV would have mv copy it into a scratch file at the
     * root, which lives in this process's memory, and then delete the volume. */
    if (from_parts.kind == MAP_PATH_VOLUME && to_parts.kind != MAP_PATH_VOLUME)
        return fs_refuse("rename", from, EPERM, "a volume can move only into a pool");
    if (from_parts.kind != to_parts.kind)
        return -EXDEV;
    /* libfuse hides an open file that is removed by renaming it so, to remove it at its last
     * close: for a volume that would be a move (through streams, a whole copy) and a volume
     * virsh lists meanwhile. It is removed now (V3); the open file keeps what it has. */
    if (from_parts.kind == MAP_PATH_VOLUME && g_str_has_prefix(to_parts.volume, FS_HIDDEN_PREFIX))
        return fs_volume_unlink("unlink", from);
    if (from_parts.kind == MAP_PATH_VOLUME)
        return fs_volume_rename(from, to);
    if (g_str_equal(to + 1, MAP_ERROR_LOG_NAME))
        return fs_refuse("rename", to, EPERM, "the error log is the server's");
    /* libfuse hides an open file that is removed, by renaming it so, to remove it at its
     * last close: for NAME.xml that is its removal now. */
    if (source->kind == MAP_NODE_POOL_XML && g_str_has_prefix(to + 1, FS_HIDDEN_PREFIX))
        return remove_definition(from, source->pool);
    return rename_at_root(from, to, source);
}

/*
 * Volume @path's mode and times, set on its file where it is reached in place (direct=auto,
 * a daemon on this host), which libvirt's XML then tells: so that rsync (which sets a new
 * file's mode), `cp -p`, `touch -d` and `rsync -t` (which skips files of the same size and
 * time) do what they mean. Elsewhere a mode is refused (EPERM), and times are libvirt's:
 * setting them changes nothing but is no error, or tools that copy them would fail on every
 * file. @st: what stat tells of it now.
 */
static int
set_volume_attrs(const char *operation, const char *path, const MapScratchAttr *attr,
                 const struct stat *st)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_auto(MapPath) parts = {0};
    const struct timespec times[2] = {attr->atime, attr->mtime};
    gboolean set_times = attr->atime.tv_nsec != UTIME_OMIT || attr->mtime.tv_nsec != UTIME_OMIT;
    gboolean set_mode = attr->set_mode && (attr->mode & 07777) != (st->st_mode & 07777);

    if (!set_times && !set_mode)
        return 0;
    if (state->direct != FS_DIRECT_NEVER && map_path_parse(path, &parts, &error) &&
        ops_data_set_file_attrs(state->conn, parts.top, parts.volume, set_times ? times : NULL,
                                set_mode ? attr->mode : OPS_UNKNOWN, &error)) {
        map_forget_path(state->tree, path);
        return 0;
    }
    if (!set_mode) {
        g_debug("%s '%s': %s", operation, path, error ? error->message : "not in place");
        return 0;
    }
    if (!error || error->code == ENOTSUP)
        return fs_refuse(operation, path, EPERM,
                         "a volume's mode comes from libvirt's XML where its file is not "
                         "reached in place");
    return fs_fail(operation, path, error);
}

/* Scratch files take any mode and owner; a definition keeps its own (setting it again is
 * fine, as editors and sed do); a volume's mode and times are its file's (set_volume_attrs).
 * Errors: ENOENT, EPERM. */
static int
set_attr(const char *operation, const char *path, const MapScratchAttr *attr)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;
    struct stat st;

    node = map_lookup(state->tree, path, &error);
    if (!node)
        return fs_fail(operation, path, error);
    if (node->kind == MAP_NODE_SCRATCH) {
        map_scratch_file_set_attr(node->scratch, attr);
        return 0;
    }
    map_node_stat(node, &state->defaults, &st);
    if ((attr->uid != (uid_t)-1 && attr->uid != st.st_uid) ||
        (attr->gid != (gid_t)-1 && attr->gid != st.st_gid))
        return fs_refuse(operation, path, EPERM, "owners come from libvirt's XML");
    if (node->kind == MAP_NODE_VOLUME)
        return set_volume_attrs(operation, path, attr, &st);
    if (attr->set_mode && (attr->mode & 07777) != (st.st_mode & 07777))
        return fs_refuse(operation, path, EPERM, "modes come from libvirt's XML");
    return 0;
}

static const MapScratchAttr no_change = {
    .uid = (uid_t)-1,
    .gid = (gid_t)-1,
    .atime = {0, UTIME_OMIT},
    .mtime = {0, UTIME_OMIT},
};

/* libvirt has no links, pipes or devices in a pool (a create is a volume): EPERM, as a
 * filesystem without them answers (E1), rather than libfuse's ENOSYS. */
static int
refuse_special(const char *operation, const char *path)
{
    g_debug("%s '%s'", operation, path);
    return fs_refuse(operation, path, EPERM, "only volumes can be made: no links or special files");
}

static int
fs_symlink(const char *target, const char *path)
{
    return refuse_special("symlink", path);
}

static int
fs_link(const char *from, const char *to)
{
    return refuse_special("link", to);
}

static int
fs_mknod(const char *path, mode_t mode, dev_t device)
{
    return refuse_special("mknod", path);
}

static int
fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    MapScratchAttr attr = no_change;

    g_debug("chmod '%s' 0%o", path, mode);
    attr.set_mode = TRUE;
    attr.mode = mode;
    return set_attr("chmod", path, &attr);
}

static int
fs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    MapScratchAttr attr = no_change;

    g_debug("chown '%s' %d:%d", path, (int)uid, (int)gid);
    attr.uid = uid;
    attr.gid = gid;
    return set_attr("chown", path, &attr);
}

static int
fs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    MapScratchAttr attr = no_change;

    g_debug("utimens '%s'", path);
    attr.atime = tv[0];
    attr.mtime = tv[1];
    return set_attr("utimens", path, &attr);
}

/* The pool's capacity and free space for its directory and what is in it (L4). */
/* Errors: ENOENT, EIO, ENOTCONN. */
static int
fs_statfs(const char *path, struct statvfs *st)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(OpsPool) pool = NULL;
    g_auto(MapPath) parts = {0};

    g_debug("statfs '%s'", path);
    if (!map_path_parse(path, &parts, &error))
        return fs_fail("statfs", path, error);
    if (parts.kind != MAP_PATH_ROOT)
        pool = map_lookup_pool_of(fs_state()->tree, path, &error);
    /* The root, and files at the root that are in no pool, belong to no pool. */
    if (!pool && error && error->code != ENOENT)
        return fs_fail("statfs", path, error);
    map_pool_statvfs(pool, st);
    return 0;
}

/*
 * The value of extended attribute @name of @path, for @operation, in @text (new): 0, or a
 * negative errno. Attributes live only in the user namespace here: no SELinux labels, no
 * ACLs (modes come from libvirt). ls -l asks every file for both; "not supported" GNU ls
 * takes as true of the whole filesystem, and stops asking.
 */
static int
attribute_text(const char *operation, const char *path, const char *name, char **text)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;

    g_debug("%s '%s' %s", operation, path, name);
    if (!g_str_has_prefix(name, "user."))
        return -EOPNOTSUPP;
    if (!g_str_has_prefix(name, MAP_XATTR_PREFIX))
        return -ENODATA;
    node = map_lookup_described(fs_state()->tree, path, &error);
    if (node)
        *text = map_xattr_value(node, name, &error);
    return *text ? 0 : fs_fail(operation, path, error);
}

/* Errors: ENOENT, ENODATA, EOPNOTSUPP, ERANGE, EIO, ENOTCONN. */
static int
fs_getxattr(const char *path, const char *name, char *value, size_t size)
{
    g_autofree char *text = NULL;
    int status = attribute_text("getxattr", path, name, &text);
    size_t length;

    if (status)
        return status;
    length = strlen(text);
    if (size == 0)
        return (int)length;
    if (size < length)
        return -ERANGE;
    memcpy(value, text, length);
    return (int)length;
}

/* libvirt's attributes are facts about a pool or volume: none can be removed. Errors:
 * EPERM, ENODATA, EOPNOTSUPP, ENOENT, EIO, ENOTCONN. */
static int
fs_removexattr(const char *path, const char *name)
{
    g_autofree char *text = NULL;
    int status = attribute_text("removexattr", path, name, &text);

    return status ? status
                  : fs_refuse("removexattr", path, EPERM, "libvirt's attributes cannot be removed");
}

/* Errors: ENOENT, ERANGE, EIO, ENOTCONN. */
static int
fs_listxattr(const char *path, char *list, size_t size)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;
    g_auto(GStrv) names = NULL;
    size_t length = 0;

    g_debug("listxattr '%s'", path);
    node = map_lookup_described(fs_state()->tree, path, &error);
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

/* P5: start, stop, autostart and refresh of a pool; V7: a volume's capacity.
 * Errors: ENOENT, ENOTSUP, EPERM, EINVAL, ENOSPC, EIO, ENOTCONN. */
static int
fs_setxattr(const char *path, const char *name, const char *value, size_t size, int flags)
{
    FsState *state = fs_state();
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;
    MapChange change;
    gboolean ok = FALSE;
    int status;

    g_debug("setxattr '%s' %s", path, name);
    node = map_lookup(state->tree, path, &error);
    if (node && !map_xattr_parse_change(node, name, value, size, &change, &error) &&
        error->code == ENOTSUP)
        return -ENOTSUP; /* an ordinary answer: tools copying ACLs and labels expect it */
    if (!node || error)
        return fs_fail("setxattr", path, error);
    /* E5: starting, stopping and the like are for the pool's owner, as a mode change would
     * be (the kernel lets anyone who may write the directory set its attributes), besides
     * root and the mounting user, whose libvirt connection it is. */
    if (change.kind != MAP_CHANGE_CAPACITY) {
        struct stat st;
        uid_t caller = fuse_get_context()->uid;

        map_node_stat(node, &state->defaults, &st);
        if (caller != 0 && caller != state->defaults.uid && caller != st.st_uid)
            return fs_refuse("setxattr", path, EPERM, "only the pool's owner controls it");
    }
    map_forget_path(state->tree, path);
    switch (change.kind) {
    case MAP_CHANGE_RUNNING:
        ok = ops_pool_set_running(state->conn, node->pool->name, change.flag, &error);
        break;
    case MAP_CHANGE_AUTOSTART:
        ok = ops_pool_set_autostart(state->conn, node->pool->name, change.flag, &error);
        break;
    case MAP_CHANGE_REFRESH:
        ok = ops_pool_refresh(state->conn, node->pool->name, &error);
        break;
    case MAP_CHANGE_CAPACITY:
        /* Bytes being written first are the volume (V1), its format still unknown to libvirt:
         * cp -a and mv replay the source's capacity while they write, which would cut or pad
         * them as a raw file's. */
        if (node->kind == MAP_NODE_VOLUME && fs_volume_in_state(path, MAP_VOLUME_FILLING)) {
            g_set_error(&error, OPS_ERROR, EBUSY,
                        "its bytes are being written: its capacity is theirs once closed");
            return fs_fail("setxattr", path, error);
        }
        status = fs_volume_resize("setxattr", path, change.bytes, FALSE);
        /* The kernel keeps the size it was told, and a setxattr does not make it ask again. */
        if (status == 0)
            fuse_invalidate_path(fuse_get_context()->fuse, path);
        return status;
    }
    return ok ? 0 : fs_fail("setxattr", path, error);
}

const struct fuse_operations fs_operations = {
    .init = fs_init,
    .getattr = fs_getattr,
    .opendir = fs_opendir,
    .readdir = fs_readdir,
    .releasedir = fs_releasedir,
    .mkdir = fs_mkdir,
    .rmdir = fs_rmdir,
    .unlink = fs_unlink,
    .rename = fs_rename,
    .symlink = fs_symlink,
    .link = fs_link,
    .mknod = fs_mknod,
    .chmod = fs_chmod,
    .chown = fs_chown,
    .utimens = fs_utimens,
    .truncate = fs_truncate,
    .open = fs_open,
    .create = fs_create,
    .read = fs_read,
    .write = fs_write,
    .flush = fs_flush,
    .fsync = fs_fsync,
    .release = fs_release,
    .statfs = fs_statfs,
    .fallocate = fs_fallocate,
    .copy_file_range = fs_copy_file_range,
    .getxattr = fs_getxattr,
    .listxattr = fs_listxattr,
    .removexattr = fs_removexattr,
    .setxattr = fs_setxattr,
};
