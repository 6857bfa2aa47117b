/*
 * Strategic merge patches, as Kubernetes applies them to the objects
 * whose Go types it knows: mappings merge key by key, a null deletes its
 * key, and a list is replaced, unless the type gives it a merge key:
 * then its items merge with the items that have the same value there,
 * and new items take the places Kubernetes gives them.
 */
#ifndef MESH_SMP_H
#define MESH_SMP_H

#include "node.h"

/*
 * A list with a merge key: path is the dotted chain of mapping keys from
 * the patched object's root (list items add nothing: a container's env
 * is "spec.template.spec.containers.env"), key the items' merge key.
 */
struct mesh_smp_key {
	const char *path, *key;
};

struct mesh_smp_err {
	const struct mesh_node *at;	/* the patch node at fault */
	char msg[256];
};

/*
 * Merge patch (from any document; copied) onto *dst, a node of doc at
 * path (the dotted chain of keys from the object's root, "" for the
 * root; NULL *dst when the key is absent), with the merge keys in keys
 * (ended by a NULL path).  Patch directives ($patch, $setElementOrder,
 * $retainKeys, $deleteFromPrimitiveList) are refused, not applied.
 * Returns 0, or -1 with err filled in.
 */
int mesh_smp_apply(struct mesh_doc *doc, struct mesh_node **dst,
    const char *path, const struct mesh_node *patch,
    const struct mesh_smp_key *keys, struct mesh_smp_err *err);

#endif
