/*
 * Reading the mesh description: libcyaml fills the struct by the schema
 * below; then every rule the schema cannot say (names, roles, who reports
 * to whom, what must be known before a remote can be rendered) is checked
 * against our own tree of the same bytes, so each message points at the
 * exact key to fix.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cyaml/cyaml.h>

#include "buf.h"
#include "diag.h"
#include "istiover.h"
#include "meshdesc.h"
#include "node.h"
#include "parse.h"
#include "path.h"
#include "stream.h"
#include "typed.h"
#include "xalloc.h"

static const cyaml_strval_t models[] = {
	{ "multi-primary", MESH_MODEL_MULTI_PRIMARY },
	{ "primary-remote", MESH_MODEL_PRIMARY_REMOTE },
	{ "external", MESH_MODEL_EXTERNAL },
};

static const cyaml_strval_t roles[] = {
	{ "primary", MESH_ROLE_PRIMARY },
	{ "remote", MESH_ROLE_REMOTE },
	{ "config", MESH_ROLE_CONFIG },
};

static const cyaml_strval_t installers[] = {
	{ "istioctl", MESH_INSTALLER_ISTIOCTL },
	{ "helm", MESH_INSTALLER_HELM },
};

#define STR(key, st, member, flags) CYAML_FIELD_STRING_PTR(key,	\
	CYAML_FLAG_POINTER | (flags), st, member, 0, CYAML_UNLIMITED)
#define OPT CYAML_FLAG_OPTIONAL

static const cyaml_schema_field_t cluster_fields[] = {
	STR("name", struct mesh_cluster, name, 0),
	STR("context", struct mesh_cluster, context, OPT),
	STR("network", struct mesh_cluster, network, OPT),
	CYAML_FIELD_ENUM("role", OPT | CYAML_FLAG_STRICT, struct mesh_cluster,
	    role, roles, sizeof(roles) / sizeof(roles[0])),
	STR("primary", struct mesh_cluster, primary, OPT),
	STR("discoveryAddress", struct mesh_cluster, discovery_address, OPT),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t cluster_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct mesh_cluster,
	    cluster_fields),
};

static const cyaml_schema_field_t external_fields[] = {
	STR("context", struct mesh_external, context, OPT),
	STR("address", struct mesh_external, address, OPT),
	STR("tlsSecret", struct mesh_external, tls_secret, OPT),
	STR("name", struct mesh_external, name, OPT),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t spec_fields[] = {
	STR("meshID", struct mesh_spec, mesh_id, OPT),
	CYAML_FIELD_ENUM("model", CYAML_FLAG_STRICT, struct mesh_spec, model,
	    models, sizeof(models) / sizeof(models[0])),
	STR("istioNamespace", struct mesh_spec, istio_namespace, OPT),
	STR("revision", struct mesh_spec, revision, OPT),
	STR("istioVersion", struct mesh_spec, istio_version, OPT),
	CYAML_FIELD_ENUM("installer", OPT | CYAML_FLAG_STRICT, struct mesh_spec,
	    installer, installers, sizeof(installers) / sizeof(installers[0])),
	CYAML_FIELD_MAPPING_PTR("external", CYAML_FLAG_POINTER | OPT,
	    struct mesh_spec, external, external_fields),
	CYAML_FIELD_SEQUENCE("clusters", CYAML_FLAG_POINTER, struct mesh_spec,
	    clusters, &cluster_schema, 1, CYAML_UNLIMITED),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t meta_fields[] = {
	STR("name", struct mesh_meta, name, 0),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t desc_fields[] = {
	STR("apiVersion", struct mesh_desc, api_version, 0),
	STR("kind", struct mesh_desc, kind, 0),
	CYAML_FIELD_MAPPING("metadata", CYAML_FLAG_DEFAULT, struct mesh_desc,
	    metadata, meta_fields),
	CYAML_FIELD_MAPPING("spec", CYAML_FLAG_DEFAULT, struct mesh_desc, spec,
	    spec_fields),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t desc_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct mesh_desc, desc_fields),
};

/*
 * What checking needs: the file's name and tree, or for a description
 * built from flags the flags; and a problem count.
 */
struct check {
	const char *src;
	struct mesh_doc *doc;
	const struct mesh_desc *d;
	const struct mesh_desc_flags *flags;	/* NULL: a file */
	int problems;
};

