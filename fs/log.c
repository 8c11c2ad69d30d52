/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the server's log goes: stderr while it has a terminal (-f, -d), syslog once it runs
 * in the background. g_debug lines, one per operation and libvirt call, only with -d.
 */
#include <stdio.h>
#include <syslog.h>

#include "fs/fs.h"

/* How many failures MAP_ERROR_LOG_NAME shows. */
#define RECENT_FAILURES 100

/* Both set before the FUSE threads start, read-only after. */
gboolean fs_log_debug;
static gboolean log_syslog;

static GMutex recent_lock;
static GQueue recent = G_QUEUE_INIT; /* of char *, a line each; guarded by recent_lock */

static int
syslog_priority(GLogLevelFlags level)
{
    if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        return LOG_ERR;
    if (level & G_LOG_LEVEL_WARNING)
        return LOG_WARNING;
    if (level & G_LOG_LEVEL_DEBUG)
        return LOG_DEBUG;
    return LOG_INFO;
}

static GLogWriterOutput
write_log(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
    const char *message = NULL;

    if ((level & G_LOG_LEVEL_DEBUG) && !fs_log_debug)
        return G_LOG_WRITER_HANDLED;
    for (gsize i = 0; i < n_fields && !message; i++) {
        if (g_str_equal(fields[i].key, "MESSAGE"))
            message = fields[i].value;
    }
    if (!message)
        return G_LOG_WRITER_UNHANDLED;
    if (log_syslog)
        syslog(syslog_priority(level), "%s", message);
    else
        fprintf(stderr, "virt-poolfs: %s\n", message);
    return G_LOG_WRITER_HANDLED;
}

void
fs_log_setup(gboolean debug)
{
    fs_log_debug = debug;
    g_log_set_writer_func(write_log, NULL, NULL);
}

void
fs_log_to_syslog(void)
{
    openlog("virt-poolfs", LOG_PID, LOG_DAEMON);
    log_syslog = TRUE;
}

/* @text with control characters (a newline in a name, say) written as \xHH: one line. */
static char *
one_line(const char *text)
{
    GString *line = g_string_new(NULL);

    for (const char *c = text; *c; c++) {
        if ((guchar)*c < 0x20 || *c == 0x7f)
            g_string_append_printf(line, "\\x%02x", (guchar)*c);
        else
            g_string_append_c(line, *c);
    }
    return g_string_free(line, FALSE);
}

void
fs_log_failure(const char *operation, const char *path, const GError *error)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format_iso8601(now);
    g_autofree char *quoted_path = one_line(path);
    g_autofree char *message = one_line(error->message);
    g_autoptr(GMutexLocker) locker = NULL;

    g_warning("%s '%s': %s", operation, quoted_path, message);
    locker = g_mutex_locker_new(&recent_lock);
    g_queue_push_tail(&recent, g_strdup_printf("%s %s '%s': %s (%s)\n", stamp, operation,
                                               quoted_path, message, g_strerror(error->code)));
    if (recent.length > RECENT_FAILURES)
        g_free(g_queue_pop_head(&recent));
}

GBytes *
fs_log_recent(void)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&recent_lock);
    GString *text = g_string_new(NULL);

    for (GList *line = recent.head; line; line = line->next)
        g_string_append(text, line->data);
    return g_string_free_to_bytes(text);
}
