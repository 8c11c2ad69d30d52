/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the server's log goes: stderr while it has a terminal (-f, -d), syslog once it runs
 * in the background. g_debug lines, one per operation and libvirt call, only with -d.
 */
#include <stdio.h>
#include <syslog.h>

#include "fs/fs.h"

/* Both set before the FUSE threads start, read-only after. */
static gboolean log_debug;
static gboolean log_syslog;

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

    if ((level & G_LOG_LEVEL_DEBUG) && !log_debug)
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
    log_debug = debug;
    g_log_set_writer_func(write_log, NULL, NULL);
}

void
fs_log_to_syslog(void)
{
    openlog("virt-poolfs", LOG_PID, LOG_DAEMON);
    log_syslog = TRUE;
}
