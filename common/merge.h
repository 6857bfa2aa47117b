/*
 * Deep merge of one tree onto another, as istioctl merges its -f files:
 * mappings merge key by key, anything else (lists, scalars, an explicit
 * null) replaces what was there.
 */
#ifndef MESH_MERGE_H
#define MESH_MERGE_H

#include "node.h"

/*
 * Merge src (from any document; copied) onto dst (in doc, may be NULL).
 * Returns the merged node: dst itself when both are mappings, else the
 * copy of src.
 */
struct mesh_node *mesh_merge(struct mesh_doc *doc, struct mesh_node *dst,
    const struct mesh_node *src);

#endif
