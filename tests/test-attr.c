/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mapping/attr.c and mapping/xattr.c: what stat, statfs and getfattr show (L1-L4, V7). */
#include <errno.h>

#include "mapping/mapping.h"

static const MapDefaults defaults = {
    .uid = 1000, .gid = 100, .mounted = {1700000000, 5}, .io_size = MAP_IO_SIZE};

static OpsPool *
make_pool(void)
{
    OpsPool *pool = ops_pool_new();

    pool->name = g_strdup("demo");
    pool->uuid = g_strdup("875ca088-fcf4-468c-98f6-deeee96d64dc");
    pool->type = g_strdup("dir");
    pool->state = OPS_POOL_RUNNING;
    pool->persistent = TRUE;
    pool->autostart = TRUE;
    pool->capacity = 1000000;
    pool->allocation = 300000;
    pool->available = 600000;
    pool->perms = (OpsPerms){.mode = 0750, .uid = 0, .gid = 0};
    pool->xml = g_strdup("<pool type='dir'>\n</pool>\n");
    return pool;
}

static OpsVolume *
make_volume(void)
{
    OpsVolume *volume = ops_volume_new();

    volume->name = g_strdup("a.qcow2");
    volume->key = g_strdup("/p/a.qcow2");
    volume->path = g_strdup("/p/a.qcow2");
    volume->type = g_strdup("file");
    volume->format = g_strdup("qcow2");
    volume->capacity = 1073741824;
    volume->allocation = 200704;
    volume->physical = 196624;
    volume->perms = (OpsPerms){.mode = 0640, .uid = 999, .gid = 995};
    volume->atime = (struct timespec){1795303388, 1};
    volume->mtime = (struct timespec){1795303389, 2};
    volume->ctime = (struct timespec){1795303390, 3};
    volume->xml = g_strdup("<volume/>");
    return volume;
}

static MapNode *
node_of(MapNodeKind kind)
{
    MapNode *node = g_new0(MapNode, 1);

    node->kind = kind;
    if (kind == MAP_NODE_POOL || kind == MAP_NODE_POOL_XML)
        node->pool = make_pool();
    if (kind == MAP_NODE_VOLUME)
        node->volume = make_volume();
    return node;
}

static void
test_volume(void)
{
    g_autoptr(MapNode) node = node_of(MAP_NODE_VOLUME);
    struct stat st;

    map_node_stat(node, &defaults, &st);
    g_assert_cmpuint(st.st_mode, ==, S_IFREG | 0640);
    g_assert_cmpuint(st.st_uid, ==, 999);
    g_assert_cmpuint(st.st_gid, ==, 995);
    g_assert_cmpint(st.st_size, ==, 196624); /* physical, not capacity (L2) */
    g_assert_cmpint(st.st_blocks, ==, 200704 / 512);
    g_assert_cmpint(st.st_atim.tv_sec, ==, 1795303388);
    g_assert_cmpint(st.st_mtim.tv_nsec, ==, 2);
    g_assert_cmpint(st.st_ctim.tv_sec, ==, 1795303390);
    g_assert_cmpuint(st.st_nlink, ==, 1);
    g_assert_cmpint(st.st_blksize, ==, MAP_IO_SIZE);
}

/* Through streams, a volume suggests I/O of one stream message. */
static void
test_volume_stream_io_size(void)
{
    g_autoptr(MapNode) node = node_of(MAP_NODE_VOLUME);
    MapDefaults streams = defaults;
    struct stat st;

    streams.io_size = MAP_STREAM_IO_SIZE;
    map_node_stat(node, &streams, &st);
    g_assert_cmpint(st.st_blksize, ==, 256 * 1024);
}

/* A subdirectory of a pool of files, which libvirt lists as a volume of type dir. */
static void
test_directory_volume(void)
{
    g_autoptr(MapNode) node = node_of(MAP_NODE_VOLUME);
    struct stat st;

    g_free(node->volume->type);
    node->volume->type = g_strdup("dir");
    map_node_stat(node, &defaults, &st);
    g_assert_true(map_volume_is_directory(node->volume));
    g_assert_cmpuint(st.st_mode, ==, S_IFDIR | 0640);
    g_assert_cmpuint(st.st_nlink, ==, 2);
}

/* Where the XML has no permissions or times, the volume is private and as old as the mount. */
static void
test_volume_defaults(void)
{
    g_autoptr(MapNode) node = node_of(MAP_NODE_VOLUME);
    struct stat st;

    node->volume->perms = (OpsPerms){OPS_UNKNOWN, OPS_UNKNOWN, OPS_UNKNOWN};
    node->volume->mtime = (struct timespec){0, 0};
    node->volume->allocation = 1;
    map_node_stat(node, &defaults, &st);
    g_assert_cmpuint(st.st_mode, ==, S_IFREG | 0600);
    g_assert_cmpuint(st.st_uid, ==, 1000);
    g_assert_cmpuint(st.st_gid, ==, 100);
    g_assert_cmpint(st.st_mtim.tv_sec, ==, 1700000000);
    g_assert_cmpint(st.st_blocks, ==, 1); /* rounded up */
}

