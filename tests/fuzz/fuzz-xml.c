/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzzes the XML parser of pools and volumes (ops/xml.c), which reads user-written XML. */
#include <stdint.h>

#include "ops/ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = g_strndup((const char *)data, size);
    g_autoptr(OpsVolume) volume = ops_volume_parse_xml(xml, NULL);
    g_autoptr(OpsPool) pool = ops_pool_new();

    ops_pool_parse_xml(xml, pool, NULL);
    if (volume)
        g_assert_nonnull(volume->name);
    return 0;
}
