/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ops/stash.c: bytes a download passed, kept for the reads behind it (V5). */
#include "ops/ops-private.h"

/* Bytes whose every byte tells its offset in the volume: the low 8 bits of it. */
static GBytes *
volume_bytes(guint64 offset, gsize size)
{
    char *data = g_malloc(size);

    for (gsize i = 0; i < size; i++)
        data[i] = (char)((offset + i) & 0xff);
    return g_bytes_new_take(data, size);
}

/* Takes @size bytes at @offset from @stash; asserts they are the volume's and returns
 * their count. */
static gsize
take(OpsStash *stash, guint64 offset, gsize size)
{
    g_autofree char *buf = g_malloc0(size);
    gsize got = ops_stash_take(stash, offset, buf, size);

    for (gsize i = 0; i < got; i++)
        g_assert_cmpint((guchar)buf[i], ==, (offset + i) & 0xff);
    return got;
}

static void
put(OpsStash *stash, guint64 offset, gsize size)
{
    g_autoptr(GBytes) bytes = volume_bytes(offset, size);

    ops_stash_put(stash, offset, bytes);
}

/* Reads behind the download, in any order, get the bytes once each. */
static void
test_out_of_order(void)
{
    g_autoptr(OpsStash) stash = ops_stash_new(1 << 20);

    g_assert_cmpuint(take(stash, 0, 100), ==, 0);
    put(stash, 1000, 1000); /* a read at 2000 passed [1000, 2000) */
    put(stash, 3000, 1000);
    g_assert_cmpuint(ops_stash_held(stash), ==, 2000);
    g_assert_cmpuint(take(stash, 3000, 500), ==, 500);
    g_assert_cmpuint(take(stash, 1000, 1000), ==, 1000);
    g_assert_cmpuint(take(stash, 1000, 1000), ==, 0); /* taken: each byte once */
    g_assert_cmpuint(take(stash, 3500, 4096), ==, 500);
    g_assert_cmpuint(ops_stash_held(stash), ==, 0);
}

/* A read gets what the stash holds from its offset on, across chunks that touch, up to
 * the first gap. */
static void
test_across_chunks(void)
{
    g_autoptr(OpsStash) stash = ops_stash_new(1 << 20);

    put(stash, 2000, 1000);
    put(stash, 0, 1000);
    put(stash, 1000, 1000);
    put(stash, 4000, 1000);
    g_assert_cmpuint(take(stash, 500, 10000), ==, 2500);
    g_assert_cmpuint(take(stash, 0, 500), ==, 500);
    g_assert_cmpuint(take(stash, 4000, 10000), ==, 1000);
    g_assert_cmpuint(ops_stash_held(stash), ==, 0);
}

/* Each byte once: taken from the middle of a chunk, the bytes before and after stay. */
static void
test_middle(void)
{
    g_autoptr(OpsStash) stash = ops_stash_new(1 << 20);

    put(stash, 0, 3000);
    g_assert_cmpuint(take(stash, 1000, 1000), ==, 1000);
    g_assert_cmpuint(take(stash, 1000, 1000), ==, 0);
    g_assert_cmpuint(ops_stash_held(stash), ==, 4000); /* the chunk, and a copy of its tail */
    g_assert_cmpuint(take(stash, 2500, 1000), ==, 500);
    g_assert_cmpuint(take(stash, 2000, 1000), ==, 500);
    g_assert_cmpuint(ops_stash_held(stash), ==, 3000);
    g_assert_cmpuint(take(stash, 0, 5000), ==, 1000);
    g_assert_cmpuint(ops_stash_held(stash), ==, 0);
}

/* Tiny chunks do not pile up: past a few hundred, the lowest go. */
static void
test_many_chunks(void)
{
    g_autoptr(OpsStash) stash = ops_stash_new(1 << 20);

    for (guint64 i = 0; i < 1000; i++)
        put(stash, 2 * i, 1);
    g_assert_cmpuint(ops_stash_held(stash), <, 1000);
    g_assert_cmpuint(take(stash, 0, 1), ==, 0);
    g_assert_cmpuint(take(stash, 1998, 1), ==, 1);
}

/* Past the limit the chunks that start lowest go; fresher bytes replace the chunks they
 * overlap, whole. */
static void
test_limit_and_overlap(void)
{
    g_autoptr(OpsStash) stash = ops_stash_new(3000);

    put(stash, 5000, 1000);
    put(stash, 1000, 1000);
    put(stash, 3000, 1000);
    put(stash, 7000, 1000); /* 4000 > 3000: [1000, 2000) goes */
    g_assert_cmpuint(ops_stash_held(stash), ==, 3000);
    g_assert_cmpuint(take(stash, 1000, 1000), ==, 0);
    put(stash, 4500, 1000); /* replaces [5000, 6000), which it overlaps, whole */
    g_assert_cmpuint(ops_stash_held(stash), ==, 3000);
    g_assert_cmpuint(take(stash, 4500, 2000), ==, 1000);
    g_assert_cmpuint(take(stash, 3000, 1000), ==, 1000);
    put(stash, 0, 4000); /* more than the limit: not kept */
    g_assert_cmpuint(ops_stash_held(stash), ==, 1000);
    put(stash, 9000, 1000);
    put(stash, 8000, 1000);
    ops_stash_make_room(stash, 1000); /* for bytes about to be read: [7000, 8000) goes */
    g_assert_cmpuint(ops_stash_held(stash), ==, 2000);
    g_assert_cmpuint(take(stash, 8000, 2000), ==, 2000);
    put(stash, 7000, 1000);
    ops_stash_clear(stash);
    g_assert_cmpuint(ops_stash_held(stash), ==, 0);
    g_assert_cmpuint(take(stash, 7000, 1000), ==, 0);
}

/* Bytes put before a time expire then; bytes put since stay. */
static void
test_expire(void)
{
    g_autoptr(OpsStash) stash = ops_stash_new(1 << 20);
    gint64 before;

    put(stash, 0, 1000);
    put(stash, 2000, 1000);
    ops_stash_expire(stash, g_get_monotonic_time() - G_USEC_PER_SEC);
    g_assert_cmpuint(ops_stash_held(stash), ==, 2000);
    before = g_get_monotonic_time() + 1;
    while (g_get_monotonic_time() < before) /* the clock moves on past the puts */
        ;
    /* Taken from the middle after that: the tail, a copy, keeps the chunk's age. */
    g_assert_cmpuint(take(stash, 200, 300), ==, 300);
    put(stash, 4000, 1000);
    ops_stash_expire(stash, before);
    g_assert_cmpuint(take(stash, 0, 200), ==, 0);
    g_assert_cmpuint(take(stash, 500, 500), ==, 0);
    g_assert_cmpuint(take(stash, 2000, 1000), ==, 0);
    g_assert_cmpuint(take(stash, 4000, 1000), ==, 1000);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ops/stash/out-of-order", test_out_of_order);
    g_test_add_func("/ops/stash/across-chunks", test_across_chunks);
    g_test_add_func("/ops/stash/middle", test_middle);
    g_test_add_func("/ops/stash/many-chunks", test_many_chunks);
    g_test_add_func("/ops/stash/expire", test_expire);
    g_test_add_func("/ops/stash/limit-and-overlap", test_limit_and_overlap);
    return g_test_run();
}
