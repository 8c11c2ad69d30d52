/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Paths into nodes and directory listings, asking ops/ each time. Every answer is fresh from
 * libvirt; the kernel's attribute cache (cache_ttl) is what spares repeated calls.
 */
#include <errno.h>

#include "mapping/mapping.h"

void
map_node_free(MapNode *node)
{
    if (!node)
        return;
    ops_pool_free(node->pool);
    ops_volume_free(node->volume);
    g_free(node);
}

static MapNode *
node_new(MapNodeKind kind, OpsPool *pool, OpsVolume *volume)
{
    MapNode *node = g_new0(MapNode, 1);

    node->kind = kind;
    node->pool = pool;
    node->volume = volume;
    return node;
}

/* "/NAME": pool NAME's directory, else the definition of the pool NAME names, if any. */
static MapNode *
lookup_top(OpsConnection *conn, const char *name, GError **error)
{
    g_autoptr(GError) pool_error = NULL;
    g_autofree char *stem = NULL;
    OpsPool *pool = ops_pool_get(conn, name, &pool_error);

    if (pool)
        return node_new(MAP_NODE_POOL, pool, NULL);
    stem = map_xml_stem(name);
    if (!stem || pool_error->code != ENOENT) {
        g_propagate_error(error, g_steal_pointer(&pool_error));
        return NULL;
    }
    pool = ops_pool_get(conn, stem, error);
    return pool ? node_new(MAP_NODE_POOL_XML, pool, NULL) : NULL;
}

MapNode *
map_lookup(OpsConnection *conn, const char *path, GError **error)
{
    g_auto(MapPath) parts = {0};
    OpsVolume *volume;

    if (!map_path_parse(path, &parts, error))
        return NULL;
    switch (parts.kind) {
    case MAP_PATH_ROOT:
        return node_new(MAP_NODE_ROOT, NULL, NULL);
    case MAP_PATH_TOP:
        return lookup_top(conn, parts.top, error);
    case MAP_PATH_VOLUME:
        volume = ops_volume_get(conn, parts.top, parts.volume, error);
        return volume ? node_new(MAP_NODE_VOLUME, NULL, volume) : NULL;
    }
    g_assert_not_reached();
}

OpsPool *
map_lookup_pool_of(OpsConnection *conn, const char *path, GError **error)
{
    g_auto(MapPath) parts = {0};
    g_autoptr(MapNode) node = NULL;

    if (!map_path_parse(path, &parts, error))
        return NULL;
    if (parts.kind == MAP_PATH_VOLUME)
        return ops_pool_get(conn, parts.top, error);
    node = map_lookup(conn, path, error);
    if (!node)
        return NULL;
    if (!node->pool) {
        g_set_error(error, OPS_ERROR, ENOENT, "'%s' is in no pool", path);
        return NULL;
    }
    return g_steal_pointer(&node->pool);
}

/* The root lists every pool and its definition file, unless a pool's name hides it. */
static char **
list_root(OpsConnection *conn, GError **error)
{
    g_auto(GStrv) pools = ops_pool_list_names(conn, error);
    GPtrArray *names;

    if (!pools)
        return NULL;
    names = g_ptr_array_new();
    for (char **pool = pools; *pool; pool++) {
        g_autofree char *xml = map_xml_name(*pool);

        g_ptr_array_add(names, g_strdup(*pool));
        if (!g_strv_contains((const char *const *)pools, xml))
            g_ptr_array_add(names, g_steal_pointer(&xml));
    }
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

char **
map_list(OpsConnection *conn, const char *path, GError **error)
{
    g_auto(MapPath) parts = {0};

    if (!map_path_parse(path, &parts, error))
        return NULL;
    switch (parts.kind) {
    case MAP_PATH_ROOT:
        return list_root(conn, error);
    case MAP_PATH_TOP:
        return ops_volume_list_names(conn, parts.top, error);
    case MAP_PATH_VOLUME:
        g_set_error(error, OPS_ERROR, ENOTDIR, "'%s' is a volume", path);
        return NULL;
    }
    g_assert_not_reached();
}
