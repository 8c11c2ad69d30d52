/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mapping/path.c: paths of the mount into parts, pool names into definition files (L1, L3). */
#include <errno.h>

#include "mapping/mapping.h"

static void
test_root(void)
{
    g_auto(MapPath) path = {0};

    g_assert_true(map_path_parse("/", &path, NULL));
    g_assert_cmpint(path.kind, ==, MAP_PATH_ROOT);
    g_assert_null(path.top);
    g_assert_null(path.volume);
}

static void
test_top(void)
{
    g_auto(MapPath) path = {0};

    g_assert_true(map_path_parse("/my pool.xml", &path, NULL));
    g_assert_cmpint(path.kind, ==, MAP_PATH_TOP);
    g_assert_cmpstr(path.top, ==, "my pool.xml");
    g_assert_null(path.volume);
}

static void
test_volume(void)
{
    g_auto(MapPath) path = {0};

    g_assert_true(map_path_parse("/default/.hidden disk.qcow2", &path, NULL));
    g_assert_cmpint(path.kind, ==, MAP_PATH_VOLUME);
    g_assert_cmpstr(path.top, ==, "default");
    g_assert_cmpstr(path.volume, ==, ".hidden disk.qcow2");
}

static void
test_rejects(void)
{
    static const struct {
        const char *path;
        int code;
    } cases[] = {
        {"/a/b/c", ENOENT}, {"/a/b/", EINVAL}, {"relative", EINVAL},
        {"", EINVAL},       {"//a", EINVAL},   {"/a//b", EINVAL},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_auto(MapPath) path = {0};
        g_autoptr(GError) error = NULL;

        g_assert_false(map_path_parse(cases[i].path, &path, &error));
        g_assert_error(error, OPS_ERROR, cases[i].code);
        g_assert_null(path.top);
    }
}

static void
test_xml_name_roundtrip(void)
{
    static const char *const pools[] = {"default", "a.xml", "with space", ".x", "x.xml.xml"};

    for (gsize i = 0; i < G_N_ELEMENTS(pools); i++) {
        g_autofree char *name = map_xml_name(pools[i]);
        g_autofree char *stem = map_xml_stem(name);

        g_assert_cmpstr(stem, ==, pools[i]);
    }
}

static void
test_xml_stem_rejects(void)
{
    static const char *const names[] = {".xml", "default", "default.XML", "default.xm", ""};

    for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
        g_assert_null(map_xml_stem(names[i]));
}

/* V1: the format a new volume is made in, by its name's extension. */
static void
test_volume_format(void)
{
    static const char *const cases[][2] = {
        {"vm.qcow2", "qcow2"}, {"vm.raw", "raw"}, {"vm.img", "raw"},       {"cd.iso", "raw"},
        {"vm.vmdk", "vmdk"},   {"vm.vdi", "vdi"}, {"vm.vhd", "vpc"},       {"vm.qed", "qed"},
        {"vm", "raw"},         {".qcow2", "raw"}, {"vm.qcow2.bak", "raw"}, {"vm.QCOW2", "raw"},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpstr(map_volume_format(cases[i][0]), ==, cases[i][1]);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mapping/path/root", test_root);
    g_test_add_func("/mapping/path/top", test_top);
    g_test_add_func("/mapping/path/volume", test_volume);
    g_test_add_func("/mapping/path/rejects", test_rejects);
    g_test_add_func("/mapping/name/xml-roundtrip", test_xml_name_roundtrip);
    g_test_add_func("/mapping/name/xml-stem-rejects", test_xml_stem_rejects);
    g_test_add_func("/mapping/name/volume-format", test_volume_format);
    return g_test_run();
}
