/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mapping/lookup.c over ops/, against libvirt's built-in test driver (test:///default):
 * which paths are pools, definitions and volumes (L1-L3), and what is not there (E1).
 */
#include <errno.h>
#include <libvirt/libvirt.h>

#include "mapping/mapping.h"
#include "ops/ops-private.h"

#define TEST_URI "test:///default"

static OpsConnection *conn;
static MapTree *tree;
static virConnectPtr direct; /* to set the scene behind ops/'s back */

static gboolean
strv_equal(char **actual, const char *expected)
{
    g_autofree char *joined = g_strjoinv(" | ", actual);

    if (!g_str_equal(joined, expected))
        g_printerr("got '%s', expected '%s'\n", joined, expected);
    return g_str_equal(joined, expected);
}

static void
test_root(void)
{
    g_auto(GStrv) names = map_list(tree, "/", NULL);
    g_autoptr(MapNode) root = map_lookup(tree, "/", NULL);

    g_assert_true(strv_equal(names, ".errors | default-pool | default-pool.xml | idle | idle.xml"));
    g_assert_cmpint(root->kind, ==, MAP_NODE_ROOT);
}

static void
test_pool(void)
{
    g_autoptr(MapNode) node = map_lookup(tree, "/default-pool", NULL);

    g_assert_cmpint(node->kind, ==, MAP_NODE_POOL);
    g_assert_cmpstr(node->pool->name, ==, "default-pool");
    g_assert_cmpstr(node->pool->type, ==, "dir");
    g_assert_cmpint(node->pool->state, ==, OPS_POOL_RUNNING);
    g_assert_true(node->pool->persistent);
    g_assert_cmpuint(node->pool->capacity, >, 0);
    g_assert_nonnull(node->pool->uuid);
}

static void
test_pool_xml(void)
{
    g_autoptr(MapNode) node = map_lookup(tree, "/default-pool.xml", NULL);

    g_assert_cmpint(node->kind, ==, MAP_NODE_POOL_XML);
    g_assert_cmpstr(node->pool->name, ==, "default-pool");
    g_assert_nonnull(strstr(node->pool->xml, "<name>default-pool</name>"));
}

/* P3: a definition file removed (unlink, before a tool writes it anew) is hidden, the pool
 * staying, until restored. */
static void
test_removed_definition(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) pool = NULL;
    g_autoptr(MapNode) again = NULL;
    g_auto(GStrv) hidden = NULL;
    g_auto(GStrv) shown = NULL;

    map_definition_removed(tree, "default-pool");
    g_assert_null(map_lookup(tree, "/default-pool.xml", &error));
    g_assert_error(error, OPS_ERROR, ENOENT);
    pool = map_lookup(tree, "/default-pool", NULL);
    g_assert_cmpint(pool->kind, ==, MAP_NODE_POOL);
    hidden = map_list(tree, "/", NULL);
    g_assert_true(strv_equal(hidden, ".errors | default-pool | idle | idle.xml"));
    map_definition_restored(tree, "default-pool");
    again = map_lookup(tree, "/default-pool.xml", NULL);
    g_assert_cmpint(again->kind, ==, MAP_NODE_POOL_XML);
    shown = map_list(tree, "/", NULL);
    g_assert_true(strv_equal(shown, ".errors | default-pool | default-pool.xml | idle | idle.xml"));
}

/* L3: NAME.xml's modification time is when the mount first saw its definition as it is: it
 * moves with a change, even one that keeps the size, and stays while the definition does; a
 * pool's directory shows it as its change time (its mode and owner come from the
 * definition). */
