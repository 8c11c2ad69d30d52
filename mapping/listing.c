/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Directory listings: the root's names, a pool's names, and a pool's volumes with what
 * libvirt says of each (for readdirplus), from the cache while fresh, with the mount's
 * unsized volumes added; a directory volume lists nothing.
 */
#include <errno.h>

#include "mapping/mapping-private.h"

/*
 * The root lists the error log, every pool (unless the error log hides it) and its
 * definition file (unless a pool's name hides it, or it was removed a moment ago), and the
 * scratch files that no pool or definition hides.
 */
static char **
list_root(MapTree *tree, GError **error)
{
    g_auto(GStrv) pools = map_get_names(tree, "/", NULL, error);
    g_auto(GStrv) scratch = NULL;
    g_autoptr(GHashTable) seen = NULL;
    GPtrArray *names;

    if (!pools)
        return NULL;
    seen = g_hash_table_new(g_str_hash, g_str_equal);
    names = g_ptr_array_new();
    g_ptr_array_add(names, g_strdup(MAP_ERROR_LOG_NAME));
    for (char **pool = pools; *pool; pool++)
        g_hash_table_add(seen, *pool);
    for (char **pool = pools; *pool; pool++) {
        char *xml = map_xml_name(*pool);

        /* libvirt takes "." and ".." for names; the kernel's own entries hide such pools. */
        if (!g_str_equal(*pool, MAP_ERROR_LOG_NAME) && !g_str_equal(*pool, ".") &&
            !g_str_equal(*pool, ".."))
            g_ptr_array_add(names, g_strdup(*pool));
        if (g_hash_table_contains(seen, xml) || map_definition_is_removed(tree, *pool)) {
            g_free(xml);
            continue;
        }
        g_ptr_array_add(names, xml); /* owned by names, borrowed by seen */
        g_hash_table_add(seen, xml);
    }
    scratch = map_scratch_names(tree->scratch);
    for (char **name = scratch; *name; name++) {
        if (!g_hash_table_contains(seen, *name) && !g_str_equal(*name, MAP_ERROR_LOG_NAME))
            g_ptr_array_add(names, g_strdup(*name));
    }
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

/* @names of pool @pool (taken; NULL passes through) with the pool's unsized volumes added. */
static char **
with_unsized_names(MapTree *tree, const char *pool, char **names)
{
    g_auto(GStrv) unsized = names ? map_unsized_names(tree, pool) : NULL;
    GPtrArray *all;

    if (!unsized || !*unsized)
        return names;
    all = g_ptr_array_new();
    for (char **name = names; *name; name++)
        g_ptr_array_add(all, *name);
    for (char **name = unsized; *name; name++) {
        if (!g_strv_contains((const char *const *)names, *name))
            g_ptr_array_add(all, g_strdup(*name));
    }
    g_free(names); /* its strings now belong to all */
    return ops_names_sorted(all);
}

/* @volumes of pool @pool (taken, not changed) with the pool's unsized volumes added, sorted. */
static GPtrArray *
with_unsized_volumes(MapTree *tree, const char *pool, GPtrArray *volumes)
{
    g_auto(GStrv) unsized = map_unsized_names(tree, pool);
    GPtrArray *all;

    if (!*unsized)
        return volumes;
    all = g_ptr_array_new_full(volumes->len, (GDestroyNotify)ops_volume_unref);
    for (guint i = 0; i < volumes->len; i++)
        g_ptr_array_add(all, ops_volume_ref(volumes->pdata[i]));
    for (char **name = unsized; *name; name++) {
        gboolean listed = FALSE;

        for (guint i = 0; i < volumes->len && !listed; i++)
            listed = g_str_equal(((OpsVolume *)volumes->pdata[i])->name, *name);
        if (!listed)
            g_ptr_array_add(all, map_unsized_volume(*name));
    }
    g_ptr_array_unref(volumes);
    ops_volumes_sort(all);
    return all;
}

/* A directory volume lists nothing: libvirt says nothing of what it holds. Any other volume
 * is ENOTDIR. */
static char **
list_volume(MapTree *tree, const MapPath *parts, const char *path, GError **error)
{
    g_autoptr(OpsVolume) volume = map_get_volume(tree, parts->top, parts->volume, error);

    if (!volume)
        return NULL;
    if (map_volume_is_directory(volume))
        return g_new0(char *, 1);
    g_set_error(error, OPS_ERROR, ENOTDIR, "'%s' is a volume", path);
    return NULL;
}

char **
map_list(MapTree *tree, const char *path, GError **error)
{
    g_auto(MapPath) parts = {0};

    if (!map_path_parse(path, &parts, error))
        return NULL;
    switch (parts.kind) {
    case MAP_PATH_ROOT:
        return list_root(tree, error);
    case MAP_PATH_TOP:
        return with_unsized_names(tree, parts.top, map_get_names(tree, path, parts.top, error));
    case MAP_PATH_VOLUME:
        return list_volume(tree, &parts, path, error);
    }
    g_assert_not_reached();
}

GPtrArray *
map_cached_volumes(MapTree *tree, const char *pool)
{
    g_autofree char *dir = g_strconcat("/", pool, NULL);

    return map_cache_get(tree->cache, MAP_CACHE_VOLUMES, dir);
}

GPtrArray *
map_list_volumes(MapTree *tree, const char *pool, gboolean *fetched, GError **error)
{
    g_autofree char *dir = g_strconcat("/", pool, NULL);
    GPtrArray *volumes = map_cached_volumes(tree, pool);
    g_auto(GStrv) names = NULL;

    if (volumes) {
        *fetched = FALSE;
        return with_unsized_volumes(tree, pool, volumes);
    }
    volumes = ops_volume_list(tree->conn, pool, tree->in_place, error);
    if (!volumes)
        return NULL;
    *fetched = TRUE;
    names = g_new0(char *, volumes->len + 1);
    for (guint i = 0; i < volumes->len; i++) {
        OpsVolume *volume = volumes->pdata[i];
        g_autofree char *key = g_strconcat(pool, "/", volume->name, NULL);

        names[i] = g_strdup(volume->name);
        map_cache_put(tree->cache, MAP_CACHE_VOLUME, key, volume);
    }
    map_cache_put(tree->cache, MAP_CACHE_LIST, dir, names);
    map_cache_put(tree->cache, MAP_CACHE_VOLUMES, dir, volumes);
    return with_unsized_volumes(tree, pool, volumes);
}
