/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A volume's bytes (../shared/SPEC.md V5), by one of two paths:
 * - in place: where the daemon runs on this host and this process can open the volume's
 *   file or device, reads and writes are pread and pwrite on it;
 * - streams: otherwise, virStorageVolDownload and virStorageVolUpload, sparse-aware. A
 *   stream cannot seek, and starting one costs an RPC and a helper thread on the daemon
 *   (and an upload's end a rescan of the pool), so one download and one upload are kept
 *   going while access is sequential, and a new one is started only where it is not.
 *   Holes in a download become zeros here without crossing the network. A download covers
 *   a window of the volume at a time: libvirt's client queues whatever the daemon sends,
 *   read or not, so a reader that stops would otherwise have the whole volume held in this
 *   process. The first window is the read that starts it, so that a random read moves no
 *   more than it asks for; each next one, started where one ends, is twice as long (or as
 *   long as the read still wants), up to DOWNLOAD_WINDOW, so that sequential reads soon
 *   need a new stream only rarely. Reads in flight together arrive out of order (qemu-img
 *   has several, the kernel splits a large read): a read a little ahead of the download has
 *   it go on rather than start anew, and the bytes it passes wait in a stash (ops/stash.c)
 *   for the reads behind. No download starts at or past the volume's end: the
 *   daemon would send a window of zeros there, not an end. A write that is not where the
 *   upload is goes on in a new upload there: a hole would have the daemon cut the file
 *   where it ends, with no way to know that another open file has not written beyond by
 *   then (a gap past the end stays a hole in the file all the same). An upload is fed
 *   from a thread of its own (ops/upload.c), so that writes overlap sends.
 * Data written is in the volume once ops_data_flush returns: an upload is finished.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops-private.h"

/* The most of a volume one download covers: what libvirt's client can hold of it here. */
#define DOWNLOAD_WINDOW (32 * 1024 * 1024)
/* The most bytes kept for reads behind the download (qemu-img, say, has 8 reads of 2 MiB in
 * flight, which come back in any order), and the furthest a read ahead of it has it go on
 * rather than start anew; also no further than AHEAD_READS reads of its size, so that small
 * random reads move little. An open file holds a window and a stash at most: 64 MiB. */
#define STASH_LIMIT (32 * 1024 * 1024)
#define AHEAD_READS 32
/* How long stashed bytes are served: reads in flight come back within milliseconds, and
 * older bytes could predate a change made elsewhere. */
#define STASH_MAX_AGE G_USEC_PER_SEC

struct _OpsData {
    GMutex lock; /* guards everything below: FUSE may use one handle from several threads */
    OpsConnection *conn;
    /* A connection of this handle's own for its streams, opened with the first: an upload's
     * sender thread, and the calls of whichever thread uses the handle next, must not wait
     * in libvirt behind another thread's call (ops/connection.c). */
    virConnectPtr streams;
    virStorageVolPtr streamed; /* the volume on it, looked up with the first stream */
    char *pool;
    char *name;
    int fd; /* in place: the volume's file or device; -1 for streams */
    gboolean writable;
    OpsDownload *download; /* the download under way, reading at download_at */
    guint64 download_at;
    guint64 download_end; /* where its window ends */
    guint64 window;       /* the length of its window */
    guint64 hole;         /* bytes of a hole the download announced and reads have not used up */
    OpsStash *stash;      /* bytes the download passed that reads behind it may still want */
    OpsUpload *upload;    /* the upload under way, writing at upload_at */
    guint64 upload_at;
    guint64 end; /* the volume's length (its file's, physical) as far as this handle knows */
};

static gboolean
system_failed(OpsData *data, GError **error, const char *what)
{
    int err = errno;

    g_set_error(error, OPS_ERROR, err, "cannot %s volume '%s': %s", what, data->name,
                g_strerror(err));
    return FALSE;
}

/* The path of @volume's file or device, where the daemon is on this host; NULL where not. */
static char *
path_in_place(OpsConnection *conn, virStorageVolPtr volume)
{
    return conn->local ? virStorageVolGetPath(volume) : NULL;
}

/* Opens the volume's file or device in place, where it is reachable; -1 where not. */
static int
open_in_place(OpsConnection *conn, virStorageVolPtr volume, gboolean writable)
{
    g_autofree char *path = path_in_place(conn, volume);
    int fd;

    if (!path)
        return -1;
    fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    g_debug("data: %s in place: %s", path, fd < 0 ? g_strerror(errno) : "yes");
    return fd;
}

gboolean
ops_data_set_file_attrs(OpsConnection *conn, const char *pool, const char *name,
                        const struct timespec *times, guint32 mode, GError **error)
{
    g_autoptr(virStorageVol) volume = ops_volume_lookup(conn, pool, name, error);
    g_autofree char *path = volume ? path_in_place(conn, volume) : NULL;
    int err;

    if (!volume)
        return FALSE;
    if (!path) {
        g_set_error(error, OPS_ERROR, ENOTSUP, "volume '%s' is not reached in place", name);
        return FALSE;
    }
    if ((!times || utimensat(AT_FDCWD, path, times, 0) == 0) &&
        (mode == OPS_UNKNOWN || chmod(path, mode & 07777) == 0))
        return TRUE;
    err = errno;
    g_set_error(error, OPS_ERROR, err, "cannot set the %s of volume '%s': %s",
                mode == OPS_UNKNOWN ? "times" : "mode", name, g_strerror(err));
    return FALSE;
}

OpsData *
ops_data_open(OpsConnection *conn, const char *pool, const char *name, gboolean writable,
              gboolean in_place, GError **error)
{
    g_autoptr(virStorageVol) volume = ops_volume_lookup(conn, pool, name, error);
    guint64 length = 0;
    int fd = -1;
    OpsData *data;

    /* @volume is on this thread's connection: it is not kept, since later calls on the
     * handle come from other threads. */
    if (!volume || !ops_volume_length(volume, &length, error))
        return NULL;
    fd = in_place ? open_in_place(conn, volume, writable) : -1;
    /* A volume gone meanwhile (replaced by another file's O_TRUNC, say) is no reason to go
     * through streams instead: ENOENT, as libvirt says. */
    if (in_place && fd < 0 && conn->local && !ops_volume_length(volume, &length, error))
        return NULL;
    data = g_new0(OpsData, 1);
    g_mutex_init(&data->lock);
    data->conn = conn;
    data->pool = g_strdup(pool);
    data->name = g_strdup(name);
    data->writable = writable;
    data->fd = fd;
    data->end = length;
    data->stash = ops_stash_new(STASH_LIMIT);
    return data;
}

gboolean
ops_data_in_place(OpsData *data)
{
    return data->fd >= 0;
}

/* Drops the download under way, if any. */
static void
drop_download(OpsData *data)
{
    g_clear_pointer(&data->download, ops_download_free);
    data->hole = 0;
}

/* Forgets all that was read ahead, the download and the stash: it may be stale. */
static void
forget_read_ahead(OpsData *data)
{
    drop_download(data);
    ops_stash_clear(data->stash);
}

/*
 * The volume on the handle's own connection for streams, opened with the first stream; NULL
 * with @error set. Once that connection is lost, so is the handle's way through streams
 * (ENOTCONN; open the file again): opening another could wait for a frozen daemon once more
 * (E3), for each read or write that the kernel had in flight.
 */
static virStorageVolPtr
stream_volume(OpsData *data, GError **error)
{
    if (data->streams && virConnectIsAlive(data->streams) != 1) {
        g_set_error(error, OPS_ERROR, ENOTCONN,
                    "the connection to libvirt was lost: open volume '%s' again", data->name);
        return NULL;
    }
    if (!data->streams)
        data->streams = ops_connection_open_own(data->conn, error);
    if (data->streams && !data->streamed)
        data->streamed = ops_volume_lookup_on(data->streams, data->pool, data->name, error);
    return data->streamed;
}

/* Sets data->end to the volume's length as libvirt tells it now. */
static gboolean
update_end(OpsData *data, GError **error)
{
    g_autoptr(virStorageVol) volume = ops_volume_lookup(data->conn, data->pool, data->name, error);

    return volume && ops_volume_length(volume, &data->end, error);
}

/* Finishes the upload under way, if any: its bytes are then in the volume. */
static gboolean
finish_upload(OpsData *data, GError **error)
{
    OpsUpload *upload = g_steal_pointer(&data->upload);

    return !upload || ops_upload_finish(upload, error);
}

static gboolean
start_download(OpsData *data, guint64 offset, guint64 window, GError **error)
{
    virStorageVolPtr volume = stream_volume(data, error);

    data->download = volume ? ops_download_start(volume, data->name, offset, window, error) : NULL;
    if (!data->download)
        return FALSE;
    data->download_at = offset;
    data->download_end = offset + window;
    data->window = window;
    data->hole = 0;
    return TRUE;
}

/* Up to @size bytes from the download under way (there must be one), at its position, holes
 * as zeros, across its windows; fewer only at the end. */
static gssize
download_read(OpsData *data, char *buf, gsize size, GError **error)
{
    guint64 offset = data->download_at;
    gsize got = 0;

    g_assert(data->download);

    while (got < size) {
        gssize n;

        if (data->hole) {
            gsize zeros = MIN(data->hole, size - got);

            memset(buf + got, 0, zeros);
            data->hole -= zeros;
            got += zeros;
            continue;
        }
        n = ops_download_recv(data->download, buf + got, size - got, &data->hole, error);
        if (n == 0 && !data->hole) { /* the end of the window, or of the volume before it */
            g_clear_pointer(&data->download, ops_download_finish);
            if (offset + got < data->download_end) {
                data->end = offset + got; /* the volume's end, where it may have shrunk */
                break;
            }
            if (offset + got >= data->end)
                break; /* the volume's end as last known; a next read looks again */
            if (!start_download(data, offset + got,
                                MIN(MAX(2 * data->window, size - got), DOWNLOAD_WINDOW), error))
                return -1;
            continue;
        }
        if (n < 0) {
            forget_read_ahead(data);
            return -1;
        }
        got += (gsize)n;
    }
    if (data->download)
        data->download_at = offset + got;
    return (gssize)got;
}

/*
 * Brings the download under way to @offset, for a read of @size bytes: a little ahead of it,
 * it goes on, and the bytes it passes go to the stash for the reads that want them later;
 * otherwise it is dropped, for a new download to start at @offset (the stash stays: reads
 * may still come back behind).
 */
static gboolean
download_to(OpsData *data, guint64 offset, gsize size, GError **error)
{
    guint64 at = data->download_at;
    g_autoptr(GBytes) passed = NULL;
    char *skipped;
    gssize n;

    if (offset < at || offset - at > MIN(STASH_LIMIT, AHEAD_READS * (guint64)size)) {
        drop_download(data);
        return TRUE;
    }
    if (offset == at)
        return TRUE;
    ops_stash_make_room(data->stash, offset - at);
    skipped = g_malloc(offset - at);
    n = download_read(data, skipped, offset - at, error);
    if (n < 0) {
        g_free(skipped);
        return FALSE;
    }
    passed = g_bytes_new_take(skipped, (gsize)n);
    ops_stash_put(data->stash, at, passed);
    return TRUE;
}

/* Up to @size bytes at @offset, from the stash or the download, holes as zeros; fewer only
 * at the end. */
static gssize
stream_read(OpsData *data, char *buf, gsize size, guint64 offset, GError **error)
{
    gsize got;
    gssize n;

    if (size == 0) /* a window of 0 would be the whole volume */
        return 0;
    if (!finish_upload(data, error))
        return -1;
    ops_stash_expire(data->stash, g_get_monotonic_time() - STASH_MAX_AGE);
    got = ops_stash_take(data->stash, offset, buf, size);
    if (got == size)
        return (gssize)got;
    offset += got;
    if (data->download && !download_to(data, offset, size - got, error))
        return -1;
    if (!data->download) {
        /* At or past the end as last known: the volume may have grown since. */
        if (offset >= data->end && !update_end(data, error))
            return -1;
        if (offset >= data->end)
            return (gssize)got;
        if (!start_download(data, offset, size - got, error))
            return -1;
    }
    n = download_read(data, buf + got, size - got, error);
    return n < 0 ? -1 : (gssize)(got + (gsize)n);
}

static gboolean
stream_write(OpsData *data, const char *buf, gsize size, guint64 offset, GError **error)
{
    forget_read_ahead(data);
    /* A stream cannot seek: a write elsewhere ends the upload, and a new one starts there.
     * (A gap sent as a hole instead would have the daemon cut the file where the hole ends,
     * at some moment of its own: bytes another open file wrote further meanwhile would go.) */
    if (data->upload && offset != data->upload_at && !finish_upload(data, error))
        return FALSE;
    if (!data->upload) {
        virStorageVolPtr volume = stream_volume(data, error);

        data->upload = volume ? ops_upload_start(volume, data->name, offset, error) : NULL;
        /* The daemon cannot seek its file that far (EINVAL): it cannot be that long. */
        if (!data->upload && offset > data->end && error && (*error)->code == EINVAL)
            (*error)->code = EFBIG;
        if (!data->upload)
            return FALSE;
        data->upload_at = offset;
    }
    if (!ops_upload_send(data->upload, buf, size, error)) {
        g_clear_pointer(&data->upload, ops_upload_abort);
        return FALSE;
    }
    data->upload_at = offset + size;
    data->end = MAX(data->end, data->upload_at);
    return TRUE;
}

gssize
ops_data_read(OpsData *data, char *buf, gsize size, guint64 offset, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&data->lock);
    gsize got = 0;

    if (data->fd < 0)
        return stream_read(data, buf, size, offset, error);
    while (got < size) {
        ssize_t n = pread(data->fd, buf + got, size - got, (off_t)(offset + got));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            system_failed(data, error, "read");
            return -1;
        }
        if (n == 0)
            break;
        got += (gsize)n;
    }
    return (gssize)got;
}