static void
test_definition_time(void)
{
    const MapDefaults defaults = {.mounted = {1000, 0}};
    g_autoptr(MapNode) first = map_lookup(tree, "/idle.xml", NULL);
    g_autoptr(MapNode) changed = NULL;
    g_autoptr(MapNode) again = NULL;
    g_autoptr(MapNode) directory = NULL;
    g_autofree char *xml = NULL;
    virStoragePoolPtr redefined;
    gint64 before = g_get_real_time() / G_USEC_PER_SEC;
    struct stat st;

    map_node_stat(first, &defaults, &st);
    g_assert_cmpint(st.st_mtim.tv_sec, >, 1000);
    g_assert_cmpint(st.st_mtim.tv_sec, <=, before);
    xml = g_strdup_printf("<pool type='dir'><name>idle</name><uuid>%s</uuid>"
                          "<target><path>/idel</path></target></pool>",
                          first->pool->uuid);
    redefined = virStoragePoolDefineXML(direct, xml, 0);
    g_assert_nonnull(redefined);
    virStoragePoolFree(redefined);
    changed = map_lookup(tree, "/idle.xml", NULL);
    g_assert_cmpuint(strlen(changed->pool->xml), ==, strlen(first->pool->xml));
    map_node_stat(changed, &defaults, &st);
    g_assert_cmpint(st.st_mtim.tv_sec, >=, before);
    g_assert_cmpint(st.st_ctim.tv_sec, ==, st.st_mtim.tv_sec);
    again = map_lookup(tree, "/idle.xml", NULL);
    g_assert_cmpmem(&again->defined, sizeof again->defined, &changed->defined,
                    sizeof changed->defined);
    directory = map_lookup(tree, "/idle", NULL);
    map_node_stat(directory, &defaults, &st);
    g_assert_cmpint(st.st_ctim.tv_sec, ==, changed->defined.tv_sec);
    g_assert_cmpint(st.st_mtim.tv_sec, ==, 1000);
}

static void
test_inactive_pool(void)
{
    g_autoptr(MapNode) node = map_lookup(tree, "/idle", NULL);
    g_auto(GStrv) names = map_list(tree, "/idle", NULL);

    g_assert_cmpint(node->pool->state, ==, OPS_POOL_INACTIVE);
    g_assert_nonnull(names);
    g_assert_cmpuint(g_strv_length(names), ==, 0);
}

static void
test_volume(void)
{
    g_auto(GStrv) names = map_list(tree, "/default-pool", NULL);
    g_autoptr(MapNode) node = map_lookup(tree, "/default-pool/disk one.img", NULL);
    g_autoptr(OpsPool) pool = map_lookup_pool_of(tree, "/default-pool/disk one.img", NULL);

    g_assert_true(strv_equal(names, "disk one.img"));
    g_assert_cmpint(node->kind, ==, MAP_NODE_VOLUME);
    g_assert_cmpstr(node->volume->name, ==, "disk one.img");
    g_assert_cmpuint(node->volume->capacity, ==, 1048576);
    g_assert_cmpstr(pool->name, ==, "default-pool");
}

static void
test_missing(void)
{
    static const struct {
        const char *path;
        int code;
    } cases[] = {
        {"/nope", ENOENT},      {"/nope.xml", ENOENT},
        {"/.xml", ENOENT},      {"/default-pool/nope", ENOENT},
        {"/nope/disk", ENOENT}, {"/default-pool/a/b", ENOENT},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;

        g_assert_null(map_lookup(tree, cases[i].path, &error));
        g_assert_error(error, OPS_ERROR, cases[i].code);
    }
}

/* A volume of a pool whose volumes need a size first exists only in the mount until sized,
 * and goes with its pool. */
static void
test_unsized(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MapNode) node = NULL;
    g_auto(GStrv) names = NULL;
    struct stat st;

    g_assert_false(ops_pool_type_sizes_volumes("dir"));
    g_assert_false(ops_pool_type_sizes_volumes("iscsi")); /* it makes none: libvirt says so */
    g_assert_true(ops_pool_type_sizes_volumes("disk"));
    g_assert_true(ops_pool_type_sizes_volumes("logical"));
    g_assert_true(ops_pool_type_holds_files("netfs"));
    g_assert_false(ops_pool_type_holds_files("rbd"));
    map_volume_set_state(tree, "default-pool", "placeholder", MAP_VOLUME_UNSIZED);
    node = map_lookup(tree, "/default-pool/placeholder", &error);
    g_assert_no_error(error);
    g_assert_cmpint(node->kind, ==, MAP_NODE_VOLUME);
    map_node_stat(node, &(MapDefaults){.uid = 0, .gid = 0}, &st);
    g_assert_true(S_ISREG(st.st_mode));
    g_assert_cmpint(st.st_size, ==, 0);
    names = map_list(tree, "/default-pool", NULL);
    g_assert_true(strv_equal(names, "disk one.img | placeholder"));
    map_volume_settle_pool(tree, "default-pool");
    g_assert_null(map_lookup(tree, "/default-pool/placeholder", &error));
    g_assert_error(error, OPS_ERROR, ENOENT);
    /* A pool that does not run holds none: it forgets them. */
    map_volume_set_state(tree, "idle", "placeholder", MAP_VOLUME_UNSIZED);
    g_assert_null(map_lookup(tree, "/idle/placeholder", NULL));
    g_assert_cmpint(map_volume_state(tree, "idle", "placeholder"), ==, MAP_VOLUME_SETTLED);
    /* A volume made elsewhere under a placeholder's name takes its place. */
    map_volume_set_state(tree, "default-pool", "disk one.img", MAP_VOLUME_UNSIZED);
    g_clear_pointer(&node, map_node_free);
    node = map_lookup(tree, "/default-pool/disk one.img", NULL);
    g_assert_cmpuint(node->volume->capacity, ==, 1048576);
    g_assert_cmpint(map_volume_state(tree, "default-pool", "disk one.img"), ==, MAP_VOLUME_SETTLED);
}

