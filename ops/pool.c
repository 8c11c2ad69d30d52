/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pools as libvirt sees them: their names, and everything about one of them. */
#include <errno.h>

#include "ops/ops-private.h"

char **
ops_pool_list_names(OpsConnection *conn, GError **error)
{
    g_autoptr(virConnect) live = ops_connection_get(conn, error);
    virStoragePoolPtr *pools = NULL;
    GPtrArray *names;
    int count;

    if (!live)
        return NULL;
    g_debug("libvirt: virConnectListAllStoragePools");
    count = virConnectListAllStoragePools(live, &pools, 0);
    if (count < 0) {
        ops_error_from_libvirt(error, "cannot list pools");
        return NULL;
    }
    names = g_ptr_array_new_full(count + 1, NULL);
    for (int i = 0; i < count; i++) {
        g_ptr_array_add(names, g_strdup(virStoragePoolGetName(pools[i])));
        virStoragePoolFree(pools[i]);
    }
    free(pools);
    return ops_names_sorted(names);
}

virStoragePoolPtr
ops_pool_lookup_on(virConnectPtr live, const char *name, GError **error)
{
    virStoragePoolPtr pool;

    g_debug("libvirt: virStoragePoolLookupByName(%s)", name);
    pool = virStoragePoolLookupByName(live, name);
    if (!pool)
        ops_error_from_libvirt(error, "cannot find the pool");
    return pool;
}

virStoragePoolPtr
ops_pool_lookup(OpsConnection *conn, const char *name, GError **error)
{
    g_autoptr(virConnect) live = ops_connection_get(conn, error);

    return live ? ops_pool_lookup_on(live, name, error) : NULL;
}

static OpsPoolState
state_of_libvirt(int state)
{
    switch (state) {
    case VIR_STORAGE_POOL_BUILDING:
        return OPS_POOL_BUILDING;
    case VIR_STORAGE_POOL_RUNNING:
        return OPS_POOL_RUNNING;
    case VIR_STORAGE_POOL_DEGRADED:
        return OPS_POOL_DEGRADED;
    case VIR_STORAGE_POOL_INACCESSIBLE:
        return OPS_POOL_INACCESSIBLE;
    default:
        return OPS_POOL_INACTIVE;
    }
}

/*
 * The definition of @pool as `virsh pool-dumpxml --inactive` prints it. A transient pool has
 * no inactive definition, and drivers that keep none (such as test:///) refuse the flag:
 * there the live definition is all there is.
 */
static char *
pool_definition(virStoragePoolPtr pool, gboolean persistent)
{
    char *xml = NULL;
    const virError *err;

    if (persistent) {
        xml = virStoragePoolGetXMLDesc(pool, VIR_STORAGE_XML_INACTIVE);
        err = virGetLastError();
        if (xml || !err || err->code != VIR_ERR_INVALID_ARG)
            return xml;
    }
    return virStoragePoolGetXMLDesc(pool, 0);
}

OpsPool *
ops_pool_get(OpsConnection *conn, const char *name, GError **error)
{
    g_autoptr(virStoragePool) pool = ops_pool_lookup(conn, name, error);
    g_autoptr(OpsPool) result = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *live = NULL;
    virStoragePoolInfo info;
    int persistent, autostart;

    if (!pool)
        return NULL;
    g_debug("libvirt: virStoragePoolIsPersistent, GetInfo, GetAutostart, GetXMLDesc(%s)", name);
    persistent = virStoragePoolIsPersistent(pool);
    if (persistent < 0 || virStoragePoolGetInfo(pool, &info) < 0 ||
        virStoragePoolGetAutostart(pool, &autostart) < 0) {
        ops_error_from_libvirt(error, "cannot read the pool's state");
        return NULL;
    }
    xml = pool_definition(pool, persistent);
    if (!xml) {
        ops_error_from_libvirt(error, "cannot read the pool's XML");
        return NULL;
    }
    /* A running pool is what its live definition says (its target, its directory's mode and
     * owner): a new definition is its next start's, and NAME.xml shows that one. */
    if (persistent && info.state != VIR_STORAGE_POOL_INACTIVE) {
        g_debug("libvirt: virStoragePoolGetXMLDesc(%s, live)", name);
        live = virStoragePoolGetXMLDesc(pool, 0);
        if (!live) {
            ops_error_from_libvirt(error, "cannot read the pool's XML");
            return NULL;
        }
    }
    result = ops_pool_new();
    if (!ops_pool_parse_xml(live ? live : xml, result, error))
        return NULL;
    g_free(result->name);
    result->name = g_strdup(virStoragePoolGetName(pool));
    result->state = state_of_libvirt(info.state);
    result->persistent = persistent;
    result->autostart = autostart;
    result->capacity = info.capacity;
    result->allocation = info.allocation;
    result->available = info.available;
    result->xml = g_steal_pointer(&xml);
    return g_steal_pointer(&result);
}