gboolean
ops_data_write(OpsData *data, const char *buf, gsize size, guint64 offset, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&data->lock);
    gsize done = 0;

    if (data->fd < 0)
        return stream_write(data, buf, size, offset, error);
    while (done < size) {
        ssize_t n = pwrite(data->fd, buf + done, size - done, (off_t)(offset + done));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return system_failed(data, error, "write");
        done += (gsize)n;
    }
    return TRUE;
}

gboolean
ops_data_set_length(OpsData *data, guint64 length, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&data->lock);

    g_assert(length > 0);
    forget_read_ahead(data);
    if (data->fd >= 0 && ftruncate(data->fd, (off_t)length) < 0)
        return system_failed(data, error, "truncate");
    if (data->fd < 0 && (!finish_upload(data, error) || !stream_volume(data, error) ||
                         !ops_upload_cut(data->streamed, data->name, length, error)))
        return FALSE;
    data->end = length;
    return TRUE;
}

gboolean
ops_data_empty(OpsData *data, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&data->lock);

    if (data->fd < 0) {
        g_set_error(error, OPS_ERROR, ENOTSUP, "volume '%s' is not reached in place", data->name);
        return FALSE;
    }
    if (ftruncate(data->fd, 0) < 0)
        return system_failed(data, error, "empty");
    data->end = 0;
    return TRUE;
}

