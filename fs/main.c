/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virt-poolfs: parses the command line, connects to libvirt, mounts, leaves the terminal
 * unless told to stay, and serves FUSE requests on many threads until unmounted.
 * Everything that can fail for a reason the user can fix fails here, before the mount.
 */
#include <stdio.h>
#include <unistd.h>

#include "fs/fs.h"

/* The mount options every mount gets: kernel permission checks, and a name after the URI. */
static void
add_mount_options(struct fuse_args *args, const char *uri)
{
    g_autofree char *escaped = g_strescape(uri, NULL);
    g_autoptr(GString) option = g_string_new("-odefault_permissions,subtype=virt-poolfs,fsname=");

    /* fuse_opt splits options at commas; a URI's own commas must stay in the name. */
    for (const char *c = escaped; *c; c++) {
        if (*c == ',')
            g_string_append_c(option, '\\');
        g_string_append_c(option, *c);
    }
    fuse_opt_add_arg(args, option->str);
}

/* Mounts @config's mountpoint and serves it until unmounted. Returns the exit status. */
static int
serve(FsConfig *config, struct fuse_args *args, FsState *state)
{
    struct fuse *fuse;
    struct fuse_loop_config *loop;
    int status = 1;

    fuse = fuse_new(args, &fs_operations, sizeof(fs_operations), state);
    if (!fuse)
        return 1;
    if (fuse_mount(fuse, config->mountpoint) != 0)
        goto out_destroy;
    if (fuse_set_signal_handlers(fuse_get_session(fuse)) != 0)
        goto out_unmount;
    if (fuse_daemonize(config->foreground) != 0)
        goto out_handlers;
    if (!config->foreground)
        fs_log_to_syslog();
    fs_follow_events(fuse, state->tree);
    fs_refresh_periodically(state->conn, config->refresh);
    loop = fuse_loop_cfg_create();
    status = fuse_loop_mt(fuse, loop) == 0 ? 0 : 1;
    fuse_loop_cfg_destroy(loop);
    fs_stop_refreshing();
    fs_unfollow_events();
    fs_open_handles_free();
out_handlers:
    fuse_remove_signal_handlers(fuse_get_session(fuse));
out_unmount:
    fuse_unmount(fuse);
out_destroy:
    fuse_destroy(fuse);
    return status;
}

int
main(int argc, char **argv)
{
    g_auto(FsConfig) config = {0};
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(OpsConnection) conn = NULL;
    g_autoptr(MapTree) tree = NULL;
    FsState state = {0};
    int status;

    if (!fs_cmdline_parse(argc, argv, &config, &args, &error)) {
        fprintf(stderr, "virt-poolfs: %s (see --help)\n", error->message);
        fuse_opt_free_args(&args);
        return 2;
    }
    if (config.show_help || config.show_version) {
        if (config.show_help)
            fs_cmdline_print_help(argv[0]);
        else
            printf("virt-poolfs %s\n", VPFS_VERSION);
        fuse_opt_free_args(&args);
        return 0;
    }
    fs_log_setup(config.debug);
    ops_init();
    /* Connecting before the fork into the background lets the user see why it failed. */
    conn = ops_connection_open(config.uri, &error);
    if (!conn) {
        fprintf(stderr, "virt-poolfs: %s\n", error->message);
        fuse_opt_free_args(&args);
        return 1;
    }
    add_mount_options(&args, ops_connection_uri(conn));
    tree = map_tree_new(conn, config.cache_ttl, config.direct != FS_DIRECT_NEVER);
    state.conn = conn;
    state.tree = tree;
    state.cache_ttl = config.cache_ttl;
    state.pool_root = config.pool_root;
    state.direct = config.direct;
    state.defaults.uid = getuid();
    state.defaults.gid = getgid();
    clock_gettime(CLOCK_REALTIME, &state.defaults.mounted);
    state.defaults.io_size = config.direct != FS_DIRECT_NEVER && ops_connection_is_local(conn)
                                 ? MAP_IO_SIZE
                                 : MAP_STREAM_IO_SIZE;
    status = serve(&config, &args, &state);
    fuse_opt_free_args(&args);
    return status;
}
