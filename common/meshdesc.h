/*
 * The mesh description (DESIGN.md, "A mesh described once"): one
 * meshline.io/v1alpha1 Mesh that names every cluster of a mesh, its
 * network and its role, read with libcyaml and checked for consistency,
 * with defaults filled in.
 */
#ifndef MESH_MESHDESC_H
#define MESH_MESHDESC_H

#include <stdbool.h>
#include <stddef.h>

#include "node.h"

enum mesh_model {
	MESH_MODEL_MULTI_PRIMARY,
	MESH_MODEL_PRIMARY_REMOTE,
	MESH_MODEL_EXTERNAL
};

enum mesh_role {
	MESH_ROLE_UNSET,	/* not given: the model decides */
	MESH_ROLE_PRIMARY,
	MESH_ROLE_REMOTE,
	MESH_ROLE_CONFIG	/* external model: the first remote */
};

struct mesh_cluster {
	char *name;
	char *context;		/* defaults to name */
	char *network;
	enum mesh_role role;
	char *primary;		/* remotes: defaults to the only primary */
	char *discovery_address;
};

struct mesh_external {
	char *context;
	char *address;
	char *tls_secret;	/* defaults to "istiod-tls" */
	char *name;		/* in messages and annotations: "external" */
};

struct mesh_meta {
	char *name;
};

struct mesh_spec {
	char *mesh_id;		/* defaults to metadata.name */
	enum mesh_model model;
	char *istio_namespace;	/* istio-system; external-istiod (external) */
	char *revision;		/* "" when not given */
	char *istio_version;	/* NULL: the guides' own documents */
	struct mesh_external *external;
	struct mesh_cluster *clusters;
	unsigned clusters_count;
};

struct mesh_desc {
	char *api_version;
	char *kind;
	struct mesh_meta metadata;
	struct mesh_spec spec;
	/* not from the schema: where it came from, for messages */
	char *src;
	struct mesh_doc *tree;
};

/*
 * Read and check the mesh description in path ("-": stdin).  Reports
 * every problem as "path:line:col: field: what to do" and returns NULL;
 * else a description with every default filled in (mesh_desc_free).
 */
struct mesh_desc *mesh_desc_load(const char *path);
void mesh_desc_free(struct mesh_desc *d);

/*
 * Report "src:line:col: path: text" at the node path names in the
 * description ("spec.clusters[1].discoveryAddress"), or at the nearest
 * node above it that exists.
 */
void mesh_desc_error(const struct mesh_desc *d, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Mark a document for a cluster of the mesh: the annotations
 * meshline.io/cluster and meshline.io/context (and metadata.name, after
 * the cluster, when it has none, so that kubectl can take it), with
 * metadata placed after kind as kubectl writes it.  The document is then
 * written from its tree.
 */
void mesh_desc_annotate(struct mesh_doc *doc, const char *cluster,
    const char *context);

/* The cluster called name, or NULL. */
const struct mesh_cluster *mesh_desc_cluster(const struct mesh_desc *d,
    const char *name);
/* The primary a remote (or config) cluster reports to, or NULL. */
const struct mesh_cluster *mesh_desc_primary_of(const struct mesh_desc *d,
    const struct mesh_cluster *c);
/* Are the clusters on more than one network? */
bool mesh_desc_multi_network(const struct mesh_desc *d);

#endif
