/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Paths into nodes and directory listings: from the cache (mapping/cache.c) while fresh,
 * else from ops/, whose answer is then cached.
 */
#include <errno.h>

#include "mapping/mapping.h"

MapTree *
map_tree_new(OpsConnection *conn, guint cache_ttl, gboolean in_place)
{
    MapTree *tree = g_new0(MapTree, 1);

    tree->conn = conn;
    tree->in_place = in_place;
    tree->cache = map_cache_new(cache_ttl);
    tree->scratch = map_scratch_new();
    g_mutex_init(&tree->lock);
    tree->volume_states = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return tree;
}

void
map_tree_free(MapTree *tree)
{
    if (!tree)
        return;
    map_scratch_free(tree->scratch);
    map_cache_free(tree->cache);
    g_hash_table_destroy(tree->volume_states);
    g_mutex_clear(&tree->lock);
    g_free(tree);
}

void
map_node_free(MapNode *node)
{
    if (!node)
        return;
    ops_pool_free(node->pool);
    ops_volume_free(node->volume);
    map_scratch_file_unref(node->scratch);
    g_free(node);
}

static MapNode *
node_new(MapNodeKind kind)
{
    MapNode *node = g_new0(MapNode, 1);

    node->kind = kind;
    return node;
}

static MapNode *
pool_node(MapNodeKind kind, OpsPool *pool)
{
    MapNode *node = node_new(kind);

    node->pool = pool;
    return node;
}

/* Pool @name, cached or asked for: a new record, or NULL with @error set (ENOENT). */
static OpsPool *
get_pool(MapTree *tree, const char *name, GError **error)
{
    OpsPool *pool = map_cache_get(tree->cache, MAP_CACHE_POOL, name);

    if (pool)
        return pool;
    pool = ops_pool_get(tree->conn, name, error);
    if (pool)
        map_cache_put(tree->cache, MAP_CACHE_POOL, name, pool);
    return pool;
}

/* Pool @name, or NULL: with @error set unless libvirt says only that there is none. */
static OpsPool *
find_pool(MapTree *tree, const char *name, GError **error)
{
    g_autoptr(GError) local = NULL;
    OpsPool *pool = get_pool(tree, name, &local);

    if (!pool && local->code != ENOENT)
        g_propagate_error(error, g_steal_pointer(&local));
    return pool;
}

/* Volume @name of pool @pool, cached or asked for: a new record, or NULL with @error. */
static OpsVolume *
get_volume(MapTree *tree, const char *pool, const char *name, GError **error)
{
    g_autofree char *key = g_strconcat(pool, "/", name, NULL);
    OpsVolume *volume = map_cache_get(tree->cache, MAP_CACHE_VOLUME, key);

    if (volume)
        return volume;
    volume = ops_volume_get(tree->conn, pool, name, error);
    if (volume)
        map_cache_put(tree->cache, MAP_CACHE_VOLUME, key, volume);
    return volume;
}

/* The names in directory @dir ("/" or "/POOL"), cached or asked for: a GStrv or NULL. */
static char **
get_names(MapTree *tree, const char *dir, const char *pool, GError **error)
{
    char **names = map_cache_get(tree->cache, MAP_CACHE_LIST, dir);

    if (names)
        return names;
    names = pool ? ops_volume_list_names(tree->conn, pool, error)
                 : ops_pool_list_names(tree->conn, error);
    if (names)
        map_cache_put(tree->cache, MAP_CACHE_LIST, dir, names);
    return names;
}

void
map_forget_volume(MapTree *tree, const char *pool, const char *name)
{
    g_autofree char *key = g_strconcat(pool, "/", name, NULL);
    g_autofree char *dir = g_strconcat("/", pool, NULL);

    map_cache_forget(tree->cache, MAP_CACHE_VOLUME, key);
    map_cache_forget(tree->cache, MAP_CACHE_LIST, dir);
    map_cache_forget(tree->cache, MAP_CACHE_POOL, pool);
}

void
map_forget_pool(MapTree *tree, const char *pool)
{
    g_autofree char *prefix = g_strconcat(pool, "/", NULL);
    g_autofree char *dir = g_strconcat("/", pool, NULL);

    map_cache_forget(tree->cache, MAP_CACHE_POOL, pool);
    map_cache_forget(tree->cache, MAP_CACHE_LIST, "/");
    map_cache_forget(tree->cache, MAP_CACHE_LIST, dir);
    map_cache_forget_prefix(tree->cache, MAP_CACHE_VOLUME, prefix);
}

void
map_forget_path(MapTree *tree, const char *path)
{
    g_auto(MapPath) parts = {0};
    g_autofree char *stem = NULL;

    if (!map_path_parse(path, &parts, NULL) || parts.kind == MAP_PATH_ROOT)
        return;
    if (parts.kind == MAP_PATH_VOLUME) {
        map_forget_volume(tree, parts.top, parts.volume);
        return;
    }
    map_forget_pool(tree, parts.top);
    stem = map_xml_stem(parts.top);
    if (stem)
        map_forget_pool(tree, stem);
}

