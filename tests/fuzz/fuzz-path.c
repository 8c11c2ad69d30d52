/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzzes paths and names (mapping/path.c): what the kernel may hand the mount as a path. */
#include <stdint.h>

#include "mapping/mapping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *path = g_strndup((const char *)data, size);
    g_autofree char *stem = map_xml_stem(path);
    g_autofree char *name = map_xml_name(path);
    g_auto(MapPath) parts = {0};

    if (map_path_parse(path, &parts, NULL) && parts.volume)
        g_assert_nonnull(map_volume_format(parts.volume));
    if (stem)
        g_assert_cmpuint(strlen(stem), <, strlen(path));
    g_assert_true(g_str_has_suffix(name, MAP_XML_SUFFIX));
    return 0;
}
