/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Definition files removed (P3): tools that replace a file by removing it first, then
 * creating it anew (install, cp --remove-destination, mv from another filesystem), unlink
 * NAME.xml. The pool stays defined; its definition file is hidden for a while, so that the
 * new NAME.xml can be created, and that one defines the pool when closed.
 */
#include "mapping/mapping-private.h"

void
map_definition_removed(MapTree *tree, const char *pool)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    gint64 until = g_get_monotonic_time() + MAP_REMOVED_DEFINITION_SECONDS * G_USEC_PER_SEC;

    g_hash_table_insert(tree->removed_definitions, g_strdup(pool), g_memdup2(&until, sizeof until));
}

void
map_definition_restored(MapTree *tree, const char *pool)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);

    g_hash_table_remove(tree->removed_definitions, pool);
}

gboolean
map_definition_is_removed(MapTree *tree, const char *pool)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    const gint64 *until = g_hash_table_lookup(tree->removed_definitions, pool);

    if (until && *until > g_get_monotonic_time())
        return TRUE;
    g_hash_table_remove(tree->removed_definitions, pool);
    return FALSE;
}
