/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An upload stream fed from a thread of its own: a write hands its bytes over and returns,
 * while the previous ones are still being sent, so that the copy through the kernel and
 * the send to the daemon overlap instead of taking turns. At most QUEUE_LIMIT bytes wait.
 * A failure of the sender is reported by the next send, or by the finish.
 */
#include <errno.h>

#include "ops/ops-private.h"

#define QUEUE_LIMIT (8 * 1024 * 1024)
/* What one stream message carries, as virStreamSendAll sends: larger messages make the
 * daemon grow its receive buffer for each, and cost it more than they save. */
#define MESSAGE_SIZE (256 * 1024)

typedef struct {
    GBytes *data; /* bytes to send, or NULL for a hole */
    guint64 hole;
} Chunk;

struct _OpsUpload {
    virStreamPtr stream;
    virStorageVolPtr volume;
    char *name;
    guint64 end; /* where what was queued ends in the volume */
    GThread *sender;
    GMutex lock;   /* guards all below */
    GCond changed; /* signalled when chunks, queued, closing or error change */
    GQueue chunks; /* of Chunk */
    gsize queued;  /* bytes in chunks */
    gboolean closing;
    GError *error; /* the first failure; later chunks are dropped */
};

static void
chunk_free(Chunk *chunk)
{
    if (chunk->data)
        g_bytes_unref(chunk->data);
    g_free(chunk);
}

/* Sends one chunk; FALSE with @error set from libvirt. Runs on the sender thread. */
static gboolean
send_chunk(OpsUpload *upload, const Chunk *chunk, GError **error)
{
    gsize size, sent = 0;
    const char *data;
    g_autofree char *context = g_strdup_printf("cannot write volume '%s'", upload->name);

    if (!chunk->data) {
        if (virStreamSendHole(upload->stream, (long long)chunk->hole, 0) < 0)
            return ops_error_from_libvirt(error, context);
        return TRUE;
    }
    data = g_bytes_get_data(chunk->data, &size);
    while (sent < size) {
        int n = virStreamSend(upload->stream, data + sent, MIN(size - sent, MESSAGE_SIZE));

        if (n < 0)
            return ops_error_from_libvirt(error, context);
        sent += (gsize)n;
    }
    return TRUE;
}

static gpointer
run_sender(gpointer data)
{
    OpsUpload *upload = data;

    for (;;) {
        g_autoptr(GError) error = NULL;
        Chunk *chunk;
        gboolean failed;

        g_mutex_lock(&upload->lock);
        while (g_queue_is_empty(&upload->chunks) && !upload->closing)
            g_cond_wait(&upload->changed, &upload->lock);
        chunk = g_queue_pop_head(&upload->chunks);
        failed = upload->error != NULL;
        g_mutex_unlock(&upload->lock);
        if (!chunk)
            return NULL; /* closing, and all sent */
        if (!failed && !send_chunk(upload, chunk, &error)) {
            g_mutex_lock(&upload->lock);
            upload->error = g_steal_pointer(&error);
            g_mutex_unlock(&upload->lock);
        }
        g_mutex_lock(&upload->lock);
        upload->queued -= chunk->data ? g_bytes_get_size(chunk->data) : 0;
        g_cond_broadcast(&upload->changed);
        g_mutex_unlock(&upload->lock);
        chunk_free(chunk);
    }
}

/* Starts an upload of @volume, named @name, at @offset, into a new stream; tried again while
 * another transfer of the volume is being set up (ops_volume_busy_wait). */
static virStreamPtr
start_stream(virStorageVolPtr volume, const char *name, guint64 offset, GError **error)
{
    g_autofree char *context = g_strdup_printf("cannot write volume '%s'", name);

    g_debug("libvirt: virStorageVolUpload(%s, %" G_GUINT64_FORMAT ")", name, offset);
    for (int tries = 1;; tries++) {
        virStreamPtr stream = virStreamNew(virStorageVolGetConnect(volume), 0);
        gboolean again;

        if (stream && virStorageVolUpload(volume, stream, offset, 0,
                                          VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) == 0)
            return stream;
        again = stream && ops_volume_busy_wait(tries);
        if (!again)
            ops_error_from_libvirt(error, context); /* before virStreamFree resets it */
        if (stream)
            virStreamFree(stream);
        if (!again)
            return NULL;
    }
}

OpsUpload *
ops_upload_start(virStorageVolPtr volume, const char *name, guint64 offset, GError **error)
{
    virStreamPtr stream = start_stream(volume, name, offset, error);
    OpsUpload *upload;

    if (!stream)
        return NULL;
    upload = g_new0(OpsUpload, 1);
    upload->stream = stream;
    upload->volume = volume;
    virStorageVolRef(volume);
    upload->name = g_strdup(name);
    upload->end = offset;
    g_mutex_init(&upload->lock);
    g_cond_init(&upload->changed);
    g_queue_init(&upload->chunks);
    upload->sender = g_thread_new("upload", run_sender, upload);
    return upload;
}

/* Queues @chunk (taken) once there is room; FALSE with the sender's failure, if any. */
static gboolean
queue_chunk(OpsUpload *upload, Chunk *chunk, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&upload->lock);
    gsize size = chunk->data ? g_bytes_get_size(chunk->data) : 0;

    while (!upload->error && upload->queued > 0 && upload->queued + size > QUEUE_LIMIT)
        g_cond_wait(&upload->changed, &upload->lock);
    if (upload->error) {
        g_propagate_error(error, g_error_copy(upload->error));
        chunk_free(chunk);
        return FALSE;
    }
    g_queue_push_tail(&upload->chunks, chunk);
    upload->queued += size;
    g_cond_broadcast(&upload->changed);
    return TRUE;
}

