/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The records ops/ hands out: their destructors and names. */
#include <string.h>

#include "ops/ops-private.h"

void
ops_pool_free(OpsPool *pool)
{
    if (!pool)
        return;
    g_free(pool->name);
    g_free(pool->uuid);
    g_free(pool->type);
    g_free(pool->target);
    g_free(pool->xml);
    g_free(pool);
}

const char *
ops_pool_state_name(OpsPoolState state)
{
    static const char *const names[] = {
        [OPS_POOL_INACTIVE] = "inactive",         [OPS_POOL_BUILDING] = "building",
        [OPS_POOL_RUNNING] = "running",           [OPS_POOL_DEGRADED] = "degraded",
        [OPS_POOL_INACCESSIBLE] = "inaccessible",
    };

    g_return_val_if_fail(state < G_N_ELEMENTS(names), "unknown");
    return names[state];
}

static gboolean
type_in(const char *type, const char *const *types, gsize count)
{
    for (gsize i = 0; i < count; i++) {
        if (g_strcmp0(type, types[i]) == 0)
            return TRUE;
    }
    return FALSE;
}

gboolean
ops_pool_type_holds_files(const char *type)
{
    static const char *const of_files[] = {"dir", "fs", "netfs", "gluster", "vstorage"};

    return type_in(type, of_files, G_N_ELEMENTS(of_files));
}

gboolean
ops_pool_type_sizes_volumes(const char *type)
{
    static const char *const sized[] = {"disk", "logical", "zfs", "rbd", "sheepdog"};

    return type_in(type, sized, G_N_ELEMENTS(sized));
}

void
ops_volume_free(OpsVolume *volume)
{
    if (!volume)
        return;
    g_free(volume->name);
    g_free(volume->key);
    g_free(volume->path);
    g_free(volume->type);
    g_free(volume->format);
    g_free(volume->xml);
    g_free(volume);
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
ops_names_sorted(GPtrArray *names)
{
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

OpsPool *
ops_pool_copy(const OpsPool *pool)
{
    OpsPool *copy = g_memdup2(pool, sizeof(*pool));

    copy->name = g_strdup(pool->name);
    copy->uuid = g_strdup(pool->uuid);
    copy->type = g_strdup(pool->type);
    copy->target = g_strdup(pool->target);
    copy->xml = g_strdup(pool->xml);
    return copy;
}

OpsVolume *
ops_volume_copy(const OpsVolume *volume)
{
    OpsVolume *copy = g_memdup2(volume, sizeof(*volume));

    copy->name = g_strdup(volume->name);
    copy->key = g_strdup(volume->key);
    copy->path = g_strdup(volume->path);
    copy->type = g_strdup(volume->type);
    copy->format = g_strdup(volume->format);
    copy->xml = g_strdup(volume->xml);
    return copy;
}