/* What stat shows of a volume that has no size yet, and so is not in libvirt. */
static OpsVolume *
unsized_volume(const char *name)
{
    OpsVolume *volume = g_new0(OpsVolume, 1);

    volume->described = TRUE;
    volume->name = g_strdup(name);
    volume->type = g_strdup("block");
    volume->perms = (OpsPerms){.mode = OPS_UNKNOWN, .uid = OPS_UNKNOWN, .gid = OPS_UNKNOWN};
    return volume;
}

/* Whether pool @pool runs; where it does not, its unsized volumes are forgotten: a pool that
 * is not running holds no volume (L1), and one stopped or removed elsewhere drops them. */
static gboolean
pool_runs(MapTree *tree, const char *pool)
{
    g_autoptr(OpsPool) record = get_pool(tree, pool, NULL);

    if (record && record->state == OPS_POOL_RUNNING)
        return TRUE;
    map_volume_settle_pool(tree, pool);
    return FALSE;
}

/* The unsized volumes of pool @pool while it runs (asked only where it has some). */
static char **
unsized_names(MapTree *tree, const char *pool)
{
    g_auto(GStrv) names = map_volume_unsized_names(tree, pool);

    if (!*names || pool_runs(tree, pool))
        return g_steal_pointer(&names);
    return g_new0(char *, 1);
}

/* Volume @parts: libvirt's, else an unsized one of the mount's while its pool runs. */
static OpsVolume *
lookup_volume(MapTree *tree, const MapPath *parts, GError **error)
{
    g_autoptr(GError) local = NULL;
    OpsVolume *volume = get_volume(tree, parts->top, parts->volume, &local);

    if (map_volume_state(tree, parts->top, parts->volume) == MAP_VOLUME_UNSIZED) {
        if (volume) /* a volume made meanwhile, elsewhere or by a move, took its place */
            map_volume_set_state(tree, parts->top, parts->volume, MAP_VOLUME_SETTLED);
        else if (pool_runs(tree, parts->top))
            return unsized_volume(parts->volume);
    }
    if (!volume)
        g_propagate_error(error, g_steal_pointer(&local));
    return volume;
}