gboolean
ops_upload_send(OpsUpload *upload, const char *buf, gsize size, GError **error)
{
    Chunk *chunk = g_new0(Chunk, 1);

    chunk->data = g_bytes_new(buf, size);
    upload->end += size;
    return queue_chunk(upload, chunk, error);
}

/* Queues a hole of @length bytes; FALSE with the sender's failure, if any. */
static gboolean
queue_hole(OpsUpload *upload, guint64 length, GError **error)
{
    Chunk *chunk = g_new0(Chunk, 1);

    chunk->hole = length;
    upload->end += length;
    return queue_chunk(upload, chunk, error);
}

/* Stops the sender once all is sent (or dropped, after a failure) and frees @upload;
 * returns the sender's failure, or NULL. */
static GError *
stop(OpsUpload *upload)
{
    GError *error;

    g_mutex_lock(&upload->lock);
    upload->closing = TRUE;
    g_cond_broadcast(&upload->changed);
    g_mutex_unlock(&upload->lock);
    g_thread_join(upload->sender);
    error = upload->error;
    if (upload->volume)
        virStorageVolFree(upload->volume);
    g_mutex_clear(&upload->lock);
    g_cond_clear(&upload->changed);
    g_free(upload->name);
    g_free(upload);
    return error;
}

/*
 * Checks that @volume, named @name, reaches @end: what the daemon could not write (a full
 * pool) it drops without failing the stream. A volume that is shorter may also have been
 * replaced or cut meanwhile (O_TRUNC, truncate elsewhere): only a pool that has no room for
 * the missing bytes, refreshed to tell, is taken as full. Where it cannot tell, it passes.
 */
static gboolean
check_landed(virStorageVolPtr volume, const char *name, guint64 end, GError **error)
{
    g_autoptr(virStoragePool) pool = NULL;
    virStoragePoolInfo info;
    guint64 length;
    gboolean too_long;

    if (!ops_volume_length(volume, &length, NULL) || length >= end)
        return TRUE;
    g_debug("libvirt: virStoragePoolRefresh, GetInfo(pool of %s)", name);
    pool = virStoragePoolLookupByVolume(volume);
    if (!pool || virStoragePoolRefresh(pool, 0) < 0 || virStoragePoolGetInfo(pool, &info) < 0 ||
        info.available >= end - length)
        return TRUE;
    /* More than the whole pool could hold: the file cannot be that long (EFBIG). */
    too_long = end - length > info.capacity;
    g_set_error(error, OPS_ERROR, too_long ? EFBIG : ENOSPC,
                "cannot write volume '%s': it ends at byte %" G_GUINT64_FORMAT
                ", short of the %" G_GUINT64_FORMAT " written: %s",
                name, length, end, too_long ? "the file cannot be that long" : "the pool is full");
    return FALSE;
}

gboolean
ops_upload_finish(OpsUpload *upload, GError **error)
{
    virStreamPtr stream = upload->stream;
    g_autoptr(virStorageVol) volume = g_steal_pointer(&upload->volume);
    g_autofree char *name = g_strdup(upload->name);
    g_autofree char *context = g_strdup_printf("cannot finish writing volume '%s'", name);
    guint64 end = upload->end;
    GError *failure = stop(upload);

    g_debug("libvirt: virStreamFinish(upload)");
    if (!failure && virStreamFinish(stream) < 0)
        ops_error_from_libvirt(&failure, context);
    if (!failure)
        check_landed(volume, name, end, &failure);
    if (failure) {
        virStreamAbort(stream);
        g_propagate_error(error, failure);
    }
    virStreamFree(stream);
    return failure == NULL;
}

void
ops_upload_abort(OpsUpload *upload)
{
    virStreamPtr stream;
    GError *failure;

    if (!upload)
        return;
    stream = upload->stream;
    g_mutex_lock(&upload->lock);
    if (!upload->error) /* what is still queued is dropped */
        upload->error = g_error_new_literal(OPS_ERROR, ECANCELED, "the upload was abandoned");
    g_mutex_unlock(&upload->lock);
    failure = stop(upload);
    g_clear_error(&failure);
    virStreamAbort(stream);
    virStreamFree(stream);
}

/*
 * A sparse upload cuts or extends a file to @length bytes, those before kept, where libvirt's
 * resize will not (it will not shrink a volume below its allocation, which counts whole
 * blocks, nor set a non-raw file's length): the daemon ends a hole by truncating the file
 * where the hole ends, and a hole leaves the bytes it spans as they are: a hole of one byte
 * from @length - 1. (The daemon takes no empty hole: @length is not 0.)
 */
gboolean
ops_upload_cut(virStorageVolPtr volume, const char *name, guint64 length, GError **error)
{
    OpsUpload *upload = ops_upload_start(volume, name, length - 1, error);

    if (!upload)
        return FALSE;
    if (!queue_hole(upload, 1, error)) {
        ops_upload_abort(upload);
        return FALSE;
    }
    return ops_upload_finish(upload, error);
}
