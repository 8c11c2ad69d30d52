/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * refresh=SECONDS (C2): every running pool is refreshed that often, so that files put into a
 * pool's host directory behind libvirt's back appear. Each refresh makes libvirt send a
 * refresh event, which drops the pool from the caches (fs/events.c).
 */
#include "fs/fs.h"

typedef struct {
    OpsConnection *conn;
    guint interval; /* seconds */
} Refresher;

static void
refresh_running_pools(OpsConnection *conn)
{
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) names = ops_pool_list_names(conn, &error);

    if (!names) {
        g_debug("refresh: cannot list pools: %s", error->message);
        return;
    }
    for (char **name = names; *name; name++) {
        g_autoptr(OpsPool) pool = ops_pool_get(conn, *name, NULL);
        g_autoptr(GError) failure = NULL;

        if (pool && pool->state == OPS_POOL_RUNNING && !ops_pool_refresh(conn, *name, &failure))
            g_debug("refresh: %s", failure->message);
    }
}

static gpointer
run_refresher(gpointer data)
{
    Refresher *refresher = data;

    for (;;) {
        g_usleep((gulong)refresher->interval * G_USEC_PER_SEC);
        refresh_running_pools(refresher->conn);
    }
    return NULL;
}

void
fs_refresh_periodically(OpsConnection *conn, guint interval)
{
    Refresher *refresher;

    if (interval == 0)
        return;
    /* Lives as long as the process, as its thread does. */
    refresher = g_new0(Refresher, 1);
    refresher->conn = conn;
    refresher->interval = interval;
    g_thread_unref(g_thread_new("refresh", run_refresher, refresher));
}
