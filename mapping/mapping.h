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
 *   /.errors          the most recent failures (E2)
 *   /OTHER            scratch files: editors' temporary files, held in memory
 * Where a pool is itself named "X.xml", its directory wins over pool X's definition.
 */
#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>

#include "ops/ops.h"

G_BEGIN_DECLS

/* The I/O size a volume's st_blksize suggests where it is read and written in place, and the
 * largest FUSE request (fs_init). */
#define MAP_IO_SIZE (1024 * 1024)
/* The I/O size st_blksize suggests where volumes go through libvirt streams: one stream
 * message (libvirt sends 256 KiB at most). A read of 1 MiB waits for four messages, then
 * copies them all to the reader at once, while a read of one message overlaps that copy
 * with the next message's arrival: `cat` through streams went from 0.88x to 1.05x of `virsh
 * vol-download` (scripts/bench). */
#define MAP_STREAM_IO_SIZE (256 * 1024)

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

/* The format a new volume called @name is made in, by its extension (V1): "qcow2" for
 * NAME.qcow2, and so on; "raw" for .raw, .img, .iso and anything else. A static string. */
const char *map_volume_format(const char *name);

/*
 * Scratch files (mapping/scratch.c): plain files in memory beside the pools' definitions,
 * for editors' and tools' temporary files. Thread-safe.
 */
typedef struct _MapScratch MapScratch;
typedef struct _MapScratchFile MapScratchFile;

MapScratch *map_scratch_new(void);
void map_scratch_free(MapScratch *scratch);
/* The file called @name: a new reference, or NULL. */
MapScratchFile *map_scratch_lookup(MapScratch *scratch, const char *name);
/* Makes file @name holding a copy of @content (NULL: empty): a new reference, or EEXIST, or
 * ENOSPC past the number of files the store holds. */
MapScratchFile *map_scratch_create(MapScratch *scratch, const char *name, mode_t mode, uid_t uid,
                                   gid_t gid, GBytes *content, GError **error);
/* Removes the name @name (open references live on); ENOENT. */
gboolean map_scratch_remove(MapScratch *scratch, const char *name, GError **error);
/* Moves file @from to @to, replacing any file there; ENOENT. */
gboolean map_scratch_rename(MapScratch *scratch, const char *from, const char *to, GError **error);
/* Every name, unsorted: a GStrv. */
char **map_scratch_names(MapScratch *scratch);

/* A file of no name, outside any store, holding a copy of @content (NULL: empty). */
MapScratchFile *map_scratch_file_new(mode_t mode, uid_t uid, gid_t gid, GBytes *content);
MapScratchFile *map_scratch_file_ref(MapScratchFile *file);
void map_scratch_file_unref(MapScratchFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MapScratchFile, map_scratch_file_unref)
void map_scratch_file_stat(MapScratchFile *file, struct stat *st);
/* Copies up to @size bytes at @offset into @buf; returns how many (0 past the end). */
gsize map_scratch_file_read(MapScratchFile *file, char *buf, gsize size, goffset offset);
/* Writes @size bytes at @offset, growing the file; EFBIG past the limit of a scratch file,
 * ENOSPC past what all of them may hold together. Truncating fails alike. */
gboolean map_scratch_file_write(MapScratchFile *file, const char *buf, gsize size, goffset offset,
                                GError **error);
gboolean map_scratch_file_truncate(MapScratchFile *file, guint64 length, GError **error);

/* What chmod, chown and utimensat change; -1 owners and UTIME_OMIT times are left alone. */
typedef struct {
    gboolean set_mode;
    mode_t mode;
    uid_t uid;
    gid_t gid;
    struct timespec atime;
    struct timespec mtime;
} MapScratchAttr;
void map_scratch_file_set_attr(MapScratchFile *file, const MapScratchAttr *attr);
/* Forgets that @file was written: map_scratch_file_text's @dirty is FALSE until written. */
void map_scratch_file_mark_clean(MapScratchFile *file);
/*
 * The whole content as text, and in @dirty whether it was written since created or marked
 * clean: a new string, or NULL with EINVAL if it holds a NUL byte.
 */
char *map_scratch_file_text(MapScratchFile *file, gboolean *dirty, GError **error);

