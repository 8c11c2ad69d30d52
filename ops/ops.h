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

/* Installs libvirt's silent error handler. Call once, before any other ops_ call or thread. */
void ops_init(void);

typedef struct _OpsConnection OpsConnection;

/*
 * Opens a read-write connection to @uri (NULL: libvirt's default). Returns a new connection
 * or NULL with @error set (ENOTCONN when the daemon cannot be reached). Thread-safe use.
 */
OpsConnection *ops_connection_open(const char *uri, GError **error);
/* Closes @conn; NULL is accepted. */
void ops_connection_free(OpsConnection *conn);
/* The canonical URI of the connection, owned by @conn. */
const char *ops_connection_uri(OpsConnection *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OpsConnection, ops_connection_free)

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

/* What libvirt says of one pool at one moment. */
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
    OpsPerms perms; /* of the target directory */
    char *xml;      /* inactive definition; the live one for a transient pool */
} OpsPool;

void ops_pool_free(OpsPool *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OpsPool, ops_pool_free)

/* The state as virsh names it ("running", "inactive", ...). */
const char *ops_pool_state_name(OpsPoolState state);

/* What libvirt says of one volume at one moment. */
typedef struct {
    char *name;
    char *key;
    char *path;
    char *type;   /* "file", "block", ... */
    char *format; /* "qcow2", "raw", ...; NULL when libvirt names none */
    guint64 capacity;
    guint64 allocation;
    guint64 physical; /* bytes a read of the volume returns */
    OpsPerms perms;
    struct timespec atime;
    struct timespec mtime;
    struct timespec ctime;
    char *xml;
} OpsVolume;

void ops_volume_free(OpsVolume *volume);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OpsVolume, ops_volume_free)

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

/* Everything about volume @name of pool @pool: a new record, or NULL with @error (ENOENT). */
OpsVolume *ops_volume_get(OpsConnection *conn, const char *pool, const char *name,
                          GError **error);

/*
 * Parses libvirt's XML of a pool or a volume into @pool / a new volume record. Only what
 * the XML holds is filled in (a pool's state, autostart and sizes come from other calls).
 * The text is parsed with no network access and no entity expansion. EINVAL on bad XML.
 */
gboolean ops_pool_parse_xml(const char *xml, OpsPool *pool, GError **error);
OpsVolume *ops_volume_parse_xml(const char *xml, GError **error);

G_END_DECLS
