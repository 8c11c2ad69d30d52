/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt's pool and volume XML into records, and the check of user-written pool XML. The
 * parser is libxml2's, told never to reach the network; documents with a DOCTYPE are refused,
 * so no entity is ever declared, expanded or fetched: XML is data here.
 */
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "ops/ops.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject)

/* Larger than any definition libvirt writes; a bound on what user-written XML may cost. */
#define XML_MAX_BYTES (1024 * 1024)

/* Parses @xml whose root element must be @root; NULL with EINVAL in @error otherwise. */
static xmlDoc *
parse_document(const char *xml, const char *root, GError **error)
{
    gsize length = strlen(xml);
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *top;

    if (length > XML_MAX_BYTES) {
        g_set_error(error, OPS_ERROR, EINVAL,
                    "XML of %" G_GSIZE_FORMAT " bytes is over the "
                    "limit of %d",
                    length, XML_MAX_BYTES);
        return NULL;
    }
    doc = xmlReadMemory(xml, (int)length, root, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *err = xmlGetLastError();
        g_autofree char *reason = g_strdup(err && err->message ? err->message : "unknown error");

        g_set_error(error, OPS_ERROR, EINVAL, "malformed XML: %s", g_strchomp(reason));
        return NULL;
    }
    /* libvirt never writes a DOCTYPE; in user-written XML it can only smuggle entities. */
    if (doc->intSubset || doc->extSubset) {
        g_set_error(error, OPS_ERROR, EINVAL, "a DOCTYPE (and so any entity) is not accepted");
        return NULL;
    }
    top = xmlDocGetRootElement(doc);
    if (!top || !xmlStrEqual(top->name, (const xmlChar *)root)) {
        g_set_error(error, OPS_ERROR, EINVAL, "the XML's root element is not <%s>", root);
        return NULL;
    }
    return g_steal_pointer(&doc);
}

/* The text of XPath @expr, NULL when it is empty. */
static char *
xpath_string(xmlXPathContext *ctx, const char *expr)
{
    g_autofree char *wrapped = g_strdup_printf("string(%s)", expr);
    g_autoptr(xmlXPathObject) obj = xmlXPathEvalExpression((const xmlChar *)wrapped, ctx);

    if (!obj || obj->type != XPATH_STRING || !obj->stringval || !*obj->stringval)
        return NULL;
    return g_strdup((const char *)obj->stringval);
}

/* A decimal number at @expr in @base, or @fallback where it is missing or not a number. */
static guint64
xpath_number(xmlXPathContext *ctx, const char *expr, guint base, guint64 fallback)
{
    g_autofree char *text = xpath_string(ctx, expr);
    guint64 value;

    if (!text || !g_ascii_string_to_unsigned(text, base, 0, G_MAXUINT64, &value, NULL))
        return fallback;
    return value;
}

/* Owner, group and mode under @perms_expr (a <permissions> element). */
static OpsPerms
xpath_perms(xmlXPathContext *ctx, const char *perms_expr)
{
    g_autofree char *mode = g_strconcat(perms_expr, "/mode", NULL);
    g_autofree char *owner = g_strconcat(perms_expr, "/owner", NULL);
    g_autofree char *group = g_strconcat(perms_expr, "/group", NULL);

    return (OpsPerms){
        .mode = (guint32)xpath_number(ctx, mode, 8, OPS_UNKNOWN),
        .uid = (guint32)xpath_number(ctx, owner, 10, OPS_UNKNOWN),
        .gid = (guint32)xpath_number(ctx, group, 10, OPS_UNKNOWN),
    };
}

/* A timestamp as libvirt writes it, "SECONDS.NANOSECONDS"; zero where missing or bad. */
static struct timespec
xpath_time(xmlXPathContext *ctx, const char *expr)
{
    g_autofree char *text = xpath_string(ctx, expr);
    struct timespec ts = {0, 0};
    g_auto(GStrv) parts = NULL;
    guint64 seconds, fraction = 0;
    gsize digits;

    if (!text)
        return ts;
    parts = g_strsplit(text, ".", 2);
    if (!g_ascii_string_to_unsigned(parts[0], 10, 0, G_MAXINT64, &seconds, NULL))
        return ts;
    if (parts[1]) {
        digits = strlen(parts[1]);
        if (digits == 0 || digits > 9 ||
            !g_ascii_string_to_unsigned(parts[1], 10, 0, G_MAXUINT64, &fraction, NULL))
            return ts;
        for (; digits < 9; digits++)
            fraction *= 10;
    }
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)fraction;
    return ts;
}

gboolean
ops_pool_parse_xml(const char *xml, OpsPool *pool, GError **error)
{
    g_autoptr(xmlDoc) doc = parse_document(xml, "pool", error);
    g_autoptr(xmlXPathContext) ctx = NULL;

    if (!doc)
        return FALSE;
    ctx = xmlXPathNewContext(doc);
    g_free(pool->name);
    pool->name = xpath_string(ctx, "/pool/name");
    g_free(pool->uuid);
    pool->uuid = xpath_string(ctx, "/pool/uuid");
    g_free(pool->type);
    pool->type = xpath_string(ctx, "/pool/@type");
    g_free(pool->target);
    pool->target = xpath_string(ctx, "/pool/target/path");
    pool->perms = xpath_perms(ctx, "/pool/target/permissions");
    return TRUE;
}

OpsVolume *
ops_volume_parse_xml(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = parse_document(xml, "volume", error);
    g_autoptr(xmlXPathContext) ctx = NULL;
    g_autoptr(OpsVolume) volume = NULL;

    if (!doc)
        return NULL;
    ctx = xmlXPathNewContext(doc);
    volume = ops_volume_new();
    volume->described = TRUE;
    volume->name = xpath_string(ctx, "/volume/name");
    if (!volume->name) {
        g_set_error(error, OPS_ERROR, EINVAL, "the volume XML has no <name>");
        return NULL;
    }
    volume->key = xpath_string(ctx, "/volume/key");
    volume->path = xpath_string(ctx, "/volume/target/path");
    volume->type = xpath_string(ctx, "/volume/@type");
    volume->format = xpath_string(ctx, "/volume/target/format/@type");
    volume->backing = xpath_string(ctx, "/volume/backingStore/path");
    volume->capacity = xpath_number(ctx, "/volume/capacity", 10, 0);
    volume->allocation = xpath_number(ctx, "/volume/allocation", 10, 0);
    volume->physical = xpath_number(ctx, "/volume/physical", 10, 0);
    volume->perms = xpath_perms(ctx, "/volume/target/permissions");
    volume->atime = xpath_time(ctx, "/volume/target/timestamps/atime");
    volume->mtime = xpath_time(ctx, "/volume/target/timestamps/mtime");
    volume->ctime = xpath_time(ctx, "/volume/target/timestamps/ctime");
    volume->xml = g_strdup(xml);
    return g_steal_pointer(&volume);
}
