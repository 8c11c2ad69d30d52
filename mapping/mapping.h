/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mapping/: between the file tree a user sees and libvirt's pools and volumes.
 *
 * This is the one public header of the folder. It parses paths, resolves them into nodes
 * (asking ops/ for the records), and turns records into what stat, statfs and the extended
 * attributes show. It calls neither FUSE nor libvirt; errors are GErrors of OPS_ERROR with
 * an errno code, and nothing here logs above g_debug.
 *
 * The tree (../shared/SPEC.md, Layout):
 *   /                 the root: a directory per pool and NAME.xml beside it (L1, L3)
 *   /POOL             a pool's directory, empty unless the pool is running
 *   /POOL.xml         the pool's definition
 *   /POOL/VOLUME      a volume (L2)
 * Where a pool is itself named "X.xml", its directory wins over pool X's definition.
 */
#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>

#include "ops/ops.h"

G_BEGIN_DECLS

/* The extension of a pool's definition file beside its directory. */
#define MAP_XML_SUFFIX ".xml"
/* The namespace of the extended attributes (V7). */
#define MAP_XATTR_PREFIX "user.libvirt."

typedef enum {
    MAP_PATH_ROOT,   /* "/" */
    MAP_PATH_TOP,    /* "/NAME": a pool's directory or a pool's NAME.xml */
    MAP_PATH_VOLUME, /* "/POOL/VOLUME" */
} MapPathKind;

typedef struct {
    MapPathKind kind;
    char *top;    /* the first component, NULL for the root */
    char *volume; /* the second component, NULL above a volume */
} MapPath;

/*
 * Splits an absolute path of the mount into its parts. Fails with ENOENT for a path deeper
 * than a volume and EINVAL for one that is not absolute or has an empty component. On
 * success @out holds new strings to release with map_path_clear.
 */
gboolean map_path_parse(const char *path, MapPath *out, GError **error);
void map_path_clear(MapPath *path);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(MapPath, map_path_clear)

/* The definition file's name of pool @pool: a new string "POOL.xml". */
char *map_xml_name(const char *pool);
/* The pool whose definition file @name would be: a new string, or NULL if @name is none. */
char *map_xml_stem(const char *name);

typedef enum {
    MAP_NODE_ROOT,
    MAP_NODE_POOL,     /* @pool set */
    MAP_NODE_POOL_XML, /* @pool set */
    MAP_NODE_VOLUME,   /* @volume set */
} MapNodeKind;

/* What a path of the mount is, with the records needed to describe it. */
typedef struct {
    MapNodeKind kind;
    OpsPool *pool;
    OpsVolume *volume;
} MapNode;

void map_node_free(MapNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MapNode, map_node_free)

/*
 * Resolves @path into a new node, asking @conn. NULL with @error set when nothing is there
 * (ENOENT) or libvirt fails. Thread-safe.
 */
MapNode *map_lookup(OpsConnection *conn, const char *path, GError **error);

/*
 * The pool that @path lies in (its directory, its definition or one of its volumes): a new
 * record, or NULL with @error set (ENOENT, also for the root).
 */
OpsPool *map_lookup_pool_of(OpsConnection *conn, const char *path, GError **error);

/*
 * The entry names of directory @path, without "." and "..": a GStrv, or NULL with @error
 * set (ENOENT, ENOTDIR). A pool that is not running lists nothing (L1).
 */
char **map_list(OpsConnection *conn, const char *path, GError **error);

/* What stat shows where libvirt says nothing: the mounting user and the mount time. */
typedef struct {
    uid_t uid;
    gid_t gid;
    struct timespec mounted;
} MapDefaults;

/* Fills @st for @node (L1-L3): sizes, blocks, modes, owners and times. */
void map_node_stat(const MapNode *node, const MapDefaults *defaults, struct stat *st);

/* Fills @st with pool @pool's capacity and free space (L4), or with zeros for NULL. */
void map_pool_statvfs(const OpsPool *pool, struct statvfs *st);

/*
 * The full names ("user.libvirt.capacity", ...) of @node's extended attributes (V7), in
 * the order getfattr shows them: a new GStrv, empty for the root and the XML files.
 */
char **map_xattr_names(const MapNode *node);

/*
 * The value of extended attribute @name of @node: a new string, or NULL with @error set to
 * ENODATA when @node has no such attribute.
 */
char *map_xattr_value(const MapNode *node, const char *name, GError **error);

G_END_DECLS
