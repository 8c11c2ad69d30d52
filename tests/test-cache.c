/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mapping/cache.c: shared records, copied listings, the time to live, and forgetting (C1, C2). */
#include "mapping/mapping.h"

static OpsVolume *
volume_named(const char *name)
{
    OpsVolume *volume = ops_volume_new();

    volume->described = TRUE;
    volume->name = g_strdup(name);
    volume->xml = g_strdup("<volume/>");
    volume->physical = 42;
    return volume;
}

/* Whether a fresh volume is cached under @key. */
static gboolean
fresh(MapCache *cache, const char *key)
{
    g_autoptr(OpsVolume) volume = map_cache_get(cache, MAP_CACHE_VOLUME, key);

    return volume != NULL;
}

/* Records and arrays of them are shared by reference and outlive the entry that held them;
 * listings of names are copied. */
static void
test_sharing(void)
{
    MapCache *cache = map_cache_new(60);
    OpsVolume *stored = volume_named("a.raw");
    g_autoptr(OpsVolume) first = NULL;
    g_autoptr(OpsVolume) second = NULL;
    char *names[] = {"a.raw", "b.raw", NULL};
    g_auto(GStrv) listing = NULL;
    g_autoptr(GPtrArray) volumes = NULL;
    g_autoptr(GPtrArray) shared = NULL;

    map_cache_put(cache, MAP_CACHE_VOLUME, "p/a.raw", stored);
    ops_volume_unref(stored); /* the cache holds its own reference */
    first = map_cache_get(cache, MAP_CACHE_VOLUME, "p/a.raw");
    second = map_cache_get(cache, MAP_CACHE_VOLUME, "p/a.raw");
    g_assert_true(first == stored && second == stored);
    g_assert_cmpstr(first->name, ==, "a.raw");
    g_assert_cmpuint(second->physical, ==, 42);
    g_assert_true(second->described);
    g_assert_null(map_cache_get(cache, MAP_CACHE_POOL, "p/a.raw")); /* kinds are apart */
    map_cache_forget(cache, MAP_CACHE_VOLUME, "p/a.raw");
    g_assert_cmpstr(first->name, ==, "a.raw"); /* still held here (ASan: not freed) */
    volumes = g_ptr_array_new_with_free_func((GDestroyNotify)ops_volume_unref);
    g_ptr_array_add(volumes, ops_volume_ref(first));
    map_cache_put(cache, MAP_CACHE_VOLUMES, "/p", volumes);
    shared = map_cache_get(cache, MAP_CACHE_VOLUMES, "/p");
    g_assert_true(shared == volumes && shared->pdata[0] == first);
    map_cache_put(cache, MAP_CACHE_LIST, "/p", names);
    names[0] = "c.raw";
    listing = map_cache_get(cache, MAP_CACHE_LIST, "/p");
    g_assert_cmpstr(listing[0], ==, "a.raw");
    g_assert_true(listing[1] != names[1]);
    map_cache_free(cache);
    g_assert_cmpstr(second->xml, ==, "<volume/>"); /* the cache gone, the record is not */
}

static void
test_forget(void)
{
    MapCache *cache = map_cache_new(60);
    g_autoptr(OpsVolume) volume = volume_named("x");

    map_cache_put(cache, MAP_CACHE_VOLUME, "p/x", volume);
    map_cache_put(cache, MAP_CACHE_VOLUME, "p/y", volume);
    map_cache_put(cache, MAP_CACHE_VOLUME, "pq/x", volume);
    map_cache_forget_prefix(cache, MAP_CACHE_VOLUME, "p/");
    g_assert_false(fresh(cache, "p/x"));
    g_assert_false(fresh(cache, "p/y"));
    g_assert_true(fresh(cache, "pq/x")); /* another pool */
    map_cache_forget(cache, MAP_CACHE_VOLUME, "pq/x");
    g_assert_false(fresh(cache, "pq/x"));
    map_cache_free(cache);
}

/* Entries live cache_ttl seconds; a cache_ttl of 0 keeps nothing. */
static void
test_ttl(void)
{
    MapCache *none = map_cache_new(0);
    MapCache *short_lived = map_cache_new(1);
    g_autoptr(OpsVolume) volume = volume_named("x");

    map_cache_put(none, MAP_CACHE_VOLUME, "p/x", volume);
    g_assert_false(fresh(none, "p/x"));
    map_cache_put(short_lived, MAP_CACHE_VOLUME, "p/x", volume);
    g_assert_true(fresh(short_lived, "p/x"));
    g_usleep(G_USEC_PER_SEC + G_USEC_PER_SEC / 10);
    g_assert_false(fresh(short_lived, "p/x"));
    map_cache_free(none);
    map_cache_free(short_lived);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mapping/cache/sharing", test_sharing);
    g_test_add_func("/mapping/cache/forget", test_forget);
    g_test_add_func("/mapping/cache/ttl", test_ttl);
    return g_test_run();
}
