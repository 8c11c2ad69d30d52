/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Paths into nodes: from the cache (mapping/cache.c) while fresh, else from ops/, whose
 * answer is then cached; and the unsized volumes that only the mount knows. Listings are
 * mapping/listing.c's.
 */
#include <errno.h>

#include "mapping/mapping-private.h"

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
    tree->volume_changes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    tree->volume_ends = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    tree->replacing = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    tree->replacements = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_cond_init(&tree->replaced);
    tree->removed_definitions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    tree->seen_definitions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                   (GDestroyNotify)map_seen_definition_free);
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
    g_hash_table_destroy(tree->volume_changes);
    g_hash_table_destroy(tree->volume_ends);
    g_hash_table_destroy(tree->replacing);
    g_hash_table_destroy(tree->removed_definitions);
    g_hash_table_destroy(tree->seen_definitions);
    g_hash_table_destroy(tree->replacements);
    g_cond_clear(&tree->replaced);
    g_mutex_clear(&tree->lock);
    g_free(tree);
}

void
map_node_free(MapNode *node)
{
    if (!node)
        return;
    ops_pool_unref(node->pool);
    ops_volume_unref(node->volume);
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
pool_node(MapTree *tree, MapNodeKind kind, OpsPool *pool)
{
    MapNode *node = node_new(kind);

    node->pool = pool;
    node->defined = map_definition_seen(tree, pool->name, pool->xml);
    return node;
}

OpsPool *
map_get_pool(MapTree *tree, const char *name, GError **error)
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
    OpsPool *pool = map_get_pool(tree, name, &local);

    if (!pool && local->code != ENOENT)
        g_propagate_error(error, g_steal_pointer(&local));
    return pool;
}

OpsVolume *
map_get_volume(MapTree *tree, const char *pool, const char *name, GError **error)
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

char **
map_get_names(MapTree *tree, const char *dir, const char *pool, GError **error)
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
    map_cache_forget(tree->cache, MAP_CACHE_VOLUMES, dir);
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
    map_cache_forget(tree->cache, MAP_CACHE_VOLUMES, dir);
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

OpsVolume *
map_unsized_volume(const char *name)
{
    OpsVolume *volume = ops_volume_new();

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
    g_autoptr(OpsPool) record = map_get_pool(tree, pool, NULL);

    if (record && record->state == OPS_POOL_RUNNING)
        return TRUE;
    map_volume_settle_pool(tree, pool);
    return FALSE;
}

char **
map_unsized_names(MapTree *tree, const char *pool)
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
    guint mark = map_volume_await(tree, parts->top, parts->volume);
    OpsVolume *volume;

    while (!(volume = map_get_volume(tree, parts->top, parts->volume, &local)) &&
           map_volume_retry(tree, parts->top, parts->volume, &mark, local))
        g_clear_error(&local);
    if (map_volume_state(tree, parts->top, parts->volume) == MAP_VOLUME_UNSIZED) {
        if (volume) /* a volume made meanwhile, elsewhere or by a move, took its place */
            map_volume_set_state(tree, parts->top, parts->volume, MAP_VOLUME_SETTLED);
        else if (pool_runs(tree, parts->top))
            return map_unsized_volume(parts->volume);
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
        return pool_node(tree, MAP_NODE_POOL, pool);
    if (!local && stem && !map_definition_is_removed(tree, stem))
        pool = find_pool(tree, stem, &local);
    if (pool)
        return pool_node(tree, MAP_NODE_POOL_XML, pool);
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
    ops_volume_unref(node->volume);
    node->volume = map_get_volume(tree, parts.top, parts.volume, error);
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
        return map_get_pool(tree, parts.top, error);
    node = map_lookup(tree, path, error);
    if (!node)
        return NULL;
    if (!node->pool) {
        g_set_error(error, OPS_ERROR, ENOENT, "'%s' is in no pool", path);
        return NULL;
    }
    return g_steal_pointer(&node->pool);
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
