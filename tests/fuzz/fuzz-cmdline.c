/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzzes the command line and mount options (fs/cmdline.c): arguments split at NUL bytes. */
#include <stdint.h>

#include "fs/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 16

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = g_strndup((const char *)data, size);
    char *argv[MAX_ARGS + 1] = {"virt-poolfs"};
    int argc = 1;
    FsConfig config = {0};
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
    gsize at = 0;

    /* g_strndup stops at the first NUL; the arguments after it are read from @data. */
    while (at < size && argc < MAX_ARGS) {
        argv[argc++] = g_strndup((const char *)data + at, size - at);
        at += strlen(argv[argc - 1]) + 1;
    }
    fs_cmdline_parse(argc, argv, &config, &args, NULL);
    fs_config_clear(&config);
    fuse_opt_free_args(&args);
    for (int i = 1; i < argc; i++)
        g_free(argv[i]);
    return 0;
}
