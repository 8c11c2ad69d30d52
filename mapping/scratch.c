/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scratch files: the plain files that editors and tools make beside NAME.xml (vim's swap,
 * backup and 4913 probe files, sed's and Python's temporary files, a new NAME.xml still
 * being written). They live in memory only and never reach libvirt; renaming one onto
 * NAME.xml is what defines a pool (fs/ asks ops/ for that).
 *
 * A file is reference-counted apart from its name, as an inode is, so that a handle still
 * open on a renamed or removed file goes on working.
 */
#include <errno.h>

#include "mapping/mapping.h"

/* Bounds what the mount may hold in memory: per file, how many files, and the bytes of all
 * files together (those of a store, removed ones still open, and open NAME.xml copies), so
 * that no writer can make the server run out of memory (E4). */
#define SCRATCH_MAX_BYTES (16 * 1024 * 1024)
#define SCRATCH_MAX_FILES 1024
#define SCRATCH_MAX_TOTAL (64 * 1024 * 1024)

/* The bytes all scratch files of this process hold. */
static gint bytes_held;

struct _MapScratchFile {
    gint refs;
    GMutex lock; /* guards all below */
    GByteArray *data;
    struct stat st; /* mode, owner and times; size kept equal to data->len */
    gboolean dirty; /* written since created or since map_scratch_file_mark_clean */
};

struct _MapScratch {
    GMutex lock;       /* guards files */
    GHashTable *files; /* name -> MapScratchFile (a reference) */
};

static struct timespec
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts;
}

static void
touch(MapScratchFile *file, gboolean modified)
{
    file->st.st_ctim = now();
    if (modified)
        file->st.st_mtim = file->st.st_ctim;
}

/* A time set by utimensat(2): kept, or the current one for UTIME_NOW. */
static void
set_time(struct timespec *field, struct timespec ts)
{
    if (ts.tv_nsec != UTIME_OMIT)
        *field = ts.tv_nsec == UTIME_NOW ? now() : ts;
}

MapScratchFile *
map_scratch_file_ref(MapScratchFile *file)
{
    g_atomic_int_inc(&file->refs);
    return file;
}

/* Takes @bytes from what all scratch files may hold together; FALSE if that is too few. */
static gboolean
take_bytes(gsize bytes)
{
    gint held;

    do {
        held = g_atomic_int_get(&bytes_held);
        /* Copies of definitions, counted but never refused, may have passed the bound. */
        if (held >= SCRATCH_MAX_TOTAL || bytes > (gsize)(SCRATCH_MAX_TOTAL - held))
            return FALSE;
    } while (!g_atomic_int_compare_and_exchange(&bytes_held, held, held + (gint)bytes));
    return TRUE;
}

static void
give_bytes(gsize bytes)
{
    g_atomic_int_add(&bytes_held, -(gint)bytes);
}

void
map_scratch_file_unref(MapScratchFile *file)
{
    if (!file || !g_atomic_int_dec_and_test(&file->refs))
        return;
    give_bytes(file->data->len);
    g_byte_array_unref(file->data);
    g_mutex_clear(&file->lock);
    g_free(file);
}

MapScratchFile *
map_scratch_file_new(mode_t mode, uid_t uid, gid_t gid, GBytes *content)
{
    MapScratchFile *file = g_new0(MapScratchFile, 1);
    gsize length = 0;
    gconstpointer data = content ? g_bytes_get_data(content, &length) : NULL;

    file->refs = 1;
    g_mutex_init(&file->lock);
    file->data = g_byte_array_sized_new(length);
    /* A copy of a definition, which libvirt bounds: counted, never refused. */
    g_atomic_int_add(&bytes_held, (gint)length);
    if (length)
        g_byte_array_append(file->data, data, (guint)length);
    file->st.st_mode = S_IFREG | (mode & 07777);
    file->st.st_nlink = 1;
    file->st.st_uid = uid;
    file->st.st_gid = gid;
    touch(file, TRUE);
    file->st.st_atim = file->st.st_mtim;
    return file;
}

MapScratch *
map_scratch_new(void)
{
    MapScratch *scratch = g_new0(MapScratch, 1);

    g_mutex_init(&scratch->lock);
    scratch->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)map_scratch_file_unref);
    return scratch;
}

void
map_scratch_free(MapScratch *scratch)
{
    if (!scratch)
        return;
    g_hash_table_destroy(scratch->files);
    g_mutex_clear(&scratch->lock);
    g_free(scratch);
}

MapScratchFile *
map_scratch_lookup(MapScratch *scratch, const char *name)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&scratch->lock);
    MapScratchFile *file = g_hash_table_lookup(scratch->files, name);

    return file ? map_scratch_file_ref(file) : NULL;
}

MapScratchFile *
map_scratch_create(MapScratch *scratch, const char *name, mode_t mode, uid_t uid, gid_t gid,
                   GBytes *content, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&scratch->lock);
    MapScratchFile *file;

    if (g_hash_table_contains(scratch->files, name)) {
        g_set_error(error, OPS_ERROR, EEXIST, "'%s' exists", name);
        return NULL;
    }
    if (g_hash_table_size(scratch->files) >= SCRATCH_MAX_FILES) {
        g_set_error(error, OPS_ERROR, ENOSPC, "at most %d files may stand beside the pools",
                    SCRATCH_MAX_FILES);
        return NULL;
    }
    file = map_scratch_file_new(mode, uid, gid, content);
    g_hash_table_insert(scratch->files, g_strdup(name), map_scratch_file_ref(file));
    return file;
}

