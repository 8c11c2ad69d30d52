/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ops/: everything that talks to libvirt.
 *
 * This is the one public header of the folder. It offers a connection, plain records of what
 * libvirt says about pools and volumes (OpsPool, OpsVolume) and the project's error domain.
 * Callers never see a libvirt type: they get records and GErrors whose code is an errno value.
 * Nothing here logs above g_debug; the caller logs a failure once, with its own context.
 */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include <time.h>

G_BEGIN_DECLS

/* The project's one error domain: every GError of ops/ and mapping/ carries an errno code. */
#define OPS_ERROR (ops_error_quark())
GQuark ops_error_quark(void);

/*
 * Installs libvirt's silent error handler and its event loop (for events and keepalive).
 * Call once, before any other ops_ call or thread.
 */
void ops_init(void);

typedef struct _OpsConnection OpsConnection;

/*
 * Opens a read-write connection to @uri (NULL: libvirt's default). Returns a new connection
 * or NULL with @error set (ENOTCONN when the daemon cannot be reached). Thread-safe use.
 * Should the daemon go away later, calls fail with ENOTCONN (or EIO, for a call under way)
 * and the connection is opened again by the first call after it is back (E3).
 */
OpsConnection *ops_connection_open(const char *uri, GError **error);
/* Stops watching events and closes @conn; NULL is accepted. */
void ops_connection_free(OpsConnection *conn);
/* The canonical URI of the connection, owned by @conn. */
const char *ops_connection_uri(OpsConnection *conn);
/* Whether @conn's daemon runs on this host, so that its volumes may be reached in place. */
gboolean ops_connection_is_local(OpsConnection *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OpsConnection, ops_connection_free)

/*
 * Told the name of a pool that libvirt says was defined, undefined, started, stopped, created
 * or deleted (@lifecycle), or refreshed. Runs on libvirt's event thread: must not block.
 */
typedef void (*OpsPoolChanged)(const char *pool, gboolean lifecycle, gpointer data);

/*
 * Calls @func for every pool event of @conn from now on, on a thread that this starts (so
 * call it after any fork). Returns FALSE with @error set when libvirt cannot deliver events.
 */
gboolean ops_events_watch(OpsConnection *conn, OpsPoolChanged func, gpointer data, GError **error);
/* Stops the calls of ops_events_watch; a no-op when not watching. */
void ops_events_unwatch(OpsConnection *conn);

/* Owner and mode as libvirt's XML gives them; OPS_UNKNOWN where the XML has none. */
#define OPS_UNKNOWN ((guint32)-1)
typedef struct {
    guint32 mode;
    guint32 uid;
    guint32 gid;
} OpsPerms;

typedef enum {
    OPS_POOL_INACTIVE,
    OPS_POOL_BUILDING,
    OPS_POOL_RUNNING,
    OPS_POOL_DEGRADED,
    OPS_POOL_INACCESSIBLE,
} OpsPoolState;

/*
 * What libvirt says of one pool at one moment. Records are shared by reference (the cache
 * hands out the one it holds), so a record is never changed once made.
 */
typedef struct {
    char *name;
    char *uuid;
    char *type; /* "dir", "fs", "logical", ... */
    OpsPoolState state;
    gboolean persistent;
    gboolean autostart;
    guint64 capacity;
    guint64 allocation;
    guint64 available;
    char *target;   /* the target path; NULL for pools without one */
    OpsPerms perms; /* of the target directory */
    char *xml;      /* inactive definition; the live one for a transient pool */
} OpsPool;

/* A new empty record, with one reference. */
OpsPool *ops_pool_new(void);
/* Another reference to @pool, returned; _unref drops one (NULL passes), the last frees it. */
OpsPool *ops_pool_ref(OpsPool *pool);
void ops_pool_unref(OpsPool *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OpsPool, ops_pool_unref)

/* Sorts @names (owned strings), ends it with NULL and returns it as a GStrv, taking it. */
char **ops_names_sorted(GPtrArray *names);

