/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mapping/scratch.c: the in-memory files beside the definitions that editors make (P3). */
#include <errno.h>

#include "mapping/mapping.h"

static void
test_write_read(void)
{
    g_autoptr(MapScratchFile) file = map_scratch_file_new(0600, 1, 2, NULL);
    char buf[16] = {0};
    struct stat st;
    gboolean dirty = TRUE;
    g_autofree char *empty = map_scratch_file_text(file, &dirty, NULL);
    g_autofree char *text = NULL;

    g_assert_cmpstr(empty, ==, "");
    g_assert_false(dirty);
    /* A write past the end leaves a hole of zeros, as in any file. */
    g_assert_true(map_scratch_file_write(file, "xyz", 3, 4, NULL));
    g_assert_cmpuint(map_scratch_file_read(file, buf, sizeof(buf), 0), ==, 7);
    g_assert_cmpmem(buf, 7, "\0\0\0\0xyz", 7);
    g_assert_cmpuint(map_scratch_file_read(file, buf, sizeof(buf), 7), ==, 0);
    g_assert_true(map_scratch_file_write(file, "abcd", 4, 0, NULL));
    text = map_scratch_file_text(file, &dirty, NULL);
    g_assert_cmpstr(text, ==, "abcdxyz");
    g_assert_true(dirty);
    map_scratch_file_mark_clean(file);
    g_clear_pointer(&text, g_free);
    text = map_scratch_file_text(file, &dirty, NULL);
    g_assert_false(dirty);
    map_scratch_file_stat(file, &st);
    g_assert_cmpuint(st.st_mode, ==, S_IFREG | 0600);
    g_assert_cmpint(st.st_size, ==, 7);
    g_assert_cmpuint(st.st_uid, ==, 1);
    g_assert_cmpuint(st.st_gid, ==, 2);
}

static void
test_truncate_and_limits(void)
{
    g_autoptr(MapScratchFile) file = map_scratch_file_new(0600, 0, 0, NULL);
    g_autoptr(GError) big = NULL;
    g_autoptr(GError) far = NULL;
    g_autoptr(GError) nul = NULL;
    gboolean dirty;
    struct stat st;

    g_assert_true(map_scratch_file_truncate(file, 10, NULL));
    map_scratch_file_stat(file, &st);
    g_assert_cmpint(st.st_size, ==, 10);
    g_assert_null(map_scratch_file_text(file, &dirty, &nul)); /* zeros are NUL bytes */
    g_assert_error(nul, OPS_ERROR, EINVAL);
    g_assert_false(map_scratch_file_truncate(file, G_MAXUINT64, &big));
    g_assert_error(big, OPS_ERROR, EFBIG);
    g_assert_false(map_scratch_file_write(file, "x", 1, G_MAXINT64 - 1, &far));
    g_assert_error(far, OPS_ERROR, EFBIG);
    g_assert_true(map_scratch_file_truncate(file, 0, NULL));
    map_scratch_file_stat(file, &st);
    g_assert_cmpint(st.st_size, ==, 0);
}

/* Names are apart from files: an open reference outlives a rename or a removal. */
static void
test_store(void)
{
    MapScratch *store = map_scratch_new();
    g_autoptr(GError) exists = NULL;
    g_autoptr(GError) missing = NULL;
    g_autoptr(GBytes) content = g_bytes_new_static("<pool/>", 7);
    g_autoptr(MapScratchFile) file =
        map_scratch_create(store, "sedAbC123", 0600, 0, 0, content, NULL);
    g_autoptr(MapScratchFile) other = map_scratch_create(store, "4913", 0600, 0, 0, NULL, NULL);
    g_autoptr(MapScratchFile) found = NULL;
    g_auto(GStrv) names = NULL;
    char buf[8];

    g_assert_null(map_scratch_create(store, "4913", 0600, 0, 0, NULL, &exists));
    g_assert_error(exists, OPS_ERROR, EEXIST);
    g_assert_true(map_scratch_rename(store, "sedAbC123", "4913", NULL)); /* replaces */
    found = map_scratch_lookup(store, "4913");
    g_assert_true(found == file);
    g_assert_null(map_scratch_lookup(store, "sedAbC123"));
    names = map_scratch_names(store);
    g_assert_cmpuint(g_strv_length(names), ==, 1);
    g_assert_true(map_scratch_remove(store, "4913", NULL));
    g_assert_false(map_scratch_remove(store, "4913", &missing));
    g_assert_error(missing, OPS_ERROR, ENOENT);
    g_assert_cmpuint(map_scratch_file_read(file, buf, sizeof(buf), 0), ==, 7);
    map_scratch_free(store);
    g_assert_cmpuint(map_scratch_file_read(file, buf, sizeof(buf), 0), ==, 7);
}

