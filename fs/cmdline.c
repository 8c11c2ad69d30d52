/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command line: virt-poolfs [options] [URI] MOUNTPOINT. Our own options are taken out;
 * the -o options FUSE knows (ro, allow_other, ...) are left in the arguments for fuse_new.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fs/fs.h"

enum {
    KEY_HELP,
    KEY_VERSION,
    KEY_FOREGROUND,
    KEY_DEBUG,
    KEY_CONNECT_SHORT,
    KEY_CONNECT_LONG,
    KEY_CACHE_TTL,
    KEY_REFRESH,
    KEY_POOL_ROOT,
    KEY_DIRECT,
};

static const struct fuse_opt options[] = {
    FUSE_OPT_KEY("-h", KEY_HELP),
    FUSE_OPT_KEY("--help", KEY_HELP),
    FUSE_OPT_KEY("-V", KEY_VERSION),
    FUSE_OPT_KEY("--version", KEY_VERSION),
    FUSE_OPT_KEY("-f", KEY_FOREGROUND),
    FUSE_OPT_KEY("-d", KEY_DEBUG),
    FUSE_OPT_KEY("-c ", KEY_CONNECT_SHORT),
    FUSE_OPT_KEY("--connect ", KEY_CONNECT_LONG),
    FUSE_OPT_KEY("--connect=", KEY_CONNECT_LONG),
    FUSE_OPT_KEY("cache_ttl=", KEY_CACHE_TTL),
    FUSE_OPT_KEY("refresh=", KEY_REFRESH),
    FUSE_OPT_KEY("pool_root=", KEY_POOL_ROOT),
    FUSE_OPT_KEY("direct=", KEY_DIRECT),
    FUSE_OPT_END,
};

/* What the option callback fills in; it may not fail with a message of its own. */
typedef struct {
    FsConfig *config;
    GPtrArray *positional;
    char *connect;
    GError *error;
} ParseState;

void
fs_config_clear(FsConfig *config)
{
    g_clear_pointer(&config->uri, g_free);
    g_clear_pointer(&config->mountpoint, g_free);
    g_clear_pointer(&config->pool_root, g_free);
}

/* The text after "NAME=" in @arg. */
static const char *
option_value(const char *arg)
{
    return strchr(arg, '=') + 1;
}

static gboolean
parse_seconds(const char *arg, guint *out, GError **error)
{
    guint64 value;

    if (!g_ascii_string_to_unsigned(option_value(arg), 10, 0, G_MAXINT32, &value, NULL)) {
        g_set_error(error, OPS_ERROR, EINVAL, "bad option '%s': expected a number of seconds", arg);
        return FALSE;
    }
    *out = (guint)value;
    return TRUE;
}

static gboolean
parse_direct(const char *arg, FsDirect *out, GError **error)
{
    if (g_str_equal(option_value(arg), "auto"))
        *out = FS_DIRECT_AUTO;
    else if (g_str_equal(option_value(arg), "never"))
        *out = FS_DIRECT_NEVER;
    else {
        g_set_error(error, OPS_ERROR, EINVAL, "bad option '%s': expected auto or never", arg);
        return FALSE;
    }
    return TRUE;
}

static gboolean
parse_pool_root(const char *arg, char **out, GError **error)
{
    const char *dir = option_value(arg);

    if (!g_path_is_absolute(dir)) {
        g_set_error(error, OPS_ERROR, EINVAL, "bad option '%s': expected an absolute path", arg);
        return FALSE;
    }
    g_free(*out);
    *out = g_strdup(dir);
    return TRUE;
}

/* fuse_opt's callback: 0 takes the argument out, 1 leaves it for FUSE, -1 stops. */
static int
take_option(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    ParseState *state = data;
    FsConfig *config = state->config;
    gboolean ok = TRUE;

    switch (key) {
    case KEY_HELP:
        config->show_help = TRUE;
        return 0;
    case KEY_VERSION:
        config->show_version = TRUE;
        return 0;
    case KEY_DEBUG:
        config->debug = TRUE;
        config->foreground = TRUE;
        return 0;
    case KEY_FOREGROUND:
        config->foreground = TRUE;
        return 0;
    case KEY_CONNECT_SHORT:
    case KEY_CONNECT_LONG:
        /* fuse_opt glues a separate value to the option: "-cURI", "--connectURI". */
        arg += key == KEY_CONNECT_SHORT ? strlen("-c") : strlen("--connect");
        arg += *arg == '=';
        g_free(state->connect);
        state->connect = g_strdup(arg);
        return 0;
    case KEY_CACHE_TTL:
        ok = parse_seconds(arg, &config->cache_ttl, &state->error);
        break;
    case KEY_REFRESH:
        ok = parse_seconds(arg, &config->refresh, &state->error);
        break;
    case KEY_POOL_ROOT:
        ok = parse_pool_root(arg, &config->pool_root, &state->error);
        break;
    case KEY_DIRECT:
        ok = parse_direct(arg, &config->direct, &state->error);
        break;
    case FUSE_OPT_KEY_NONOPT:
        g_ptr_array_add(state->positional, g_strdup(arg));
        return 0;
    case FUSE_OPT_KEY_OPT:
        /* Mount options reach us without a dash; anything else with one is unknown. */
        if (arg[0] == '-') {
            g_set_error(&state->error, OPS_ERROR, EINVAL, "unknown option '%s'", arg);
            return -1;
        }
        return 1;
    }
    return ok ? 0 : -1;
}