/*
 * The metadata cache (mapping/cache.c): records (shared) and listings (copied), fresh for a
 * time to live. Keys: a pool's name (MAP_CACHE_POOL), "POOL/VOLUME" (MAP_CACHE_VOLUME), a
 * pool's directory "/POOL" (MAP_CACHE_VOLUMES, its volumes: a GPtrArray of OpsVolume, shared
 * as records are), a directory's path (MAP_CACHE_LIST, a GStrv of names). Thread-safe.
 */
typedef enum {
    MAP_CACHE_POOL,
    MAP_CACHE_VOLUME,
    MAP_CACHE_VOLUMES,
    MAP_CACHE_LIST, /* the last */
} MapCacheKind;

typedef struct _MapCache MapCache;

/* A cache whose entries live @ttl_seconds; 0 caches nothing. */
MapCache *map_cache_new(guint ttl_seconds);
void map_cache_free(MapCache *cache);
/* The fresh value under @key: a reference to the record or array of records (for
 * ops_pool_unref, ops_volume_unref, g_ptr_array_unref) or a copy of the listing (for
 * g_strfreev); NULL if none is fresh. */
gpointer map_cache_get(MapCache *cache, MapCacheKind kind, const char *key);
/* Stores @value under @key: a reference to the record or array, or a copy of the listing. */
void map_cache_put(MapCache *cache, MapCacheKind kind, const char *key, gpointer value);
void map_cache_forget(MapCache *cache, MapCacheKind kind, const char *key);
/* Forgets every entry of @kind whose key starts with @prefix. */
void map_cache_forget_prefix(MapCache *cache, MapCacheKind kind, const char *prefix);

/* The mapping of one connection: what every lookup needs. */
typedef struct {
    OpsConnection *conn; /* not owned */
    gboolean in_place;   /* volume files may be read from here (direct=auto) */
    MapCache *cache;
    MapScratch *scratch;
    GMutex lock;                     /* guards the ten below */
    GHashTable *volume_states;       /* "POOL/NAME" -> MapVolumeState, settled ones absent */
    GHashTable *volume_changes;      /* "POOL/NAME" -> the number of its last change, if any */
    GHashTable *volume_ends;         /* "POOL/NAME" -> guint64: the end of what open files wrote */
    GHashTable *replacing;           /* "POOL/NAME" of the volumes being replaced */
    GHashTable *replacements;        /* "POOL/NAME" -> the number of its last replacement */
    GCond replaced;                  /* signalled when one is no longer */
    GHashTable *removed_definitions; /* pool -> gint64: until when its NAME.xml is hidden */
    GHashTable *seen_definitions;    /* pool -> its definition as last seen, and since when */
    guint last_change;               /* the number of the last change to any volume */
    guint last_forgotten;            /* a number taken when entries were last forgotten */
} MapTree;

/*
 * unlink of NAME.xml (mapping/definitions.c): the pool stays defined, and its definition file
 * is hidden from lookups and listings for MAP_REMOVED_DEFINITION_SECONDS, or until restored
 * (a new NAME.xml is defined), so that tools that remove a file before writing it anew can
 * create a new one in its place (P3). Thread-safe.
 */
#define MAP_REMOVED_DEFINITION_SECONDS 30
void map_definition_removed(MapTree *tree, const char *pool);
void map_definition_restored(MapTree *tree, const char *pool);
gboolean map_definition_is_removed(MapTree *tree, const char *pool);

/*
 * When the mount first saw pool @pool's definition as @xml (a different one before, or none),
 * for NAME.xml's modification time (L3), so that tools which compare times (rsync, make) see
 * a definition change even where its size stays. Thread-safe.
 */
struct timespec map_definition_seen(MapTree *tree, const char *pool, const char *xml);

/* The mapping of @conn, caching what libvirt says for @cache_ttl seconds; listings may
 * read volume files from here where @in_place. */
MapTree *map_tree_new(OpsConnection *conn, guint cache_ttl, gboolean in_place);
void map_tree_free(MapTree *tree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MapTree, map_tree_free)

/* What the mount knows of a volume beyond what libvirt says (mapping/volume-state.c). */
typedef enum {
    MAP_VOLUME_SETTLED, /* nothing particular */
    MAP_VOLUME_NEW,     /* made by the mount, not yet sized or written: it may still take a
                           size (size first) or become the bytes written into it (V1) */
    MAP_VOLUME_FILLING, /* bytes were written first: libvirt must probe its format */
    MAP_VOLUME_UNSIZED, /* made by the mount in a pool whose volumes libvirt makes only of a
                           given size (ops_pool_type_sizes_volumes): none yet, until sized */
} MapVolumeState;

