/*
 * istioctl's deep merge: mapping onto mapping recursively, everything
 * else replaced whole.
 */
#include <string.h>

#include "merge.h"
#include "node.h"

/*
 * Past this many keys on either side, a merge looks keys up in an index
 * of the target's, kept with the document for the next merge (many
 * small overlays onto one large mapping), rather than scan them all.
 */
#define INDEX_KEYS 16

struct mesh_node *
mesh_merge(struct mesh_doc *doc, struct mesh_node *dst,
    const struct mesh_node *src)
{
	struct mesh_keyidx *x = NULL;
	size_t i;

	if (!mesh_is_map(dst) || !mesh_is_map(src))
		return mesh_node_copy(doc, src);
	if (mesh_map_len(src) > INDEX_KEYS || mesh_map_len(dst) > INDEX_KEYS)
		x = mesh_doc_keyidx(doc, dst);
	for (i = 0; i < mesh_map_len(src); i++) {
		const struct mesh_node *k = mesh_map_key(src, i);
		const struct mesh_node *v = mesh_map_value(src, i);
		long j = -1;

		if (k->type == MESH_SCALAR)
			j = x != NULL ? mesh_keyidx_find(x, k->u.s.text,
			    k->u.s.len) : mesh_map_find(dst, k->u.s.text);
		if (j >= 0) {
			dst->u.c.v[2 * j + 1] = mesh_merge(doc,
			    mesh_map_value(dst, (size_t)j), v);
		} else {
			mesh_map_append(doc, dst, mesh_node_copy(doc, k),
			    mesh_node_copy(doc, v));
			if (x != NULL)
				mesh_keyidx_add(x, mesh_map_len(dst) - 1);
		}
	}
	return dst;
}
