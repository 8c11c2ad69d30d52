/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bytes of a volume that a download passed on its way to a read further on, kept for the
 * reads that want them (ops/data.c). A reader with several requests in flight (qemu-img,
 * the kernel splitting a large direct read) asks for them out of order, and a stream cannot
 * go back: without this, each read behind the download would start a new one. Each byte
 * is handed out once, as the download would. At most a limit of bytes, in MAX_CHUNKS
 * pieces, is kept; past either, the piece that starts lowest goes first; the caller has
 * pieces older than it wants expire. Not thread-safe: the caller's lock guards a stash.
 */
#include "ops/ops-private.h"

/* Pieces kept at most: each read looks through them, so tiny ones must not pile up. */
#define MAX_CHUNKS 256

typedef struct {
    gint64 born;   /* when the bytes were put, in g_get_monotonic_time's microseconds */
    guint64 start; /* the volume's offset of the first byte of bytes */
    GBytes *bytes;
    gsize from; /* what reads have not taken yet: bytes[from, to) */
    gsize to;
} Chunk;

struct _OpsStash {
    GQueue chunks; /* of Chunk, by start; their bytes not taken do not overlap */
    gsize held;    /* the sizes of the chunks' bytes, taken or not: the memory they hold */
    gsize limit;
};

static void
chunk_free(Chunk *chunk)
{
    g_bytes_unref(chunk->bytes);
    g_free(chunk);
}

static guint64
chunk_end(const Chunk *chunk)
{
    return chunk->start + chunk->to;
}

OpsStash *
ops_stash_new(gsize limit)
{
    OpsStash *stash = g_new0(OpsStash, 1);

    g_queue_init(&stash->chunks);
    stash->limit = limit;
    return stash;
}

/* Drops the chunk at @link. */
static void
drop(OpsStash *stash, GList *link)
{
    Chunk *chunk = link->data;

    g_assert(stash->held >= g_bytes_get_size(chunk->bytes));
    stash->held -= g_bytes_get_size(chunk->bytes);
    chunk_free(chunk);
    g_queue_delete_link(&stash->chunks, link);
}

void
ops_stash_clear(OpsStash *stash)
{
    while (stash->chunks.head)
        drop(stash, stash->chunks.head);
}

void
ops_stash_free(OpsStash *stash)
{
    if (!stash)
        return;
    ops_stash_clear(stash);
    g_free(stash);
}

/* Drops the chunks that start lowest until a chunk of @size bytes fits. */
static void
make_room(OpsStash *stash, gsize size)
{
    while (stash->chunks.length >= MAX_CHUNKS || stash->held + size > stash->limit) {
        g_assert(stash->chunks.head);
        drop(stash, stash->chunks.head);
    }
}

void
ops_stash_make_room(OpsStash *stash, gsize size)
{
    if (size <= stash->limit)
        make_room(stash, size);
}

/* Adds a chunk of @bytes at @start, put at @born, in order, making room for it first. */
static void
add(OpsStash *stash, gint64 born, guint64 start, GBytes *bytes)
{
    Chunk *chunk = g_new0(Chunk, 1);
    GList *link;

    make_room(stash, g_bytes_get_size(bytes));
    *chunk = (Chunk){
        .born = born, .start = start, .bytes = g_bytes_ref(bytes), .to = g_bytes_get_size(bytes)};
    for (link = stash->chunks.head; link && ((Chunk *)link->data)->start < start;)
        link = link->next;
    g_queue_insert_before(&stash->chunks, link, chunk);
    stash->held += g_bytes_get_size(bytes);
}

void
ops_stash_put(OpsStash *stash, guint64 offset, GBytes *bytes)
{
    gsize size = g_bytes_get_size(bytes);
    GList *link = stash->chunks.head;

    if (size == 0 || size > stash->limit)
        return;
    /* Fresher bytes replace every chunk they overlap, whole. */
    while (link) {
        GList *next = link->next;
        const Chunk *old = link->data;

        if (old->start + old->from < offset + size && chunk_end(old) > offset)
            drop(stash, link);
        link = next;
    }
    add(stash, g_get_monotonic_time(), offset, bytes);
}

void
ops_stash_expire(OpsStash *stash, gint64 before)
{
    GList *link = stash->chunks.head;

    while (link) {
        GList *next = link->next;

        if (((Chunk *)link->data)->born < before)
            drop(stash, link);
        link = next;
    }
}

/* The chunk holding the byte at @offset, not yet taken, or NULL. */
static GList *
find(OpsStash *stash, guint64 offset)
{
    for (GList *link = stash->chunks.head; link; link = link->next) {
        const Chunk *chunk = link->data;

        if (chunk->start + chunk->from <= offset && offset < chunk_end(chunk))
            return link;
    }
    return NULL;
}

gsize
ops_stash_take(OpsStash *stash, guint64 offset, char *buf, gsize size)
{
    gsize got = 0;
    GList *link;

    while (got < size && (link = find(stash, offset + got))) {
        Chunk *chunk = link->data;
        const char *data = g_bytes_get_data(chunk->bytes, NULL);
        gsize at = (gsize)(offset + got - chunk->start);
        gsize n = MIN(size - got, chunk->to - at);

        memcpy(buf + got, data + at, n);
        got += n;
        if (at > chunk->from && at + n < chunk->to) {
            /* Taken from its middle, the chunk keeps its head; its tail goes to a chunk of
             * its own, a copy, so that what is held is what is counted. Making room for it
             * may drop this chunk, which is not looked at again: the read is done. */
            g_autoptr(GBytes) tail = g_bytes_new(data + at + n, chunk->to - at - n);
            guint64 tail_start = chunk->start + at + n;

            chunk->to = at;
            add(stash, chunk->born, tail_start, tail);
            break;
        }
        if (at == chunk->from)
            chunk->from += n;
        else
            chunk->to = at;
        if (chunk->from == chunk->to)
            drop(stash, link);
    }
    return got;
}

gsize
ops_stash_held(const OpsStash *stash)
{
    return stash->held;
}
