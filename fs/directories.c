/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Directory listings through FUSE (../shared/SPEC.md L1, C1): the root, a pool, a directory
 * volume. An open directory keeps the listing it read at its start (and again at each
 * rewinddir) and hands it out piece by piece at stable offsets: a READDIR request costs
 * only the entries it carries, and a listing that changes meanwhile neither skips nor
 * repeats a name.
 *
 * A pool's volumes go with their attributes where the kernel asks for readdirplus, so that
 * `ls -l` needs no lookup of each name; libfuse passes attributes on only for entries filled
 * with their offsets (filled all at once, it sends them as unknown). The attributes are
 * those of the cache's current record, not of the listing kept: the kernel keeps what it
 * is given for cache_ttl, so a volume removed or changed since the listing began goes as a
 * bare name, which the kernel looks up. They go with a listing just asked of libvirt, and
 * past its first piece whenever the kernel asks for them (it asks where it lacks them);
 * at the start of a listing the cache answers they do not: it was asked for within
 * cache_ttl, the kernel has had them since, for as long, and sending them again would cost
 * work for each name and change nothing. Where the cache has meanwhile forgotten the pool's
 * volumes (a refresh), the listing is asked for again, once an open directory, rather than
 * each name looked up. With cache_ttl=0 none go: the kernel would keep them no time.
 */
#include "fs/fs.h"

/* Offsets: "." ends at 1, ".." at 2, and entry i of the listing at FIRST_ENTRY + i. */
#define FIRST_ENTRY 3

/*
 * An open directory: what fuse_file_info.fh points to. libfuse runs one readdir of a handle
 * at a time (its handle's lock), and releasedir after the last.
 */
typedef struct {
    char *pool;           /* the pool listed, for a pool's volumes */
    char **names;         /* the listing's names, or NULL where volumes holds it */
    GPtrArray *volumes;   /* a pool's volumes (OpsVolume), read for readdirplus */
    guint count;          /* entries in names or volumes */
    gboolean fetched;     /* the listing was just asked of libvirt */
    gboolean asked_again; /* for the current records, once the cache had forgotten them */
} FsDirectory;

static FsDirectory *
directory_of(const struct fuse_file_info *fi)
{
    return (FsDirectory *)(uintptr_t)fi->fh;
}

static void
directory_clear(FsDirectory *directory)
{
    g_clear_pointer(&directory->pool, g_free);
    g_clear_pointer(&directory->names, g_strfreev);
    g_clear_pointer(&directory->volumes, g_ptr_array_unref);
    directory->count = 0;
    directory->fetched = FALSE;
    directory->asked_again = FALSE;
}

static void
directory_free(FsDirectory *directory)
{
    directory_clear(directory);
    g_free(directory);
}

/* The listing is read by the first readdir. Errors: none. */
int
fs_opendir(const char *path, struct fuse_file_info *fi)
{
    FsDirectory *directory = g_new0(FsDirectory, 1);

    (void)path;
    fs_open_handle_add(directory, (GDestroyNotify)directory_free);
    fi->fh = (uintptr_t)directory;
    return 0;
}

/* Errors: none. */
int
fs_releasedir(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    fs_open_handle_release(directory_of(fi));
    return 0;
}

/* Reads the listing of @path into @directory: a pool's volumes where @plus asks for their
 * attributes (several libvirt calls at a time where the daemon is remote), else names. */
static gboolean
read_listing(const char *path, FsDirectory *directory, gboolean plus, GError **error)
{
    MapTree *tree = fs_state()->tree;
    g_auto(MapPath) parts = {0};

    directory_clear(directory);
    if (!map_path_parse(path, &parts, error))
        return FALSE;
    if (plus && parts.kind == MAP_PATH_TOP) {
        directory->volumes = map_list_volumes(tree, parts.top, &directory->fetched, error);
        if (!directory->volumes)
            return FALSE;
        directory->pool = g_steal_pointer(&parts.top);
        directory->count = directory->volumes->len;
        return TRUE;
    }
    directory->names = map_list(tree, path, error);
    if (!directory->names)
        return FALSE;
    directory->count = g_strv_length(directory->names);
    return TRUE;
}

/* The current records of @directory's pool's volumes: the cache's, asked of libvirt again
 * (once an open directory) where the cache has forgotten them; or NULL. */
static GPtrArray *
current_volumes(FsDirectory *directory)
{
    MapTree *tree = fs_state()->tree;
    GPtrArray *volumes = map_cached_volumes(tree, directory->pool);
    g_autoptr(GPtrArray) listing = NULL;
    gboolean fetched;

    if (volumes || directory->asked_again)
        return volumes;
    directory->asked_again = TRUE;
    listing = map_list_volumes(tree, directory->pool, &fetched, NULL);
    return listing ? map_cached_volumes(tree, directory->pool) : NULL;
}

/* Fills entry @index of @directory's listing into @buf, with the attributes of its record
 * in @current if any; FALSE once @buf is full. */
static gboolean
fill_entry(FsDirectory *directory, guint index, GPtrArray *current, void *buf, fuse_fill_dir_t fill)
{
    off_t next = (off_t)(FIRST_ENTRY + index);
    MapNode node = {.kind = MAP_NODE_VOLUME};
    OpsVolume *record;
    struct stat st;

    if (!directory->volumes)
        return fill(buf, directory->names[index], NULL, next, 0) == 0;
    node.volume = directory->volumes->pdata[index];
    record = current ? ops_volumes_find(current, node.volume->name) : NULL;
    if (record)
        node.volume = record;
    map_node_stat(&node, &fs_state()->defaults, &st); /* without attributes, the type */
    return fill(buf, node.volume->name, &st, next, record ? FUSE_FILL_DIR_PLUS : 0) == 0;
}

/* Errors: ENOENT, ENOTDIR, EIO, ENOTCONN, EACCES. */
int
fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t offset,
           struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    FsDirectory *directory = directory_of(fi);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) current = NULL;

    g_debug("readdir '%s' from %jd%s", path, (intmax_t)offset,
            flags & FUSE_READDIR_PLUS ? " plus" : "");
    if ((offset == 0 || (!directory->names && !directory->volumes)) &&
        !read_listing(path, directory, flags & FUSE_READDIR_PLUS, &error))
        return fs_fail("readdir", path, error);
    if (offset < 1 && fill(buf, ".", NULL, 1, 0))
        return 0;
    if (offset < 2 && fill(buf, "..", NULL, 2, 0))
        return 0;
    if (offset - (FIRST_ENTRY - 1) >= (off_t)directory->count)
        return 0; /* the end, or past it */
    if (directory->volumes && (flags & FUSE_READDIR_PLUS) && fs_state()->cache_ttl > 0 &&
        (directory->fetched || offset > 0))
        current = current_volumes(directory);
    for (guint index = (guint)(MAX(offset, FIRST_ENTRY - 1) - (FIRST_ENTRY - 1));
         index < directory->count; index++) {
        if (!fill_entry(directory, index, current, buf, fill))
            break;
    }
    return 0;
}