/* Report msg at the node path names (or the nearest one above it). */
static void
report_at(const char *src, const struct mesh_doc *tree, const char *path,
    const char *msg)
{
	struct mesh_path p;
	struct mesh_path_err err;
	const struct mesh_node *n = tree ? tree->root : NULL;
	char prefix[512];

	snprintf(prefix, sizeof(prefix), "%s", path);
	while (tree != NULL && prefix[0] != '\0') {
		const struct mesh_node *found = NULL;
		char *cut, *br;

		if (mesh_path_parse(prefix, &p, &err) == 0) {
			found = mesh_path_get(tree->root, &p);
			mesh_path_release(&p);
		}
		if (found != NULL) {
			n = found;
			break;
		}
		cut = strrchr(prefix, '.');
		br = strrchr(prefix, '[');
		if (br != NULL && (cut == NULL || br > cut))
			cut = br;
		if (cut == NULL)
			prefix[0] = '\0';
		else
			*cut = '\0';
	}
	mesh_errat(src, n ? n->line : 0, n ? n->col : 0, "%s: %s", path, msg);
}

/*
 * The place a path of the description names: the path itself, or the
 * flag that gave its value.
 */
static const char *
place(const struct check *ck, const char *path, char *buf, size_t n)
{
	const struct mesh_desc_flags *f = ck->flags;
	const struct mesh_cluster *c;
	const char *flag = NULL;
	unsigned i;
	int len = 0;

	if (f == NULL)
		return path;
	if (sscanf(path, "spec.clusters[%u]%n", &i, &len) == 1 && len > 0 &&
	    i < ck->d->spec.clusters_count) {
		c = &ck->d->spec.clusters[i];
		if (i > 0 && f->peer != NULL) {
			snprintf(buf, n, "%s '%s=%s'", f->peer, c->name,
			    c->network ? c->network : "");
			return buf;
		}
		if (strcmp(path + len, ".network") == 0)
			flag = f->network;
		else if (strcmp(path + len, ".discoveryAddress") == 0)
			flag = f->discovery_address;
		else
			flag = f->cluster;
	} else if (strcmp(path, "spec.external.address") == 0) {
		flag = f->address;
	} else if (strcmp(path, "spec.istioNamespace") == 0) {
		flag = f->istio_namespace;
	}
	return flag != NULL ? flag : path;
}

static void
problem(struct check *ck, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct check *ck, const char *path, const char *fmt, ...)
{
	char msg[1024], buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ck->flags != NULL)
		mesh_err(NULL, "%s: %s", place(ck, path, buf, sizeof(buf)),
		    msg);
	else
		report_at(ck->src, ck->doc, path, msg);
	ck->problems++;
}

void
mesh_desc_error(const struct mesh_desc *d, const char *path, const char *fmt,
    ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report_at(d->src, d->tree, path, msg);
}

static char *
dup_or(char *s, const char *dflt)
{
	if (s != NULL)
		return s;
	return xstrdup(dflt);
}

/* Can s go into the injection URL as one part of its path? */
static bool
is_url_part(const char *s)
{
	return strpbrk(s, ":/?#%@[] \t\n") == NULL;
}

/*
 * Every cluster's name, once, and its network.  A file's names become
 * object names, so they are DNS-1123 labels; from flags they are Istio
 * cluster IDs, which may hold upper case.
 */
