/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes extended attributes (mapping/xattr.c): the first byte picks a pool, a volume or the
 * root; the name runs to the next NUL byte; the rest is the value being set.
 */
#include <stdint.h>

#include "mapping/mapping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const MapNodeKind kinds[] = {MAP_NODE_POOL, MAP_NODE_VOLUME, MAP_NODE_ROOT};
    OpsPool pool = {.name = "p", .type = "dir", .uuid = "u", .xml = "<pool/>"};
    OpsVolume volume = {.name = "v", .format = "raw", .xml = "<volume/>", .described = TRUE};
    MapNode node = {.pool = &pool, .volume = &volume};
    g_autofree char *name = NULL;
    g_autofree char *value = NULL;
    g_auto(GStrv) names = NULL;
    MapChange change;
    gsize length;

    if (size == 0)
        return 0;
    node.kind = kinds[data[0] % G_N_ELEMENTS(kinds)];
    name = g_strndup((const char *)data + 1, size - 1);
    length = strlen(name) + 2 <= size ? size - strlen(name) - 2 : 0;
    map_xattr_parse_change(&node, name, (const char *)data + size - length, length, &change, NULL);
    value = map_xattr_value(&node, name, NULL);
    names = map_xattr_names(&node);
    return 0;
}