/* "/NAME", in the order that mapping/mapping.h gives. */
static MapNode *
lookup_top(MapTree *tree, const char *name, GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autofree char *stem = map_xml_stem(name);
    OpsPool *pool;
    MapScratchFile *scratch;

    if (g_str_equal(name, MAP_ERROR_LOG_NAME))
        return node_new(MAP_NODE_ERROR_LOG);
    pool = find_pool(tree, name, &local);
    if (pool)
        return pool_node(MAP_NODE_POOL, pool);
    if (!local && stem)
        pool = find_pool(tree, stem, &local);
    if (pool)
        return pool_node(MAP_NODE_POOL_XML, pool);
    if (local) {
        g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    scratch = map_scratch_lookup(tree->scratch, name);
    if (scratch) {
        MapNode *node = node_new(MAP_NODE_SCRATCH);

        node->scratch = scratch;
        return node;
    }
    g_set_error(error, OPS_ERROR, ENOENT, "no pool, definition or file '%s'", name);
    return NULL;
}

MapNode *
map_lookup(MapTree *tree, const char *path, GError **error)
{
    g_auto(MapPath) parts = {0};
    MapNode *node;
    OpsVolume *volume;

    if (!map_path_parse(path, &parts, error))
        return NULL;
    switch (parts.kind) {
    case MAP_PATH_ROOT:
        return node_new(MAP_NODE_ROOT);
    case MAP_PATH_TOP:
        return lookup_top(tree, parts.top, error);
    case MAP_PATH_VOLUME:
        volume = lookup_volume(tree, &parts, error);
        if (!volume)
            return NULL;
        node = node_new(MAP_NODE_VOLUME);
        node->volume = volume;
        return node;
    }
    g_assert_not_reached();
}

MapNode *
map_lookup_described(MapTree *tree, const char *path, GError **error)
{
    g_auto(MapPath) parts = {0};
    g_autofree char *key = NULL;
    MapNode *node = map_lookup(tree, path, error);

    if (!node || node->kind != MAP_NODE_VOLUME || node->volume->described ||
        !map_path_parse(path, &parts, NULL))
        return node;
    key = g_strconcat(parts.top, "/", parts.volume, NULL);
    map_cache_forget(tree->cache, MAP_CACHE_VOLUME, key);
    ops_volume_free(node->volume);
    node->volume = get_volume(tree, parts.top, parts.volume, error);
    if (!node->volume)
        g_clear_pointer(&node, map_node_free);
    return node;
}

OpsPool *
map_lookup_pool_of(MapTree *tree, const char *path, GError **error)
{
    g_auto(MapPath) parts = {0};
    g_autoptr(MapNode) node = NULL;

    if (!map_path_parse(path, &parts, error))
        return NULL;
    if (parts.kind == MAP_PATH_VOLUME)
        return get_pool(tree, parts.top, error);
    node = map_lookup(tree, path, error);
    if (!node)
        return NULL;
    if (!node->pool) {
        g_set_error(error, OPS_ERROR, ENOENT, "'%s' is in no pool", path);
        return NULL;
    }
    return g_steal_pointer(&node->pool);
}

/*
 * The root lists the error log, every pool and its definition file (unless a pool's name
 * hides it), and the scratch files that no pool or definition hides.
 */
static char **
list_root(MapTree *tree, GError **error)
{
    g_auto(GStrv) pools = get_names(tree, "/", NULL, error);
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

        g_ptr_array_add(names, g_strdup(*pool));
        if (g_hash_table_contains(seen, xml)) {
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
    g_auto(GStrv) unsized = names ? unsized_names(tree, pool) : NULL;
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

/* Adds to @volumes of pool @pool (taken, returned) the pool's unsized volumes. */
static GPtrArray *
with_unsized_volumes(MapTree *tree, const char *pool, GPtrArray *volumes)
{
    g_auto(GStrv) unsized = unsized_names(tree, pool);

    for (char **name = unsized; *name; name++) {
        gboolean listed = FALSE;

        for (guint i = 0; i < volumes->len && !listed; i++)
            listed = g_str_equal(((OpsVolume *)volumes->pdata[i])->name, *name);
        if (!listed)
            g_ptr_array_add(volumes, unsized_volume(*name));
    }
    return volumes;
}

/* A directory volume lists nothing: libvirt says nothing of what it holds. Any other volume
 * is ENOTDIR. */
static char **
list_volume(MapTree *tree, const MapPath *parts, const char *path, GError **error)
{
    g_autoptr(OpsVolume) volume = get_volume(tree, parts->top, parts->volume, error);

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
        return with_unsized_names(tree, parts.top, get_names(tree, path, parts.top, error));
    case MAP_PATH_VOLUME:
        return list_volume(tree, &parts, path, error);
    }
    g_assert_not_reached();
}

GPtrArray *
map_list_volumes(MapTree *tree, const char *pool, GError **error)
{
    g_autofree char *dir = g_strconcat("/", pool, NULL);
    g_auto(GStrv) names = map_cache_get(tree->cache, MAP_CACHE_LIST, dir);
    GPtrArray *volumes = g_ptr_array_new_with_free_func((GDestroyNotify)ops_volume_free);
    GPtrArray *fetched;

    /* A fresh listing whose every volume is fresh too is the cache's answer. */
    for (char **name = names; name && *name; name++) {
        g_autofree char *key = g_strconcat(pool, "/", *name, NULL);
        OpsVolume *volume = map_cache_get(tree->cache, MAP_CACHE_VOLUME, key);

        if (!volume)
            break;
        g_ptr_array_add(volumes, volume);
    }
    if (names && volumes->len == g_strv_length(names))
        return with_unsized_volumes(tree, pool, volumes);
    g_ptr_array_unref(volumes);
    fetched = ops_volume_list(tree->conn, pool, tree->in_place, error);
    if (!fetched)
        return NULL;
    g_clear_pointer(&names, g_strfreev);
    names = g_new0(char *, fetched->len + 1);
    for (guint i = 0; i < fetched->len; i++) {
        OpsVolume *volume = fetched->pdata[i];
        g_autofree char *key = g_strconcat(pool, "/", volume->name, NULL);

        names[i] = g_strdup(volume->name);
        map_cache_put(tree->cache, MAP_CACHE_VOLUME, key, volume);
    }
    map_cache_put(tree->cache, MAP_CACHE_LIST, dir, names);
    return with_unsized_volumes(tree, pool, fetched);
}

/* libvirt's usual images directory for the connection's kind of daemon. */
static char *
usual_images_dir(const char *uri)
{
    g_autoptr(GUri) parsed = g_uri_parse(uri, G_URI_FLAGS_NONE, NULL);

    /* A session daemon keeps its images in its user's data directory; where it runs on this
     * host as this user (the usual case) that is ours. */
    if (parsed && g_str_equal(g_uri_get_path(parsed), "/session"))
        return g_build_filename(g_get_user_data_dir(), "libvirt", "images", NULL);
    return g_strdup("/var/lib/libvirt/images");
}

char *
map_new_pool_target(MapTree *tree, const char *pool_root, const char *name, GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autoptr(OpsPool) fallback = NULL;
    g_autofree char *root = NULL;

    if (pool_root)
        return g_build_filename(pool_root, name, NULL);
    fallback = find_pool(tree, "default", &local);
    if (local) {
        g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    if (fallback && fallback->target)
        root = g_path_get_dirname(fallback->target);
    else
        root = usual_images_dir(ops_connection_uri(tree->conn));
    return g_build_filename(root, name, NULL);
}