/* Volume @name of pool @pool's state. Thread-safe. */
MapVolumeState map_volume_state(MapTree *tree, const char *pool, const char *name);
void map_volume_set_state(MapTree *tree, const char *pool, const char *name, MapVolumeState state);
/*
 * Changes to volume @name's bytes made through the mount (written and flushed, resized,
 * emptied, cloned or renamed onto), told by map_volume_changed: map_volume_changes is the
 * number of the last one, never given to another change of any volume; for a volume with
 * none kept, the number taken when changes were last forgotten, or 0 if never. An open file
 * that read ahead of the volume compares it to forget what it read before a change.
 * Thread-safe.
 */
guint map_volume_changes(MapTree *tree, const char *pool, const char *name);
void map_volume_changed(MapTree *tree, const char *pool, const char *name);
/*
 * Bytes up to @end were written into volume @name through an open file, not yet flushed:
 * libvirt, and the cache, may still tell a smaller size. map_volume_written_end is the
 * furthest such end (0 if none) until the next map_volume_changed (the flush, or a resize)
 * or map_volume_forget, which libvirt is asked anew after. Thread-safe.
 */
void map_volume_wrote(MapTree *tree, const char *pool, const char *name, guint64 end);
guint64 map_volume_written_end(MapTree *tree, const char *pool, const char *name);
/*
 * A volume replaced by a new one (O_TRUNC: deleted, then made again) is missing in between:
 * what looks for it meanwhile (map_lookup, a flush checking it is still there) waits for the
 * replacement with map_volume_await, so that another opener or writer of it does not find
 * it gone (E1, V5). map_volume_replacing marks it, once no other replacement of it is under
 * way; map_volume_replaced ends the mark, @done telling whether the volume was replaced.
 * map_volume_await answers, once none is under way, the number of the last replacement done
 * (a number no other change of any volume takes; 0 if none), which an open file compares to
 * follow it. A volume that is deleted keeps its number, so that a file open on it keeps what
 * it has. Thread-safe.
 */
void map_volume_replacing(MapTree *tree, const char *pool, const char *name);
void map_volume_replaced(MapTree *tree, const char *pool, const char *name, gboolean done);
guint map_volume_await(MapTree *tree, const char *pool, const char *name);
/*
 * Whether a failure to find volume @name (@error) may be a replacement's that began after
 * @mark (map_volume_await's answer, its number then): ENOENT while one is under way or since
 * done. Then it waits for it, sets @mark anew and answers TRUE: worth trying again.
 */
gboolean map_volume_retry(MapTree *tree, const char *pool, const char *name, guint *mark,
                          const GError *error);
/* Volume @name of pool @pool is gone: what the mount knew of it (state, changes) goes. */
void map_volume_forget(MapTree *tree, const char *pool, const char *name);
/* Settles every volume of pool @pool, and forgets their changes: it is gone, or stopped. */
void map_volume_settle_pool(MapTree *tree, const char *pool);
/* The unsized volumes of pool @pool, which only the mount knows, while the pool runs (a pool
 * that does not run forgets them; it is asked of libvirt only where it has some): a sorted
 * GStrv to free. */
char **map_unsized_names(MapTree *tree, const char *pool);

/* The file at the root where the most recent failures can be read (E2). */
#define MAP_ERROR_LOG_NAME ".errors"

typedef enum {
    MAP_NODE_ROOT,
    MAP_NODE_POOL,      /* @pool set */
    MAP_NODE_POOL_XML,  /* @pool set */
    MAP_NODE_VOLUME,    /* @volume set */
    MAP_NODE_SCRATCH,   /* @scratch set */
    MAP_NODE_ERROR_LOG, /* MAP_ERROR_LOG_NAME */
} MapNodeKind;

/* What a path of the mount is, with the records needed to describe it. */
typedef struct {
    MapNodeKind kind;
    OpsPool *pool;
    struct timespec defined; /* with @pool: map_definition_seen of its definition */
    OpsVolume *volume;
    MapScratchFile *scratch;
} MapNode;

void map_node_free(MapNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MapNode, map_node_free)

/*
 * Resolves @path into a new node. NULL with @error set when nothing is there (ENOENT) or
 * libvirt fails. At the root a name is, in this order: the error log, a pool's directory,
 * a pool's definition, a scratch file. Thread-safe.
 */
