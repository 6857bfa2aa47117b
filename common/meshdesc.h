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

/* How Istio is installed: spec.installer, or --installer. */
enum mesh_installer {
	MESH_INSTALLER_ISTIOCTL,	/* IstioOperators (the default) */
	MESH_INSTALLER_HELM	/* Helm releases of istio/base, istiod, gateway */
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
	char *istio_version;	/* NULL: the newest release; "guide" */
	enum mesh_installer installer;
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
	int istio_minor;	/* spec.istioVersion's MINOR (istiover.h) */
};

/*
 * Where the values of a description built from flags came from, so that
 * its problems are reported at the flag: the first cluster's name,
 * network and discovery address, the clusters after it (written
 * "flag 'name=network'"), the external address and the namespace.
 */
struct mesh_desc_flags {
	const char *cluster, *network, *discovery_address, *peer;
	const char *address, *istio_namespace;
};

/* What an address may be (mesh_desc_check_address). */
enum {
	MESH_ADDR_HOST = 1 << 0,	/* a host name */
	MESH_ADDR_IP = 1 << 1		/* an IPv4 or IPv6 address */
};

/*
 * Read and check the mesh description in path ("-": stdin).  Reports
 * every problem as "path:line:col: field: what to do" and returns NULL;
 * else a description with every default filled in (mesh_desc_free).
 */
struct mesh_desc *mesh_desc_load(const char *path);
void mesh_desc_free(struct mesh_desc *d);

/*
 * A description built from flags, not read (mesh_desc_free): the model,
 * the Istio namespace and, when not NULL, the external control plane's
 * address.  Clusters are added with mesh_desc_add; the strings are
 * copied.
 */
struct mesh_desc *mesh_desc_new(enum mesh_model model,
    const char *istio_namespace, const char *address);
/* Add a cluster (network and discovery_address may be NULL). */
void mesh_desc_add(struct mesh_desc *d, const char *name, const char *network,
    const char *discovery_address);

/*
 * Check a description made by mesh_desc_new with the checks that
 * mesh_desc_load runs on every value (names, networks, addresses, the
 * namespace), except that a cluster name is an Istio cluster ID (upper
 * case allowed: nothing is named after it) and a missing network is the
 * caller's to require.  Each problem is reported as "flag: text", the
 * flag named by flags; returns 0, or -1 after the reports.
 */
int mesh_desc_check_flags(const struct mesh_desc *d,
    const struct mesh_desc_flags *flags);

/*
 * The one check of an address: a host name (dot-separated labels of
 * letters, digits and '-', at most 253 characters, the last label not
 * all digits) or an IPv4 or IPv6 address, with no scheme, port, path,
 * brackets or space.  Returns MESH_ADDR_HOST or MESH_ADDR_IP, for what
 * s is, when allow holds that bit; otherwise 0, with what is wrong in
 * why (n bytes), worded to follow the quoted value ("is not a host
 * name: ...").  Prints nothing.
 */
int mesh_desc_check_address(const char *s, unsigned allow, char *why,
    size_t n);
/* The same for the value of flag: 0, or -1 after "flag: 's' why". */
int mesh_desc_check_address_flag(const char *flag, const char *s,
    unsigned allow);

/*
 * The MINOR of an --istio-version value (flag), "1.MINOR[.PATCH]" or
 * "guide" (MESH_ISTIO_GUIDE, istiover.h); -1 after "invalid value for 'flag': ..." (a usage error).
 */
int mesh_desc_istio_version_flag(const char *flag, const char *arg);

/*
 * The release d is rendered for: --istio-version's minor over the file's
 * spec.istioVersion (MESH_ISTIO_UNSET: the file's stays).  Then the one
 * check that needs the release: spec.external.address may be an IP
 * address only for a release with the IP-address variant.  0, or -1
 * after the report.  A program that renders calls it after
 * mesh_desc_load, whether or not --istio-version was given.
 */
int mesh_desc_set_istio_minor(struct mesh_desc *d, int minor);

/*
 * Is d's external istiod reached at an IP address (spec.external.address,
 * for a release that has the IP-address variant)?
 */
bool mesh_desc_external_ip(const struct mesh_desc *d);

/*
 * Is name (NULL: all of them) a cluster of d, or its external control
 * plane?  0, or -1 after a report that names the clusters there are.
 */
int mesh_desc_check_cluster(const struct mesh_desc *d, const char *name);

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
/* Is c a primary whose istiod some remote uses (c may be NULL)? */
bool mesh_desc_has_remotes(const struct mesh_desc *d,
    const struct mesh_cluster *c);
/* Are the clusters on more than one network? */
bool mesh_desc_multi_network(const struct mesh_desc *d);

#endif
