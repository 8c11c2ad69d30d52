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
    GThread *thread;
    GMutex lock; /* guards stopping */
    GCond stop;  /* signalled when stopping is set */
    gboolean stopping;
} Refresher;

static Refresher *running; /* the refresher of this process, if any */

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

/* Waits @refresher's interval; FALSE if it was told to stop meanwhile. */
static gboolean
wait_interval(Refresher *refresher)
{
    gint64 until = g_get_monotonic_time() + (gint64)refresher->interval * G_USEC_PER_SEC;
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&refresher->lock);

    while (!refresher->stopping && g_cond_wait_until(&refresher->stop, &refresher->lock, until))
        ;
    return !refresher->stopping;
}

static gpointer
run_refresher(gpointer data)
{
    Refresher *refresher = data;

    while (wait_interval(refresher))
        refresh_running_pools(refresher->conn);
    return NULL;
}

void
fs_refresh_periodically(OpsConnection *conn, guint interval)
{
    Refresher *refresher;

    if (interval == 0)
        return;
    refresher = g_new0(Refresher, 1);
    refresher->conn = conn;
    refresher->interval = interval;
    g_mutex_init(&refresher->lock);
    g_cond_init(&refresher->stop);
    refresher->thread = g_thread_new("refresh", run_refresher, refresher);
    running = refresher;
}

void
fs_stop_refreshing(void)
{
    Refresher *refresher = g_steal_pointer(&running);

    if (!refresher)
        return;
    g_mutex_lock(&refresher->lock);
    refresher->stopping = TRUE;
    g_cond_signal(&refresher->stop);
    g_mutex_unlock(&refresher->lock);
    g_thread_join(refresher->thread); /* a refresh under way ends first: calls are bounded (E3) */
    g_mutex_clear(&refresher->lock);
    g_cond_clear(&refresher->stop);
    g_free(refresher);
}
