/*
 * istioctl's deep merge: mapping onto mapping recursively, everything
 * else replaced whole.
 */
#include <string.h>

#include "merge.h"
#include "node.h"

struct mesh_node *
mesh_merge(struct mesh_doc *doc, struct mesh_node *dst,
    const struct mesh_node *src)
{
	size_t i;

	if (!mesh_is_map(dst) || !mesh_is_map(src))
		return mesh_node_copy(doc, src);
	for (i = 0; i < mesh_map_len(src); i++) {
		const struct mesh_node *k = mesh_map_key(src, i);
		const struct mesh_node *v = mesh_map_value(src, i);
		long j = k->type == MESH_SCALAR ?
		    mesh_map_find(dst, k->u.s.text) : -1;

		if (j >= 0)
			dst->u.c.v[2 * j + 1] = mesh_merge(doc,
			    mesh_map_value(dst, (size_t)j), v);
		else
			mesh_map_append(doc, dst, mesh_node_copy(doc, k),
			    mesh_node_copy(doc, v));
	}
	return dst;
}