gboolean
map_scratch_remove(MapScratch *scratch, const char *name, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&scratch->lock);

    if (!g_hash_table_remove(scratch->files, name)) {
        g_set_error(error, OPS_ERROR, ENOENT, "no file '%s'", name);
        return FALSE;
    }
    return TRUE;
}

gboolean
map_scratch_rename(MapScratch *scratch, const char *from, const char *to, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&scratch->lock);
    g_autofree char *old_name = NULL;
    gpointer file;

    if (!g_hash_table_steal_extended(scratch->files, from, (gpointer *)&old_name, &file)) {
        g_set_error(error, OPS_ERROR, ENOENT, "no file '%s'", from);
        return FALSE;
    }
    g_hash_table_insert(scratch->files, g_strdup(to), file);
    return TRUE;
}

char **
map_scratch_names(MapScratch *scratch)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&scratch->lock);
    guint count;
    char **names = (char **)g_hash_table_get_keys_as_array(scratch->files, &count);

    for (guint i = 0; i < count; i++)
        names[i] = g_strdup(names[i]);
    return names;
}

void
map_scratch_file_stat(MapScratchFile *file, struct stat *st)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&file->lock);

    *st = file->st;
    st->st_size = file->data->len;
    st->st_blocks = (st->st_size + 511) / 512;
}

gsize
map_scratch_file_read(MapScratchFile *file, char *buf, gsize size, goffset offset)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&file->lock);

    if (offset < 0 || (guint64)offset >= file->data->len)
        return 0;
    size = MIN(size, file->data->len - (gsize)offset);
    memcpy(buf, file->data->data + offset, size);
    return size;
}

/* Grows or cuts @file to @length bytes, zero-filling what grows; the lock is held. */
static gboolean
resize_locked(MapScratchFile *file, guint64 length, GError **error)
{
    gsize old = file->data->len;

    if (length > SCRATCH_MAX_BYTES) {
        g_set_error(error, OPS_ERROR, EFBIG, "files beside the pools hold at most %d bytes",
                    SCRATCH_MAX_BYTES);
        return FALSE;
    }
    if (length > old && !take_bytes(length - old)) {
        g_set_error(error, OPS_ERROR, ENOSPC, "files beside the pools hold at most %d bytes in all",
                    SCRATCH_MAX_TOTAL);
        return FALSE;
    }
    if (length < old) {
        /* A GByteArray never gives memory back: a smaller copy does. */
        GByteArray *smaller = g_byte_array_sized_new((guint)length);

        g_byte_array_append(smaller, file->data->data, (guint)length);
        g_byte_array_unref(file->data);
        file->data = smaller;
        give_bytes(old - length);
        return TRUE;
    }
    g_byte_array_set_size(file->data, (guint)length);
    if (length > old)
        memset(file->data->data + old, 0, length - old);
    return TRUE;
}

gboolean
map_scratch_file_write(MapScratchFile *file, const char *buf, gsize size, goffset offset,
                       GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&file->lock);

    if (offset < 0 || (guint64)offset + size > SCRATCH_MAX_BYTES)
        return resize_locked(file, G_MAXUINT64, error);
    if ((guint64)offset + size > file->data->len && !resize_locked(file, offset + size, error))
        return FALSE;
    memcpy(file->data->data + offset, buf, size);
    file->dirty = TRUE;
    touch(file, TRUE);
    return TRUE;
}

gboolean
map_scratch_file_truncate(MapScratchFile *file, guint64 length, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&file->lock);

    if (!resize_locked(file, length, error))
        return FALSE;
    file->dirty = TRUE;
    touch(file, TRUE);
    return TRUE;
}

void
map_scratch_file_set_attr(MapScratchFile *file, const MapScratchAttr *attr)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&file->lock);

    if (attr->set_mode)
        file->st.st_mode = S_IFREG | (attr->mode & 07777);
    if (attr->uid != (uid_t)-1)
        file->st.st_uid = attr->uid;
    if (attr->gid != (gid_t)-1)
        file->st.st_gid = attr->gid;
    touch(file, FALSE);
    set_time(&file->st.st_atim, attr->atime);
    set_time(&file->st.st_mtim, attr->mtime);
}

void
map_scratch_file_mark_clean(MapScratchFile *file)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&file->lock);

    file->dirty = FALSE;
}

char *
map_scratch_file_text(MapScratchFile *file, gboolean *dirty, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&file->lock);

    if (file->data->len == 0) {
        *dirty = file->dirty;
        return g_strdup("");
    }
    if (memchr(file->data->data, '\0', file->data->len)) {
        g_set_error(error, OPS_ERROR, EINVAL, "the text holds a NUL byte");
        return NULL;
    }
    *dirty = file->dirty;
    return g_strndup((const char *)file->data->data, file->data->len);
}
