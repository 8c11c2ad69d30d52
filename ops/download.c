/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A download stream read without blocking in libvirt's client.
 *
 * A blocking virStreamRecv with nothing queued sends a dummy call and takes the connection's
 * socket from libvirt's event thread, polls it, reads a message and gives the socket back:
 * about ten context switches for each 256 KiB message. So the stream is non-blocking, and
 * only the event thread reads the socket: a reader that finds nothing queued sleeps until
 * the stream's callback says that something came. Reading 1 GiB then cost this process
 * 0.86 s of CPU instead of 1.14 s, and 24,000 context switches instead of 75,000, on two
 * cores that the daemon shares. The reader, not the callback, takes the bytes: copying them
 * on the event thread made that thread slower to drain the socket, and since the daemon
 * sends a stream's next message only once the last one is out of its socket, reads were
 * about 10% slower in that trial. A read also no longer waits in a call, so it is not one
 * of the calls that crash libvirt's client when a frozen daemon wakes (docs/coherence.md).
 *
 * libvirt tells a non-blocking stream nothing when its connection closes (a daemon killed,
 * or frozen past keepalive): a sleeping reader looks at the connection every
 * ALIVE_CHECK_INTERVAL, so that it fails with ENOTCONN soon after libvirt gave up (E3).
 */
#include <errno.h>

#include "ops/ops-private.h"

#define ALIVE_CHECK_INTERVAL (G_USEC_PER_SEC / 5)
#define STREAM_EVENTS        (VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP)

struct _OpsDownload {
    virStreamPtr stream;
    virConnectPtr conn; /* the stream's, to tell a dead connection */
    char *name;         /* the volume's, for messages */
    guint id;           /* its key in downloads */
    GMutex lock;        /* guards sleeping */
    GCond arrived;      /* signalled when sleeping drops to FALSE */
    gboolean sleeping;  /* a reader waits for the stream to have something */
};

/*
 * The downloads alive, by id: the stream callback's opaque is an id, not the download. libvirt
 * may still be running the callback when virStreamEventRemoveCallback returns, and libvirt
 * 9.0's remote driver never calls the callback's free function (remoteStreamCallbackFree
 * tests the callback it has just kept, not a cleared one), so nothing else tells when the
 * download may go. A callback that comes late finds no download under its id.
 */
static GMutex downloads_lock; /* guards downloads and last_id */
static GHashTable *downloads;
static guint last_id;

/* The stream's callback, on libvirt's event thread, when it has bytes, a hole, its end or an
 * error: wakes the sleeping reader, which takes them. It also turns itself off, since
 * libvirt calls it again at each turn of its loop for as long as bytes are queued. It copies
 * nothing itself (see above). */
static void
stream_ready(virStreamPtr stream, int events, void *opaque)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&downloads_lock);
    OpsDownload *download = g_hash_table_lookup(downloads, opaque);

    if (!download)
        return;
    g_mutex_lock(&download->lock);
    /* Under the lock: once woken, the reader may turn the callback on again at once. */
    virStreamEventUpdateCallback(stream, 0);
    download->sleeping = FALSE;
    g_cond_signal(&download->arrived);
    g_mutex_unlock(&download->lock);
}

OpsDownload *
ops_download_start(virStorageVolPtr volume, const char *name, guint64 offset, guint64 length,
                   GError **error)
{
    virConnectPtr conn = virStorageVolGetConnect(volume);
    virStreamPtr stream = virStreamNew(conn, VIR_STREAM_NONBLOCK);
    OpsDownload *download;

    g_debug("libvirt: virStorageVolDownload(%s, %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ")",
            name, offset, length);
    if (!stream || virStorageVolDownload(volume, stream, offset, length,
                                         VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) < 0) {
        ops_step_failed(error, "cannot read volume", name);
        if (stream)
            virStreamFree(stream);
        return NULL;
    }
    download = g_new0(OpsDownload, 1);
    download->stream = stream;
    download->conn = conn;
    virConnectRef(conn);
    download->name = g_strdup(name);
    g_mutex_init(&download->lock);
    g_cond_init(&download->arrived);
    g_mutex_lock(&downloads_lock);
    if (!downloads)
        downloads = g_hash_table_new(NULL, NULL);
    download->id = ++last_id;
    g_hash_table_insert(downloads, GUINT_TO_POINTER(download->id), download);
    g_mutex_unlock(&downloads_lock);
    if (virStreamEventAddCallback(stream, 0, stream_ready, GUINT_TO_POINTER(download->id), NULL) <
        0) {
        ops_step_failed(error, "cannot read volume", name);
        ops_download_free(download);
        return NULL;
    }
    return download;
}

/* Sleeps until the stream has something to say; FALSE with ENOTCONN set if the connection
 * died meanwhile. */
static gboolean
sleep_until_ready(OpsDownload *download, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&download->lock);

    download->sleeping = TRUE;
    /* The callback runs at once if something was queued since the reader looked. */
    virStreamEventUpdateCallback(download->stream, STREAM_EVENTS);
    while (download->sleeping) {
        gint64 until = g_get_monotonic_time() + ALIVE_CHECK_INTERVAL;

        if (!g_cond_wait_until(&download->arrived, &download->lock, until) &&
            virConnectIsAlive(download->conn) != 1) {
            download->sleeping = FALSE;
            g_set_error(error, OPS_ERROR, ENOTCONN,
                        "cannot read volume '%s': the connection to libvirt was lost",
                        download->name);
            return FALSE;
        }
    }
    return TRUE;
}

gssize
ops_download_recv(OpsDownload *download, char *buf, gsize size, guint64 *hole, GError **error)
{
    g_assert(size > 0);
    *hole = 0;
    for (;;) {
        int n = virStreamRecvFlags(download->stream, buf, size, VIR_STREAM_RECV_STOP_AT_HOLE);
        long long length = 0;

        if (n == -3) {
            if (virStreamRecvHole(download->stream, &length, 0) < 0)
                n = -1;
            *hole = (guint64)MAX(length, 0);
        }
        if (n == -1) {
            ops_step_failed(error, "cannot read volume", download->name);
            return -1;
        }
        if (n != -2)
            return MAX(n, 0);
        if (!sleep_until_ready(download, error))
            return -1;
    }
}

/* Frees @download, its stream ended by @end (virStreamFinish or virStreamAbort). */
static void
download_free(OpsDownload *download, int (*end)(virStreamPtr))
{
    virStreamEventRemoveCallback(download->stream);
    g_mutex_lock(&downloads_lock);
    g_hash_table_remove(downloads, GUINT_TO_POINTER(download->id));
    g_mutex_unlock(&downloads_lock);
    end(download->stream);
    virStreamFree(download->stream);
    virConnectClose(download->conn);
    g_free(download->name);
    g_mutex_clear(&download->lock);
    g_cond_clear(&download->arrived);
    g_free(download);
}

void
ops_download_finish(OpsDownload *download)
{
    download_free(download, virStreamFinish);
}

void
ops_download_free(OpsDownload *download)
{
    if (download)
        download_free(download, virStreamAbort);
}