/* Changes to a volume's bytes through the mount: each numbered anew, never a number seen
 * before, even for a volume forgotten and made again; 0 for none. */
static void
test_volume_changes(void)
{
    guint first, second;

    g_assert_cmpuint(map_volume_changes(tree, "default-pool", "disk one.img"), ==, 0);
    map_volume_changed(tree, "default-pool", "disk one.img");
    first = map_volume_changes(tree, "default-pool", "disk one.img");
    map_volume_changed(tree, "other", "disk one.img");
    g_assert_cmpuint(first, !=, 0);
    g_assert_cmpuint(map_volume_changes(tree, "default-pool", "disk one.img"), ==, first);
    g_assert_cmpuint(map_volume_changes(tree, "default-pool", "disk two.img"), ==, 0);
    map_volume_changed(tree, "default-pool", "disk one.img");
    second = map_volume_changes(tree, "default-pool", "disk one.img");
    g_assert_cmpuint(second, >, first);
    /* Forgotten, a volume's number is one no open file saw, so that each looks again: one
     * that looked before any change too. */
    map_volume_forget(tree, "default-pool", "disk one.img");
    g_assert_cmpuint(map_volume_changes(tree, "default-pool", "disk one.img"), >, second);
    g_assert_cmpuint(map_volume_changes(tree, "default-pool", "disk two.img"), >, second);
    map_volume_changed(tree, "default-pool", "disk one.img");
    g_assert_cmpuint(map_volume_changes(tree, "default-pool", "disk one.img"), >,
                     map_volume_changes(tree, "default-pool", "disk two.img"));
    map_volume_changed(tree, "default-pool", "disk two.img");
    second = map_volume_changes(tree, "default-pool", "disk two.img");
    map_volume_settle_pool(tree, "other");
    g_assert_cmpuint(map_volume_changes(tree, "other", "disk one.img"), >, second);
    g_assert_cmpuint(map_volume_changes(tree, "default-pool", "disk two.img"), ==, second);
}

/* The end of bytes written and not yet flushed (C1): the furthest one, for that volume only,
 * until a change through the mount has libvirt asked anew, or the volume goes. */
static void
test_written_end(void)
{
    g_assert_cmpuint(map_volume_written_end(tree, "default-pool", "disk one.img"), ==, 0);
    map_volume_wrote(tree, "default-pool", "disk one.img", 5000);
    map_volume_wrote(tree, "default-pool", "disk one.img", 4096);
    g_assert_cmpuint(map_volume_written_end(tree, "default-pool", "disk one.img"), ==, 5000);
    g_assert_cmpuint(map_volume_written_end(tree, "default-pool", "disk two.img"), ==, 0);
    map_volume_changed(tree, "default-pool", "disk one.img");
    g_assert_cmpuint(map_volume_written_end(tree, "default-pool", "disk one.img"), ==, 0);
    map_volume_wrote(tree, "default-pool", "disk one.img", 1 << 20);
    map_volume_wrote(tree, "other", "disk one.img", 1 << 20);
    map_volume_forget(tree, "default-pool", "disk one.img");
    g_assert_cmpuint(map_volume_written_end(tree, "default-pool", "disk one.img"), ==, 0);
    map_volume_settle_pool(tree, "other");
    g_assert_cmpuint(map_volume_written_end(tree, "other", "disk one.img"), ==, 0);
}

static gpointer
await_volume(gpointer done)
{
    map_volume_await(tree, "default-pool", "disk one.img");
    g_atomic_int_set((gint *)done, 1);
    return NULL;
}

/* A volume being replaced is awaited, by name: no other volume, and not once it is done;
 * the replacement is numbered, for the files open on it. */