MapNode *map_lookup(MapTree *tree, const char *path, GError **error);

/*
 * Forgets what the cache holds of what a change touched: volume @name of pool @pool (and the
 * pool's listing and sizes); pool @pool (its record, listing, volumes and the root listing);
 * or whatever @path names (a volume, a pool's directory or definition).
 */
void map_forget_volume(MapTree *tree, const char *pool, const char *name);
void map_forget_pool(MapTree *tree, const char *pool);
void map_forget_path(MapTree *tree, const char *path);

/*
 * The volumes of pool @pool, with what libvirt says of each (for readdirplus), sorted by name:
 * a GPtrArray of OpsVolume that may be the cache's own, so never changed (g_ptr_array_unref
 * it), or NULL with @error set. From the cache while fresh, else all asked of libvirt at
 * once (ops_volume_list) and cached, each volume too; @fetched says which.
 */
GPtrArray *map_list_volumes(MapTree *tree, const char *pool, gboolean *fetched, GError **error);

/* The cache's fresh array of pool @pool's volumes, as map_list_volumes gives it, or NULL:
 * never asks libvirt. Its records are current: the cache forgets the array whenever it
 * forgets one of them. */
GPtrArray *map_cached_volumes(MapTree *tree, const char *pool);

/* As map_lookup, with a volume's every field libvirt's (OpsVolume.described): for what
 * stat does not show, such as its format or XML. */
MapNode *map_lookup_described(MapTree *tree, const char *path, GError **error);

/*
 * The pool that @path lies in (its directory, its definition or one of its volumes): a new
 * record, or NULL with @error set (ENOENT, also for the root).
 */
OpsPool *map_lookup_pool_of(MapTree *tree, const char *path, GError **error);

/*
 * The entry names of directory @path, without "." and "..": a GStrv, or NULL with @error
 * set (ENOENT, ENOTDIR). A pool that is not running lists nothing (L1).
 */
char **map_list(MapTree *tree, const char *path, GError **error);

/*
 * Where `mkdir NAME` places a new dir pool (P1): under @pool_root when given, else beside
 * the target of the pool named "default", else in libvirt's usual images directory for the
 * connection. A new string, or NULL with @error set.
 */
char *map_new_pool_target(MapTree *tree, const char *pool_root, const char *name, GError **error);

/* What stat shows where libvirt says nothing: the mounting user and the mount time; and the
 * st_blksize of volumes: MAP_IO_SIZE, or MAP_STREAM_IO_SIZE where the mount goes through
 * streams (direct=never, a remote daemon). A volume that a local mount cannot reach in
 * place, and so reads through streams, still shows MAP_IO_SIZE. */
typedef struct {
    uid_t uid;
    gid_t gid;
    struct timespec mounted;
    blksize_t io_size;
} MapDefaults;

/* Whether @volume is a directory: libvirt lists the subdirectories of a pool of files (a
 * filesystem's lost+found, say) as volumes of type "dir". The mount shows them as empty
 * directories, which libvirt can remove, and no pool counts them as content. */
gboolean map_volume_is_directory(const OpsVolume *volume);

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

/* A change asked for by writing an extended attribute (P5). */
typedef enum {
    MAP_CHANGE_RUNNING,   /* user.libvirt.state: running (@flag) or inactive */
    MAP_CHANGE_AUTOSTART, /* user.libvirt.autostart: yes (@flag) or no */
    MAP_CHANGE_REFRESH,   /* user.libvirt.refresh: any value */
    MAP_CHANGE_CAPACITY,  /* user.libvirt.capacity of a volume: @bytes */
} MapChangeKind;

typedef struct {
    MapChangeKind kind;
    gboolean flag;
    guint64 bytes;
} MapChange;

/*
 * Reads the change that setting attribute @name of @node to the @size bytes at @value
 * asks for (P5, V7). ENOTSUP for attributes outside user.libvirt.* or of nodes other than
 * pools and volumes, EPERM for read-only ones, EINVAL for a value that is not one of the
 * attribute's. A capacity is a number of bytes, or of KiB, MiB, GiB, TiB with K, M, G, T.
 */
gboolean map_xattr_parse_change(const MapNode *node, const char *name, const char *value,
                                gsize size, MapChange *change, GError **error);

G_END_DECLS