/* In place, opens the volume's file anew where the one open was unlinked (the volume
 * replaced, or moved by a copy); the lock is held. One that is gone keeps the bytes it had. */
static void
reopen_if_unlinked(OpsData *data)
{
    g_autoptr(virStorageVol) volume = NULL;
    struct stat st;
    int fd;

    if (data->fd < 0 || fstat(data->fd, &st) < 0 || st.st_nlink > 0 || !S_ISREG(st.st_mode))
        return;
    volume = ops_volume_lookup(data->conn, data->pool, data->name, NULL);
    fd = volume ? open_in_place(data->conn, volume, data->writable) : -1;
    if (fd < 0)
        return;
    close(data->fd);
    data->fd = fd;
}

void
ops_data_follow_replacement(OpsData *data)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&data->lock);

    /* Through streams the volume is reached by its name: the new one already. */
    reopen_if_unlinked(data);
}

gboolean
ops_data_reaches(OpsData *data, const char *pool, const char *name)
{
    return g_str_equal(data->pool, pool) && g_str_equal(data->name, name);
}

gboolean
ops_data_follow_move(OpsData *data, const char *pool, const char *name, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&data->lock);
    g_autoptr(virStorageVol) volume = ops_volume_lookup(data->conn, pool, name, error);

    /* An upload under way writes the file it opened, renamed or not: it ends there. */
    if (!volume || !finish_upload(data, error))
        return FALSE;
    forget_read_ahead(data);
    g_clear_pointer(&data->streamed, virStorageVolFree);
    g_free(data->pool);
    data->pool = g_strdup(pool);
    g_free(data->name);
    data->name = g_strdup(name);
    reopen_if_unlinked(data);
    /* @volume is the moved one, found on this thread's connection just now. */
    return data->fd >= 0 || ops_volume_length(volume, &data->end, error);
}

gboolean
ops_data_refresh(OpsData *data, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&data->lock);

    if (data->fd >= 0)
        return TRUE; /* nothing is read ahead in place, nor is the length needed */
    forget_read_ahead(data);
    return update_end(data, error);
}

gboolean
ops_data_flush(OpsData *data, gboolean durable, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&data->lock);

    if (data->fd < 0)
        return finish_upload(data, error);
    if (durable && data->writable && fsync(data->fd) < 0)
        return system_failed(data, error, "sync");
    return TRUE;
}

void
ops_data_close(OpsData *data)
{
    if (!data)
        return;
    forget_read_ahead(data);
    ops_stash_free(data->stash);
    ops_upload_abort(data->upload);
    if (data->fd >= 0)
        close(data->fd);
    if (data->streamed)
        virStorageVolFree(data->streamed);
    if (data->streams)
        ops_connection_give_back(data->conn, data->streams);
    g_mutex_clear(&data->lock);
    g_free(data->pool);
    g_free(data->name);
    g_free(data);
}