static void
test_replacing(void)
{
    gint done = 0;
    GThread *waiter;
    guint first;

    map_volume_replacing(tree, "default-pool", "disk one.img");
    map_volume_await(tree, "default-pool", "disk two.img"); /* returns at once */
    map_volume_await(tree, "other", "disk one.img");
    waiter = g_thread_new("await", await_volume, &done);
    g_usleep(G_USEC_PER_SEC / 20); /* what a wrong wait would need to end, the thread has */
    g_assert_cmpint(g_atomic_int_get(&done), ==, 0);
    map_volume_replaced(tree, "default-pool", "disk one.img", TRUE);
    g_thread_join(waiter);
    g_assert_cmpint(g_atomic_int_get(&done), ==, 1);
    map_volume_await(tree, "default-pool", "disk one.img");
    /* Each replacement done is numbered anew; a failed one, or a delete, changes nothing. */
    first = map_volume_await(tree, "default-pool", "disk one.img");
    g_assert_cmpuint(first, !=, 0);
    g_assert_cmpuint(map_volume_await(tree, "default-pool", "disk two.img"), ==, 0);
    map_volume_replacing(tree, "default-pool", "disk one.img");
    map_volume_replaced(tree, "default-pool", "disk one.img", FALSE);
    map_volume_forget(tree, "default-pool", "disk one.img");
    g_assert_cmpuint(map_volume_await(tree, "default-pool", "disk one.img"), ==, first);
    map_volume_replacing(tree, "default-pool", "disk one.img");
    map_volume_replaced(tree, "default-pool", "disk one.img", TRUE);
    g_assert_cmpuint(map_volume_await(tree, "default-pool", "disk one.img"), >, first);
}

/* A pool's volumes listed once are the cache's (C1): listed again without libvirt, the very
 * array and records shared; a volume forgotten takes the listing with it. */
static void
test_listing_cache(void)
{
    MapTree *cached = map_tree_new(conn, 60, FALSE);
    gboolean fetched = FALSE;
    g_autoptr(GPtrArray) first = map_list_volumes(cached, "default-pool", &fetched, NULL);
    g_autoptr(GPtrArray) again = NULL;
    g_autoptr(GPtrArray) current = NULL;
    OpsVolume *record;

    g_assert_nonnull(first);
    g_assert_true(fetched);
    g_assert_cmpuint(first->len, ==, 1);
    again = map_list_volumes(cached, "default-pool", &fetched, NULL);
    g_assert_false(fetched);
    g_assert_true(again == first);
    current = map_cached_volumes(cached, "default-pool");
    g_assert_true(current == first);
    record = ops_volumes_find(current, "disk one.img");
    g_assert_true(record == first->pdata[0]);
    g_assert_null(ops_volumes_find(current, "nope.img"));
    g_assert_null(ops_volumes_find(current, "a.img")); /* before the first name */
    map_forget_volume(cached, "default-pool", "disk one.img");
    g_assert_null(map_cached_volumes(cached, "default-pool"));
    g_clear_pointer(&again, g_ptr_array_unref);
    again = map_list_volumes(cached, "default-pool", &fetched, NULL);
    g_assert_true(fetched);
    g_assert_true(again != first);
    map_forget_pool(cached, "default-pool");
    g_assert_null(map_cached_volumes(cached, "default-pool"));
    g_assert_cmpstr(record->name, ==, "disk one.img"); /* still held here (ASan: not freed) */
    map_tree_free(cached);
}

static void
test_list_errors(void)
{
    g_autoptr(GError) missing = NULL;
    g_autoptr(GError) file = NULL;
    g_autoptr(GError) root = NULL;

    g_assert_null(map_list(tree, "/nope", &missing));
    g_assert_error(missing, OPS_ERROR, ENOENT);
    g_assert_null(map_list(tree, "/default-pool/disk one.img", &file));
    g_assert_error(file, OPS_ERROR, ENOTDIR);
    g_assert_null(map_lookup_pool_of(tree, "/", &root));
    g_assert_error(root, OPS_ERROR, ENOENT);
}

/* A pool named like another pool's definition file takes that name (mapping/mapping.h). */
static void
test_pool_named_xml(void)
{
    virStoragePoolPtr pool = virStoragePoolDefineXML(
        direct,
        "<pool type='dir'><name>idle.xml</name><target><path>/idle-xml</path></target></pool>", 0);
    g_auto(GStrv) names = NULL;
    g_autoptr(MapNode) node = NULL;

    g_assert_nonnull(pool);
    names = map_list(tree, "/", NULL);
    node = map_lookup(tree, "/idle.xml", NULL);
    g_assert_true(strv_equal(names, ".errors | default-pool | default-pool.xml | idle | "
                                    "idle.xml | idle.xml.xml"));
    g_assert_cmpint(node->kind, ==, MAP_NODE_POOL);
    g_assert_cmpint(virStoragePoolUndefine(pool), ==, 0);
    virStoragePoolFree(pool);
}