static void
check_cluster_names(struct check *ck, const struct mesh_desc *d)
{
	unsigned i, j;
	char path[64], other[64], buf[512];

	for (i = 0; i < d->spec.clusters_count; i++) {
		const struct mesh_cluster *c = &d->spec.clusters[i];

		snprintf(path, sizeof(path), "spec.clusters[%u].name", i);
		if (ck->flags == NULL && !mesh_is_dns_label(c->name))
			problem(ck, path, "'%s' is not a DNS-1123 label "
			    "(lower-case letters, digits and '-', at most 63)",
			    c->name);
		else if (ck->flags != NULL &&
		    !mesh_is_label(c->name, strlen(c->name)))
			problem(ck, path, "'%s' is not an Istio cluster ID "
			    "(letters, digits and '-', at most 63)", c->name);
		for (j = 0; j < i; j++) {
			if (strcmp(d->spec.clusters[j].name, c->name) != 0)
				continue;
			snprintf(other, sizeof(other), "spec.clusters[%u]", j);
			problem(ck, path, "cluster '%s' is named twice (also "
			    "%s)", c->name, place(ck, other, buf, sizeof(buf)));
		}
		snprintf(path, sizeof(path), "spec.clusters[%u].network", i);
		if (c->network == NULL) {
			if (ck->flags == NULL) {
				snprintf(path, sizeof(path),
				    "spec.clusters[%u]", i);
				problem(ck, path, "set 'network' (the network "
				    "this cluster's pods are on)");
			}
		} else if (*c->network == '\0') {
			problem(ck, path, "the network name is empty");
		} else if (d->spec.model == MESH_MODEL_EXTERNAL &&
		    !is_url_part(c->network)) {
			problem(ck, path, "'%s' cannot go into the injection "
			    "URL: it must not hold ':', '/', '?', '#', '%%', "
			    "'@', brackets or spaces", c->network);
		}
	}
}

/* Every address given, by the one address check. */
static void
check_addresses(struct check *ck, const struct mesh_desc *d)
{
	const struct mesh_external *x = d->spec.external;
	char path[64], why[256];
	unsigned i;

	for (i = 0; i < d->spec.clusters_count; i++) {
		const char *a = d->spec.clusters[i].discovery_address;

		snprintf(path, sizeof(path),
		    "spec.clusters[%u].discoveryAddress", i);
		if (a != NULL && *a != '\0' && mesh_desc_check_address(a,
		    MESH_ADDR_HOST | MESH_ADDR_IP, why, sizeof(why)) == 0)
			problem(ck, path, "'%s' %s", a, why);
	}
	/*
	 * an IP address is the IP-address variant of the release's page:
	 * from flags, for the release given; in a file, checked once the
	 * release is known (mesh_desc_set_istio_minor)
	 */
	if (x != NULL && x->address != NULL && *x->address != '\0' &&
	    mesh_desc_check_address(x->address, MESH_ADDR_HOST |
	    (ck->flags == NULL || mesh_istio_has(d->istio_minor,
	    MESH_IC_EXTERNAL_IP) ? MESH_ADDR_IP : 0), why, sizeof(why)) == 0)
		problem(ck, "spec.external.address", "'%s' %s", x->address,
		    why);
}

static void
check_namespace(struct check *ck, const struct mesh_desc *d)
{
	const char *ns = d->spec.istio_namespace;

	if (ns != NULL && !mesh_is_dns_label(ns))
		problem(ck, "spec.istioNamespace", "'%s' is not a DNS-1123 "
		    "label (a namespace: lower-case letters, digits and '-', "
		    "at most 63)", ns);
}

static void
default_roles(struct check *ck, struct mesh_desc *d)
{
	unsigned i, nprim = 0;
	char path[64];

	for (i = 0; i < d->spec.clusters_count; i++) {
		struct mesh_cluster *c = &d->spec.clusters[i];

		snprintf(path, sizeof(path), "spec.clusters[%u].role", i);
		switch (d->spec.model) {
		case MESH_MODEL_MULTI_PRIMARY:
			if (c->role == MESH_ROLE_UNSET)
				c->role = MESH_ROLE_PRIMARY;
			if (c->role != MESH_ROLE_PRIMARY)
				problem(ck, path, "every cluster of a "
				    "multi-primary mesh is a primary; use "
				    "model primary-remote for remotes");
			break;
		case MESH_MODEL_PRIMARY_REMOTE:
			/* as in the guides: the first is the primary */
			if (c->role == MESH_ROLE_UNSET)
				c->role = i == 0 && c->primary == NULL ?
				    MESH_ROLE_PRIMARY : MESH_ROLE_REMOTE;
			if (c->role == MESH_ROLE_CONFIG)
				problem(ck, path, "'config' is a role of the "
				    "external model only");
			break;
		case MESH_MODEL_EXTERNAL:
			if (c->role == MESH_ROLE_UNSET)
				c->role = i == 0 ? MESH_ROLE_CONFIG :
				    MESH_ROLE_REMOTE;
			if (c->role == MESH_ROLE_PRIMARY)
				problem(ck, path, "an external control plane "
				    "mesh has no primary: its clusters are "
				    "'config' (the first) and 'remote'");
			if (c->role == MESH_ROLE_CONFIG && i != 0)
				problem(ck, path, "only the first cluster "
				    "serves config");
			break;
		}
		if (c->role == MESH_ROLE_PRIMARY)
			nprim++;
	}
	if (d->spec.model == MESH_MODEL_PRIMARY_REMOTE && nprim == 0)
		problem(ck, "spec.clusters", "a primary-remote mesh needs a "
		    "primary: set role: primary on one cluster");
}

