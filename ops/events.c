/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt's storage pool events (lifecycle and refresh), delivered by libvirt's default
 * event loop on a thread of its own. Events and keepalive need that loop registered before
 * any connection opens (ops_init); the thread starts only once the server has forked.
 */
#include <errno.h>

#include "ops/ops-private.h"

typedef struct {
    OpsPoolChanged func;
    gpointer data;
} Watch;

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
on_refresh(virConnectPtr conn, virStoragePoolPtr pool, void *opaque)
{
    Watch *watch = opaque;

    g_debug("libvirt: event: pool %s refreshed", virStoragePoolGetName(pool));
    watch->func(virStoragePoolGetName(pool), FALSE, watch->data);
}

static void
on_lifecycle(virConnectPtr conn, virStoragePoolPtr pool, int event, int detail, void *opaque)
{
    Watch *watch = opaque;

    g_debug("libvirt: event: pool %s lifecycle %d", virStoragePoolGetName(pool), event);
    watch->func(virStoragePoolGetName(pool), TRUE, watch->data);
}

gboolean
ops_events_watch(OpsConnection *conn, OpsPoolChanged func, gpointer data, GError **error)
{
    Watch *watch = g_new0(Watch, 1);

    watch->func = func;
    watch->data = data;
    conn->lifecycle_event = virConnectStoragePoolEventRegisterAny(
        conn->conn, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
        VIR_STORAGE_POOL_EVENT_CALLBACK(on_lifecycle), watch, NULL);
    conn->refresh_event = virConnectStoragePoolEventRegisterAny(
        conn->conn, NULL, VIR_STORAGE_POOL_EVENT_ID_REFRESH,
        VIR_STORAGE_POOL_EVENT_CALLBACK(on_refresh), watch, g_free);
    if (conn->lifecycle_event < 0 || conn->refresh_event < 0) {
        ops_error_from_libvirt(error, "cannot follow pool events");
        ops_events_unwatch(conn);
        if (conn->refresh_event < 0)
            g_free(watch);
        return FALSE;
    }
    g_thread_unref(g_thread_new("libvirt-events", run_event_loop, NULL));
    return TRUE;
}

void
ops_events_unwatch(OpsConnection *conn)
{
    if (conn->lifecycle_event >= 0)
        virConnectStoragePoolEventDeregisterAny(conn->conn, conn->lifecycle_event);
    if (conn->refresh_event >= 0)
        virConnectStoragePoolEventDeregisterAny(conn->conn, conn->refresh_event);
    conn->lifecycle_event = conn->refresh_event = -1;
}
