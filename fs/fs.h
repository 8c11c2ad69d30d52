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

/* Whether -d asked for a line per operation; set before the FUSE threads start. */
extern gboolean fs_log_debug;
/* A g_debug line for the hot paths (read, write), formatted only under -d. */
#define fs_trace(...)                                                                              \
    do {                                                                                           \
        if (G_UNLIKELY(fs_log_debug))                                                              \
            g_debug(__VA_ARGS__);                                                                  \
    } while (0)

/*
 * Logs a failed operation once, as "OPERATION 'PATH': reason", at warning level, and keeps
 * it among the recent failures that MAP_ERROR_LOG_NAME shows (E2). Thread-safe.
 */
void fs_log_failure(const char *operation, const char *path, const GError *error);
/* The recent failures, oldest first, a line each: a new GBytes. Thread-safe. */
GBytes *fs_log_recent(void);

/* Everything a FUSE handler needs; the FUSE private data. Read-only once mounted. */
typedef struct {
    OpsConnection *conn;
    MapTree *tree;
    MapDefaults defaults;
    guint cache_ttl;
    const char *pool_root; /* NULL: map_new_pool_target chooses */
    FsDirect direct;
} FsState;

/* How libfuse names a file removed while open, to remove it at its last close (lib/fuse.c,
 * hidden_name). */
#define FS_HIDDEN_PREFIX ".fuse_hidden"

/* The state of the mount that the calling FUSE handler serves. */
FsState *fs_state(void);

/*
 * Ends a failed operation: logs it (fs_log_failure) unless its errno is an ordinary answer,
 * such as a lookup of a name that is not there, and returns the negative errno for FUSE.
 */
int fs_fail(const char *operation, const char *path, const GError *error);
/* The same, logged whatever its errno: for an operation where ENOENT is no lookup's answer
 * (a read, write or flush of an open volume: the volume went; a definition libvirt could not
 * apply). */
int fs_fail_logged(const char *operation, const char *path, const GError *error);

/* An open file (fs/files.c): what FUSE's fuse_file_info.fh points to. */
typedef struct {
    MapScratchFile *file; /* the content of a file at the root; NULL for a volume */
    gboolean writable;
    GMutex lock;           /* guards data, wrote and changes */
    OpsData *data;         /* a volume's bytes, opened when first read or written */
    gboolean wrote;        /* a volume's bytes were written since the last flush */
    gboolean writes_bytes; /* a volume's bytes were written through it: its truncates are lengths */
    guint changes;         /* the volume's map_volume_changes when data last caught up with it */
    guint replacement;     /* and the number of its last replacement (map_volume_await) */
} FsHandle;

FsHandle *fs_handle(const struct fuse_file_info *fi);

/* Open handles (fs/open-handles.c): each open file or directory's handle is added when
 * opened, with the function that frees it, and released (freed) by its release. Those whose
 * release never came are freed by fs_open_handles_free, at unmount, once no request runs. */
void fs_open_handle_add(gpointer handle, GDestroyNotify free_handle);
void fs_open_handle_release(gpointer handle);
void fs_open_handles_free(void);

/* The handlers of open files (fs/files.c), for the operations table. */
int fs_open(const char *path, struct fuse_file_info *fi);
int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi);
int fs_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi);
int fs_write(const char *path, const char *buf, size_t size, off_t offset,
             struct fuse_file_info *fi);
int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi);
int fs_flush(const char *path, struct fuse_file_info *fi);
int fs_fsync(const char *path, int datasync, struct fuse_file_info *fi);
int fs_release(const char *path, struct fuse_file_info *fi);

/* The handlers of directories (fs/directories.c), for the operations table. */
int fs_opendir(const char *path, struct fuse_file_info *fi);
int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t offset,
               struct fuse_file_info *fi, enum fuse_readdir_flags flags);
int fs_releasedir(const char *path, struct fuse_file_info *fi);

/*
 * Defines the pool that root-level @path names (NAME.xml) from @file's content, if it was
 * written since or @always (P3); a path that names no definition is left alone. Returns 0,
 * or a negative errno after logging (P4).
 */
int fs_define_from(const char *operation, const char *path, MapScratchFile *file, gboolean always);

