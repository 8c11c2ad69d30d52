/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The handles of open files and directories, kept from open to release. The kernel drops
 * the releases still queued when the mount goes (it aborts the connection), so some never
 * come: those handles are freed at unmount instead, which also closes what they hold (a
 * volume's file, a stream).
 */
#include "fs/fs.h"

static GMutex lock;              /* guards open_handles */
static GHashTable *open_handles; /* handle -> its GDestroyNotify */

void
fs_open_handle_add(gpointer handle, GDestroyNotify free_handle)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&lock);

    if (!open_handles)
        open_handles = g_hash_table_new(NULL, NULL);
    g_hash_table_insert(open_handles, handle, free_handle);
}

void
fs_open_handle_release(gpointer handle)
{
    GDestroyNotify free_handle;

    g_mutex_lock(&lock);
    free_handle = g_hash_table_lookup(open_handles, handle);
    g_hash_table_remove(open_handles, handle);
    g_mutex_unlock(&lock);
    free_handle(handle);
}

void
fs_open_handles_free(void)
{
    g_autoptr(GHashTable) left = NULL;
    GHashTableIter iter;
    gpointer handle, free_handle;

    g_mutex_lock(&lock);
    left = g_steal_pointer(&open_handles);
    g_mutex_unlock(&lock);
    if (!left)
        return;
    g_hash_table_iter_init(&iter, left);
    while (g_hash_table_iter_next(&iter, &handle, &free_handle))
        ((GDestroyNotify)free_handle)(handle);
}
