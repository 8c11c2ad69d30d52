/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What stat and statfs show for each node (../shared/SPEC.md L1-L4). */
#include <string.h>

#include "mapping/mapping.h"

/* Where libvirt gives no mode: a pool directory as libvirt builds one (others may pass, not
 * list: E5, where another user's access is checked against it), a volume private. */
#define DEFAULT_POOL_MODE   0711
#define DEFAULT_VOLUME_MODE 0600
#define STATFS_BLOCK_SIZE   4096
#define NAME_MAX_BYTES      255

static mode_t
mode_or(const OpsPerms *perms, mode_t fallback)
{
    return perms->mode == OPS_UNKNOWN ? fallback : (perms->mode & 07777);
}

static void
set_owner(struct stat *st, const OpsPerms *perms, const MapDefaults *defaults)
{
    st->st_uid = perms->uid == OPS_UNKNOWN ? defaults->uid : perms->uid;
    st->st_gid = perms->gid == OPS_UNKNOWN ? defaults->gid : perms->gid;
}

static struct timespec
time_or(struct timespec ts, struct timespec fallback)
{
    return ts.tv_sec == 0 && ts.tv_nsec == 0 ? fallback : ts;
}

gboolean
map_volume_is_directory(const OpsVolume *volume)
{
    return g_strcmp0(volume->type, "dir") == 0;
}

static void
stat_volume(const OpsVolume *volume, const MapDefaults *defaults, struct stat *st)
{
    if (map_volume_is_directory(volume)) {
        st->st_mode = S_IFDIR | mode_or(&volume->perms, DEFAULT_POOL_MODE);
        st->st_nlink = 2;
    } else {
        st->st_mode = S_IFREG | mode_or(&volume->perms, DEFAULT_VOLUME_MODE);
        st->st_nlink = 1;
    }
    set_owner(st, &volume->perms, defaults);
    st->st_size = (off_t)volume->physical;
    st->st_blocks = (blkcnt_t)((volume->allocation + 511) / 512);
    st->st_blksize = defaults->io_size; /* large reads and writes: each is a request */
    st->st_atim = time_or(volume->atime, defaults->mounted);
    st->st_mtim = time_or(volume->mtime, defaults->mounted);
    st->st_ctim = time_or(volume->ctime, defaults->mounted);
}

void
map_node_stat(const MapNode *node, const MapDefaults *defaults, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_uid = defaults->uid;
    st->st_gid = defaults->gid;
    st->st_atim = st->st_mtim = st->st_ctim = defaults->mounted;
    switch (node->kind) {
    case MAP_NODE_ROOT:
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        break;
    case MAP_NODE_POOL:
        st->st_mode = S_IFDIR | mode_or(&node->pool->perms, DEFAULT_POOL_MODE);
        st->st_nlink = 2;
        set_owner(st, &node->pool->perms, defaults);
        /* Its mode and owner come from the definition. */
        st->st_ctim = time_or(node->defined, defaults->mounted);
        break;
    case MAP_NODE_POOL_XML:
        /* A transient pool has no definition to write (L3). */
        st->st_mode = S_IFREG | (node->pool->persistent ? 0644 : 0444);
        st->st_nlink = 1;
        st->st_size = (off_t)strlen(node->pool->xml);
        st->st_blocks = (st->st_size + 511) / 512;
        st->st_mtim = st->st_ctim = time_or(node->defined, defaults->mounted);
        break;
    case MAP_NODE_VOLUME:
        stat_volume(node->volume, defaults, st);
        break;
    case MAP_NODE_SCRATCH:
        map_scratch_file_stat(node->scratch, st);
        break;
    case MAP_NODE_ERROR_LOG:
        /* Its size is the log's, which only fs/ knows. */
        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        break;
    }
}

void
map_pool_statvfs(const OpsPool *pool, struct statvfs *st)
{
    memset(st, 0, sizeof(*st));
    st->f_bsize = STATFS_BLOCK_SIZE;
    /* Counted in bytes, so that df shows exactly what libvirt says. */
    st->f_frsize = 1;
    st->f_namemax = NAME_MAX_BYTES;
    if (!pool)
        return;
    st->f_blocks = pool->capacity;
    st->f_bfree = pool->capacity > pool->allocation ? pool->capacity - pool->allocation : 0;
    st->f_bavail = pool->available;
}