static void
check_primaries(struct check *ck, struct mesh_desc *d)
{
	unsigned i, j, nprim = 0;
	const struct mesh_cluster *only = NULL, *p;
	char path[64];

	if (d->spec.model != MESH_MODEL_PRIMARY_REMOTE)
		return;
	for (j = 0; j < d->spec.clusters_count; j++)
		if (d->spec.clusters[j].role == MESH_ROLE_PRIMARY)
			nprim++, only = &d->spec.clusters[j];
	for (i = 0; i < d->spec.clusters_count; i++) {
		struct mesh_cluster *c = &d->spec.clusters[i];

		snprintf(path, sizeof(path), "spec.clusters[%u].primary", i);
		if (c->role != MESH_ROLE_REMOTE) {
			if (c->primary != NULL)
				problem(ck, path, "only a remote names its "
				    "primary");
			continue;
		}
		if (c->primary == NULL) {
			if (nprim > 1) {
				snprintf(path, sizeof(path),
				    "spec.clusters[%u]", i);
				problem(ck, path, "the mesh has %u primaries: "
				    "set 'primary' to the one remote '%s' "
				    "uses", nprim, c->name);
				continue;
			}
			if (only != NULL)
				c->primary = xstrdup(only->name);
			continue;
		}
		p = mesh_desc_cluster(d, c->primary);
		if (p == NULL)
			problem(ck, path, "no cluster is called '%s'",
			    c->primary);
		else if (p->role != MESH_ROLE_PRIMARY)
			problem(ck, path, "'%s' is not a primary", c->primary);
	}
}

static void
check_external(struct check *ck, struct mesh_desc *d)
{
	struct mesh_external *x = d->spec.external;

	if (d->spec.model != MESH_MODEL_EXTERNAL) {
		if (x != NULL)
			problem(ck, "spec.external", "only the external model "
			    "has an external control plane");
		return;
	}
	if (x == NULL) {
		problem(ck, "spec", "set 'external' (context, address and "
		    "tlsSecret of the external control plane)");
		return;
	}
	if (x->address == NULL || *x->address == '\0')
		problem(ck, "spec.external", "set 'address', the external "
		    "istiod's host name");
	if (x->context == NULL || *x->context == '\0')
		problem(ck, "spec.external", "set 'context', the kubeconfig "
		    "context of the cluster that runs the external istiod");
	/* at an IP address TLS passes through to istiod: no Secret */
	if (x->tls_secret != NULL && x->address != NULL &&
	    mesh_desc_check_address(x->address, MESH_ADDR_IP, NULL, 0) ==
	    MESH_ADDR_IP)
		problem(ck, "spec.external.tlsSecret", "the external control "
		    "plane is at an IP address, where its gateway passes TLS "
		    "through to istiod: it takes no TLS Secret");
	x->tls_secret = dup_or(x->tls_secret, "istiod-tls");
	/* it names a directory of --output-dir, as the clusters do */
	if (x->name != NULL && !mesh_is_dns_label(x->name))
		problem(ck, "spec.external.name", "'%s' is not a DNS-1123 "
		    "label (lower-case letters, digits and '-', at most 63)",
		    x->name);
	x->name = dup_or(x->name, "external");
	if (mesh_desc_cluster(d, x->name) != NULL)
		problem(ck, "spec.external.name", "'%s' is also the name of "
		    "a cluster: give the external control plane another name",
		    x->name);
}