/*
 * A mountpoint must be an empty directory that nothing is mounted on: mounting over files
 * would hide them, and over another mount stack two filesystems in one place.
 */
static gboolean
check_mountpoint(const char *path, GError **error)
{
    g_autofree char *parent = g_path_get_dirname(path);
    g_autoptr(GDir) dir = NULL;
    struct stat st, above;

    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        g_set_error(error, OPS_ERROR, ENOTDIR, "mountpoint '%s' is not a directory", path);
        return FALSE;
    }
    if (stat(parent, &above) == 0 && (st.st_dev != above.st_dev || st.st_ino == above.st_ino)) {
        g_set_error(error, OPS_ERROR, EBUSY, "mountpoint '%s' is already a mount point", path);
        return FALSE;
    }
    dir = g_dir_open(path, 0, NULL);
    if (dir && g_dir_read_name(dir)) {
        g_set_error(error, OPS_ERROR, ENOTEMPTY, "mountpoint '%s' is not empty", path);
        return FALSE;
    }
    return TRUE;
}

/* Places the positional arguments: [URI] MOUNTPOINT, with -c as the other way to a URI. */
static gboolean
place_positional(ParseState *state, GError **error)
{
    FsConfig *config = state->config;
    GPtrArray *args = state->positional;
    g_autofree char *mountpoint = NULL;

    if (args->len == 0 || args->len > 2) {
        g_set_error(error, OPS_ERROR, EINVAL,
                    args->len ? "too many arguments" : "no mountpoint given");
        return FALSE;
    }
    if (args->len == 2 && state->connect) {
        g_set_error(error, OPS_ERROR, EINVAL, "the URI is given twice (-c and '%s')",
                    (char *)args->pdata[0]);
        return FALSE;
    }
    mountpoint = realpath(args->pdata[args->len - 1], NULL);
    if (!mountpoint) {
        int err = errno;

        g_set_error(error, OPS_ERROR, err, "mountpoint '%s': %s",
                    (char *)args->pdata[args->len - 1], g_strerror(err));
        return FALSE;
    }
    if (!check_mountpoint(mountpoint, error))
        return FALSE;
    config->mountpoint = g_steal_pointer(&mountpoint);
    config->uri = args->len == 2 ? g_strdup(args->pdata[0]) : g_steal_pointer(&state->connect);
    return TRUE;
}

gboolean
fs_cmdline_parse(int argc, char **argv, FsConfig *config, struct fuse_args *fuse_args,
                 GError **error)
{
    g_autoptr(GPtrArray) positional = g_ptr_array_new_with_free_func(g_free);
    ParseState state = {.config = config, .positional = positional};
    gboolean ok;

    *config = (FsConfig){.cache_ttl = FS_DEFAULT_CACHE_TTL, .direct = FS_DIRECT_AUTO};
    for (int i = 0; i < argc; i++)
        fuse_opt_add_arg(fuse_args, argv[i]);
    if (fuse_opt_parse(fuse_args, &state, options, take_option) != 0) {
        if (state.error)
            g_propagate_error(error, state.error);
        else
            g_set_error(error, OPS_ERROR, EINVAL, "cannot parse the command line");
        g_free(state.connect);
        return FALSE;
    }
    ok = config->show_help || config->show_version || place_positional(&state, error);
    g_free(state.connect);
    return ok;
}

void
fs_cmdline_print_help(const char *program)
{
    printf("usage: %s [options] [URI] MOUNTPOINT\n"
           "\n"
           "Shows the storage pools of a libvirt connection as directories, their volumes as\n"
           "files and their definitions as POOL.xml.\n"
           "\n"
           "options:\n"
           "  -c, --connect URI     libvirt URI (default: $LIBVIRT_DEFAULT_URI, else libvirt's)\n"
           "  -f                    stay in the foreground\n"
           "  -d                    debug: foreground, a log line per operation and libvirt call\n"
           "  -o OPT[,OPT...]       mount options:\n"
           "       cache_ttl=SECONDS   how long listings and attributes are cached (default %d)\n"
           "       refresh=SECONDS     refresh running pools periodically (default 0: never)\n"
           "       pool_root=DIR       where mkdir places new directory pools\n"
           "       direct=auto|never   whether volume data may bypass libvirt streams\n"
           "       and FUSE's own: allow_other, ro, ...\n"
           "  -h, --help            show this help\n"
           "  -V, --version         show the version\n"
           "\n"
           "Unmount with: fusermount3 -u MOUNTPOINT\n",
           program, FS_DEFAULT_CACHE_TTL);
}
