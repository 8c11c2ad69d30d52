/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The records ops/ hands out: their lifetimes, order and names. */
#include <stdlib.h> /* bsearch */
#include <string.h>

#include "ops/ops-private.h"

OpsPool *
ops_pool_new(void)
{
    return g_atomic_rc_box_new0(OpsPool);
}

OpsPool *
ops_pool_ref(OpsPool *pool)
{
    return g_atomic_rc_box_acquire(pool);
}

static void
pool_clear(OpsPool *pool)
{
    g_free(pool->name);
    g_free(pool->uuid);
    g_free(pool->type);
    g_free(pool->target);
    g_free(pool->xml);
}

void
ops_pool_unref(OpsPool *pool)
{
    if (pool)
        g_atomic_rc_box_release_full(pool, (GDestroyNotify)pool_clear);
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

OpsVolume *
ops_volume_new(void)
{
    return g_atomic_rc_box_new0(OpsVolume);
}

OpsVolume *
ops_volume_ref(OpsVolume *volume)
{
    return g_atomic_rc_box_acquire(volume);
}

static void
volume_clear(OpsVolume *volume)
{
    g_free(volume->name);
    g_free(volume->key);
    g_free(volume->path);
    g_free(volume->type);
    g_free(volume->format);
    g_free(volume->backing);
    g_free(volume->xml);
}

void
ops_volume_unref(OpsVolume *volume)
{
    if (volume)
        g_atomic_rc_box_release_full(volume, (GDestroyNotify)volume_clear);
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

static int
compare_volume_names(gconstpointer a, gconstpointer b)
{
    return strcmp((*(OpsVolume *const *)a)->name, (*(OpsVolume *const *)b)->name);
}

void
ops_volumes_sort(GPtrArray *volumes)
{
    g_ptr_array_sort(volumes, compare_volume_names);
}

OpsVolume *
ops_volumes_find(GPtrArray *volumes, const char *name)
{
    OpsVolume key = {.name = (char *)name};
    OpsVolume *wanted = &key;
    OpsVolume **found =
        bsearch(&wanted, volumes->pdata, volumes->len, sizeof(gpointer), compare_volume_names);

    return found ? *found : NULL;
}