/* The state as virsh names it ("running", "inactive", ...). */
const char *ops_pool_state_name(OpsPoolState state);

/* Whether the volumes of a pool of @type are files in a directory (dir, fs, netfs...):
 * libvirt makes them empty, and can clone them copy-on-write where the filesystem can. */
gboolean ops_pool_type_holds_files(const char *type);
/* Whether libvirt makes the volumes of a pool of @type only with their size, and cannot
 * empty one: partitions, logical volumes, network disks (disk, logical, zfs, rbd...). */
gboolean ops_pool_type_sizes_volumes(const char *type);

/*
 * What libvirt says of one volume at one moment, shared by reference and never changed once
 * made, as OpsPool. A listing made in place (ops_volume_list) holds only what stat needs,
 * read from the volume's file: @described is FALSE there, and @format, @capacity and @xml
 * are unknown until ops_volume_get.
 */
typedef struct {
    gboolean described; /* every field is libvirt's, from the volume's XML */
    char *name;
    char *key;
    char *path;
    char *type;    /* "file", "block", ... */
    char *format;  /* "qcow2", "raw", ...; NULL when libvirt names none */
    char *backing; /* the file an image reads through (a qcow2 overlay's), or NULL */
    guint64 capacity;
    guint64 allocation;
    guint64 physical; /* bytes a read of the volume returns */
    OpsPerms perms;
    struct timespec atime;
    struct timespec mtime;
    struct timespec ctime;
    char *xml;
} OpsVolume;

/* A new empty record, with one reference. */
OpsVolume *ops_volume_new(void);
/* As ops_pool_ref and ops_pool_unref. */
OpsVolume *ops_volume_ref(OpsVolume *volume);
void ops_volume_unref(OpsVolume *volume);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OpsVolume, ops_volume_unref)
/* Sorts @volumes, a GPtrArray of OpsVolume, by name, as names are listed. */
void ops_volumes_sort(GPtrArray *volumes);
/* The volume named @name in @volumes, sorted by ops_volumes_sort (borrowed), or NULL. */
OpsVolume *ops_volumes_find(GPtrArray *volumes, const char *name);

/*
 * The names of every pool, running or not, sorted. Returns a NULL-terminated vector the
 * caller frees with g_strfreev, or NULL with @error set.
 */
char **ops_pool_list_names(OpsConnection *conn, GError **error);

/* Everything about pool @name. Returns a new record, or NULL with @error set (ENOENT). */
OpsPool *ops_pool_get(OpsConnection *conn, const char *name, GError **error);

/*
 * The names of the volumes of pool @pool, sorted; an empty vector for a pool that is not
 * running. Returns a vector for g_strfreev, or NULL with @error set (ENOENT: no such pool).
 */
char **ops_volume_list_names(OpsConnection *conn, const char *pool, GError **error);

/*
 * Every volume of pool @pool (none for a pool not running), sorted by name: a GPtrArray
 * of OpsVolume, or NULL with @error set. Where the daemon is on this host, @in_place allows
 * it and the pool is a directory this process can read, the volumes are the files libvirt
 * lists, described by lstat (not @described); otherwise each is asked of libvirt, several
 * at once, each call on a connection of its own.
 */
GPtrArray *ops_volume_list(OpsConnection *conn, const char *pool, gboolean in_place,
                           GError **error);

/* Everything about volume @name of pool @pool: a new record, or NULL with @error (ENOENT). */
OpsVolume *ops_volume_get(OpsConnection *conn, const char *pool, const char *name, GError **error);

/*
 * P1: defines a dir pool @name with target @target, builds it (never overwriting), starts
 * it and marks it autostart; on failure nothing is left defined. EINVAL for a name libvirt
 * refuses.
 */
gboolean ops_pool_create_dir(OpsConnection *conn, const char *name, const char *target,
                             GError **error);

/*
 * P2: removes pool @name: ENOTEMPTY (and no change) while it holds volumes; else it is
 * stopped, a dir pool's target directory is removed (an rmdir) and the pool undefined.
 */
