/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of ops/ share and nobody else sees: libvirt's types, their cleanup
 * functions and the translation of libvirt errors into the project's error domain.
 */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "ops/ops.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConnect, virConnectClose)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePool, virStoragePoolFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageVol, virStorageVolFree)

typedef struct _ConnectAttempt ConnectAttempt;

struct _OpsConnection {
    GMutex lock;             /* guards conn, attempt, retry_at, watch, the event ids, spares */
    guint number;            /* tells it from other OpsConnections of this process */
    virConnectPtr conn;      /* the pool events'; NULL while the daemon is away */
    ConnectAttempt *attempt; /* the reconnection under way, if any (ops/connection.c) */
    char *requested;         /* the URI asked for (NULL: libvirt's default), to reconnect with */
    char *uri;               /* the canonical URI; set at open, never changed */
    gboolean local;       /* the daemon runs on this host: its files may be reachable from here */
    gint64 retry_at;      /* monotonic time before which no reconnection is tried */
    OpsPoolChanged watch; /* what pool events are told to, or NULL */
    gpointer watch_data;
    int lifecycle_event; /* callback ids on conn, -1 while not registered */
    int refresh_event;
    GPtrArray *spares; /* connections given back, for ops_connection_open_own */
};

/*
 * The calling thread's own live connection (ops/connection.c tells why each thread has one):
 * a new reference the caller closes (g_autoptr(virConnect)), or NULL with ENOTCONN when the
 * daemon is away and cannot be reached again now (E3). What is looked up on it (pools,
 * volumes) is for this thread's calls only.
 */
virConnectPtr ops_connection_get(OpsConnection *conn, GError **error);
/*
 * A connection for the caller alone, to give back (ops_connection_give_back): one given back
 * before, else a new one opened within the same bound. For objects that several threads call
 * through in turn, or that a thread of their own uses meanwhile: a volume's streams
 * (ops/data.c). NULL with ENOTCONN as above.
 */
virConnectPtr ops_connection_open_own(OpsConnection *conn, GError **error);
/* Gives back a connection from ops_connection_open_own, with no stream left on it, for a
 * later one to reuse; a dead one is closed. */
void ops_connection_give_back(OpsConnection *conn, virConnectPtr own);

/* Registers, or forgets, the pool event callbacks on conn->conn; conn->lock is held. */
gboolean ops_events_register_locked(OpsConnection *conn);
void ops_events_forget_locked(OpsConnection *conn);

/*
 * Sets @error from libvirt's last error of this thread, in the form "@what: libvirt's
 * message", with the errno that fits it (EIO when none does). Always returns FALSE so that a
 * failing call can end with `return ops_error_from_libvirt(...)`.
 */
gboolean ops_error_from_libvirt(GError **error, const char *what);
/* The same for a failed step on pool or volume @name: "@what 'NAME': message". Any rollback
 * must run after this, or libvirt's last error would be the rollback's. */
gboolean ops_step_failed(GError **error, const char *what, const char *name);

/* Looks up pool @name on this thread's connection (ops_connection_get), or on @live: a
 * reference the caller frees, or NULL with @error set. */
virStoragePoolPtr ops_pool_lookup(OpsConnection *conn, const char *name, GError **error);
virStoragePoolPtr ops_pool_lookup_on(virConnectPtr live, const char *name, GError **error);
/* Looks up volume @name of pool @pool the same ways. */
virStorageVolPtr ops_volume_lookup(OpsConnection *conn, const char *pool, const char *name,
                                   GError **error);
virStorageVolPtr ops_volume_lookup_on(virConnectPtr live, const char *pool, const char *name,
                                      GError **error);
