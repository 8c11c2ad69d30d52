/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The extended attributes user.libvirt.* of pools and volumes (../shared/SPEC.md V7): each
 * is one field of an ops/ record, described by a table so that names and values never part.
 */
#include <errno.h>
#include <string.h>

#include "mapping/mapping.h"

typedef enum {
    FIELD_STRING,     /* char *, absent when NULL */
    FIELD_NUMBER,     /* guint64, in decimal */
    FIELD_YES_NO,     /* gboolean, as virsh prints it */
    FIELD_POOL_STATE, /* OpsPoolState, as virsh names it */
} FieldKind;

typedef struct {
    const char *name;
    FieldKind kind;
    gsize offset;
} Field;

#define FIELD(record, name, kind, member)                                                          \
    {                                                                                              \
        name, kind, G_STRUCT_OFFSET(record, member)                                                \
    }

static const Field pool_fields[] = {
    FIELD(OpsPool, "type", FIELD_STRING, type),
    FIELD(OpsPool, "state", FIELD_POOL_STATE, state),
    FIELD(OpsPool, "autostart", FIELD_YES_NO, autostart),
    FIELD(OpsPool, "capacity", FIELD_NUMBER, capacity),
    FIELD(OpsPool, "allocation", FIELD_NUMBER, allocation),
    FIELD(OpsPool, "available", FIELD_NUMBER, available),
    FIELD(OpsPool, "uuid", FIELD_STRING, uuid),
    FIELD(OpsPool, "xml", FIELD_STRING, xml),
};

static const Field volume_fields[] = {
    FIELD(OpsVolume, "format", FIELD_STRING, format),
    FIELD(OpsVolume, "capacity", FIELD_NUMBER, capacity),
    FIELD(OpsVolume, "allocation", FIELD_NUMBER, allocation),
    FIELD(OpsVolume, "physical", FIELD_NUMBER, physical),
    FIELD(OpsVolume, "key", FIELD_STRING, key),
    FIELD(OpsVolume, "path", FIELD_STRING, path),
    FIELD(OpsVolume, "type", FIELD_STRING, type),
    FIELD(OpsVolume, "xml", FIELD_STRING, xml),
};

/* The fields of @node's kind, and the record they are read from; none for other kinds. */
static const Field *
fields_of(const MapNode *node, gsize *count, gconstpointer *record)
{
    switch (node->kind) {
    case MAP_NODE_POOL:
        *count = G_N_ELEMENTS(pool_fields);
        *record = node->pool;
        return pool_fields;
    case MAP_NODE_VOLUME:
        *count = G_N_ELEMENTS(volume_fields);
        *record = node->volume;
        return volume_fields;
    default:
        *count = 0;
        *record = NULL;
        return NULL;
    }
}

/* @field of @record as text: a new string, or NULL where the record has no value. */
static char *
field_value(const Field *field, gconstpointer record)
{
    gconstpointer at = (const char *)record + field->offset;

    switch (field->kind) {
    case FIELD_STRING:
        return g_strdup(*(char *const *)at);
    case FIELD_NUMBER:
        return g_strdup_printf("%" G_GUINT64_FORMAT, *(const guint64 *)at);
    case FIELD_YES_NO:
        return g_strdup(*(const gboolean *)at ? "yes" : "no");
    case FIELD_POOL_STATE:
        return g_strdup(ops_pool_state_name(*(const OpsPoolState *)at));
    }
    g_assert_not_reached();
}

