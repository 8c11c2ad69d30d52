/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bytes of a volume that a download passed on its way to a read further on, kept for the
 * reads that want them (ops/data.c). A reader with several requests in flight (qemu-img,
 * the kernel splitting a large direct read) asks for them out of order, and a stream cannot
 * go back: without this, each read behind the download would start a new one. At most
 * a limit of bytes is kept; past it the bytes furthest behind go first.
 */
#include "ops/ops-private.h"

typedef struct {
    guint64 start; /* the volume's offset of the first byte of bytes */
    GBytes *bytes;
    gsize from; /* what reads have not taken yet: bytes[from, to) */
    gsize to;
} Chunk;

struct _OpsStash {
    GQueue chunks; /* of Chunk, by start; none overlap */
    gsize held;    /* the sizes of the chunks' bytes, taken or not */
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

void
ops_stash_put(OpsStash *stash, guint64 offset, GBytes *bytes)
{
    gsize size = g_bytes_get_size(bytes);
    Chunk *chunk;
    GList *link = stash->chunks.head;

    if (size == 0 || size > stash->limit)
        return;
    /* Fresher bytes replace what they overlap; the chunks further behind go past the limit. */
    while (link) {
        GList *next = link->next;
        const Chunk *old = link->data;

        if (old->start + old->from < offset + size && chunk_end(old) > offset)
            drop(stash, link);
        link = next;
    }
    while (stash->held + size > stash->limit)
        drop(stash, stash->chunks.head);
    chunk = g_new0(Chunk, 1);
    chunk->start = offset;
    chunk->bytes = g_bytes_ref(bytes);
    chunk->to = size;
    for (link = stash->chunks.head; link && ((Chunk *)link->data)->start < offset;)
        link = link->next;
    g_queue_insert_before(&stash->chunks, link, chunk);
    stash->held += size;
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
        gsize at = (gsize)(offset + got - chunk->start);
        gsize n = MIN(size - got, chunk->to - at);

        memcpy(buf + got, (const char *)g_bytes_get_data(chunk->bytes, NULL) + at, n);
        got += n;
        /* Taken from either end, the chunk shrinks; from its middle it stays whole. */
        if (at == chunk->from)
            chunk->from += n;
        else if (at + n == chunk->to)
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
