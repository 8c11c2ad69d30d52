/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The connections to libvirt, and their return after the daemon went away (../shared/SPEC.md
 * E3). Keepalive tells a daemon that stopped answering within KEEPALIVE_BOUND seconds; one
 * that died closes its socket, which libvirt sees at once. Either way the next call finds its
 * connection dead, closes it and opens a new one, at most once per RETRY_INTERVAL: until one
 * opens, calls fail at once with ENOTCONN instead of waiting.
 *
 * Each thread calls libvirt on a connection of its own, and the pool events come on one more
 * (OpsConnection.conn). libvirt 9.0's client lets a call wait inside it behind another one on
 * the same connection; when keepalive then ends the first, the one behind it waits until the
 * daemon answers again, with no bound, and its answer crashes the client (a poll source the
 * first call left behind, pointing into its finished stack frame). With one calling thread a
 * connection, no call ever waits behind another.
 *
 * virConnectOpen has no timeout, and keepalive starts only once it returns: to a daemon that
 * is frozen (SIGSTOP, a hung host) it waits for as long as the daemon does. So it runs on a
 * thread of its own (ConnectAttempt), which the calls wait for no longer than KEEPALIVE_BOUND
 * from its start; past that they fail at once until it ends.
 */
#include <errno.h>

#include "ops/ops-private.h"

#define KEEPALIVE_INTERVAL 2 /* seconds */
#define KEEPALIVE_COUNT    3
#define KEEPALIVE_BOUND    (KEEPALIVE_INTERVAL * (KEEPALIVE_COUNT + 1))
#define RETRY_INTERVAL     (G_USEC_PER_SEC / 2)
/* How many live connections given back (ops_connection_give_back) are kept for the next
 * file's streams or listing call: one opens once for many, and is closed at unmount, long
 * after its streams ended. (Closing one right after its stream failed once left libvirt
 * 9.0's client a saved error that it never frees: tests/lsan.supp.) */
#define MAX_SPARES 8

/* A thread's own connection (thread_links), to the OpsConnection numbered @owner. */
typedef struct {
    guint owner;
    virConnectPtr conn;
} ThreadLink;

static void
thread_link_free(ThreadLink *link)
{
    if (link->conn)
        virConnectClose(link->conn);
    g_free(link);
}

static GPrivate thread_links = G_PRIVATE_INIT((GDestroyNotify)thread_link_free);
/* The number of the last OpsConnection opened: a thread's link names the one it is to. */
static guint last_number;

/* One virConnectOpen on its thread. Shared by that thread and the connection, which may be
 * freed first (at unmount, the daemon still frozen): the last of the two frees it. */
struct _ConnectAttempt {
    char *uri;
    gint64 deadline; /* monotonic time after which nobody waits for it */
    GMutex lock;     /* guards what follows */
    GCond ended;
    gboolean done;
    virConnectPtr opened; /* when done: the connection, or NULL and error */
    GError *error;
};

static void
close_connection(gpointer connection)
{
    virConnectClose(connection);
}

/* A URI without a host reaches a daemon on this host (a socket, or the test driver). */
static gboolean
uri_is_local(const char *uri)
{
    g_autoptr(GUri) parsed = g_uri_parse(uri, G_URI_FLAGS_NON_DNS, NULL);
    const char *host = parsed ? g_uri_get_host(parsed) : NULL;

    return parsed && (!host || !*host);
}

/* Opens @uri with keepalive; NULL with @error set (ENOTCONN unless refused: EACCES). */
static virConnectPtr
open_daemon(const char *uri, GError **error)
{
    virConnectPtr conn;

    g_debug("libvirt: virConnectOpen(%s)", uri ? uri : "default");
    conn = virConnectOpen(uri);
    if (!conn) {
        ops_error_from_libvirt(error, "cannot connect to libvirt");
        if (error && *error && (*error)->code != EACCES)
            (*error)->code = ENOTCONN;
        return NULL;
    }
    /* Drivers without keepalive (test:///, local ones) answer -1 or 1: nothing to do. */
    virConnectSetKeepAlive(conn, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT);
    return conn;
}

static void
attempt_clear(ConnectAttempt *attempt)
{
    if (attempt->opened)
        virConnectClose(attempt->opened);
    g_clear_error(&attempt->error);
    g_free(attempt->uri);
    g_mutex_clear(&attempt->lock);
    g_cond_clear(&attempt->ended);
}

static void
attempt_unref(ConnectAttempt *attempt)
{
    g_atomic_rc_box_release_full(attempt, (GDestroyNotify)attempt_clear);
}

static gpointer
attempt_run(gpointer data)
{
    ConnectAttempt *attempt = data;
    g_autoptr(GError) error = NULL;
    virConnectPtr opened = open_daemon(attempt->uri, &error);

    g_mutex_lock(&attempt->lock);
    attempt->opened = opened;
    attempt->error = g_steal_pointer(&error);
    attempt->done = TRUE;
    g_cond_broadcast(&attempt->ended);
    g_mutex_unlock(&attempt->lock);
    attempt_unref(attempt);
    return NULL;
}

static ConnectAttempt *
attempt_start(const char *uri, gint64 now)
{
    ConnectAttempt *attempt = g_atomic_rc_box_new0(ConnectAttempt);

    attempt->uri = g_strdup(uri);
    attempt->deadline = now + KEEPALIVE_BOUND * G_USEC_PER_SEC;
    g_mutex_init(&attempt->lock);
    g_cond_init(&attempt->ended);
    g_thread_unref(g_thread_new("libvirt-connect", attempt_run, g_atomic_rc_box_acquire(attempt)));
    return attempt;
}

/* Waits for @attempt until its deadline: TRUE once it ended, its outcome in @opened (a
 * connection the caller owns) or @error. */
