/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Paths into nodes and directory listings, asking ops/ each time. Every answer is fresh from
 * libvirt; the kernel's attribute cache (cache_ttl) is what spares repeated calls.
 */
#include <errno.h>

#include "mapping/mapping.h"

MapTree *
map_tree_new(OpsConnection *conn)
{
    MapTree *tree = g_new0(MapTree, 1);

    tree->conn = conn;
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

/* Pool @name, or NULL: with @error set unless libvirt says only that there is none. */
static OpsPool *
find_pool(MapTree *tree, const char *name, GError **error)
{
    g_autoptr(GError) local = NULL;
    OpsPool *pool = ops_pool_get(tree->conn, name, &local);

    if (!pool && local->code != ENOENT)
        g_propagate_error(error, g_steal_pointer(&local));
    return pool;
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
        volume = ops_volume_get(tree->conn, parts.top, parts.volume, error);
        if (!volume)
            return NULL;
        node = node_new(MAP_NODE_VOLUME);
        node->volume = volume;
        return node;
    }
    g_assert_not_reached();
}

OpsPool *
map_lookup_pool_of(MapTree *tree, const char *path, GError **error)
{
    g_auto(MapPath) parts = {0};
    g_autoptr(MapNode) node = NULL;

    if (!map_path_parse(path, &parts, error))
        return NULL;
    if (parts.kind == MAP_PATH_VOLUME)
        return ops_pool_get(tree->conn, parts.top, error);
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
    g_auto(GStrv) pools = ops_pool_list_names(tree->conn, error);
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
        return ops_volume_list_names(tree->conn, parts.top, error);
    case MAP_PATH_VOLUME:
        g_set_error(error, OPS_ERROR, ENOTDIR, "'%s' is a volume", path);
        return NULL;
    }
    g_assert_not_reached();
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
