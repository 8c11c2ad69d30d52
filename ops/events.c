/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt's storage pool events (lifecycle and refresh), delivered by libvirt's default
 * event loop on a thread of its own. Events and keepalive need that loop registered before
 * any connection opens (ops_init); the thread starts only once the server has forked. After
 * a reconnection (ops/connection.c) the callbacks are registered again on the new connection.
 */
#include <errno.h>

#include "ops/ops-private.h"

static gpointer
run_event_loop(gpointer unused)
{
    for (;;) {
        if (virEventRunDefaultImpl() < 0)
            g_debug("libvirt: the event loop failed once");
    }
    return NULL;
}

static void
on_refresh(virConnectPtr unused, virStoragePoolPtr pool, void *opaque)
{
    OpsConnection *conn = opaque;

    g_debug("libvirt: event: pool %s refreshed", virStoragePoolGetName(pool));
    conn->watch(virStoragePoolGetName(pool), FALSE, conn->watch_data);
}

static void
on_lifecycle(virConnectPtr unused, virStoragePoolPtr pool, int event, int detail, void *opaque)
{
    OpsConnection *conn = opaque;

    g_debug("libvirt: event: pool %s lifecycle %d", virStoragePoolGetName(pool), event);
    conn->watch(virStoragePoolGetName(pool), TRUE, conn->watch_data);
}

gboolean
ops_events_register_locked(OpsConnection *conn)
{
    if (!conn->watch)
        return TRUE;
    conn->lifecycle_event = virConnectStoragePoolEventRegisterAny(
        conn->conn, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
        VIR_STORAGE_POOL_EVENT_CALLBACK(on_lifecycle), conn, NULL);
    conn->refresh_event = virConnectStoragePoolEventRegisterAny(
        conn->conn, NULL, VIR_STORAGE_POOL_EVENT_ID_REFRESH,
        VIR_STORAGE_POOL_EVENT_CALLBACK(on_refresh), conn, NULL);
    if (conn->lifecycle_event >= 0 && conn->refresh_event >= 0)
        return TRUE;
    g_debug("libvirt: cannot register pool events");
    ops_events_forget_locked(conn);
    return FALSE;
}

void
ops_events_forget_locked(OpsConnection *conn)
{
    if (conn->conn && conn->lifecycle_event >= 0)
        virConnectStoragePoolEventDeregisterAny(conn->conn, conn->lifecycle_event);
    if (conn->conn && conn->refresh_event >= 0)
        virConnectStoragePoolEventDeregisterAny(conn->conn, conn->refresh_event);
    conn->lifecycle_event = conn->refresh_event = -1;
}

gboolean
ops_events_watch(OpsConnection *conn, OpsPoolChanged func, gpointer data, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&conn->lock);

    conn->watch = func;
    conn->watch_data = data;
    if (conn->conn && !ops_events_register_locked(conn)) {
        ops_error_from_libvirt(error, "cannot follow pool events");
        conn->watch = NULL;
        return FALSE;
    }
    g_thread_unref(g_thread_new("libvirt-events", run_event_loop, NULL));
    return TRUE;
}

void
ops_events_unwatch(OpsConnection *conn)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&conn->lock);

    ops_events_forget_locked(conn);
    conn->watch = NULL;
}
