/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ops/xml.c: libvirt's pool and volume XML into records, and what bad XML gets (E4). */
#include <errno.h>

#include "ops/ops.h"

static const char volume_xml[] =
    "<volume type='file'>\n"
    "  <name>a disk.qcow2</name>\n"
    "  <key>/pools/demo/a disk.qcow2</key>\n"
    "  <capacity unit='bytes'>1073741824</capacity>\n"
    "  <allocation unit='bytes'>200704</allocation>\n"
    "  <physical unit='bytes'>196624</physical>\n"
    "  <target>\n"
    "    <path>/pools/demo/a disk.qcow2</path>\n"
    "    <format type='qcow2'/>\n"
    "    <permissions><mode>0640</mode><owner>999</owner><group>995</group></permissions>\n"
    "    <timestamps>\n"
    "      <atime>1795303388.661989062</atime>\n"
    "      <mtime>1795303388.5</mtime>\n"
    "      <ctime>1795303388</ctime>\n"
    "    </timestamps>\n"
    "  </target>\n"
    "  <backingStore>\n"
    "    <path>/pools/demo/base.qcow2</path>\n"
    "    <format type='qcow2'/>\n"
    "  </backingStore>\n"
    "</volume>\n";

static void
test_volume(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(OpsVolume) volume = ops_volume_parse_xml(volume_xml, &error);

    g_assert_no_error(error);
    g_assert_cmpstr(volume->name, ==, "a disk.qcow2");
    g_assert_cmpstr(volume->key, ==, "/pools/demo/a disk.qcow2");
    g_assert_cmpstr(volume->path, ==, "/pools/demo/a disk.qcow2");
    g_assert_cmpstr(volume->type, ==, "file");
    g_assert_cmpstr(volume->format, ==, "qcow2");
    g_assert_cmpstr(volume->backing, ==, "/pools/demo/base.qcow2");
    g_assert_false(ops_volume_clones_exactly(volume));
    g_assert_cmpuint(volume->capacity, ==, 1073741824);
    g_assert_cmpuint(volume->allocation, ==, 200704);
    g_assert_cmpuint(volume->physical, ==, 196624);
    g_assert_cmpuint(volume->perms.mode, ==, 0640);
    g_assert_cmpuint(volume->perms.uid, ==, 999);
    g_assert_cmpuint(volume->perms.gid, ==, 995);
    g_assert_cmpint(volume->atime.tv_sec, ==, 1795303388);
    g_assert_cmpint(volume->atime.tv_nsec, ==, 661989062);
    g_assert_cmpint(volume->mtime.tv_nsec, ==, 500000000);
    g_assert_cmpint(volume->ctime.tv_sec, ==, 1795303388);
    g_assert_cmpint(volume->ctime.tv_nsec, ==, 0);
    g_assert_cmpstr(volume->xml, ==, volume_xml);
}

static void
test_volume_minimal(void)
{
    g_autoptr(OpsVolume) volume =
        ops_volume_parse_xml("<volume type='network'><name>rbd1</name></volume>", NULL);

    g_assert_nonnull(volume);
    g_assert_null(volume->format);
    g_assert_null(volume->backing);
    g_assert_true(ops_volume_clones_exactly(volume));
    g_assert_null(volume->path);
    g_assert_cmpuint(volume->physical, ==, 0);
    g_assert_cmpuint(volume->perms.mode, ==, OPS_UNKNOWN);
    g_assert_cmpuint(volume->perms.uid, ==, OPS_UNKNOWN);
    g_assert_cmpint(volume->mtime.tv_sec, ==, 0);
}

static void
test_pool(void)
{
    g_autoptr(OpsPool) pool = ops_pool_new();

    g_assert_true(ops_pool_parse_xml("<pool type='dir'><name>demo</name>"
                                     "<uuid>875ca088-fcf4-468c-98f6-deeee96d64dc</uuid>"
                                     "<target><path>/p</path><permissions><mode>0711</mode>"
                                     "<owner>0</owner><group>10</group></permissions>"
                                     "</target></pool>",
                                     pool, NULL));
    g_assert_cmpstr(pool->name, ==, "demo");
    g_assert_cmpstr(pool->type, ==, "dir");
    g_assert_cmpstr(pool->uuid, ==, "875ca088-fcf4-468c-98f6-deeee96d64dc");
    g_assert_cmpstr(pool->target, ==, "/p");
    g_assert_cmpuint(pool->perms.mode, ==, 0711);
    g_assert_cmpuint(pool->perms.uid, ==, 0);
    g_assert_cmpuint(pool->perms.gid, ==, 10);
}

static void
test_rejects(void)
{
    static const char *const bad[] = {
        "",
        "<volume>",
        "<pool type='dir'><name>x</name></pool>", /* not a volume */
        "<volume type='file'></volume>",          /* no name */
        "not xml at all",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;

        g_assert_null(ops_volume_parse_xml(bad[i], &error));
        g_assert_error(error, OPS_ERROR, EINVAL);
    }
}

/* A DOCTYPE is refused, so no entity is ever declared, expanded or fetched (E4). */
static void
test_doctype(void)
{
    static const char *const bad[] = {
        "<?xml version='1.0'?><!DOCTYPE volume [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        "<volume type='file'><name>n&x;</name></volume>",
        "<?xml version='1.0'?><!DOCTYPE volume [<!ENTITY a 'aaaaaaaaaa'>"
        "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;'>]>"
        "<volume type='file'><name>&c;</name></volume>",
        "<!DOCTYPE volume SYSTEM 'http://example.invalid/volume.dtd'>"
        "<volume type='file'><name>n</name></volume>",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;

        g_assert_null(ops_volume_parse_xml(bad[i], &error));
        g_assert_error(error, OPS_ERROR, EINVAL);
    }
}

static void
test_too_large(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) xml = g_string_new("<volume type='file'><name>n</name><!--");

    while (xml->len <= 1024 * 1024)
        g_string_append(xml, "padding padding padding padding ");
    g_string_append(xml, "--></volume>");
    g_assert_null(ops_volume_parse_xml(xml->str, &error));
    g_assert_error(error, OPS_ERROR, EINVAL);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ops/xml/volume", test_volume);
    g_test_add_func("/ops/xml/volume-minimal", test_volume_minimal);
    g_test_add_func("/ops/xml/pool", test_pool);
    g_test_add_func("/ops/xml/rejects", test_rejects);
    g_test_add_func("/ops/xml/doctype", test_doctype);
    g_test_add_func("/ops/xml/too-large", test_too_large);
    return g_test_run();
}