gboolean ops_pool_remove(OpsConnection *conn, const char *name, GError **error);

/*
 * P3, P4: defines pool @name from user-written @xml, whose <name> must be @name. A new pool
 * is also built and started. EINVAL when the XML is bad or libvirt refuses it (the previous
 * definition is then untouched), EIO when the daemon fails, EACCES for a transient pool,
 * whose definition is read-only (L3).
 */
gboolean ops_pool_define(OpsConnection *conn, const char *name, const char *xml, GError **error);

/* P5: starts or stops pool @name (a no-op where it already is so). */
gboolean ops_pool_set_running(OpsConnection *conn, const char *name, gboolean running,
                              GError **error);
/* P5: marks pool @name to start, or not, with the daemon. */
gboolean ops_pool_set_autostart(OpsConnection *conn, const char *name, gboolean autostart,
                                GError **error);
/* P5, C2: has libvirt rescan pool @name's storage; EBUSY while another call has a job on it. */
gboolean ops_pool_refresh(OpsConnection *conn, const char *name, GError **error);

/*
 * V1: creates volume @name of @capacity bytes, all allocated, in pool @pool, with @mode and
 * @format (NULL: the pool's default, for pools whose volumes have no file format). EEXIST,
 * EPERM (the pool is not running), EINVAL (a name or a size libvirt refuses), EIO.
 */
gboolean ops_volume_create(OpsConnection *conn, const char *pool, const char *name,
                           const char *format, guint64 capacity, guint32 mode, GError **error);

/*
 * V2, V7: sets the capacity of volume @name to @capacity (shrinking too), allocating it all
 * where @allocate. EINVAL for a shrink libvirt refuses, ENOSPC when the pool is full. A raw
 * file is cut to any length, those bytes kept, which libvirt's resize refuses below its
 * allocation; cut to 0, it is replaced by a new empty volume (as by O_TRUNC). Where @fresh
 * (nothing sized or wrote the volume yet), an image of another format is made anew at that
 * size (V1: not every format can be resized, nor preallocated once made).
 */
gboolean ops_volume_resize(OpsConnection *conn, const char *pool, const char *name,
                           guint64 capacity, gboolean allocate, gboolean fresh, GError **error);

/* V3: deletes volume @name of pool @pool. */
gboolean ops_volume_delete(OpsConnection *conn, const char *pool, const char *name, GError **error);

/* Whether ops_volume_clone of @volume has its very bytes: not for an image with a backing
 * file, which libvirt's copy merges into the copy (a qcow2 overlay comes out whole). */
gboolean ops_volume_clones_exactly(const OpsVolume *volume);

/*
 * V6: copies volume @from of pool @from_pool to a new volume @to of pool @to_pool, inside
 * libvirt (virStorageVolCreateXMLFrom): same format, capacity and bytes, sparse where it was,
 * with @mode (OPS_UNKNOWN: the source's).
 */
gboolean ops_volume_clone(OpsConnection *conn, const char *from_pool, const char *from,
                          const char *to_pool, const char *to, guint32 mode, GError **error);

/*
 * V4: moves volume @from of @from_pool to @to in @to_pool, replacing any volume there. With
 * @on_host, by a rename of the host file where both pools are local directories on one
 * filesystem (then both pools are refreshed); else, or failing that, by a clone and a
 * delete (EXDEV where a clone would not have the very bytes: mv then copies them). The data
 * never passes through this process.
 */
gboolean ops_volume_move(OpsConnection *conn, const char *from_pool, const char *from,
                         const char *to_pool, const char *to, gboolean on_host, GError **error);

/*
 * V1, O_TRUNC: replaces volume @name of pool @pool by a new, empty one of @format, keeping
 * its mode. The old content is gone.
 */
gboolean ops_volume_replace(OpsConnection *conn, const char *pool, const char *name,
                            const char *format, GError **error);

