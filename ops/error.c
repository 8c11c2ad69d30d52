/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt errors into the project's error domain: one table from libvirt's error numbers to
 * errno values, and the silent handler that stops libvirt from printing on its own.
 */
#include <errno.h>

#include "ops/ops-private.h"

G_DEFINE_QUARK(virt - poolfs - error - quark, ops_error)

/* libvirt prints every error to stderr unless a handler is installed; we report them. */
static void
ignore_libvirt_error(void *opaque, virErrorPtr err)
{
}

void
ops_init(void)
{
    if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0)
        g_error("libvirt failed to initialize");
    virSetErrorFunc(NULL, ignore_libvirt_error);
}

static const struct {
    int code;
    int err;
} errno_of_code[] = {
    {VIR_ERR_NO_STORAGE_POOL, ENOENT},
    {VIR_ERR_NO_STORAGE_VOL, ENOENT},
    {VIR_ERR_STORAGE_POOL_BUILT, EEXIST},
    {VIR_ERR_STORAGE_VOL_EXIST, EEXIST},
    {VIR_ERR_XML_ERROR, EINVAL},
    {VIR_ERR_XML_DETAIL, EINVAL},
    {VIR_ERR_INVALID_ARG, EINVAL},
    {VIR_ERR_CONFIG_UNSUPPORTED, EINVAL},
    {VIR_ERR_NO_SUPPORT, EOPNOTSUPP},
    {VIR_ERR_OPERATION_UNSUPPORTED, EOPNOTSUPP},
    /* "not valid in the current state": a pool not running, busy with jobs, ... */
    {VIR_ERR_OPERATION_INVALID, EPERM},
    {VIR_ERR_OPERATION_DENIED, EACCES},
    {VIR_ERR_ACCESS_DENIED, EACCES},
    {VIR_ERR_AUTH_FAILED, EACCES},
    {VIR_ERR_NO_CONNECT, ENOTCONN},
    {VIR_ERR_INVALID_CONN, ENOTCONN},
    {VIR_ERR_RPC, ENOTCONN},
    {VIR_ERR_AUTH_CANCELLED, EACCES},
};

/* The errno for @err: the table first; system errors carry their own errno in int1. */
static int
errno_of_libvirt_error(const virError *err)
{
    if (!err)
        return EIO;
    for (gsize i = 0; i < G_N_ELEMENTS(errno_of_code); i++) {
        if (errno_of_code[i].code == err->code)
            return errno_of_code[i].err;
    }
    if (err->code != VIR_ERR_SYSTEM_ERROR || err->int1 <= 0)
        return EIO;
    /* A socket to the daemon that broke is a daemon gone away, whatever the socket said. */
    switch (err->int1) {
    case ECONNRESET:
    case ECONNREFUSED:
    case ECONNABORTED:
    case EPIPE:
        return ENOTCONN;
    default:
        return err->int1;
    }
}

gboolean
ops_error_from_libvirt(GError **error, const char *what)
{
    const virError *err = virGetLastError();

    g_set_error(error, OPS_ERROR, errno_of_libvirt_error(err), "%s: %s", what,
                err && err->message ? err->message : "unknown libvirt error");
    return FALSE;
}

gboolean
ops_step_failed(GError **error, const char *what, const char *name)
{
    g_autofree char *context = g_strdup_printf("%s '%s'", what, name);

    return ops_error_from_libvirt(error, context);
}
