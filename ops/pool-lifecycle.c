/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pools made, changed and removed (../shared/SPEC.md P1-P5). Each change that takes several
 * libvirt calls either completes or is rolled back, so that a failure leaves libvirt as it
 * found it; where that cannot be (a pool defined but then not startable) the error says so.
 */
#include <errno.h>
#include <string.h>

#include "ops/ops-private.h"

/*
 * The build that never overwrites: a dir or netfs pool's build is a mkdir, which keeps what is
 * there, and libvirt would take the flag as a request to format; for other types the flag
 * makes libvirt refuse where a filesystem, volume group or label already exists.
 */
static unsigned int
safe_build_flags(const char *type)
{
    if (g_strcmp0(type, "dir") == 0 || g_strcmp0(type, "netfs") == 0)
        return 0;
    return VIR_STORAGE_POOL_BUILD_NO_OVERWRITE;
}

/*
 * Builds @pool of type @type, never overwriting. Storage that is there already (a
 * filesystem on an fs pool's device, a volume group, a partition table) is what the pool
 * is for: libvirt then says VIR_ERR_STORAGE_POOL_BUILT, and the pool is used as it is. (A
 * filesystem of another type than the XML names is said the same way; starting the pool
 * then fails, with mount's own error.)
 */
static gboolean
build_unless_built(virStoragePoolPtr pool, const char *name, const char *type)
{
    if (virStoragePoolBuild(pool, safe_build_flags(type)) == 0)
        return TRUE;
    if (virGetLastErrorCode() != VIR_ERR_STORAGE_POOL_BUILT)
        return FALSE;
    g_debug("pool %s: %s; used as it is", name, virGetLastErrorMessage());
    return TRUE;
}

/* Undoes a define (and a build, where @built) after a failure; errors are already set. */
static void
roll_back(virStoragePoolPtr pool, gboolean built)
{
    g_debug("libvirt: rolling back pool %s", virStoragePoolGetName(pool));
    if (built)
        virStoragePoolDelete(pool, 0);
    virStoragePoolUndefine(pool);
}

gboolean
ops_pool_create_dir(OpsConnection *conn, const char *name, const char *target, GError **error)
{
    g_autofree char *xml = g_markup_printf_escaped(
        "<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>", name, target);
    g_autoptr(virConnect) live = ops_connection_get(conn, error);
    g_autoptr(virStoragePool) pool = NULL;

    if (!live)
        return FALSE;
    g_debug("libvirt: virStoragePoolDefineXML(%s), Build, Create, SetAutostart", name);
    pool = virStoragePoolDefineXML(live, xml, 0);
    if (!pool)
        return ops_step_failed(error, "cannot define pool", name);
    if (virStoragePoolBuild(pool, safe_build_flags("dir")) < 0) {
        ops_step_failed(error, "cannot build pool", name);
        roll_back(pool, FALSE);
        return FALSE;
    }
    if (virStoragePoolCreate(pool, 0) < 0) {
        ops_step_failed(error, "cannot start pool", name);
        roll_back(pool, TRUE);
        return FALSE;
    }
    if (virStoragePoolSetAutostart(pool, 1) < 0) {
        ops_step_failed(error, "cannot mark pool to autostart", name);
        virStoragePoolDestroy(pool);
        roll_back(pool, TRUE);
        return FALSE;
    }
    return TRUE; /* the point of no return: the pool is complete */
}

char *
ops_pool_type(virStoragePoolPtr pool, const char *name, GError **error)
{
    g_autofree char *xml = virStoragePoolGetXMLDesc(pool, 0);
    g_autoptr(OpsPool) record = ops_pool_new();

    if (!xml) {
        ops_step_failed(error, "cannot read pool", name);
        return NULL;
    }
    if (!ops_pool_parse_xml(xml, record, error))
        return NULL;
    if (!record->type)
        g_set_error(error, OPS_ERROR, EIO, "pool '%s' has no type in its XML", name);
    return g_steal_pointer(&record->type);
}

