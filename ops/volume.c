/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Volumes as libvirt sees them: the names in a pool, and everything about one of them. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops-private.h"

/*
 * The volumes of pool @pool_name into @handles (for virStorageVolFree each and free): their
 * count, 0 for a pool that is not running, or -1 with @error set.
 */
static int
list_handles(OpsConnection *conn, const char *pool_name, virStorageVolPtr **handles, GError **error)
{
    g_autoptr(virStoragePool) pool = ops_pool_lookup(conn, pool_name, error);
    int active, count;

    *handles = NULL;
    if (!pool)
        return -1;
    g_debug("libvirt: virStoragePoolIsActive(%s)", pool_name);
    active = virStoragePoolIsActive(pool);
    if (active < 0) {
        ops_error_from_libvirt(error, "cannot read the pool's state");
        return -1;
    }
    if (!active)
        return 0;
    g_debug("libvirt: virStoragePoolListAllVolumes(%s)", pool_name);
    count = virStoragePoolListAllVolumes(pool, handles, 0);
    if (count < 0)
        ops_error_from_libvirt(error, "cannot list the pool's volumes");
    return count;
}

char **
ops_volume_list_names(OpsConnection *conn, const char *pool_name, GError **error)
{
    virStorageVolPtr *volumes;
    int count = list_handles(conn, pool_name, &volumes, error);
    GPtrArray *names;

    if (count < 0)
        return NULL;
    names = g_ptr_array_new_full(count + 1, NULL);
    for (int i = 0; i < count; i++) {
        g_ptr_array_add(names, g_strdup(virStorageVolGetName(volumes[i])));
        virStorageVolFree(volumes[i]);
    }
    free(volumes);
    return ops_names_sorted(names);
}

virStorageVolPtr
ops_volume_lookup(OpsConnection *conn, const char *pool_name, const char *name, GError **error)
{
    g_autoptr(virConnect) live = ops_connection_get(conn, error);

    return live ? ops_volume_lookup_on(live, pool_name, name, error) : NULL;
}

virStorageVolPtr
ops_volume_lookup_on(virConnectPtr live, const char *pool_name, const char *name, GError **error)
{
    g_autoptr(virStoragePool) pool = ops_pool_lookup_on(live, pool_name, error);
    virStorageVolPtr volume;

    if (!pool)
        return NULL;
    g_debug("libvirt: virStorageVolLookupByName(%s, %s)", pool_name, name);
    volume = virStorageVolLookupByName(pool, name);
    if (!volume) {
        ops_error_from_libvirt(error, "cannot find the volume");
        /* A pool that is not running holds no volumes (L1): nothing is there. */
        if (error && *error && (*error)->code == EPERM)
            (*error)->code = ENOENT;
    }
    return volume;
}

/* How long a volume busy with a transfer's set-up is waited for: half a second. */
#define BUSY_TRIES 50
#define BUSY_WAIT  (10 * 1000) /* µs */

gboolean
ops_volume_busy_wait(int tries)
{
    const virError *failure = virGetLastError();

    if (tries >= BUSY_TRIES || !failure || failure->code != VIR_ERR_OPERATION_INVALID)
        return FALSE;
    g_usleep(BUSY_WAIT);
    return TRUE;
}

OpsVolume *
ops_volume_get(OpsConnection *conn, const char *pool_name, const char *name, GError **error)
{
    g_autoptr(virStorageVol) volume = ops_volume_lookup(conn, pool_name, name, error);
    g_autofree char *xml = NULL;

    if (!volume)
        return NULL;
    g_debug("libvirt: virStorageVolGetXMLDesc(%s, %s)", pool_name, name);
    xml = virStorageVolGetXMLDesc(volume, 0);
    if (!xml) {
        ops_error_from_libvirt(error, "cannot read the volume's XML");
        return NULL;
    }
    return ops_volume_parse_xml(xml, error);
}

/* How many volumes are described at once, each on a connection of its own. */
#define PARALLEL_CALLS 8

typedef struct {
    OpsConnection *conn;
    virStorageVolPtr *handles;
    OpsVolume **records; /* one slot per handle, NULL where the volume vanished meanwhile */
    GMutex lock;         /* guards error */
    GError *error;       /* the first failure other than a volume gone meanwhile */
} ListJob;

/* Runs on a worker. The handles are the listing thread's, and no two threads call through
 * one connection at once (ops/connection.c): the volume is found again by its key on a
 * connection the worker takes for the call, and gives back. */
