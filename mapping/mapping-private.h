/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What mapping/lookup.c and mapping/listing.c share: the cached answers of ops/ and the
 * unsized volumes. Not for other folders.
 */
#pragma once

#include "mapping/mapping.h"

/* Pool @name, cached or asked for: a new record, or NULL with @error set (ENOENT). */
OpsPool *map_get_pool(MapTree *tree, const char *name, GError **error);
/* Volume @name of pool @pool, cached or asked for: a new record, or NULL with @error. */
OpsVolume *map_get_volume(MapTree *tree, const char *pool, const char *name, GError **error);
/* The names in directory @dir ("/" or "/POOL"), cached or asked for: a GStrv or NULL. */
char **map_get_names(MapTree *tree, const char *dir, const char *pool, GError **error);
/* A value of MapTree.seen_definitions (mapping/definitions.c). */
typedef struct _MapSeenDefinition MapSeenDefinition;
void map_seen_definition_free(MapSeenDefinition *seen);
/* What stat shows of a volume that has no size yet, and so is not in libvirt: a new record. */
OpsVolume *map_unsized_volume(const char *name);
/* The unsized volumes of pool @pool, running or not: a sorted GStrv to free. */
char **map_volume_unsized_names(MapTree *tree, const char *pool);