/*
 * A volume that keeps running pool @pool of @type from being removed, by name (to free);
 * NULL where there is none. libvirt also lists a pool's subdirectories (a filesystem's
 * lost+found, say) as volumes: the rmdir of a pool leaves them where they are, but a dir
 * pool's own directory goes with the pool, so there they count. FALSE with libvirt's error
 * set where the pool cannot be listed.
 */
static gboolean
find_data_volume(virStoragePoolPtr pool, const char *type, char **found)
{
    virStorageVolPtr *volumes = NULL;
    g_autofree char *name = NULL;
    int count;

    g_debug("libvirt: virStoragePoolListAllVolumes, virStorageVolGetInfo(%s)",
            virStoragePoolGetName(pool));
    count = virStoragePoolListAllVolumes(pool, &volumes, 0);
    for (int i = 0; i < count; i++) {
        virStorageVolInfo info;

        /* One that cannot be looked at (deleted meanwhile, say) counts: rmdir is refused. */
        if (!name && (g_str_equal(type, "dir") || virStorageVolGetInfo(volumes[i], &info) < 0 ||
                      info.type != VIR_STORAGE_VOL_DIR))
            name = g_strdup(virStorageVolGetName(volumes[i]));
        virStorageVolFree(volumes[i]);
    }
    free(volumes);
    if (count < 0)
        return FALSE;
    *found = g_steal_pointer(&name);
    return TRUE;
}

gboolean
ops_pool_remove(OpsConnection *conn, const char *name, GError **error)
{
    g_autoptr(virStoragePool) pool = ops_pool_lookup(conn, name, error);
    g_autofree char *type = NULL;
    g_autofree char *volume = NULL;
    int active = 0, persistent = 0;

    if (!pool)
        return FALSE;
    type = ops_pool_type(pool, name, error);
    if (!type)
        return FALSE;
    g_debug("libvirt: virStoragePoolIsActive, IsPersistent(%s)", name);
    /* Each checked at once: the next libvirt call resets the error it left. */
    if ((active = virStoragePoolIsActive(pool)) < 0 ||
        (persistent = virStoragePoolIsPersistent(pool)) < 0 ||
        (active && !find_data_volume(pool, type, &volume)))
        return ops_step_failed(error, "cannot read pool", name);
    if (volume) {
        g_set_error(error, OPS_ERROR, ENOTEMPTY, "pool '%s' holds volumes ('%s' among them)", name,
                    volume);
        return FALSE;
    }
    g_debug("libvirt: virStoragePoolDestroy, Delete, Undefine(%s)", name);
    if (active && virStoragePoolDestroy(pool) < 0)
        return ops_step_failed(error, "cannot stop pool", name);
    /* A dir pool's target goes with it (an rmdir: it fails while files remain); the storage
     * under any other type of pool is never deleted. A transient pool is gone once stopped,
     * and libvirt cannot delete through it any more: its directory stays. */
    if (g_str_equal(type, "dir") && persistent && virStoragePoolDelete(pool, 0) < 0) {
        const virError *err = virGetLastError();

        if (!err || err->code != VIR_ERR_SYSTEM_ERROR || err->int1 != ENOENT) {
            ops_step_failed(error, "cannot remove the directory of pool", name);
            if (active)
                virStoragePoolCreate(pool, 0);
            return FALSE;
        }
    }
    if (persistent && virStoragePoolUndefine(pool) < 0)
        return ops_step_failed(error, "cannot undefine pool", name);
    return TRUE;
}

/* A refused definition is the XML's fault (EINVAL); a daemon that failed is EIO (P4). */
static void
classify_define_error(GError *error)
{
    if (error->code == ENOTCONN)
        error->code = EIO;
    else if (error->code != EACCES)
        error->code = EINVAL;
}