/* A pool named as the error log is hidden by it, once, its definition showing (L1, L3). */
static void
test_pool_named_error_log(void)
{
    virStoragePoolPtr pool = virStoragePoolDefineXML(
        direct, "<pool type='dir'><name>.errors</name><target><path>/errors</path></target></pool>",
        0);
    g_auto(GStrv) names = NULL;
    g_autoptr(MapNode) node = NULL;

    g_assert_nonnull(pool);
    map_forget_pool(tree, ".errors");
    names = map_list(tree, "/", NULL);
    node = map_lookup(tree, "/.errors", NULL);
    g_assert_true(strv_equal(names,
                             ".errors | .errors.xml | default-pool | default-pool.xml | idle | "
                             "idle.xml"));
    g_assert_cmpint(node->kind, ==, MAP_NODE_ERROR_LOG);
    g_assert_cmpint(virStoragePoolUndefine(pool), ==, 0);
    virStoragePoolFree(pool);
    map_forget_pool(tree, ".errors");
}

/* Scratch files show at the root, after pools and definitions, which hide them. */
static void
test_scratch(void)
{
    g_autoptr(MapScratchFile) notes =
        map_scratch_create(tree->scratch, "notes", 0600, 0, 0, NULL, NULL);
    g_autoptr(MapScratchFile) shadowed =
        map_scratch_create(tree->scratch, "idle.xml", 0600, 0, 0, NULL, NULL);
    g_auto(GStrv) names = map_list(tree, "/", NULL);
    g_autoptr(MapNode) node = map_lookup(tree, "/notes", NULL);
    g_autoptr(MapNode) definition = map_lookup(tree, "/idle.xml", NULL);
    g_autoptr(MapNode) log = map_lookup(tree, "/.errors", NULL);

    g_assert_true(strv_equal(names, ".errors | default-pool | default-pool.xml | idle | "
                                    "idle.xml | notes"));
    g_assert_cmpint(node->kind, ==, MAP_NODE_SCRATCH);
    g_assert_true(node->scratch == notes);
    g_assert_cmpint(definition->kind, ==, MAP_NODE_POOL_XML);
    g_assert_cmpint(log->kind, ==, MAP_NODE_ERROR_LOG);
    g_assert_true(map_scratch_remove(tree->scratch, "notes", NULL));
    g_assert_true(map_scratch_remove(tree->scratch, "idle.xml", NULL));
}

/* P1: where mkdir places a new pool. */
static void
test_new_pool_target(void)
{
    g_autofree char *given = map_new_pool_target(tree, "/srv/pools", "p1", NULL);
    g_autofree char *usual = map_new_pool_target(tree, NULL, "p1", NULL);
    g_autofree char *beside = NULL;
    virStoragePoolPtr fallback = virStoragePoolDefineXML(
        direct,
        "<pool type='dir'><name>default</name><target><path>/images/default</path></target>"
        "</pool>",
        0);

    g_assert_cmpstr(given, ==, "/srv/pools/p1");
    g_assert_cmpstr(usual, ==, "/var/lib/libvirt/images/p1");
    beside = map_new_pool_target(tree, NULL, "p1", NULL);
    g_assert_cmpstr(beside, ==, "/images/p1");
    g_assert_cmpint(virStoragePoolUndefine(fallback), ==, 0);
    virStoragePoolFree(fallback);
}

static void
test_unreachable(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_null(ops_connection_open("qemu+unix:///session?socket=/nonexistent/sock", &error));
    g_assert_error(error, OPS_ERROR, ENOTCONN);
}

static gpointer
connection_of_thread(gpointer unused)
{
    return ops_connection_get(conn, NULL);
}

/* E3: each thread calls libvirt on a connection of its own, kept for its next calls, so
 * that no call waits behind another one in libvirt's client; streams get one more each,
 * given back for later ones. */
