/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The connection to libvirt: opened once before the mount and shared by every FUSE thread
 * (libvirt serialises what needs it). Reconnecting and events are left to later layers.
 */
#include <errno.h>

#include "ops/ops-private.h"

/* A URI without a host reaches a daemon on this host (a socket, or the test driver). */
static gboolean
uri_is_local(const char *uri)
{
    g_autoptr(GUri) parsed = g_uri_parse(uri, G_URI_FLAGS_NON_DNS, NULL);
    const char *host = parsed ? g_uri_get_host(parsed) : NULL;

    return parsed && (!host || !*host);
}

OpsConnection *
ops_connection_open(const char *uri, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *canonical = NULL;
    OpsConnection *result;

    g_debug("libvirt: virConnectOpen(%s)", uri ? uri : "default");
    conn = virConnectOpen(uri);
    if (!conn) {
        ops_error_from_libvirt(error, "cannot connect to libvirt");
        /* Unless refused, whatever libvirt's reason the daemon is not reachable (E1). */
        if (error && *error && (*error)->code != EACCES)
            (*error)->code = ENOTCONN;
        return NULL;
    }
    canonical = virConnectGetURI(conn);
    if (!canonical) {
        ops_error_from_libvirt(error, "cannot read the connection's URI");
        return NULL;
    }
    result = g_new0(OpsConnection, 1);
    result->local = uri_is_local(canonical);
    result->conn = g_steal_pointer(&conn);
    result->uri = g_steal_pointer(&canonical);
    result->lifecycle_event = result->refresh_event = -1;
    return result;
}

void
ops_connection_free(OpsConnection *conn)
{
    if (!conn)
        return;
    ops_events_unwatch(conn);
    virConnectClose(conn->conn);
    /* libvirt allocated the URI with malloc, and g_free is free since glib 2.46. */
    g_free(conn->uri);
    g_free(conn);
}

const char *
ops_connection_uri(OpsConnection *conn)
{
    return conn->uri;
}
