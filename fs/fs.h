/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fs/: the FUSE server. The only code that speaks FUSE and errno, and the only code that
 * logs at warning level: once per failure, with the operation, the path and libvirt's text.
 */
#pragma once

#define FUSE_USE_VERSION FUSE_MAKE_VERSION(3, 12)
#include <fuse.h>
#include <glib.h>

#include "mapping/mapping.h"
#include "ops/ops.h"

G_BEGIN_DECLS

typedef enum {
    FS_DIRECT_AUTO,
    FS_DIRECT_NEVER,
} FsDirect;

/* The command line (../shared/SPEC.md, Invocation), once parsed. */
typedef struct {
    char *uri;        /* NULL: $LIBVIRT_DEFAULT_URI, else libvirt's default */
    char *mountpoint; /* absolute */
    gboolean foreground;
    gboolean debug;
    gboolean show_help;
    gboolean show_version;
    guint cache_ttl; /* seconds */
    guint refresh;   /* seconds, 0: never */
    char *pool_root; /* NULL: chosen from the connection */
    FsDirect direct;
} FsConfig;

#define FS_DEFAULT_CACHE_TTL 1

void fs_config_clear(FsConfig *config);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(FsConfig, fs_config_clear)

/*
 * Parses the command line @argc/@argv into @config, and leaves in @fuse_args (initialised
 * empty by the caller) argv[0] followed by the mount options meant for FUSE itself. On
 * failure sets @error (a one-line message for the user) and returns FALSE; @config must be
 * cleared either way. Asking for help or the version needs no mountpoint.
 */
gboolean fs_cmdline_parse(int argc, char **argv, FsConfig *config, struct fuse_args *fuse_args,
                          GError **error);

/* Prints the usage text to stdout. */
void fs_cmdline_print_help(const char *program);

/*
 * Routes glib's log: to stderr, and with @debug every g_debug line too. Call once at start.
 * fs_log_to_syslog() moves it to syslog, for when the server leaves the terminal.
 */
void fs_log_setup(gboolean debug);
void fs_log_to_syslog(void);

/* Everything a FUSE handler needs; the FUSE private data. Read-only once mounted. */
typedef struct {
    OpsConnection *conn;
    MapDefaults defaults;
    guint cache_ttl;
} FsState;

/* The operations of the mount (fs/operations.c). */
extern const struct fuse_operations fs_operations;

G_END_DECLS
