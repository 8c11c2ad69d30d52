/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The metadata cache (../shared/SPEC.md C1, C2): what libvirt said of pools, volumes and
 * listings, for cache_ttl seconds, so that ls and stat are answered without a libvirt call
 * while fresh. It is its own layer, as sshfs's cache is: lookups ask it first, every change
 * the mount makes forgets exactly what it touched (map_forget_*), and libvirt's pool events
 * forget a pool's entries. Volumes have no events: a change made elsewhere shows when its
 * entry expires. Pool and volume records are shared, not copied: a record is never changed
 * once made (ops.h), so a caller holds a reference to the very record the cache holds, and
 * a warm listing of thousands of volumes (one array of them) copies none of them. Listings
 * of names are copied.
 */
#include "mapping/mapping.h"

#define KINDS (MAP_CACHE_LIST + 1) /* the last kind */

typedef struct {
    MapCacheKind kind;
    gint64 stored; /* monotonic microseconds */
    gpointer value;
} Entry;

struct _MapCache {
    GMutex lock;                /* guards entries */
    gint64 ttl;                 /* microseconds; 0 caches nothing */
    GHashTable *entries[KINDS]; /* of each kind: key -> Entry */
};

/* What a caller gets of @value, and what the cache keeps of it: a reference or a copy. */
static gpointer
share_value(MapCacheKind kind, gpointer value)
{
    switch (kind) {
    case MAP_CACHE_POOL:
        return ops_pool_ref(value);
    case MAP_CACHE_VOLUME:
        return ops_volume_ref(value);
    case MAP_CACHE_VOLUMES:
        return g_ptr_array_ref(value);
    case MAP_CACHE_LIST:
        return g_strdupv((char **)value);
    }
    g_assert_not_reached();
}

static void
entry_free(Entry *entry)
{
    switch (entry->kind) {
    case MAP_CACHE_POOL:
        ops_pool_unref(entry->value);
        break;
    case MAP_CACHE_VOLUME:
        ops_volume_unref(entry->value);
        break;
    case MAP_CACHE_VOLUMES:
        g_ptr_array_unref(entry->value);
        break;
    case MAP_CACHE_LIST:
        g_strfreev(entry->value);
        break;
    }
    g_free(entry);
}

MapCache *
map_cache_new(guint ttl_seconds)
{
    MapCache *cache = g_new0(MapCache, 1);

    g_mutex_init(&cache->lock);
    cache->ttl = (gint64)ttl_seconds * G_USEC_PER_SEC;
    for (guint kind = 0; kind < KINDS; kind++)
        cache->entries[kind] =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)entry_free);
    return cache;
}

void
map_cache_free(MapCache *cache)
{
    if (!cache)
        return;
    for (guint kind = 0; kind < KINDS; kind++)
        g_hash_table_destroy(cache->entries[kind]);
    g_mutex_clear(&cache->lock);
    g_free(cache);
}

gpointer
map_cache_get(MapCache *cache, MapCacheKind kind, const char *key)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&cache->lock);
    Entry *entry = g_hash_table_lookup(cache->entries[kind], key);

    if (!entry || g_get_monotonic_time() - entry->stored >= cache->ttl)
        return NULL;
    return share_value(kind, entry->value);
}

void
map_cache_put(MapCache *cache, MapCacheKind kind, const char *key, gpointer value)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&cache->lock);
    Entry *entry;

    if (cache->ttl == 0)
        return;
    entry = g_new0(Entry, 1);
    entry->kind = kind;
    entry->stored = g_get_monotonic_time();
    entry->value = share_value(kind, value);
    g_hash_table_insert(cache->entries[kind], g_strdup(key), entry);
}

void
map_cache_forget(MapCache *cache, MapCacheKind kind, const char *key)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&cache->lock);

    g_hash_table_remove(cache->entries[kind], key);
}

void
map_cache_forget_prefix(MapCache *cache, MapCacheKind kind, const char *prefix)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&cache->lock);
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init(&iter, cache->entries[kind]);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        if (g_str_has_prefix(key, prefix))
            g_hash_table_iter_remove(&iter);
    }
}
