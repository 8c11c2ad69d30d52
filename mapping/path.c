/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paths of the mount into their parts, and the names of the pools' definition files. */
#include <errno.h>
#include <string.h>

#include "mapping/mapping.h"

gboolean
map_path_parse(const char *path, MapPath *out, GError **error)
{
    g_auto(GStrv) parts = NULL;
    guint count;

    if (path[0] != '/') {
        g_set_error(error, OPS_ERROR, EINVAL, "'%s' is not an absolute path", path);
        return FALSE;
    }
    if (path[1] == '\0') {
        *out = (MapPath){.kind = MAP_PATH_ROOT};
        return TRUE;
    }
    parts = g_strsplit(path + 1, "/", 3);
    count = g_strv_length(parts);
    for (guint i = 0; i < count; i++) {
        if (parts[i][0] == '\0') {
            g_set_error(error, OPS_ERROR, EINVAL, "'%s' has an empty component", path);
            return FALSE;
        }
    }
    if (count > 2) {
        g_set_error(error, OPS_ERROR, ENOENT, "'%s' is below a volume", path);
        return FALSE;
    }
    *out = (MapPath){
        .kind = count == 1 ? MAP_PATH_TOP : MAP_PATH_VOLUME,
        .top = g_strdup(parts[0]),
        .volume = g_strdup(parts[1]),
    };
    return TRUE;
}

void
map_path_clear(MapPath *path)
{
    g_clear_pointer(&path->top, g_free);
    g_clear_pointer(&path->volume, g_free);
}

char *
map_xml_name(const char *pool)
{
    return g_strconcat(pool, MAP_XML_SUFFIX, NULL);
}

char *
map_xml_stem(const char *name)
{
    gsize length = strlen(name), suffix = strlen(MAP_XML_SUFFIX);

    if (length <= suffix || !g_str_has_suffix(name, MAP_XML_SUFFIX))
        return NULL;
    return g_strndup(name, length - suffix);
}

/* Volume formats by the extensions people give them; anything else is raw (V1). */
static const struct {
    const char *extension;
    const char *format;
} formats[] = {
    {".qcow2", "qcow2"}, {".qcow", "qcow"}, {".qed", "qed"}, {".vmdk", "vmdk"},
    {".vdi", "vdi"},     {".vhd", "vpc"},   {".vpc", "vpc"},
};

const char *
map_volume_format(const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS(formats); i++) {
        if (g_str_has_suffix(name, formats[i].extension) &&
            strlen(name) > strlen(formats[i].extension))
            return formats[i].format;
    }
    return "raw";
}