/*
 * Volumes (fs/volumes.c). Each takes the path of a volume, logs its failure as @operation
 * where it takes one, and returns 0 or a negative errno: create makes volume @path, empty,
 * in the format its extension names (V1), or in a pool whose volumes libvirt makes only of
 * a given size, an unsized placeholder that only the mount knows; resize sets its capacity,
 * allocating it where @allocate (V2, V7), and makes an unsized one of that size; unlink
 * deletes it (V3), or forgets a placeholder; rename moves it, replacing any volume at @to
 * (V4), and refuses a placeholder with EOPNOTSUPP.
 */
int fs_volume_create(const char *path, mode_t mode);
/* What fs/volumes.c and fs/volume-data.c share. parts: the pool and volume names of volume
 * @path into @parts (EINVAL for any other path); is_unsized: whether it is a placeholder
 * that libvirt makes once it has a size; unsized_error: @code for one, saying what it needs
 * first (always FALSE); settle: marks it settled, unless unsized (it is being sized, copied
 * onto or removed); in_state: whether it is in @state (MAP_VOLUME_NEW: the mount made it
 * and nothing sized or wrote it yet; MAP_VOLUME_FILLING: bytes are being written first). */
gboolean fs_volume_parts(const char *path, MapPath *parts, GError **error);
gboolean fs_volume_is_unsized(const MapPath *parts);
gboolean fs_volume_unsized_error(const MapPath *parts, int code, GError **error);
void fs_volume_settle(const char *path);
gboolean fs_volume_in_state(const char *path, MapVolumeState state);
int fs_volume_resize(const char *operation, const char *path, guint64 capacity, gboolean allocate);
/* O_TRUNC: volume @path is replaced by a new, empty one, as if just created (V2); a volume
 * that is not a file (a partition, a logical volume, a network disk) is left as it is, as
 * open(2) leaves a device. */
int fs_volume_empty(const char *path);
/* Replaces the volume of @parts by a new empty one of @format (ops_volume_replace), what
 * looks for it waiting meanwhile (map_volume_replacing); open files look at it anew. */
gboolean fs_volume_replace(const MapPath *parts, const char *format, GError **error);
/* truncate/ftruncate (@handle NULL for the path form): a volume's capacity, V1 and V2. */
int fs_volume_truncate(const char *path, FsHandle *handle, guint64 size);
/*
 * A volume's bytes through @handle (V5). read returns the bytes read or a negative errno;
 * write the bytes written; flush makes them part of the volume (and stable, where @durable)
 * and reports what failed since the last flush (ENOSPC, EIO, ENOENT for a volume deleted
 * while open). Errors: EIO, ENOSPC, ENOENT, ENOTCONN, EACCES, and EINVAL for bytes written
 * into an unsized volume.
 */
int fs_volume_read(const char *path, FsHandle *handle, char *buf, size_t size, off_t offset);
int fs_volume_write(const char *path, FsHandle *handle, const char *buf, size_t size, off_t offset);
/* Sets @st's size to the end of the bytes open files wrote into volume @path, where that is
 * further than libvirt says yet: the kernel keeps the size stat tells past close, and
 * appends (O_APPEND) where it says the volume ends (C1). */
void fs_volume_stat_written(const char *path, struct stat *st);
int fs_volume_flush(const char *operation, const char *path, FsHandle *handle, gboolean durable);
int fs_volume_unlink(const char *operation, const char *path);
int fs_volume_rename(const char *from, const char *to);
int fs_fallocate(const char *path, int mode, off_t offset, off_t length, struct fuse_file_info *fi);
ssize_t fs_copy_file_range(const char *path_in, struct fuse_file_info *fi_in, off_t offset_in,
                           const char *path_out, struct fuse_file_info *fi_out, off_t offset_out,
                           size_t size, int flags);

/*
 * Follows libvirt's pool events on @tree's connection, dropping from the metadata cache and
 * the kernel's what each event changed (C2). Call once mounted and forked.
 */
void fs_follow_events(struct fuse *fuse, MapTree *tree);
/* Stops following them, before the mount's state goes (at unmount): an event applied later
 * would use it. */
void fs_unfollow_events(void);

/* refresh=: refreshes every running pool each @interval seconds (none for 0), from now on
 * (fs/refresh.c). Call once mounted and forked. */
void fs_refresh_periodically(OpsConnection *conn, guint interval);
/* Stops those refreshes, before the connection goes (at unmount). */
void fs_stop_refreshing(void);

/* The operations of the mount (fs/operations.c). */
extern const struct fuse_operations fs_operations;

G_END_DECLS