/*
 * Sets the times (utimensat's @times, unless NULL) and the mode (unless OPS_UNKNOWN) of
 * volume @name's file in place, which libvirt's XML then tells: ENOTSUP where the daemon is
 * not on this host or the volume has no file here; EPERM, EACCES, ENOENT as the host says.
 */
gboolean ops_data_set_file_attrs(OpsConnection *conn, const char *pool, const char *name,
                                 const struct timespec *times, guint32 mode, GError **error);

/* A channel to one volume's bytes (ops/data.c, V5). Thread-safe. */
typedef struct _OpsData OpsData;

/*
 * Opens volume @name of pool @pool for reading, and writing where @writable. With
 * @in_place, and where the daemon is on this host and its file or device opens from here,
 * the data is read and written in place; otherwise through libvirt's streams.
 */
OpsData *ops_data_open(OpsConnection *conn, const char *pool, const char *name, gboolean writable,
                       gboolean in_place, GError **error);
/* Whether @data reads and writes in place, rather than through streams. */
gboolean ops_data_in_place(OpsData *data);
/* Reads up to @size bytes at @offset; fewer only at the end. -1 with @error on failure. */
gssize ops_data_read(OpsData *data, char *buf, gsize size, guint64 offset, GError **error);
/* Writes @size bytes at @offset, growing the volume as needed. ENOSPC, EIO, ... */
gboolean ops_data_write(OpsData *data, const char *buf, gsize size, guint64 offset, GError **error);
/*
 * Empties the volume's file in place (every handle on it sees that), keeping its format's
 * name in libvirt until the pool is refreshed. ENOTSUP through streams, which cannot.
 */
gboolean ops_data_empty(OpsData *data, GError **error);
/* Sets the length of the volume's file to @length bytes (not 0), whatever its format: what a
 * program that writes a file's bytes means by ftruncate. */
gboolean ops_data_set_length(OpsData *data, guint64 length, GError **error);
/*
 * Tells @data that the volume changed (written through another channel, resized): through
 * streams, what it read ahead is forgotten and its length asked anew (ENOENT, EIO, ...);
 * in place, where nothing is read ahead, nothing is done.
 */
gboolean ops_data_refresh(OpsData *data, GError **error);
/*
 * Tells @data that its volume was replaced by a new one of its name (O_TRUNC through another
 * open file): in place, the new volume's file is opened, so that reads and writes go there
 * as on one inode, unless there is none now (the old file is kept, as after rm). Through
 * streams, which reach a volume by name, nothing is done.
 */
void ops_data_follow_replacement(OpsData *data);
/*
 * Whether @data reaches volume @name of pool @pool; follow_move has it reach that volume, to
 * which its own moved (V4: an open file goes on after a rename, as rename(2) promises):
 * an upload under way is finished first (into the file it writes, renamed or not); in place
 * a file unlinked by a move that copied is opened anew. ENOENT where there is no such volume.
 */
gboolean ops_data_reaches(OpsData *data, const char *pool, const char *name);
gboolean ops_data_follow_move(OpsData *data, const char *pool, const char *name, GError **error);
/*
 * Makes what was written part of the volume (an upload is finished), and with @durable
 * also stable on disk (fsync in place). Errors of earlier writes are reported here.
 */
gboolean ops_data_flush(OpsData *data, gboolean durable, GError **error);
/* Closes @data; what was written since the last flush may be lost. NULL is accepted. */
void ops_data_close(OpsData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OpsData, ops_data_close)

/*
 * Parses libvirt's XML of a pool or a volume into @pool (a record just made, not yet
 * shared) / a new volume record. Only what the XML holds is filled in (a pool's state,
 * autostart and sizes come from other calls). The text is parsed with no network access
 * and no entity expansion. EINVAL on bad XML.
 */
gboolean ops_pool_parse_xml(const char *xml, OpsPool *pool, GError **error);
OpsVolume *ops_volume_parse_xml(const char *xml, GError **error);

G_END_DECLS