static void
test_pool(void)
{
    g_autoptr(MapNode) node = node_of(MAP_NODE_POOL);
    struct stat st;

    map_node_stat(node, &defaults, &st);
    g_assert_cmpuint(st.st_mode, ==, S_IFDIR | 0750);
    g_assert_cmpuint(st.st_uid, ==, 0);
    g_assert_cmpint(st.st_mtim.tv_sec, ==, 1700000000);
}

/* A pool whose XML has no permissions (one that is not running may have none): the mode
 * libvirt builds a pool's directory with, which lets no other user list it (E5). */
static void
test_pool_defaults(void)
{
    g_autoptr(MapNode) node = node_of(MAP_NODE_POOL);
    struct stat st;

    node->pool->perms = (OpsPerms){OPS_UNKNOWN, OPS_UNKNOWN, OPS_UNKNOWN};
    map_node_stat(node, &defaults, &st);
    g_assert_cmpuint(st.st_mode, ==, S_IFDIR | 0711);
    g_assert_cmpuint(st.st_uid, ==, 1000);
}

static void
test_pool_xml(void)
{
    g_autoptr(MapNode) node = node_of(MAP_NODE_POOL_XML);
    struct stat st;

    map_node_stat(node, &defaults, &st);
    g_assert_cmpuint(st.st_mode, ==, S_IFREG | 0644);
    g_assert_cmpint(st.st_size, ==, strlen("<pool type='dir'>\n</pool>\n")); /* exact (L3) */
    g_assert_cmpuint(st.st_uid, ==, 1000);
    node->pool->persistent = FALSE;
    map_node_stat(node, &defaults, &st);
    g_assert_cmpuint(st.st_mode, ==, S_IFREG | 0444);
}

static void
test_root(void)
{
    MapNode node = {.kind = MAP_NODE_ROOT};
    struct stat st;

    map_node_stat(&node, &defaults, &st);
    g_assert_cmpuint(st.st_mode, ==, S_IFDIR | 0755);
    g_assert_cmpuint(st.st_uid, ==, 1000);
}

static void
test_statvfs(void)
{
    g_autoptr(OpsPool) pool = make_pool();
    struct statvfs st;

    map_pool_statvfs(pool, &st);
    g_assert_cmpuint(st.f_blocks * st.f_frsize, ==, 1000000);
    g_assert_cmpuint(st.f_bavail * st.f_frsize, ==, 600000);
    g_assert_cmpuint((st.f_blocks - st.f_bfree) * st.f_frsize, ==, 300000);
    map_pool_statvfs(NULL, &st);
    g_assert_cmpuint(st.f_blocks, ==, 0);
    g_assert_cmpuint(st.f_namemax, ==, 255);
}

static void
test_xattr_pool(void)
{
    g_autoptr(MapNode) node = node_of(MAP_NODE_POOL);
    g_auto(GStrv) names = map_xattr_names(node);
    static const char *const expected[][2] = {
        {"user.libvirt.type", "dir"},
        {"user.libvirt.state", "running"},
        {"user.libvirt.autostart", "yes"},
        {"user.libvirt.capacity", "1000000"},
        {"user.libvirt.allocation", "300000"},
        {"user.libvirt.available", "600000"},
        {"user.libvirt.uuid", "875ca088-fcf4-468c-98f6-deeee96d64dc"},
        {"user.libvirt.xml", "<pool type='dir'>\n</pool>\n"},
    };

    g_assert_cmpuint(g_strv_length(names), ==, G_N_ELEMENTS(expected));
    for (gsize i = 0; i < G_N_ELEMENTS(expected); i++) {
        g_autofree char *value = map_xattr_value(node, expected[i][0], NULL);

        g_assert_cmpstr(names[i], ==, expected[i][0]);
        g_assert_cmpstr(value, ==, expected[i][1]);
    }
}

static void
test_xattr_volume(void)
{
    g_autoptr(MapNode) node = node_of(MAP_NODE_VOLUME);
    g_auto(GStrv) names = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *physical = map_xattr_value(node, "user.libvirt.physical", NULL);

    g_assert_cmpstr(physical, ==, "196624");
    /* A volume without a format lists no format attribute and has none. */
    g_clear_pointer(&node->volume->format, g_free);
    names = map_xattr_names(node);
    g_assert_false(g_strv_contains((const char *const *)names, "user.libvirt.format"));
    g_assert_true(g_strv_contains((const char *const *)names, "user.libvirt.capacity"));
    g_assert_null(map_xattr_value(node, "user.libvirt.format", &error));
    g_assert_error(error, OPS_ERROR, ENODATA);
}

static void
test_xattr_unknown(void)
{
    static const char *const names[] = {"user.libvirt.nope", "user.libvirt.", "capacity",
                                        "security.selinux", "user.libvirt.uuid"};
    g_autoptr(MapNode) node = node_of(MAP_NODE_VOLUME);
    MapNode root = {.kind = MAP_NODE_ROOT};
    g_auto(GStrv) root_names = map_xattr_names(&root);

    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(GError) error = NULL;

        g_assert_null(map_xattr_value(node, names[i], &error));
        g_assert_error(error, OPS_ERROR, ENODATA);
    }
    g_assert_cmpuint(g_strv_length(root_names), ==, 0);
}