gboolean
ops_pool_define(OpsConnection *conn, const char *name, const char *xml, GError **error)
{
    g_autoptr(OpsPool) parsed = ops_pool_new();
    g_autoptr(virConnect) live = NULL;
    g_autoptr(virStoragePool) existing = NULL;
    g_autoptr(virStoragePool) pool = NULL;

    if (!ops_pool_parse_xml(xml, parsed, error))
        return FALSE;
    if (g_strcmp0(parsed->name, name) != 0) {
        g_set_error(error, OPS_ERROR, EINVAL,
                    "the XML defines pool '%s', but %s.xml can only "
                    "define pool '%s'",
                    parsed->name ? parsed->name : "", name, name);
        return FALSE;
    }
    live = ops_connection_get(conn, error);
    if (!live) {
        if (error && *error)
            classify_define_error(*error);
        return FALSE;
    }
    g_debug("libvirt: virStoragePoolLookupByName, DefineXML(%s)", name);
    existing = virStoragePoolLookupByName(live, name);
    /* libvirt would make a transient pool persistent: its NAME.xml is read-only (L3). */
    if (existing && virStoragePoolIsPersistent(existing) == 0) {
        g_set_error(error, OPS_ERROR, EACCES,
                    "pool '%s' is transient: it has no definition to write", name);
        return FALSE;
    }
    pool = virStoragePoolDefineXML(live, xml, 0);
    if (!pool) {
        ops_step_failed(error, "libvirt refused the definition of pool", name);
        if (error && *error)
            classify_define_error(*error);
        return FALSE;
    }
    if (existing)
        return TRUE;
    /* A new pool is built and started so that its directory is usable at once (P3). The
     * definition stays if that fails: libvirt accepted it, and the error says what is left. */
    g_debug("libvirt: virStoragePoolBuild, Create(%s)", name);
    if (!build_unless_built(pool, name, parsed->type))
        return ops_step_failed(error, "defined, but cannot build pool", name);
    if (virStoragePoolCreate(pool, 0) < 0)
        return ops_step_failed(error, "defined, but cannot start pool", name);
    return TRUE;
}

gboolean
ops_pool_set_running(OpsConnection *conn, const char *name, gboolean running, GError **error)
{
    g_autoptr(virStoragePool) pool = ops_pool_lookup(conn, name, error);
    int active;

    if (!pool)
        return FALSE;
    active = virStoragePoolIsActive(pool);
    if (active < 0)
        return ops_step_failed(error, "cannot read pool", name);
    if (active == running)
        return TRUE;
    g_debug("libvirt: virStoragePool%s(%s)", running ? "Create" : "Destroy", name);
    if (running ? virStoragePoolCreate(pool, 0) < 0 : virStoragePoolDestroy(pool) < 0) {
        ops_step_failed(error, running ? "cannot start pool" : "cannot stop pool", name);
        /* Missing storage (an unbuilt target) is no missing pool: not ENOENT for the path. */
        if (error && *error && (*error)->code == ENOENT)
            (*error)->code = EIO;
        return FALSE;
    }
    return TRUE;
}

gboolean
ops_pool_set_autostart(OpsConnection *conn, const char *name, gboolean autostart, GError **error)
{
    g_autoptr(virStoragePool) pool = ops_pool_lookup(conn, name, error);

    if (!pool)
        return FALSE;
    g_debug("libvirt: virStoragePoolSetAutostart(%s, %d)", name, autostart);
    if (virStoragePoolSetAutostart(pool, autostart) == 0)
        return TRUE;
    ops_step_failed(error, "cannot set autostart of pool", name);
    /* libvirt's "pool has no config file" is an internal error: the pool is transient. */
    if (error && *error && (*error)->code == EIO && virStoragePoolIsPersistent(pool) == 0)
        (*error)->code = EPERM;
    return FALSE;
}

gboolean
ops_pool_refresh(OpsConnection *conn, const char *name, GError **error)
{
    g_autoptr(virStoragePool) pool = ops_pool_lookup(conn, name, error);

    if (!pool)
        return FALSE;
    g_debug("libvirt: virStoragePoolRefresh(%s)", name);
    if (virStoragePoolRefresh(pool, 0) < 0) {
        /* libvirt refuses while another call has a job on the pool (a clone, a build), with
         * an internal error that only its words tell apart: EBUSY. */
        const virError *err = virGetLastError();
        gboolean busy = err && err->code == VIR_ERR_INTERNAL_ERROR && err->message &&
                        strstr(err->message, "asynchronous jobs");

        ops_step_failed(error, "cannot refresh pool", name);
        if (busy && error && *error)
            (*error)->code = EBUSY;
        return FALSE;
    }
    return TRUE;
}