static gboolean
attempt_wait(ConnectAttempt *attempt, virConnectPtr *opened, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&attempt->lock);

    while (!attempt->done)
        if (!g_cond_wait_until(&attempt->ended, &attempt->lock, attempt->deadline))
            return FALSE;
    *opened = g_steal_pointer(&attempt->opened);
    if (attempt->error)
        g_propagate_error(error, g_steal_pointer(&attempt->error));
    return TRUE;
}

OpsConnection *
ops_connection_open(const char *uri, GError **error)
{
    g_autoptr(virConnect) conn = open_daemon(uri, error);
    g_autofree char *canonical = NULL;
    OpsConnection *result;

    if (!conn)
        return NULL;
    canonical = virConnectGetURI(conn);
    if (!canonical) {
        ops_error_from_libvirt(error, "cannot read the connection's URI");
        return NULL;
    }
    result = g_new0(OpsConnection, 1);
    g_mutex_init(&result->lock);
    result->number = g_atomic_int_add(&last_number, 1) + 1;
    result->local = uri_is_local(canonical);
    result->conn = g_steal_pointer(&conn);
    result->requested = g_strdup(uri);
    result->uri = g_steal_pointer(&canonical);
    result->lifecycle_event = result->refresh_event = -1;
    result->spares = g_ptr_array_new_with_free_func(close_connection);
    return result;
}

void
ops_connection_free(OpsConnection *conn)
{
    ThreadLink *link = g_private_get(&thread_links);

    if (!conn)
        return;
    if (link && link->owner == conn->number)
        g_clear_pointer(&link->conn, virConnectClose);
    ops_events_unwatch(conn);
    g_clear_pointer(&conn->attempt, attempt_unref);
    g_ptr_array_unref(conn->spares);
    if (conn->conn)
        virConnectClose(conn->conn);
    g_mutex_clear(&conn->lock);
    g_free(conn->requested);
    /* libvirt allocated the URI with malloc, and g_free is free since glib 2.46. */
    g_free(conn->uri);
    g_free(conn);
}

const char *
ops_connection_uri(OpsConnection *conn)
{
    return conn->uri;
}

gboolean
ops_connection_is_local(OpsConnection *conn)
{
    return conn->local;
}

/*
 * A new connection to the daemon, opened on a thread of its own (ConnectAttempt) that calls
 * wait for no longer than KEEPALIVE_BOUND from its start; past that they fail at once until
 * it ends, and after a failure until RETRY_INTERVAL passed. conn->lock is held.
 */
static virConnectPtr
open_locked(OpsConnection *conn, GError **error)
{
    g_autoptr(GError) local = NULL;
    virConnectPtr opened = NULL;
    gint64 now = g_get_monotonic_time();

    if (!conn->attempt && now < conn->retry_at) {
        g_set_error(error, OPS_ERROR, ENOTCONN, "libvirt at %s is unreachable", conn->uri);
        return NULL;
    }
    if (!conn->attempt)
        conn->attempt = attempt_start(conn->requested, now);
    if (!attempt_wait(conn->attempt, &opened, &local)) {
        g_set_error(error, OPS_ERROR, ENOTCONN, "libvirt at %s does not answer", conn->uri);
        return NULL;
    }
    g_clear_pointer(&conn->attempt, attempt_unref);
    if (!opened) {
        conn->retry_at = now + RETRY_INTERVAL;
        g_propagate_error(error, g_steal_pointer(&local));
    }
    return opened;
}

/* Whether *@slot is a live connection; a dead one is closed, and *@slot cleared. */
static gboolean
is_alive(OpsConnection *conn, virConnectPtr *slot)
{
    if (*slot && virConnectIsAlive(*slot) == 1)
        return TRUE;
    if (*slot) {
        g_debug("libvirt: a connection to %s is dead", conn->uri);
        g_clear_pointer(slot, virConnectClose);
    }
    return FALSE;
}

/* Makes conn->conn, where the pool events come, live again, with the events registered
 * anew; conn->lock is held. */
static gboolean
events_alive_locked(OpsConnection *conn, GError **error)
{
    if (is_alive(conn, &conn->conn))
        return TRUE;
    ops_events_forget_locked(conn); /* the callbacks went with the dead connection */
    conn->conn = open_locked(conn, error);
    if (!conn->conn)
        return FALSE;
    g_debug("libvirt: connected again to %s", conn->uri);
    ops_events_register_locked(conn);
    return TRUE;
}

virConnectPtr
ops_connection_get(OpsConnection *conn, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&conn->lock);
    ThreadLink *link = g_private_get(&thread_links);

    if (!events_alive_locked(conn, error))
        return NULL;
    if (!link) {
        link = g_new0(ThreadLink, 1);
        g_private_set(&thread_links, link);
    }
    if (link->owner != conn->number) {
        g_clear_pointer(&link->conn, virConnectClose);
        link->owner = conn->number;
    }
    if (!is_alive(conn, &link->conn))
        link->conn = open_locked(conn, error);
    if (!link->conn)
        return NULL;
    virConnectRef(link->conn);
    return link->conn;
}

virConnectPtr
ops_connection_open_own(OpsConnection *conn, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&conn->lock);

    while (conn->spares->len > 0) {
        virConnectPtr spare = g_ptr_array_steal_index_fast(conn->spares, conn->spares->len - 1);

        if (is_alive(conn, &spare))
            return spare;
    }
    return open_locked(conn, error);
}

void
ops_connection_give_back(OpsConnection *conn, virConnectPtr own)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&conn->lock);

    if (is_alive(conn, &own) && conn->spares->len < MAX_SPARES)
        g_ptr_array_add(conn->spares, own);
    else if (own)
        virConnectClose(own);
}