/* P5: what writing an attribute asks for. */
static void
test_xattr_change(void)
{
    static const struct {
        const char *name, *value;
        MapChangeKind kind;
        gboolean flag;
    } good[] = {
        {"user.libvirt.state", "running", MAP_CHANGE_RUNNING, TRUE},
        {"user.libvirt.state", "inactive\n", MAP_CHANGE_RUNNING, FALSE},
        {"user.libvirt.autostart", "yes", MAP_CHANGE_AUTOSTART, TRUE},
        {"user.libvirt.autostart", "Off", MAP_CHANGE_AUTOSTART, FALSE},
        {"user.libvirt.autostart", "1", MAP_CHANGE_AUTOSTART, TRUE},
        {"user.libvirt.refresh", "", MAP_CHANGE_REFRESH, FALSE},
    };
    static const struct {
        const char *name, *value;
        int code;
    } bad[] = {
        {"user.libvirt.state", "sleeping", EINVAL}, {"user.libvirt.autostart", "maybe", EINVAL},
        {"user.libvirt.uuid", "x", EPERM},          {"user.other", "x", ENOTSUP},
        {"system.posix_acl_access", "x", ENOTSUP},
    };
    g_autoptr(MapNode) pool = node_of(MAP_NODE_POOL);
    g_autoptr(MapNode) volume = node_of(MAP_NODE_VOLUME);
    g_autoptr(GError) not_pool = NULL;
    MapChange change;

    for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
        g_assert_true(map_xattr_parse_change(pool, good[i].name, good[i].value,
                                             strlen(good[i].value), &change, NULL));
        g_assert_cmpint(change.kind, ==, good[i].kind);
        g_assert_cmpint(change.flag, ==, good[i].flag);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;

        g_assert_false(map_xattr_parse_change(pool, bad[i].name, bad[i].value, strlen(bad[i].value),
                                              &change, &error));
        g_assert_error(error, OPS_ERROR, bad[i].code);
    }
    g_assert_false(
        map_xattr_parse_change(volume, "user.libvirt.state", "running", 7, &change, &not_pool));
    g_assert_error(not_pool, OPS_ERROR, EPERM);
}

/* V7: a volume's capacity, in bytes or with a binary suffix. */
static void
test_xattr_capacity(void)
{
    static const struct {
        const char *value;
        guint64 bytes;
    } good[] = {
        {"1073741824", 1073741824}, {"1G", 1073741824}, {"512m", 536870912}, {"4K\n", 4096},
        {"2T", 2199023255552},      {"0", 0},
    };
    static const char *const bad[] = {
        "", "G", "1.5G", "-1", "1P", "18446744073709551616", "16777216T", "lots"};
    g_autoptr(MapNode) volume = node_of(MAP_NODE_VOLUME);
    g_autoptr(MapNode) root = node_of(MAP_NODE_ROOT);
    g_autoptr(GError) not_here = NULL;
    MapChange change;

    for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
        g_assert_true(map_xattr_parse_change(volume, "user.libvirt.capacity", good[i].value,
                                             strlen(good[i].value), &change, NULL));
        g_assert_cmpint(change.kind, ==, MAP_CHANGE_CAPACITY);
        g_assert_cmpuint(change.bytes, ==, good[i].bytes);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;

        g_assert_false(map_xattr_parse_change(volume, "user.libvirt.capacity", bad[i],
                                              strlen(bad[i]), &change, &error));
        g_assert_error(error, OPS_ERROR, EINVAL);
    }
    g_assert_false(
        map_xattr_parse_change(root, "user.libvirt.capacity", "1", 1, &change, &not_here));
    g_assert_error(not_here, OPS_ERROR, ENOTSUP);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mapping/attr/volume", test_volume);
    g_test_add_func("/mapping/attr/volume-defaults", test_volume_defaults);
    g_test_add_func("/mapping/attr/volume-stream-io-size", test_volume_stream_io_size);
    g_test_add_func("/mapping/attr/directory-volume", test_directory_volume);
    g_test_add_func("/mapping/attr/pool", test_pool);
    g_test_add_func("/mapping/attr/pool-defaults", test_pool_defaults);
    g_test_add_func("/mapping/attr/pool-xml", test_pool_xml);
    g_test_add_func("/mapping/attr/root", test_root);
    g_test_add_func("/mapping/attr/statvfs", test_statvfs);
    g_test_add_func("/mapping/xattr/pool", test_xattr_pool);
    g_test_add_func("/mapping/xattr/volume", test_xattr_volume);
    g_test_add_func("/mapping/xattr/unknown", test_xattr_unknown);
    g_test_add_func("/mapping/xattr/change", test_xattr_change);
    g_test_add_func("/mapping/xattr/capacity", test_xattr_capacity);
    return g_test_run();
}