char **
map_xattr_names(const MapNode *node)
{
    GPtrArray *names = g_ptr_array_new();
    gconstpointer record;
    gsize count;
    const Field *fields = fields_of(node, &count, &record);

    for (gsize i = 0; i < count; i++) {
        g_autofree char *value = field_value(&fields[i], record);

        /* Only what has a value is listed, so that getfattr -d never meets ENODATA. */
        if (value)
            g_ptr_array_add(names, g_strconcat(MAP_XATTR_PREFIX, fields[i].name, NULL));
    }
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

char *
map_xattr_value(const MapNode *node, const char *name, GError **error)
{
    gconstpointer record;
    gsize count;
    const Field *fields = fields_of(node, &count, &record);
    char *value = NULL;

    if (g_str_has_prefix(name, MAP_XATTR_PREFIX)) {
        for (gsize i = 0; i < count && !value; i++) {
            if (g_str_equal(fields[i].name, name + strlen(MAP_XATTR_PREFIX)))
                value = field_value(&fields[i], record);
        }
    }
    if (!value)
        g_set_error(error, OPS_ERROR, ENODATA, "no attribute '%s'", name);
    return value;
}

/* A yes/no value as people write it. */
static gboolean
parse_yes_no(const char *value, gboolean *out)
{
    static const char *const yes[] = {"yes", "on", "true", "1"};
    static const char *const no[] = {"no", "off", "false", "0"};

    for (gsize i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (g_ascii_strcasecmp(value, yes[i]) == 0 || g_ascii_strcasecmp(value, no[i]) == 0) {
            *out = g_ascii_strcasecmp(value, yes[i]) == 0;
            return TRUE;
        }
    }
    return FALSE;
}

/* A size as "1073741824", or with a binary suffix: "1G", "512M". */
static gboolean
parse_size(const char *text, guint64 *out)
{
    static const char suffixes[] = "KMGT";
    g_autofree char *digits = g_strdup(text);
    gsize length = strlen(digits);
    const char *suffix;
    guint64 value, shift = 0;

    if (length > 0 && (suffix = strchr(suffixes, g_ascii_toupper(digits[length - 1])))) {
        shift = 10 * (guint64)(suffix - suffixes + 1);
        digits[length - 1] = '\0';
    }
    if (!g_ascii_string_to_unsigned(digits, 10, 0, G_MAXUINT64 >> shift, &value, NULL))
        return FALSE;
    *out = value << shift;
    return TRUE;
}

static gboolean
parse_pool_change(const char *field, const char *text, MapChange *change, GError **error)
{
    if (g_str_equal(field, "refresh")) {
        *change = (MapChange){.kind = MAP_CHANGE_REFRESH};
        return TRUE;
    }
    if (g_str_equal(field, "autostart")) {
        change->kind = MAP_CHANGE_AUTOSTART;
        if (parse_yes_no(text, &change->flag))
            return TRUE;
        g_set_error(error, OPS_ERROR, EINVAL, "autostart is yes or no, not '%s'", text);
        return FALSE;
    }
    if (g_str_equal(field, "state")) {
        change->kind = MAP_CHANGE_RUNNING;
        change->flag = g_str_equal(text, ops_pool_state_name(OPS_POOL_RUNNING));
        if (change->flag || g_str_equal(text, ops_pool_state_name(OPS_POOL_INACTIVE)))
            return TRUE;
        g_set_error(error, OPS_ERROR, EINVAL, "state is running or inactive, not '%s'", text);
        return FALSE;
    }
    g_set_error(error, OPS_ERROR, EPERM, "%s%s cannot be changed", MAP_XATTR_PREFIX, field);
    return FALSE;
}

static gboolean
parse_volume_change(const char *field, const char *text, MapChange *change, GError **error)
{
    if (g_str_equal(field, "capacity")) {
        change->kind = MAP_CHANGE_CAPACITY;
        if (parse_size(text, &change->bytes))
            return TRUE;
        g_set_error(error, OPS_ERROR, EINVAL, "capacity is a size in bytes, not '%s'", text);
        return FALSE;
    }
    g_set_error(error, OPS_ERROR, EPERM, "%s%s cannot be changed", MAP_XATTR_PREFIX, field);
    return FALSE;
}

gboolean
map_xattr_parse_change(const MapNode *node, const char *name, const char *value, gsize size,
                       MapChange *change, GError **error)
{
    g_autofree char *text = NULL;
    const char *field = name + strlen(MAP_XATTR_PREFIX);

    if (!g_str_has_prefix(name, MAP_XATTR_PREFIX) ||
        (node->kind != MAP_NODE_POOL && node->kind != MAP_NODE_VOLUME)) {
        g_set_error(error, OPS_ERROR, ENOTSUP, "'%s' cannot be set here", name);
        return FALSE;
    }
    /* setfattr and shells may end a value with a newline; it is no part of it. */
    text = g_strstrip(g_strndup(value, size));
    if (node->kind == MAP_NODE_POOL)
        return parse_pool_change(field, text, change, error);
    return parse_volume_change(field, text, change, error);
}
