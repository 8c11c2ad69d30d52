/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the mount knows of a volume that libvirt does not say: that it made the volume and
 * nothing has sized or filled it yet (it may still take a size, or become what is written
 * into it, V1), or that bytes were written into it first and libvirt must look at them to
 * tell its format, or that it is to be made once it has a size (a pool of partitions or
 * logical volumes cannot hold an empty one). Every other volume is settled and has no entry.
 * Apart, the number of the last change made to a volume's bytes through the mount, and the
 * end of the bytes open files wrote since.
 */
#include "mapping/mapping-private.h"

static char *
volume_key(const char *pool, const char *name)
{
    return g_strconcat(pool, "/", name, NULL);
}

/* What @table, one of @tree's, holds for volume @name of pool @pool (NULL: nothing). */
static gpointer
value_of(MapTree *tree, GHashTable *table, const char *pool, const char *name)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    g_autofree char *key = volume_key(pool, name);

    return g_hash_table_lookup(table, key);
}

MapVolumeState
map_volume_state(MapTree *tree, const char *pool, const char *name)
{
    return GPOINTER_TO_INT(value_of(tree, tree->volume_states, pool, name));
}

void
map_volume_set_state(MapTree *tree, const char *pool, const char *name, MapVolumeState state)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    char *key = volume_key(pool, name);

    if (state == MAP_VOLUME_SETTLED) {
        g_hash_table_remove(tree->volume_states, key);
        g_free(key);
        return;
    }
    g_hash_table_insert(tree->volume_states, key, GINT_TO_POINTER(state));
}

guint
map_volume_changes(MapTree *tree, const char *pool, const char *name)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    g_autofree char *key = volume_key(pool, name);
    guint changes = GPOINTER_TO_UINT(g_hash_table_lookup(tree->volume_changes, key));

    /* A volume whose changes were forgotten may have changed since an open file looked:
     * that file is to look again. */
    return changes ? changes : tree->last_forgotten;
}

void
map_volume_changed(MapTree *tree, const char *pool, const char *name)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    g_autofree char *key = volume_key(pool, name);

    g_hash_table_remove(tree->volume_ends, key); /* libvirt is asked anew from now on */
    /* Numbered across all volumes, so that a volume forgotten and made anew under the same
     * name never takes up a number an open file saw. */
    g_hash_table_insert(tree->volume_changes, g_steal_pointer(&key),
                        GUINT_TO_POINTER(++tree->last_change));
}

void
map_volume_wrote(MapTree *tree, const char *pool, const char *name, guint64 end)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    g_autofree char *key = volume_key(pool, name);
    guint64 *known = g_hash_table_lookup(tree->volume_ends, key);

    if (!known)
        g_hash_table_insert(tree->volume_ends, g_steal_pointer(&key), g_memdup2(&end, sizeof(end)));
    else if (*known < end)
        *known = end;
}

guint64
map_volume_written_end(MapTree *tree, const char *pool, const char *name)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    g_autofree char *key = volume_key(pool, name);
    guint64 *known = g_hash_table_lookup(tree->volume_ends, key);

    return known ? *known : 0;
}

/* Waits until volume @key is not being replaced; tree->lock is held. */
static void
await_locked(MapTree *tree, const char *key)
{
    while (g_hash_table_contains(tree->replacing, key))
        g_cond_wait(&tree->replaced, &tree->lock);
}

void
map_volume_replacing(MapTree *tree, const char *pool, const char *name)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    char *key = volume_key(pool, name);

    await_locked(tree, key);
    g_hash_table_add(tree->replacing, key);
}

void
map_volume_replaced(MapTree *tree, const char *pool, const char *name, gboolean done)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    g_autofree char *key = volume_key(pool, name);

    if (done)
        g_hash_table_insert(tree->replacements, g_strdup(key),
                            GUINT_TO_POINTER(++tree->last_change));
    g_hash_table_remove(tree->replacing, key);
    g_cond_broadcast(&tree->replaced);
}

/* The number of volume @key's last replacement (0: none); tree->lock is held. */
static guint
replacement_locked(MapTree *tree, const char *key)
{
    return GPOINTER_TO_UINT(g_hash_table_lookup(tree->replacements, key));
}

guint
map_volume_await(MapTree *tree, const char *pool, const char *name)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    g_autofree char *key = volume_key(pool, name);

    await_locked(tree, key);
    return replacement_locked(tree, key);
}

gboolean
map_volume_retry(MapTree *tree, const char *pool, const char *name, guint *mark,
                 const GError *error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    g_autofree char *key = volume_key(pool, name);

    if (error->code != ENOENT ||
        (!g_hash_table_contains(tree->replacing, key) && replacement_locked(tree, key) == *mark))
        return FALSE;
    await_locked(tree, key);
    *mark = replacement_locked(tree, key);
    return TRUE;
}

void
map_volume_forget(MapTree *tree, const char *pool, const char *name)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    g_autofree char *key = volume_key(pool, name);

    g_hash_table_remove(tree->volume_states, key);
    g_hash_table_remove(tree->volume_ends, key);
    if (g_hash_table_remove(tree->volume_changes, key))
        tree->last_forgotten = ++tree->last_change;
}

static gboolean
in_pool(gpointer key, gpointer value, gpointer prefix)
{
    return g_str_has_prefix(key, prefix);
}

void
map_volume_settle_pool(MapTree *tree, const char *pool)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    g_autofree char *prefix = volume_key(pool, "");

    g_hash_table_foreach_remove(tree->volume_states, in_pool, prefix);
    g_hash_table_foreach_remove(tree->volume_ends, in_pool, prefix);
    if (g_hash_table_foreach_remove(tree->volume_changes, in_pool, prefix))
        tree->last_forgotten = ++tree->last_change;
}

char **
map_volume_unsized_names(MapTree *tree, const char *pool)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    g_autofree char *prefix = volume_key(pool, "");
    GPtrArray *names = g_ptr_array_new();
    GHashTableIter iter;
    gpointer key, state;

    g_hash_table_iter_init(&iter, tree->volume_states);
    while (g_hash_table_iter_next(&iter, &key, &state)) {
        if (GPOINTER_TO_INT(state) == MAP_VOLUME_UNSIZED && g_str_has_prefix(key, prefix))
            g_ptr_array_add(names, g_strdup((const char *)key + strlen(prefix)));
    }
    return ops_names_sorted(names);
}