static void
describe_volume(gpointer index, gpointer data)
{
    ListJob *job = data;
    gsize i = GPOINTER_TO_SIZE(index) - 1;
    g_autoptr(GError) error = NULL;
    virConnectPtr own = ops_connection_open_own(job->conn, &error);
    g_autoptr(virStorageVol) volume = NULL;
    g_autofree char *xml = NULL;

    if (own) {
        g_debug("libvirt: virStorageVolLookupByKey, GetXMLDesc(%s)",
                virStorageVolGetName(job->handles[i]));
        volume = virStorageVolLookupByKey(own, virStorageVolGetKey(job->handles[i]));
        xml = volume ? virStorageVolGetXMLDesc(volume, 0) : NULL;
        if (xml)
            job->records[i] = ops_volume_parse_xml(xml, NULL);
        else if (virGetLastErrorCode() != VIR_ERR_NO_STORAGE_VOL)
            ops_error_from_libvirt(&error, "cannot describe the volume");
        g_clear_pointer(&volume, virStorageVolFree);
        ops_connection_give_back(job->conn, own);
    }
    g_mutex_lock(&job->lock);
    if (error && !job->error)
        job->error = g_steal_pointer(&error);
    g_mutex_unlock(&job->lock);
}

/*
 * What stat needs of the file at @path, as libvirt would read it (a dir pool's volume is its
 * file: the length is the physical size, the blocks the allocation); NULL where it cannot
 * be read from here.
 */
static OpsVolume *
describe_in_place(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    OpsVolume *volume;
    struct stat st;

    if (lstat(path, &st) < 0)
        return NULL;
    volume = ops_volume_new();
    volume->name = g_strdup(name);
    volume->key = g_strdup(path);
    volume->path = g_steal_pointer(&path);
    volume->type = g_strdup(S_ISDIR(st.st_mode) ? "dir" : S_ISBLK(st.st_mode) ? "block" : "file");
    volume->physical = (guint64)st.st_size;
    volume->allocation = (guint64)st.st_blocks * 512;
    volume->perms = (OpsPerms){.mode = st.st_mode & 07777, .uid = st.st_uid, .gid = st.st_gid};
    volume->atime = st.st_atim;
    volume->mtime = st.st_mtim;
    volume->ctime = st.st_ctim;
    return volume;
}

/* The target directory of @pool where its volumes are files this process can read: a new
 * string, or NULL. */
static char *
readable_directory(OpsConnection *conn, const char *pool)
{
    g_autoptr(OpsPool) record = ops_pool_get(conn, pool, NULL);

    if (!conn->local || !record || g_strcmp0(record->type, "dir") != 0 || !record->target ||
        access(record->target, R_OK | X_OK) < 0)
        return NULL;
    return g_strdup(record->target);
}

GPtrArray *
ops_volume_list(OpsConnection *conn, const char *pool_name, gboolean in_place, GError **error)
{
    g_autofree char *dir = in_place ? readable_directory(conn, pool_name) : NULL;
    ListJob job = {.conn = conn};
    GThreadPool *workers = NULL;
    GPtrArray *result;
    int count = list_handles(conn, pool_name, &job.handles, error);

    if (count < 0)
        return NULL;
    g_mutex_init(&job.lock);
    g_debug("volumes of %s: %s", pool_name, dir ? "lstat of each" : "GetXMLDesc of each");
    job.records = g_new0(OpsVolume *, count);
    if (!dir)
        workers = g_thread_pool_new(describe_volume, &job, PARALLEL_CALLS, FALSE, NULL);
    for (int i = 0; i < count; i++) {
        if (dir)
            job.records[i] = describe_in_place(dir, virStorageVolGetName(job.handles[i]));
        else
            g_thread_pool_push(workers, GSIZE_TO_POINTER((gsize)i + 1), NULL);
    }
    if (workers)
        g_thread_pool_free(workers, FALSE, TRUE); /* waits for every call */
    result = g_ptr_array_new_full(count, (GDestroyNotify)ops_volume_unref);
    for (int i = 0; i < count; i++) {
        if (job.records[i])
            g_ptr_array_add(result, job.records[i]);
        virStorageVolFree(job.handles[i]);
    }
    free(job.handles);
    g_free(job.records);
    g_mutex_clear(&job.lock);
    /* A listing short of volumes that are there would be cached as the pool's. */
    if (job.error) {
        g_propagate_error(error, job.error);
        g_clear_pointer(&result, g_ptr_array_unref);
        return NULL;
    }
    ops_volumes_sort(result);
    return result;
}

gboolean
ops_volume_length(virStorageVolPtr volume, guint64 *length, GError **error)
{
    virStorageVolInfo info;

    g_debug("libvirt: virStorageVolGetInfoFlags(PHYSICAL)");
    if (virStorageVolGetInfoFlags(volume, &info, VIR_STORAGE_VOL_GET_PHYSICAL) < 0)
        return ops_error_from_libvirt(error, "cannot read the volume");
    /* A file's physical size (its allocation, with the flag); some backends (zfs, a disk
     * whose device the daemon could not open) leave it 0 for devices, whose capacity is it. */
    *length = info.type == VIR_STORAGE_VOL_FILE ? info.allocation : info.capacity;
    return TRUE;
}
