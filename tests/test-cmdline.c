/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fs/cmdline.c: the command line and mount options of ../shared/SPEC.md, Invocation. */
#include <errno.h>
#include <glib/gstdio.h>

#include "fs/fs.h"

static char *mountpoint;

/* Parses the NULL-terminated @args after a program name; @config is cleared by the caller. */
static gboolean
parse(FsConfig *config, struct fuse_args *fuse_args, GError **error, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    va_list ap;
    const char *arg;

    g_ptr_array_add(argv, "virt-poolfs");
    va_start(ap, error);
    while ((arg = va_arg(ap, const char *)))
        g_ptr_array_add(argv, (gpointer)arg);
    va_end(ap);
    return fs_cmdline_parse((int)argv->len, (char **)argv->pdata, config, fuse_args, error);
}

static void
test_uri_positional(void)
{
    g_auto(FsConfig) config = {0};
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);

    g_assert_true(parse(&config, &args, NULL, "qemu:///system", mountpoint, NULL));
    g_assert_cmpstr(config.uri, ==, "qemu:///system");
    g_assert_cmpstr(config.mountpoint, ==, mountpoint);
    g_assert_false(config.foreground);
    g_assert_cmpuint(config.cache_ttl, ==, FS_DEFAULT_CACHE_TTL);
    g_assert_cmpint(config.direct, ==, FS_DIRECT_AUTO);
    fuse_opt_free_args(&args);
}

static void
test_uri_option(void)
{
    static const char *const forms[][2] = {
        {"-c", "test:///default"},
        {"--connect", "test:///default"},
        {"-ctest:///default", NULL},
        {"--connect=test:///default", NULL},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(forms); i++) {
        g_auto(FsConfig) config = {0};
        struct fuse_args args = FUSE_ARGS_INIT(0, NULL);

        if (forms[i][1])
            g_assert_true(parse(&config, &args, NULL, forms[i][0], forms[i][1], mountpoint, NULL));
        else
            g_assert_true(parse(&config, &args, NULL, forms[i][0], mountpoint, NULL));
        g_assert_cmpstr(config.uri, ==, "test:///default");
        fuse_opt_free_args(&args);
    }
}

static void
test_default_uri(void)
{
    g_auto(FsConfig) config = {0};
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);

    g_assert_true(parse(&config, &args, NULL, "-d", mountpoint, NULL));
    g_assert_null(config.uri);
    g_assert_true(config.debug);
    g_assert_true(config.foreground);
    fuse_opt_free_args(&args);
}

/* Our options are taken out; FUSE's own stay for fuse_new, in order. */
static void
test_mount_options(void)
{
    g_auto(FsConfig) config = {0};
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);

    g_assert_true(parse(&config, &args, NULL, "-f", "-o",
                        "cache_ttl=30,allow_other,refresh=60,pool_root=/srv/pools,direct=never",
                        "-o", "ro", mountpoint, NULL));
    g_assert_true(config.foreground);
    g_assert_false(config.debug);
    g_assert_cmpuint(config.cache_ttl, ==, 30);
    g_assert_cmpuint(config.refresh, ==, 60);
    g_assert_cmpstr(config.pool_root, ==, "/srv/pools");
    g_assert_cmpint(config.direct, ==, FS_DIRECT_NEVER);
    g_assert_cmpint(args.argc, ==, 3);
    g_assert_cmpstr(args.argv[0], ==, "virt-poolfs");
    g_assert_cmpstr(args.argv[1], ==, "-o");
    g_assert_cmpstr(args.argv[2], ==, "allow_other,ro");
    fuse_opt_free_args(&args);
}

static void
test_help_and_version(void)
{
    g_auto(FsConfig) help = {0};
    g_auto(FsConfig) version = {0};
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);

    g_assert_true(parse(&help, &args, NULL, "--help", NULL));
    g_assert_true(help.show_help);
    fuse_opt_free_args(&args);
    g_assert_true(parse(&version, &args, NULL, "-V", NULL));
    g_assert_true(version.show_version);
    fuse_opt_free_args(&args);
}

/* Each case is a command line split at spaces, MNT standing for an existing directory. */
static void
test_rejects(void)
{
    static const char *const bad[] = {
        "-o cache_ttl=abc MNT",
        "-o cache_ttl=-1 MNT",
        "-o refresh= MNT",
        "-o direct=sometimes MNT",
        "-o pool_root=relative/dir MNT",
        "--bogus MNT",
        "-c test:///default qemu:///system MNT", /* the URI twice */
        "a b MNT",                               /* too many arguments */
        "/nonexistent/mountpoint",
        "/etc/hostname", /* not a directory */
        "/etc",          /* not empty */
        "/proc",         /* already a mount point */
    };

    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_auto(FsConfig) config = {0};
        struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) words = g_strsplit(bad[i], " ", -1);
        g_autoptr(GPtrArray) argv = g_ptr_array_new();

        g_ptr_array_add(argv, "virt-poolfs");
        for (char **word = words; *word; word++)
            g_ptr_array_add(argv, g_str_equal(*word, "MNT") ? mountpoint : *word);
        g_assert_false(
            fs_cmdline_parse((int)argv->len, (char **)argv->pdata, &config, &args, &error));
        g_assert_nonnull(error);
        g_assert_null(strchr(error->message, '\n'));
        fuse_opt_free_args(&args);
    }
}

static void
test_no_mountpoint(void)
{
    g_auto(FsConfig) config = {0};
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
    g_autoptr(GError) error = NULL;

    g_assert_false(parse(&config, &args, &error, "-f", NULL));
    g_assert_error(error, OPS_ERROR, EINVAL);
    fuse_opt_free_args(&args);
}

int
main(int argc, char **argv)
{
    int status;

    g_test_init(&argc, &argv, NULL);
    mountpoint = g_dir_make_tmp("test-cmdline-XXXXXX", NULL);
    g_assert_nonnull(mountpoint);
    g_test_add_func("/fs/cmdline/uri-positional", test_uri_positional);
    g_test_add_func("/fs/cmdline/uri-option", test_uri_option);
    g_test_add_func("/fs/cmdline/default-uri", test_default_uri);
    g_test_add_func("/fs/cmdline/mount-options", test_mount_options);
    g_test_add_func("/fs/cmdline/help-and-version", test_help_and_version);
    g_test_add_func("/fs/cmdline/rejects", test_rejects);
    g_test_add_func("/fs/cmdline/no-mountpoint", test_no_mountpoint);
    status = g_test_run();
    g_rmdir(mountpoint);
    g_free(mountpoint);
    return status;
}
