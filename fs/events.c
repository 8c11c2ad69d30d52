/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt's pool events into the kernel's caches (C2): what an event changed is dropped, so
 * that a pool defined, started, stopped or undefined elsewhere shows at once. libvirt's event
 * thread only queues the pool's name; a thread of ours tells the kernel, since the kernel
 * may wait on a FUSE request that itself waits on libvirt.
 *
 * A pool's attributes and content are always dropped. Its name at the root is dropped only
 * when the pool appeared or went away (a lifecycle event changed the set of pools): dropping
 * a live directory's entry would cut it from under a shell working in it.
 */
#include "fs/fs.h"

#include <fuse_lowlevel.h>
#include <string.h>

typedef struct {
    char *pool; /* NULL: the end, at unmount */
    gboolean lifecycle;
} PoolEvent;

typedef struct {
    struct fuse *fuse;
    MapTree *tree;
    GAsyncQueue *events; /* of PoolEvent */
    GHashTable *pools;   /* the pool names last seen; only the events thread uses it */
    GThread *thread;     /* the one applying events, until fs_unfollow_events */
} Follower;

/* The follower of this process, kept for fs_unfollow_events; never freed, since libvirt may
 * still be delivering an event to it. */
static Follower *following;

static void
queue_event(const char *pool, gboolean lifecycle, gpointer data)
{
    Follower *follower = data;
    PoolEvent *event = g_new0(PoolEvent, 1);

    event->pool = g_strdup(pool);
    event->lifecycle = lifecycle;
    g_async_queue_push(follower->events, event);
}

/* Drops the kernel's entries for pool @pool's directory and definition at the root. */
static void
forget_entries(struct fuse *fuse, const char *pool)
{
    g_autofree char *xml = map_xml_name(pool);
    struct fuse_session *session = fuse_get_session(fuse);

    fuse_lowlevel_notify_inval_entry(session, FUSE_ROOT_ID, pool, strlen(pool));
    fuse_lowlevel_notify_inval_entry(session, FUSE_ROOT_ID, xml, strlen(xml));
}

/* The set of pool names now; NULL (after a debug line) when libvirt cannot say. */
static GHashTable *
current_pools(OpsConnection *conn)
{
    g_autoptr(GError) error = NULL;
    char **names = ops_pool_list_names(conn, &error);
    GHashTable *set;

    if (!names) {
        g_debug("events: cannot list pools: %s", error->message);
        return NULL;
    }
    set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (char **name = names; *name; name++)
        g_hash_table_add(set, *name);
    g_free(names); /* the strings now belong to the set */
    return set;
}

/* Drops the entries of every pool in @a that is not in @b. */
static void
forget_missing(struct fuse *fuse, GHashTable *a, GHashTable *b)
{
    GHashTableIter iter;
    gpointer name;

    g_hash_table_iter_init(&iter, a);
    while (g_hash_table_iter_next(&iter, &name, NULL)) {
        if (!g_hash_table_contains(b, name))
            forget_entries(fuse, name);
    }
}

static void
apply(Follower *follower, const PoolEvent *event)
{
    g_autofree char *dir = g_strconcat("/", event->pool, NULL);
    g_autofree char *xml = map_xml_name(dir);
    GHashTable *now;

    g_debug("events: pool '%s' changed", event->pool);
    map_forget_pool(follower->tree, event->pool);
    fuse_invalidate_path(follower->fuse, dir);
    fuse_invalidate_path(follower->fuse, xml);
    if (!event->lifecycle || !(now = current_pools(follower->tree->conn)))
        return;
    forget_missing(follower->fuse, now, follower->pools); /* new: a cached "no such file" */
    forget_missing(follower->fuse, follower->pools, now); /* gone */
    g_hash_table_unref(follower->pools);
    follower->pools = now;
}

static gpointer
apply_events(gpointer data)
{
    Follower *follower = data;

    for (;;) {
        PoolEvent *event = g_async_queue_pop(follower->events);

        if (!event->pool) {
            g_free(event);
            return NULL;
        }
        apply(follower, event);
        g_free(event->pool);
        g_free(event);
    }
}

void
fs_follow_events(struct fuse *fuse, MapTree *tree)
{
    g_autoptr(GError) error = NULL;
    Follower *follower = g_new0(Follower, 1);

    follower->fuse = fuse;
    follower->tree = tree;
    follower->events = g_async_queue_new();
    follower->pools = current_pools(tree->conn);
    if (!follower->pools)
        follower->pools = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!ops_events_watch(tree->conn, queue_event, follower, &error)) {
        g_warning("pool changes made elsewhere show only after cache_ttl: %s", error->message);
        g_hash_table_unref(follower->pools);
        g_async_queue_unref(follower->events);
        g_free(follower);
        return;
    }
    follower->thread = g_thread_new("fs-events", apply_events, follower);
    following = follower;
}

void
fs_unfollow_events(void)
{
    if (!following || !following->thread)
        return;
    ops_events_unwatch(following->tree->conn);
    g_async_queue_push(following->events, g_new0(PoolEvent, 1));
    g_thread_join(g_steal_pointer(&following->thread));
}