/* Does s hold a control character (a tab, a newline...)? */
static bool
has_control(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/*
 * A kubeconfig context is a name on a command line, in a file name's
 * place of a listing (--steps), in make: no control characters.
 */
static void
check_contexts(struct check *ck, const struct mesh_desc *d)
{
	char path[64];
	unsigned i;

	if (d->spec.external != NULL && has_control(d->spec.external->context))
		problem(ck, "spec.external.context", "a context name holds "
		    "no control character");
	for (i = 0; i < d->spec.clusters_count; i++)
		if (has_control(d->spec.clusters[i].context)) {
			snprintf(path, sizeof(path), "spec.clusters[%u].context",
			    i);
			problem(ck, path, "a context name holds no control "
			    "character");
		}
}

static void
fill_defaults(struct mesh_desc *d)
{
	unsigned i;

	d->spec.mesh_id = dup_or(d->spec.mesh_id, d->metadata.name);
	d->spec.istio_namespace = dup_or(d->spec.istio_namespace,
	    d->spec.model == MESH_MODEL_EXTERNAL ? "external-istiod" :
	    "istio-system");
	d->spec.revision = dup_or(d->spec.revision, "");
	for (i = 0; i < d->spec.clusters_count; i++) {
		struct mesh_cluster *c = &d->spec.clusters[i];

		c->context = dup_or(c->context, c->name);
		c->discovery_address = dup_or(c->discovery_address, "");
	}
}

struct mesh_desc *
mesh_desc_load(const char *path)
{
	struct mesh_buf in = MESH_BUF_INIT;
	struct mesh_limits lim;
	struct mesh_desc *d = NULL;
	struct check ck = { strcmp(path, "-") == 0 ? "<stdin>" : path, NULL,
		NULL, NULL, 0 };

	mesh_limits_init(&lim);
	if (mesh_slurp(path, &in, lim.max_doc_size) == -1)
		goto out;
	/* read once, by the one reader: UTF-16, NULs and all */
	if (mesh_typed_load_tree(ck.src, in.data ? in.data : "", in.len,
	    &desc_schema, NULL, (void **)&d, &ck.doc) == -1)
		goto out;
	ck.d = d;
	if (strcmp(d->api_version, "meshline.io/v1alpha1") != 0)
		problem(&ck, "apiVersion", "'%s' is not meshline.io/v1alpha1",
		    d->api_version);
	if (strcmp(d->kind, "Mesh") != 0)
		problem(&ck, "kind", "'%s' is not Mesh", d->kind);
	if (!mesh_is_dns_label(d->metadata.name))
		problem(&ck, "metadata.name", "'%s' is not a DNS-1123 label",
		    d->metadata.name);
	if (d->spec.revision != NULL && *d->spec.revision != '\0' &&
	    !mesh_is_dns_label(d->spec.revision))
		problem(&ck, "spec.revision", "'%s' is not a DNS-1123 label",
		    d->spec.revision);
	d->istio_minor = MESH_ISTIO_NEWEST;
	if (d->spec.istio_version != NULL && (d->istio_minor =
	    mesh_istio_parse(d->spec.istio_version)) < 0)
		problem(&ck, "spec.istioVersion", "'%s' is not a version "
		    "meshline knows: give %s", d->spec.istio_version,
		    mesh_istio_known());
	check_namespace(&ck, d);
	check_cluster_names(&ck, d);
	check_addresses(&ck, d);
	default_roles(&ck, d);
	check_primaries(&ck, d);
	check_external(&ck, d);
	check_contexts(&ck, d);
	if (ck.problems > 0)
		goto fail;
	fill_defaults(d);
	d->src = xstrdup(ck.src);
	d->tree = ck.doc;
	ck.doc = NULL;
	goto out;
fail:
	mesh_desc_free(d);
	d = NULL;
out:
	mesh_doc_free(ck.doc);
	mesh_buf_release(&in);
	return d;
}

void
mesh_desc_free(struct mesh_desc *d)
{
	if (d == NULL)
		return;
	free(d->src);
	mesh_doc_free(d->tree);
	mesh_typed_free(&desc_schema, d);
}

const struct mesh_cluster *
mesh_desc_cluster(const struct mesh_desc *d, const char *name)
{
	unsigned i;

	for (i = 0; i < d->spec.clusters_count; i++)
		if (strcmp(d->spec.clusters[i].name, name) == 0)
			return &d->spec.clusters[i];
	return NULL;
}

const struct mesh_cluster *
mesh_desc_primary_of(const struct mesh_desc *d, const struct mesh_cluster *c)
{
	return c->primary != NULL ? mesh_desc_cluster(d, c->primary) : NULL;
}

bool
mesh_desc_has_remotes(const struct mesh_desc *d, const struct mesh_cluster *c)
{
	unsigned i;

	if (c == NULL || c->role != MESH_ROLE_PRIMARY)
		return false;
	for (i = 0; i < d->spec.clusters_count; i++)
		if (d->spec.clusters[i].role == MESH_ROLE_REMOTE &&
		    mesh_desc_primary_of(d, &d->spec.clusters[i]) == c)
			return true;
	return false;
}

bool
mesh_desc_multi_network(const struct mesh_desc *d)
{
	unsigned i;

	for (i = 1; i < d->spec.clusters_count; i++)
		if (strcmp(d->spec.clusters[i].network,
		    d->spec.clusters[0].network) != 0)
			return true;
	return false;
}

void
mesh_desc_annotate(struct mesh_doc *doc, const char *cluster,
    const char *context)
{
	long kind = mesh_map_find(doc->root, "kind");

	if (mesh_map_find(doc->root, "metadata") < 0)
		mesh_map_insert(doc, doc->root, kind < 0 ? 0 : (size_t)kind + 1,
		    mesh_str_new(doc, "metadata"), mesh_map_new(doc));
	if (mesh_map_get(mesh_map_get(doc->root, "metadata"), "name") == NULL)
		mesh_path_put(doc, doc->root, "metadata.name",
		    mesh_str_new(doc, cluster));
	mesh_path_put(doc, doc->root,
	    "metadata.annotations.meshline\\.io/cluster",
	    mesh_str_new(doc, cluster));
	mesh_path_put(doc, doc->root,
	    "metadata.annotations.meshline\\.io/context",
	    mesh_str_new(doc, context));
	doc->changed = true;
}

struct mesh_desc *
mesh_desc_new(enum mesh_model model, const char *istio_namespace,
    const char *address)
{
	struct mesh_desc *d = xcalloc(1, sizeof(*d));

	d->spec.model = model;
	d->spec.istio_namespace = xstrdup(istio_namespace);
	if (address != NULL) {
		d->spec.external = xcalloc(1, sizeof(*d->spec.external));
		d->spec.external->address = xstrdup(address);
	}
	return d;
}

void
mesh_desc_add(struct mesh_desc *d, const char *name, const char *network,
    const char *discovery_address)
{
	struct mesh_cluster *c;

	d->spec.clusters = xreallocarray(d->spec.clusters,
	    d->spec.clusters_count + 1, sizeof(*d->spec.clusters));
	c = &d->spec.clusters[d->spec.clusters_count++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->network = network != NULL ? xstrdup(network) : NULL;
	c->discovery_address = discovery_address != NULL ?
	    xstrdup(discovery_address) : NULL;
}

int
mesh_desc_check_flags(const struct mesh_desc *d,
    const struct mesh_desc_flags *flags)
{
	struct check ck = { NULL, NULL, d, flags, 0 };

	check_namespace(&ck, d);
	check_cluster_names(&ck, d);
	check_addresses(&ck, d);
	return ck.problems > 0 ? -1 : 0;
}

static int
bad_address(char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Say what is wrong with an address; returns 0, for "no kind". */
static int
bad_address(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return 0;
}

int
mesh_desc_check_address(const char *s, unsigned allow, char *why, size_t n)
{
	unsigned char ip[16];
	const char *p, *label;
	size_t len;

	if (*s == '\0')
		return bad_address(why, n, "is empty");
	if ((p = strstr(s, "://")) != NULL)
		return bad_address(why, n, "is not an address: '%.*s' is a "
		    "URL's scheme; give the host name alone",
		    (int)(p - s + 3), s);
	for (p = s; *p != '\0'; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return bad_address(why, n, "is not an address: it "
			    "holds a space or a control character");
	if ((p = strchr(s, '/')) != NULL)
		return bad_address(why, n, "is not an address: '%s' is a "
		    "path; give the host name alone", p);
	if (strpbrk(s, "[]") != NULL)
		return bad_address(why, n, "is not an address: brackets "
		    "belong in URLs; give an IPv6 address without them");
	if (inet_pton(AF_INET, s, ip) == 1 || inet_pton(AF_INET6, s, ip) == 1) {
		if (allow & MESH_ADDR_IP)
			return MESH_ADDR_IP;
		return bad_address(why, n, "is an IP address, not a host "
		    "name");
	}
	if ((p = strchr(s, ':')) != NULL) {
		if (strchr(p + 1, ':') != NULL)
			return bad_address(why, n, "is not an address: "
			    "neither a host name nor an IP address");
		if (p[1] != '\0' && strspn(p + 1, "0123456789") ==
		    strlen(p + 1))
			return bad_address(why, n, "is not an address: "
			    "'%s' is a port; give the address alone", p);
		return bad_address(why, n, "is not an address: '%s' is "
		    "neither a port nor part of a host name", p);
	}
	if (*s == '*')
		return bad_address(why, n, "is not an address: a wildcard "
		    "matches host names, it names none");
	if (strlen(s) > 253)
		return bad_address(why, n, "is not a host name: it is longer "
		    "than 253 characters");
	for (label = s; ; label += len + 1) {
		len = strcspn(label, ".");
		if (len == 0)
			return bad_address(why, n, "is not a host name: it "
			    "has an empty label");
		if (!mesh_is_label(label, len))
			return bad_address(why, n, "is not a host name: "
			    "'%.*s' is not a label (letters, digits and '-', "
			    "not first or last, at most 63)", (int)len, label);
		if (label[len] == '\0')
			break;
	}
	/* a last label of digits only is a mistyped IP address */
	if (strspn(label, "0123456789") == len)
		return bad_address(why, n, "is neither an IP address nor a "
		    "host name (its last label is all digits)");
	if (!(allow & MESH_ADDR_HOST))
		return bad_address(why, n, "is a host name, not an IP "
		    "address");
	return MESH_ADDR_HOST;
}

int
mesh_desc_check_address_flag(const char *flag, const char *s, unsigned allow)
{
	char why[256];

	if (mesh_desc_check_address(s, allow, why, sizeof(why)) != 0)
		return 0;
	mesh_err(NULL, "%s: '%s' %s", flag, s, why);
	return -1;
}

bool
mesh_desc_external_ip(const struct mesh_desc *d)
{
	const struct mesh_external *x = d->spec.external;
	char why[256];

	return x != NULL && x->address != NULL &&
	    mesh_istio_has(d->istio_minor, MESH_IC_EXTERNAL_IP) &&
	    mesh_desc_check_address(x->address, MESH_ADDR_IP, why,
	    sizeof(why)) == MESH_ADDR_IP;
}

int
mesh_desc_set_istio_minor(struct mesh_desc *d, int minor)
{
	const struct mesh_external *x = d->spec.external;
	char why[256];

	if (minor != MESH_ISTIO_UNSET)
		d->istio_minor = minor;
	if (x == NULL || x->address == NULL ||
	    mesh_desc_check_address(x->address, MESH_ADDR_HOST |
	    (mesh_istio_has(d->istio_minor, MESH_IC_EXTERNAL_IP) ?
	    MESH_ADDR_IP : 0), why, sizeof(why)) != 0)
		return 0;
	mesh_desc_error(d, "spec.external.address", "'%s' %s", x->address,
	    why);
	return -1;
}

int
mesh_desc_istio_version_flag(const char *flag, const char *arg)
{
	int minor = mesh_istio_parse(arg);

	if (minor < 0)
		mesh_err(NULL, "invalid value for '%s': '%s' (give %s)", flag,
		    arg, mesh_istio_known());
	return minor;
}

int
mesh_desc_check_cluster(const struct mesh_desc *d, const char *name)
{
	struct mesh_buf names = MESH_BUF_INIT;
	const struct mesh_external *x = d->spec.external;
	unsigned i;

	if (name == NULL || mesh_desc_cluster(d, name) != NULL ||
	    (x != NULL && x->name != NULL && strcmp(name, x->name) == 0))
		return 0;
	if (x != NULL && x->name != NULL)
		mesh_buf_adds(&names, x->name);
	for (i = 0; i < d->spec.clusters_count; i++)
		mesh_buf_addf(&names, "%s%s", names.len > 0 ? ", " : "",
		    d->spec.clusters[i].name);
	mesh_err(NULL, "--cluster '%s': %s has no such cluster (it has %s)",
	    name, d->src, names.data);
	mesh_buf_release(&names);
	return -1;
}
