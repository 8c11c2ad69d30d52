/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Volumes as libvirt sees them: the names in a pool, and everything about one of them. */
#include <errno.h>

#include "ops/ops-private.h"

char **
ops_volume_list_names(OpsConnection *conn, const char *pool_name, GError **error)
{
    g_autoptr(virStoragePool) pool = ops_pool_lookup(conn, pool_name, error);
    virStorageVolPtr *volumes = NULL;
    GPtrArray *names;
    int active, count;

    if (!pool)
        return NULL;
    g_debug("libvirt: virStoragePoolIsActive(%s)", pool_name);
    active = virStoragePoolIsActive(pool);
    if (active < 0) {
        ops_error_from_libvirt(error, "cannot read the pool's state");
        return NULL;
    }
    if (!active)
        return g_new0(char *, 1);
    g_debug("libvirt: virStoragePoolListAllVolumes(%s)", pool_name);
    count = virStoragePoolListAllVolumes(pool, &volumes, 0);
    if (count < 0) {
        ops_error_from_libvirt(error, "cannot list the pool's volumes");
        return NULL;
    }
    names = g_ptr_array_new_full(count + 1, NULL);
    for (int i = 0; i < count; i++) {
        g_ptr_array_add(names, g_strdup(virStorageVolGetName(volumes[i])));
        virStorageVolFree(volumes[i]);
    }
    free(volumes);
    return ops_names_sorted(names);
}

virStorageVolPtr
ops_volume_lookup(OpsConnection *conn, const char *pool_name, const char *name, GError **error)
{
    g_autoptr(virStoragePool) pool = ops_pool_lookup(conn, pool_name, error);
    virStorageVolPtr volume;

    if (!pool)
        return NULL;
    g_debug("libvirt: virStorageVolLookupByName(%s, %s)", pool_name, name);
    volume = virStorageVolLookupByName(pool, name);
    if (!volume) {
        ops_error_from_libvirt(error, "cannot find the volume");
        /* A pool that is not running holds no volumes (L1): nothing is there. */
        if (error && *error && (*error)->code == EPERM)
            (*error)->code = ENOENT;
    }
    return volume;
}

OpsVolume *
ops_volume_get(OpsConnection *conn, const char *pool_name, const char *name, GError **error)
{
    g_autoptr(virStorageVol) volume = ops_volume_lookup(conn, pool_name, name, error);
    g_autofree char *xml = NULL;

    if (!volume)
        return NULL;
    g_debug("libvirt: virStorageVolGetXMLDesc(%s, %s)", pool_name, name);
    xml = virStorageVolGetXMLDesc(volume, 0);
    if (!xml) {
        ops_error_from_libvirt(error, "cannot read the volume's XML");
        return NULL;
    }
    return ops_volume_parse_xml(xml, error);
}