/*
 * After a libvirt call on a volume failed at attempt @tries (from 1): TRUE, having waited a
 * moment, if libvirt refused it as "operation invalid" and the attempts are not used up.
 * libvirt 9.0 marks a volume "in use" while a transfer of it is being set up (a download or
 * an upload starting, through another open file, for a few milliseconds) and refuses
 * uploads and deletions meanwhile. (A pool that is not running answers the same, and so
 * fails half a second later.) libvirt's last error is left for the caller to report.
 */
gboolean ops_volume_busy_wait(int tries);

/* Sets @length to @volume's length as reads see it: its file's or device's (for a qcow2, not
 * its virtual size). */
gboolean ops_volume_length(virStorageVolPtr volume, guint64 *length, GError **error);

/* The type of pool @pool, named @name, as its XML says: a new string, or NULL with @error
 * set (ops/pool-lifecycle.c). */
char *ops_pool_type(virStoragePoolPtr pool, const char *name, GError **error);

/*
 * A download stream of a volume, @length bytes from @offset (ops/download.c), sparse-aware.
 * recv takes the next bytes into @buf, up to @size (not 0), sleeping until some come: it
 * returns how many, or 0 with @hole set to the length of a hole that comes first (the
 * stream is then past it) or to 0 at the stream's end, or -1 with @error set (ENOTCONN if
 * the connection died). One thread at a time. finish ends a stream that reached its end;
 * free drops one, and accepts NULL; each frees the download.
 */
typedef struct _OpsDownload OpsDownload;
OpsDownload *ops_download_start(virStorageVolPtr volume, const char *name, guint64 offset,
                                guint64 length, GError **error);
gssize ops_download_recv(OpsDownload *download, char *buf, gsize size, guint64 *hole,
                         GError **error);
void ops_download_finish(OpsDownload *download);
void ops_download_free(OpsDownload *download);

/*
 * An upload stream to a volume, fed from a thread of its own (ops/upload.c): send queues
 * bytes and returns at once, failing with an earlier failure of the sender; finish waits for all to
 * be sent, ends the stream and checks that the volume is as long as what was sent: the daemon drops
 * what does not fit in a full pool and says nothing of it (ENOSPC then); abort drops it.
 */
typedef struct _OpsUpload OpsUpload;
OpsUpload *ops_upload_start(virStorageVolPtr volume, const char *name, guint64 offset,
                            GError **error);
gboolean ops_upload_send(OpsUpload *upload, const char *buf, gsize size, GError **error);
gboolean ops_upload_finish(OpsUpload *upload, GError **error);
void ops_upload_abort(OpsUpload *upload);
/* Sets the length of file @volume, named @name, to @length bytes (not 0), those before kept,
 * whatever its format. */
gboolean ops_upload_cut(virStorageVolPtr volume, const char *name, guint64 length, GError **error);

/*
 * Bytes of a volume a download passed, kept for the reads behind it (ops/stash.c); the
 * caller's lock guards a stash. put keeps a reference to @bytes, the bytes at @offset on
 * (none, if empty or larger than @limit), dropping every chunk they overlap, and the chunks
 * that start lowest while more than @limit bytes or too many chunks would be kept;
 * take copies what is kept from @offset on, as far as it goes without a gap, into @buf (at
 * most @size bytes), forgets what it copied, and returns its count; make_room drops chunks
 * as put would for @size bytes, before they are read; expire drops the chunks put before
 * @before (g_get_monotonic_time's clock); held is the memory the kept chunks hold, in bytes.
 */
typedef struct _OpsStash OpsStash;
OpsStash *ops_stash_new(gsize limit);
void ops_stash_put(OpsStash *stash, guint64 offset, GBytes *bytes);
gsize ops_stash_take(OpsStash *stash, guint64 offset, char *buf, gsize size);
void ops_stash_make_room(OpsStash *stash, gsize size);
void ops_stash_expire(OpsStash *stash, gint64 before);
gsize ops_stash_held(const OpsStash *stash);
void ops_stash_clear(OpsStash *stash);
void ops_stash_free(OpsStash *stash);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OpsStash, ops_stash_free)
