/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the mount remembers of definition files beyond what libvirt says:
 * - Definition files removed (P3): tools that replace a file by removing it first, then
 *   creating it anew (install, cp --remove-destination, mv from another filesystem), unlink
 *   NAME.xml. The pool stays defined; its definition file is hidden for a while, so that the
 *   new NAME.xml can be created, and that one defines the pool when closed.
 * - When each definition last changed (L3): libvirt keeps no such time, so the mount takes
 *   the time it first saw the definition as it is.
 */
#include <time.h>

#include "mapping/mapping-private.h"

struct _MapSeenDefinition {
    char *xml;
    struct timespec since;
};

void
map_seen_definition_free(MapSeenDefinition *seen)
{
    g_free(seen->xml);
    g_free(seen);
}

struct timespec
map_definition_seen(MapTree *tree, const char *pool, const char *xml)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&tree->lock);
    MapSeenDefinition *seen = g_hash_table_lookup(tree->seen_definitions, pool);

    if (!seen) {
        seen = g_new0(MapSeenDefinition, 1);
        g_hash_table_insert(tree->seen_definitions, g_strdup(pool), seen);
    }
    if (!seen->xml || g_strcmp0(seen->xml, xml) != 0) {
        g_free(seen->xml);
        seen->xml = g_strdup(xml);
        clock_gettime(CLOCK_REALTIME, &seen->since);
    }
    return seen->since;
}

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