/* Files beside the pools live in memory: their number is bounded. */
static void
test_too_many(void)
{
    MapScratch *store = map_scratch_new();
    g_autoptr(GError) error = NULL;
    guint made = 0;

    for (;;) {
        g_autofree char *name = g_strdup_printf("f%u", made);
        MapScratchFile *file = map_scratch_create(store, name, 0600, 0, 0, NULL, &error);

        if (!file)
            break;
        map_scratch_file_unref(file);
        made++;
    }
    g_assert_error(error, OPS_ERROR, ENOSPC);
    g_assert_cmpuint(made, ==, 1024);
    map_scratch_free(store);
}

/* All scratch files together hold at most 64 MiB (E4): ENOSPC past that, and what a file
 * gives back, cut or freed, can be taken again. The other tests leave none behind. */
static void
test_total_bound(void)
{
    const guint64 most = 16 * 1024 * 1024; /* what one file may hold */
    MapScratchFile *full[4];
    g_autoptr(MapScratchFile) last = map_scratch_file_new(0600, 0, 0, NULL);
    g_autoptr(GError) none_left = NULL;
    g_autoptr(GError) still_none = NULL;
    g_autoptr(GError) past = NULL;
    g_autoptr(GBytes) definition = g_bytes_new_static("<pool>12345678</pool>", 21);
    MapScratchFile *copy;

    for (guint i = 0; i < G_N_ELEMENTS(full); i++) {
        full[i] = map_scratch_file_new(0600, 0, 0, NULL);
        g_assert_true(map_scratch_file_truncate(full[i], most, NULL));
    }
    g_assert_false(map_scratch_file_write(last, "x", 1, 0, &none_left));
    g_assert_error(none_left, OPS_ERROR, ENOSPC);
    g_assert_true(map_scratch_file_truncate(full[0], most - 1, NULL));
    g_assert_true(map_scratch_file_write(last, "x", 1, 0, NULL));
    g_assert_false(map_scratch_file_truncate(last, 2, &still_none));
    g_assert_error(still_none, OPS_ERROR, ENOSPC);
    map_scratch_file_unref(full[1]);
    g_assert_true(map_scratch_file_truncate(last, most, NULL)); /* one byte short of the bound */
    /* A copy of a definition is counted even past the bound, and growth is refused then. */
    copy = map_scratch_file_new(0600, 0, 0, definition);
    g_assert_true(map_scratch_file_truncate(full[3], most - 4, NULL));
    g_assert_false(map_scratch_file_truncate(full[3], most - 3, &past));
    g_assert_error(past, OPS_ERROR, ENOSPC);
    map_scratch_file_unref(copy);
    map_scratch_file_unref(full[0]);
    map_scratch_file_unref(full[2]);
    map_scratch_file_unref(full[3]);
}

static void
test_set_attr(void)
{
    g_autoptr(MapScratchFile) file = map_scratch_file_new(0600, 0, 0, NULL);
    MapScratchAttr attr = {
        .set_mode = TRUE,
        .mode = 0644,
        .uid = 7,
        .gid = (gid_t)-1,
        .atime = {0, UTIME_OMIT},
        .mtime = {1234, 5},
    };
    struct stat st;

    map_scratch_file_set_attr(file, &attr);
    map_scratch_file_stat(file, &st);
    g_assert_cmpuint(st.st_mode, ==, S_IFREG | 0644);
    g_assert_cmpuint(st.st_uid, ==, 7);
    g_assert_cmpuint(st.st_gid, ==, 0);
    g_assert_cmpint(st.st_mtim.tv_sec, ==, 1234);
    g_assert_cmpint(st.st_atim.tv_sec, >, 1234);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mapping/scratch/write-read", test_write_read);
    g_test_add_func("/mapping/scratch/truncate-and-limits", test_truncate_and_limits);
    g_test_add_func("/mapping/scratch/store", test_store);
    g_test_add_func("/mapping/scratch/set-attr", test_set_attr);
    g_test_add_func("/mapping/scratch/too-many", test_too_many);
    g_test_add_func("/mapping/scratch/total-bound", test_total_bound);
    return g_test_run();
}