static void
test_connection_per_thread(void)
{
    g_autoptr(virConnect) mine = ops_connection_get(conn, NULL);
    g_autoptr(virConnect) mine_again = ops_connection_get(conn, NULL);
    g_autoptr(virConnect) other = g_thread_join(g_thread_new("other", connection_of_thread, NULL));
    virConnectPtr own = ops_connection_open_own(conn, NULL);
    virConnectPtr own_too = ops_connection_open_own(conn, NULL);
    virConnectPtr reused;

    g_assert_nonnull(mine);
    g_assert_true(mine == mine_again);
    g_assert_nonnull(other);
    g_assert_true(other != mine);
    g_assert_cmpint(virConnectIsAlive(other), ==, 1); /* the thread took its own reference along */
    g_assert_nonnull(own);
    g_assert_true(own != mine && own != other && own != own_too);
    g_assert_true(conn->conn != mine && conn->conn != own); /* the pool events' */
    ops_connection_give_back(conn, own);
    reused = ops_connection_open_own(conn, NULL);
    g_assert_true(reused == own); /* given back, then handed out again */
    ops_connection_give_back(conn, reused);
    ops_connection_give_back(conn, own_too);
}

/* A volume busy with a transfer's set-up is "operation invalid" to libvirt: waited for, a
 * bounded number of times; any other refusal is not. */
static void
test_volume_busy_wait(void)
{
    virStoragePoolPtr pool = virStoragePoolLookupByName(direct, "default-pool");

    g_assert_nonnull(pool);
    g_assert_cmpint(virStoragePoolCreate(pool, 0), <, 0); /* already running */
    g_assert_cmpint(virGetLastError()->code, ==, VIR_ERR_OPERATION_INVALID);
    g_assert_true(ops_volume_busy_wait(1));
    g_assert_false(ops_volume_busy_wait(50));
    virStoragePoolFree(pool);
    g_assert_null(virStoragePoolLookupByName(direct, "no-such-pool"));
    g_assert_false(ops_volume_busy_wait(1));
}

static void
set_scene(void)
{
    virStoragePoolPtr pool, idle;
    virStorageVolPtr volume;

    direct = virConnectOpen(TEST_URI);
    g_assert_nonnull(direct);
    idle = virStoragePoolDefineXML(
        direct, "<pool type='dir'><name>idle</name><target><path>/idle</path></target></pool>", 0);
    g_assert_nonnull(idle);
    pool = virStoragePoolLookupByName(direct, "default-pool");
    volume = virStorageVolCreateXML(pool,
                                    "<volume><name>disk one.img</name>"
                                    "<capacity>1048576</capacity></volume>",
                                    0);
    g_assert_nonnull(volume);
    virStorageVolFree(volume);
    virStoragePoolFree(pool);
    virStoragePoolFree(idle);
}

int
main(int argc, char **argv)
{
    int status;

    g_test_init(&argc, &argv, NULL);
    ops_init();
    conn = ops_connection_open(TEST_URI, NULL);
    g_assert_nonnull(conn);
    tree = map_tree_new(conn, 0, FALSE); /* the tests change libvirt behind the mapping's back */
    set_scene();
    g_test_add_func("/mapping/lookup/root", test_root);
    g_test_add_func("/mapping/lookup/pool", test_pool);
    g_test_add_func("/mapping/lookup/pool-xml", test_pool_xml);
    g_test_add_func("/mapping/lookup/inactive-pool", test_inactive_pool);
    g_test_add_func("/mapping/lookup/volume", test_volume);
    g_test_add_func("/mapping/lookup/missing", test_missing);
    g_test_add_func("/mapping/lookup/list-errors", test_list_errors);
    g_test_add_func("/mapping/lookup/listing-cache", test_listing_cache);
    g_test_add_func("/mapping/lookup/unsized", test_unsized);
    g_test_add_func("/mapping/lookup/volume-changes", test_volume_changes);
    g_test_add_func("/mapping/lookup/written-end", test_written_end);
    g_test_add_func("/mapping/lookup/replacing", test_replacing);
    g_test_add_func("/mapping/lookup/pool-named-xml", test_pool_named_xml);
    g_test_add_func("/mapping/lookup/pool-named-error-log", test_pool_named_error_log);
    g_test_add_func("/mapping/lookup/scratch", test_scratch);
    g_test_add_func("/mapping/lookup/removed-definition", test_removed_definition);
    g_test_add_func("/mapping/lookup/definition-time", test_definition_time);
    g_test_add_func("/mapping/lookup/new-pool-target", test_new_pool_target);
    g_test_add_func("/ops/connection/unreachable", test_unreachable);
    g_test_add_func("/ops/volume/busy-wait", test_volume_busy_wait);
    g_test_add_func("/ops/connection/per-thread", test_connection_per_thread);
    status = g_test_run();
    virConnectClose(direct);
    map_tree_free(tree);
    ops_connection_free(conn);
    return status;
}
