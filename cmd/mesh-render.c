/*
 * mesh-render: the control-plane IstioOperator that each role of the
 * multicluster and external-control-plane guides writes by hand, for the
 * values given, or every cluster's documents from one mesh description.
 * It reads nothing but its flags (or -f mesh.yaml) and writes a YAML or
 * JSON stream on stdout, all or nothing.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "helmrel.h"
#include "istiover.h"
#include "meshdesc.h"
#include "node.h"
#include "parse.h"
#include "path.h"
#include "route.h"
#include "stream.h"
#include "subst.h"
#include "tmpl.h"
#include "xalloc.h"

#define ISTIO_SYSTEM "istio-system"
#define EXTERNAL_NS "external-istiod"
#define DEFAULT_GATEWAY_PORT 15443

enum role { ROLE_NONE, ROLE_PRIMARY, ROLE_REMOTE, ROLE_EXT_ISTIOD,
	ROLE_EXT_CONFIG, ROLE_EXT_REMOTE };

static const char *const role_names[] = { "", "primary", "remote",
	"external-istiod", "external-config", "external-remote" };

struct peer {
	const char *cluster, *network;
};

struct opts {
	enum role role;
	const char *cluster, *network, *mesh, *pilot_address, *address;
	const char *namespace, *revision, *gateway_service, *mesh_file;
	const char *consumer, *dir;	/* -f: --for, --dir */
	const char *step;		/* -f: --step */
	bool defer, list;		/* -f: --defer, --steps */
	bool fmt_given;			/* -o */
	int installer;		/* --installer: -1 not given, 0 istioctl, 1 helm */
	bool helm;		/* -f: render Helm releases */
	enum mesh_helm_out hout;	/* -o values|helm-install, or objects */
	const char *release;	/* -o values: --release */
	struct mesh_helm_set hset;	/* -o values|helm-install: collected */
	char *gateway_default;	/* the east-west gateway in namespace */
	long long gateway_port;
	int minor;		/* --istio-version (istiover.h) */
	bool has_remotes;	/* primary: --has-remotes, or -f's remotes */
	struct peer *peers;
	size_t npeers;
	enum mesh_format fmt;
};

static struct mesh_node *
spec_of(struct mesh_doc *doc)
{
	return mesh_map_get(doc->root, "spec");
}

/*
 * meshNetworks: each network, in order, lists its clusters and the
 * east-west gateway that leads into it.
 */
static struct mesh_node *
mesh_networks(struct mesh_doc *doc, const struct peer *members, size_t n,
    const char *gateway, long long port)
{
	struct mesh_node *nets = mesh_map_new(doc);
	char buf[32];
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct mesh_node *net, *eps, *gws, *gw, *ep;

		if (mesh_map_get(nets, members[i].network) != NULL)
			continue;
		net = mesh_map_new(doc);
		eps = mesh_seq_new(doc);
		for (j = i; j < n; j++) {
			if (strcmp(members[j].network, members[i].network) != 0)
				continue;
			ep = mesh_map_new(doc);
			mesh_map_set(doc, ep, "fromRegistry",
			    mesh_str_new(doc, members[j].cluster));
			mesh_seq_append(doc, eps, ep);
		}
		gws = mesh_seq_new(doc);
		gw = mesh_map_new(doc);
		mesh_map_set(doc, gw, "registryServiceName",
		    mesh_str_new(doc, gateway));
		snprintf(buf, sizeof(buf), "%lld", port);
		mesh_map_set(doc, gw, "port", mesh_scalar_new(doc, buf,
		    strlen(buf), MESH_T_INT));
		mesh_seq_append(doc, gws, gw);
		mesh_map_set(doc, net, "endpoints", eps);
		mesh_map_set(doc, net, "gateways", gws);
		mesh_map_append(doc, nets, mesh_str_new(doc, members[i].network),
		    net);
	}
	return nets;
}

/*
 * Istio in another namespace than istio-system, as the external guide
 * writes it: the IstioOperator's own namespace, and
 * values.global.istioNamespace, where istioctl installs istiod.
 */
static void
put_namespace(struct mesh_doc *doc, const char *ns)
{
	long kind = mesh_map_find(doc->root, "kind");

	mesh_map_insert(doc, doc->root, kind < 0 ? 0 : (size_t)kind + 1,
	    mesh_str_new(doc, "metadata"), mesh_map_new(doc));
	mesh_path_put(doc, doc->root, "metadata.namespace",
	    mesh_str_new(doc, ns));
	mesh_path_put(doc, spec_of(doc), "values.global.istioNamespace",
	    mesh_str_new(doc, ns));
}

static struct mesh_node *
bool_true(struct mesh_doc *doc)
{
	return mesh_scalar_new(doc, "true", 4, MESH_T_BOOL);
}

/* A primary whose istiod also serves remotes as their external istiod. */
static void
primary_of_remotes(const struct opts *o, struct mesh_doc *doc)
{
	if (mesh_istio_has(o->minor, MESH_IC_EXTERNAL_ISTIOD_VALUE))
		mesh_path_put(doc, spec_of(doc),
		    "values.global.externalIstiod", bool_true(doc));
	else if (mesh_istio_has(o->minor, MESH_IC_PRIMARY_EXTERNAL_ISTIOD))
		mesh_path_put(doc, spec_of(doc),
		    "values.pilot.env.EXTERNAL_ISTIOD", bool_true(doc));
}

/*
 * Is the external istiod reached at an IP address: the IP-address
 * variant of the release's page (check_role and the description refuse
 * an IP address for a release without it)?
 */
static bool
at_ip(const struct opts *o)
{
	char why[256];

	return o->address != NULL &&
	    mesh_istio_has(o->minor, MESH_IC_EXTERNAL_IP) &&
	    mesh_desc_check_address(o->address, MESH_ADDR_IP, why,
	    sizeof(why)) == MESH_ADDR_IP;
}

/*
 * The config cluster as today's page writes it: the remote profile with
 * the config cluster's own ConfigMap and the external istiod's
 * validation webhook, and no base component (configCluster has it).
 */
static void
config_cluster_urls(const struct opts *o, struct mesh_doc *doc)
{
	struct mesh_node *spec = spec_of(doc);
	long i = mesh_map_find(spec, "components");
	char *url;

	if (i >= 0)
		mesh_map_remove(spec, (size_t)i);
	mesh_path_put(doc, spec, "values.pilot.configMap", bool_true(doc));
	/*
	 * at an IP address the webhooks call the remote's istiod Service,
	 * whose endpoint is remotePilotAddress
	 */
	if (at_ip(o))
		return;
	url = xasprintf("https://%s:15017/validate", o->address);
	mesh_path_put(doc, spec, "values.base.validationURL",
	    mesh_str_new(doc, url));
	free(url);
}

/* Put the variable name=value into env (a sequence) at index at. */
static void
env_insert(struct mesh_doc *doc, struct mesh_node *env, size_t at,
    const char *name, const char *value)
{
	struct mesh_node *e = mesh_map_new(doc);
	size_t n = env->u.c.n;

	mesh_map_set(doc, e, "name", mesh_str_new(doc, name));
	mesh_map_set(doc, e, "value", mesh_str_new(doc, value));
	mesh_seq_append(doc, env, e);
	if (at < n) {
		memmove(env->u.c.v + at + 1, env->u.c.v + at,
		    (n - at) * sizeof(*env->u.c.v));
		env->u.c.v[at] = e;
	}
}

/*
 * The external istiod as the release's page writes it: it shares the
 * config cluster's mesh config, watches its own cluster's secrets, runs
 * as the config cluster (its ID and network) and leaves validation to
 * the config cluster.
 */
static void
external_istiod(const struct opts *o, struct mesh_doc *doc,
    const char *cluster, const char *network)
{
	struct mesh_node *spec = spec_of(doc), *env;
	size_t n;

	if (mesh_istio_has(o->minor, MESH_IC_EXTERNAL_ISTIOD_VALUE))
		mesh_path_put(doc, spec, "values.global.externalIstiod",
		    bool_true(doc));
	if (!mesh_istio_has(o->minor, MESH_IC_EXTERNAL_ISTIOD_MULTI))
		return;
	env = mesh_map_get(mesh_map_get(mesh_map_get(mesh_map_get(spec,
	    "components"), "pilot"), "k8s"), "env");
	n = env->u.c.n;
	/* before CLUSTER_ID, the last one */
	env_insert(doc, env, n > 0 ? n - 1 : 0, "LOCAL_CLUSTER_SECRET_WATCHER",
	    "true");
	env_insert(doc, env, n + 1, "SHARED_MESH_CONFIG", "istio");
	mesh_path_put(doc, spec, "values.global.configValidation",
	    mesh_scalar_new(doc, "false", 5, MESH_T_BOOL));
	mesh_path_put(doc, spec, "values.global.multiCluster.clusterName",
	    mesh_str_new(doc, cluster));
	mesh_path_put(doc, spec, "values.global.network",
	    mesh_str_new(doc, network != NULL ? network : ""));
}

/*
 * A remote of the IP-address variant, as the page's sed edit makes it:
 * injectionPath and remotePilotAddress (the external istiod's IP) for
 * injectionURL: the remote profile then makes an istiod Service whose
 * endpoint is that IP, and its webhooks call istiod through it.
 */
static void
remote_at_ip(const struct opts *o, struct mesh_doc *doc, const char *path)
{
	struct mesh_node *values = mesh_map_get(spec_of(doc), "values");
	struct mesh_node *global = mesh_map_get(values, "global");
	struct mesh_node *remote = mesh_map_get(values, "istiodRemote");
	long i = mesh_map_find(remote, "injectionURL");
	long ns = mesh_map_find(global, "istioNamespace");

	if (i >= 0)
		mesh_map_remove(remote, (size_t)i);
	mesh_map_set(doc, remote, "injectionPath", mesh_str_new(doc, path));
	/* after istioNamespace, where the page's sed puts it */
	mesh_map_insert(doc, global, ns < 0 ? 0 : (size_t)ns + 1,
	    mesh_str_new(doc, "remotePilotAddress"),
	    mesh_str_new(doc, o->address));
}

/*
 * The external istiod of the IP-address variant: its proxies trust
 * istiod's own CA (no public roots), and it patches the remote's
 * webhooks by the names Istio gives them there.
 */
static void
external_istiod_at_ip(const struct opts *o, struct mesh_doc *doc)
{
	struct mesh_node *spec = spec_of(doc), *dc, *env;
	const char *rev = o->revision != NULL && *o->revision != '\0' &&
	    strcmp(o->revision, "default") != 0 ? o->revision : NULL;
	char *inject, *validate;
	size_t i;
	long k;

	dc = mesh_map_get(mesh_map_get(spec, "meshConfig"), "defaultConfig");
	if ((k = mesh_map_find(dc, "proxyMetadata")) >= 0)
		mesh_map_remove(dc, (size_t)k);
	inject = xasprintf("istio-sidecar-injector%s%s%s%s", rev ? "-" : "",
	    rev ? rev : "", strcmp(o->namespace, ISTIO_SYSTEM) != 0 ? "-" : "",
	    strcmp(o->namespace, ISTIO_SYSTEM) != 0 ? o->namespace : "");
	validate = xasprintf("istio-validator%s%s-%s", rev ? "-" : "",
	    rev ? rev : "", o->namespace);
	env = mesh_map_get(mesh_map_get(mesh_map_get(mesh_map_get(spec,
	    "components"), "pilot"), "k8s"), "env");
	for (i = 0; env != NULL && i < env->u.c.n; i++) {
		struct mesh_node *e = env->u.c.v[i];
		const char *v = NULL;

		if (mesh_scalar_is(mesh_map_get(e, "name"),
		    "INJECTION_WEBHOOK_CONFIG_NAME"))
			v = inject;
		else if (mesh_scalar_is(mesh_map_get(e, "name"),
		    "VALIDATION_WEBHOOK_CONFIG_NAME"))
			v = validate;
		if (v != NULL)
			mesh_map_set(doc, e, "value", mesh_str_new(doc, v));
	}
	free(inject);
	free(validate);
}

/*
 * A revision's istiod Deployment is istiod-REV: the external istiod's
 * k8s.overlays name it so, or they would patch nothing.
 */
static void
revision_overlays(struct mesh_doc *doc, const char *rev)
{
	struct mesh_node *ovl = mesh_map_get(mesh_map_get(mesh_map_get(
	    mesh_map_get(spec_of(doc), "components"), "pilot"), "k8s"),
	    "overlays");
	char *name = xasprintf("istiod-%s", rev);
	size_t i;

	for (i = 0; mesh_is_seq(ovl) && i < ovl->u.c.n; i++)
		if (mesh_scalar_is(mesh_map_get(ovl->u.c.v[i], "kind"),
		    "Deployment") &&
		    mesh_scalar_is(mesh_map_get(ovl->u.c.v[i], "name"),
		    "istiod"))
			mesh_map_set(doc, ovl->u.c.v[i], "name",
			    mesh_str_new(doc, name));
	free(name);
}

/* One role's document.  NULL after a report. */
static struct mesh_doc *
render_role(const struct opts *o, enum role role, const char *cluster,
    const char *network, const struct peer *members, size_t nmembers)
{
	static const char *const tmpl[] = { NULL, "render/primary",
		"render/remote", "render/external-istiod",
		"render/external-config", "render/external-remote" };
	struct mesh_doc **docs, *doc;
	struct mesh_vars v = { { NULL }, { NULL }, 0 };
	const char *profile = mesh_istio_has(o->minor,
	    MESH_IC_REMOTE_PROFILE) ? "remote" : "external";
	const char *name = tmpl[role];
	char *path, *addr;
	size_t n;

	if (role == ROLE_REMOTE &&
	    mesh_istio_has(o->minor, MESH_IC_REMOTE_INJECTION))
		name = "render/remote-injection";
	path = mesh_istio_has(o->minor, MESH_IC_INJECTION_PATH_URL) ?
	    xasprintf("/inject/cluster/%s/net/%s", cluster,
	    network ? network : "") :
	    xasprintf("/inject/:ENV:cluster=%s:ENV:net=%s", cluster,
	    network ? network : "");
	mesh_vars_add(&v, "INJECTION_PATH", path);
	mesh_vars_add(&v, "MESH", o->mesh);
	mesh_vars_add(&v, "CLUSTER", cluster);
	mesh_vars_add(&v, "NETWORK", network ? network : "");
	mesh_vars_add(&v, "PILOT_ADDRESS", o->pilot_address ? o->pilot_address : "");
	/* host:port: an IPv6 address in brackets */
	addr = at_ip(o) && strchr(o->address, ':') != NULL ?
	    xasprintf("[%s]", o->address) : xstrdup(o->address ? o->address :
	    "");
	mesh_vars_add(&v, "ADDRESS", addr);
	mesh_vars_add(&v, "NAMESPACE", o->namespace);
	mesh_vars_add(&v, "PROFILE", profile);
	n = mesh_template_render(name, mesh_vars_lookup, &v, false, &docs,
	    &n) == -1 ? 0 : n;
	if (n > 0 && at_ip(o) &&
	    (role == ROLE_EXT_CONFIG || role == ROLE_EXT_REMOTE))
		remote_at_ip(o, docs[0], path);
	free(path);
	free(addr);
	if (n == 0)
		return NULL;
	doc = docs[0];
	while (n > 1)
		mesh_doc_free(docs[--n]);
	free(docs);
	if (role == ROLE_PRIMARY &&
	    !mesh_istio_has(o->minor, MESH_IC_NO_MESH_NETWORKS))
		mesh_path_put(doc, spec_of(doc), "values.global.meshNetworks",
		    mesh_networks(doc, members, nmembers, o->gateway_service,
		    o->gateway_port));
	if (role == ROLE_PRIMARY && o->has_remotes)
		primary_of_remotes(o, doc);
	if (role == ROLE_EXT_CONFIG &&
	    mesh_istio_has(o->minor, MESH_IC_CONFIG_CLUSTER_URLS))
		config_cluster_urls(o, doc);
	if (role == ROLE_EXT_ISTIOD)
		external_istiod(o, doc, cluster, network);
	if (role == ROLE_EXT_ISTIOD && at_ip(o))
		external_istiod_at_ip(o, doc);
	/* the external roles' templates carry their namespace */
	if ((role == ROLE_PRIMARY || role == ROLE_REMOTE) &&
	    strcmp(o->namespace, ISTIO_SYSTEM) != 0)
		put_namespace(doc, o->namespace);
	/* the config cluster must make the istiod ServiceAccount that its
	 * remote secret is made from (ERRATA A.7) */
	if (role == ROLE_EXT_CONFIG &&
	    mesh_istio_has(o->minor, MESH_IC_CONFIG_CLUSTER))
		mesh_path_put(doc, spec_of(doc), "values.global.configCluster",
		    mesh_scalar_new(doc, "true", 4, MESH_T_BOOL));
	if (o->revision != NULL && *o->revision != '\0' &&
	    strcmp(o->revision, "default") != 0) {
		mesh_path_put(doc, spec_of(doc), "revision",
		    mesh_str_new(doc, o->revision));
		if (role == ROLE_EXT_ISTIOD)
			revision_overlays(doc, o->revision);
	}
	return doc;
}

static int
put(struct mesh_writer *w, struct mesh_doc *doc)
{
	int rv = doc == NULL ? -1 : mesh_writer_put(w, doc);

	mesh_doc_free(doc);
	return rv;
}

/*
 * The Namespace Istio runs in on cluster c (NULL: the external control
 * plane's), with what the mesh's Istio release reads there: the
 * network of the cluster's pods, in a multicluster mesh on more than
 * one network; and, on a remote (Istio 1.15 and later), the cluster
 * that manages it: its primary, or the one whose ID the external istiod
 * runs as.  NULL after a report.
 */
static struct mesh_doc *
namespace_doc(const struct mesh_desc *d, const struct mesh_cluster *c)
{
	struct mesh_doc **docs, *doc;
	struct mesh_vars v = { { NULL }, { NULL }, 0 };
	const struct mesh_external *x = d->spec.external;
	size_t n;

	mesh_vars_add(&v, "NAMESPACE", d->spec.istio_namespace);
	if (mesh_template_render("render/namespace", mesh_vars_lookup, &v,
	    false, &docs, &n) == -1)
		return NULL;
	doc = docs[0];
	while (n > 1)
		mesh_doc_free(docs[--n]);
	free(docs);
	if (c != NULL && d->spec.model != MESH_MODEL_EXTERNAL &&
	    mesh_desc_multi_network(d))
		mesh_path_put(doc, doc->root, "metadata.labels."
		    "topology\\.istio\\.io/network",
		    mesh_str_new(doc, c->network));
	mesh_desc_annotate(doc, c != NULL ? c->name : x->name,
	    c != NULL ? c->context : x->context);
	if (c != NULL && c->role == MESH_ROLE_REMOTE &&
	    mesh_istio_has(d->istio_minor, MESH_IC_CP_CLUSTERS))
		mesh_path_put(doc, doc->root, "metadata.annotations."
		    "topology\\.istio\\.io/controlPlaneClusters",
		    mesh_str_new(doc, d->spec.model == MESH_MODEL_EXTERNAL ?
		    d->spec.clusters[0].name : mesh_desc_primary_of(d, c)->name));
	return doc;
}

/* Route doc, of step; NULL (after a report) fails. */
static int
route(struct mesh_router *rt, struct mesh_doc *doc, const char *step)
{
	return doc == NULL ? -1 : mesh_router_add(rt, doc, step);
}

static int
run_role(struct opts *o, struct mesh_writer *w)
{
	struct peer *members = xcalloc(o->npeers + 1, sizeof(*members));
	int rv;

	/* this cluster first, then its peers in the order given */
	members[0].cluster = o->cluster;
	members[0].network = o->network;
	if (o->npeers > 0)
		memcpy(members + 1, o->peers, o->npeers * sizeof(*members));
	rv = put(w, render_role(o, o->role, o->cluster, o->network, members,
	    o->npeers + 1));
	free(members);
	return rv;
}

/* Route doc for mesh_helm_deliver. */
static int
route_helm(void *rt, struct mesh_doc *doc, const char *step)
{
	return mesh_router_add(rt, doc, step);
}

/*
 * A cluster's control plane as Helm releases (istio/base, istio/istiod):
 * HelmRelease objects routed, or collected for -o values and -o
 * helm-install.
 */
static int
helm_cluster(struct opts *o, const struct mesh_desc *d,
    const struct mesh_cluster *c, struct mesh_router *rt)
{
	struct mesh_helm_release r[4];

	return mesh_helm_deliver(&o->hset, d, o->hout, o->step, c->name,
	    "control-plane", r, mesh_helm_releases(d, c, "control-plane", r,
	    4), route_helm, rt);
}

/*
 * The external model's IstioOperator doc (freed here), of cluster in
 * step, as the Helm releases that install the same, handed on as by
 * helm_cluster.
 */
static int
helm_iop(struct opts *o, const struct mesh_desc *d, const char *cluster,
    const char *context, struct mesh_doc *doc, const char *step,
    struct mesh_router *rt)
{
	struct mesh_helm_release r[4];
	size_t n;
	int rv;

	if (doc == NULL)
		return -1;
	rv = mesh_helm_from_iop(d, cluster, context, doc, step, r, 4, &n);
	mesh_doc_free(doc);
	return rv == -1 ? -1 : mesh_helm_deliver(&o->hset, d, o->hout,
	    o->step, cluster, step, r, n, route_helm, rt);
}

/* One cluster of the description, or its external control plane. */
static int
run_cluster(struct opts *o, const struct mesh_desc *d, unsigned i,
    const struct peer *members, struct mesh_router *rt, bool namespaces)
{
	const struct mesh_cluster *c = &d->spec.clusters[i], *p;
	struct mesh_doc *doc;
	enum role role;
	char path[96];

	switch (c->role) {
	case MESH_ROLE_PRIMARY:
		role = ROLE_PRIMARY;
		break;
	case MESH_ROLE_CONFIG:
		role = ROLE_EXT_CONFIG;
		break;
	default:
		role = d->spec.model == MESH_MODEL_EXTERNAL ?
		    ROLE_EXT_REMOTE : ROLE_REMOTE;
		break;
	}
	if (role == ROLE_REMOTE) {
		p = mesh_desc_primary_of(d, c);
		if (*c->discovery_address == '\0' && o->defer) {
			mesh_warn(d->src, "the control plane of remote '%s' "
			    "is left for later: it needs the address of the "
			    "east-west gateway of '%s'", c->name, p->name);
			mesh_router_keep(rt, c->name, "control-plane");
			return namespaces ? route(rt, namespace_doc(d, c),
			    "namespace") : 0;
		}
		if (*c->discovery_address == '\0') {
			snprintf(path, sizeof(path),
			    "spec.clusters[%u].discoveryAddress", i);
			mesh_desc_error(d, path, "remote '%s' needs the address "
			    "of the east-west gateway of its primary '%s': "
			    "once it has one (mesh-wait --context %s --for "
			    "address -n %s service/istio-eastwestgateway), "
			    "set it here, or render the remote with "
			    "mesh-render remote --pilot-address", c->name,
			    p->name, p->context, d->spec.istio_namespace);
			return -1;
		}
		o->pilot_address = c->discovery_address;
	}
	/* a primary some remote uses, as --has-remotes says it */
	o->has_remotes = mesh_desc_has_remotes(d, c);
	if (namespaces && route(rt, namespace_doc(d, c), "namespace") == -1)
		return -1;
	if (o->helm && d->spec.model != MESH_MODEL_EXTERNAL)
		return helm_cluster(o, d, c, rt);
	doc = render_role(o, role, c->name, c->network, members,
	    d->spec.clusters_count);
	if (o->helm)
		return helm_iop(o, d, c->name, c->context, doc,
		    "control-plane", rt);
	if (doc == NULL)
		return -1;
	mesh_desc_annotate(doc, c->name, c->context);
	return route(rt, doc, "control-plane");
}

/*
 * Every cluster's documents, routed as --for and --dir say.  The
 * plain stream is the IstioOperators alone, for istioctl install; routed,
 * each cluster's Namespace comes first, for kubectl.
 */
static int
run_mesh(struct opts *o, struct mesh_route *r)
{
	struct mesh_desc *d;
	struct mesh_router *rt = NULL;
	struct peer *members = NULL;
	bool namespaces = !mesh_route_is_plain(r) &&
	    o->hout == MESH_HELM_OUT_OBJECTS;
	unsigned i;
	int rv = -1;

	/* the whole description is checked, whichever cluster is wanted */
	if ((d = mesh_desc_load(o->mesh_file)) == NULL)
		return -1;
	if (mesh_desc_check_cluster(d, o->cluster) == -1)
		goto out;
	/* --istio-version beats the file */
	if (mesh_desc_set_istio_minor(d, o->minor) == -1)
		goto out;
	if (o->list) {
		rv = mesh_route_list(d, o->cluster);
		goto out;
	}
	if (mesh_helm_wanted(d, o->installer, o->hout, &o->helm) == -1)
		goto out;
	rt = mesh_router_new(r, d);
	o->mesh = d->spec.mesh_id;
	o->namespace = d->spec.istio_namespace;
	o->revision = d->spec.revision;
	o->minor = d->istio_minor;
	if (d->spec.external != NULL)
		o->address = d->spec.external->address;
	/* every primary lists the whole mesh, in the description's order */
	members = xcalloc(d->spec.clusters_count, sizeof(*members));
	for (i = 0; i < d->spec.clusters_count; i++) {
		members[i].cluster = d->spec.clusters[i].name;
		members[i].network = d->spec.clusters[i].network;
	}
	o->gateway_service = o->gateway_default = xasprintf(
	    "istio-eastwestgateway.%s.svc.cluster.local", o->namespace);
	o->gateway_port = DEFAULT_GATEWAY_PORT;
	if (d->spec.model == MESH_MODEL_EXTERNAL &&
	    (o->cluster == NULL ||
	    strcmp(o->cluster, d->spec.external->name) == 0)) {
		struct mesh_doc *doc;

		if (namespaces && route(rt, namespace_doc(d, NULL),
		    "namespace") == -1)
			goto out;
		doc = render_role(o, ROLE_EXT_ISTIOD, d->spec.clusters[0].name,
		    d->spec.clusters[0].network, NULL, 0);
		if (o->helm) {
			if (helm_iop(o, d, d->spec.external->name,
			    d->spec.external->context, doc, "external-istiod",
			    rt) == -1)
				goto out;
		} else {
			if (doc == NULL)
				goto out;
			mesh_desc_annotate(doc, d->spec.external->name,
			    d->spec.external->context);
			if (route(rt, doc, "external-istiod") == -1)
				goto out;
		}
	}
	for (i = 0; i < d->spec.clusters_count; i++) {
		if (o->cluster != NULL &&
		    strcmp(o->cluster, d->spec.clusters[i].name) != 0)
			continue;
		if (run_cluster(o, d, i, members, rt, namespaces) == -1)
			goto out;
	}
	o->hset.step = o->step;
	rv = o->hout != MESH_HELM_OUT_OBJECTS ? mesh_helm_print(d, &o->hset,
	    o->hout, o->cluster, o->release) : mesh_router_finish(rt);
out:
	mesh_helm_set_free(&o->hset);
	mesh_router_free(rt);
	free(members);
	mesh_desc_free(d);
	return rv;
}

static const char usage_text[] =
"usage: mesh-render role [-hV] [-o yaml|json] [--address addr] "
	"[--cluster name]\n"
	"                   [--gateway-port port] [--gateway-service "
	"host]\n"
	"                   [--has-remotes] [--istio-version version] "
	"[--mesh id] [-n ns]\n"
	"                   [--network net] [--peer cluster=net] "
	"[--pilot-address addr]\n"
	"                   [--revision rev]\n"
	"       mesh-render -f mesh.yaml [-o yaml|json|values|helm-install] "
	"[--cluster name]\n"
	"                   [--defer] [--dir dir] [--for consumer] "
	"[--installer istioctl|helm]\n"
	"                   [--istio-version version] [--release name] "
	"[--step step]\n"
	"       mesh-render -f mesh.yaml --steps [--cluster name]\n";

static const char help_text[] =
"\n"
	"Print the control-plane IstioOperator of one role of the "
	"Istio multicluster\nand external control plane guides, or "
	"of every cluster of a mesh description.\n\n"
	"Roles (primary, remote, external-istiod, external-config, "
	"external-remote):\n"
	"  primary          --cluster --network [--mesh] "
	"[--namespace]\n"
	"                   [--peer cluster=net]... [--has-remotes]\n"
	"  remote           --cluster --network --pilot-address "
	"[--mesh] [--namespace]\n"
	"  external-istiod  --cluster --address --network "
	"[--namespace] [--mesh]\n"
	"  external-config  --cluster --address --network "
	"[--namespace]\n"
	"  external-remote  --cluster --address --network "
	"[--namespace]\n\n"
	"  -f, --filename mesh.yaml    render every cluster of a "
	"mesh description\n"
	"      --cluster name          the cluster (with -f: only "
	"its documents)\n"
	"      --dir dir               with -f: write "
	"dir/CLUSTER/NN-STEP.CONSUMER.yaml,\n"
	"                              in install order, "
	"Namespaces too\n"
	"      --for consumer          with -f: only the documents "
	"for istioctl, kubectl\n"
	"                              (the Namespaces) or helm\n"
	"      --step step             with -f: only that step's "
	"documents (namespace,\n"
	"                              control-plane, "
	"external-istiod)\n"
	"      --defer                 with -f: a remote whose "
	"discoveryAddress is not\n"
	"                              known yet: its control "
	"plane left out, with a\n"
	"                              warning, its Namespace "
	"kept\n"
	"      --steps                 with -f: list the mesh's "
	"steps in install order,\n"
	"                              a line each: NN step "
	"cluster context program\n"
	"                              when after (no --dir, "
	"--for, --step, --defer, -o)\n"
	"      --installer istioctl|helm  with -f: IstioOperators, or "
	"the Helm releases\n"
	"                              of istio/base and istio/istiod "
	"(spec.installer)\n"
	"      --release name          with -f -o values: the Helm "
	"release (--cluster too)\n"
	"      --network net           the cluster's network\n"
	"      --mesh id               the mesh ID (mesh1)\n"
	"      --peer cluster=net      another cluster of the mesh "
	"(repeatable)\n"
	"      --has-remotes           primary: remotes use its "
	"istiod (externalIstiod)\n"
	"      --gateway-service host  east-west gateway in "
	"meshNetworks (in --namespace)\n"
	"      --gateway-port port     its port (15443)\n"
	"      --pilot-address addr    the primary's east-west "
	"gateway address\n"
	"      --address addr          the external istiod's host "
	"name\n"
	"                              (or, from Istio 1.22, its IP "
	"address)\n"
	"  -n, --namespace ns          where Istio runs "
	"(istio-system; external-*:\n"
	"                              external-istiod)\n"
	"      --revision rev          an Istio revision\n"
	"      --istio-version 1.N     what that Istio release's "
	"guides prescribe (1.30);\n"
	"                              guide: the old guides' "
	"heredocs\n"
	"  -o, --output yaml|json      output format (yaml); with -f "
	"and Helm also\n"
	"                              values (one release's) or "
	"helm-install (a script)\n"
	"  -h, --help                  show this help\n"
	"  -V, --version               show the version\n\n"
	"'mesh-render ROLE --help' describes a role's options.\n"
	"See mesh-render(1).\n";

/* What each role takes, in the usage form mesh_sub_help() reads. */
static const char role_usage[] =
	"usage: mesh-render primary --cluster name --network net [-hV] "
	"[-o yaml|json]\n"
	"           [--gateway-port port] [--gateway-service host] "
	"[--has-remotes]\n"
	"           [--istio-version version] [--mesh id] [-n ns] "
	"[--peer cluster=net]\n"
	"           [--revision rev]\n"
	"       mesh-render remote --cluster name --network net --pilot-address "
	"addr\n"
	"           [-hV] [-o yaml|json] [--istio-version version] [--mesh id] "
	"[-n ns]\n"
	"           [--revision rev]\n"
	"       mesh-render external-istiod --cluster name --address addr "
	"--network net\n"
	"           [-hV] [-o yaml|json] [--istio-version version] [--mesh id] "
	"[-n ns]\n"
	"           [--revision rev]\n"
	"       mesh-render external-config|external-remote --cluster name "
	"--address addr\n"
	"           --network net [-hV] [-o yaml|json] [--istio-version version] "
	"[-n ns]\n"
	"           [--revision rev]\n";

static _Noreturn void
usage(int status)
{
	FILE *f = status == MESH_EXIT_OK ? stdout : stderr;

	fputs(usage_text, f);
	if (status == MESH_EXIT_OK)
		fputs(help_text, f);
	if (status == MESH_EXIT_OK)
		mesh_close_stdout();
	exit(status);
}

/* --- argument checks, all usage errors ------------------------------ */

static int
need(const struct opts *o, const char *value, const char *flag)
{
	if (value == NULL || *value == '\0') {
		mesh_err(NULL, "%s needs %s", role_names[o->role], flag);
		return -1;
	}
	return 0;
}

static int
refuse(const struct opts *o, const void *value, const char *flag)
{
	if (value != NULL) {
		mesh_err(NULL, "%s does not take %s", o->role == ROLE_NONE ?
		    "-f" : role_names[o->role], flag);
		return -1;
	}
	return 0;
}

/* -f's Helm options: what -o values and -o helm-install take. */
static int
check_helm(const struct opts *o)
{
	const char *form = o->hout == MESH_HELM_OUT_VALUES ? "-o values" :
	    "-o helm-install";

	if (o->hout == MESH_HELM_OUT_OBJECTS) {
		if (o->release != NULL) {
			mesh_err(NULL, "--release names the release whose "
			    "values -o values prints");
			return -1;
		}
		return 0;
	}
	if (o->installer == 0) {
		mesh_err(NULL, "%s prints Helm releases: not with "
		    "--installer istioctl", form);
		return -1;
	}
	if (o->dir != NULL || o->consumer != NULL || o->list || o->defer) {
		mesh_err(NULL, "%s prints to standard output: it takes none "
		    "of --dir, --for, --steps, --defer", form);
		return -1;
	}
	if (o->hout == MESH_HELM_OUT_VALUES &&
	    (o->cluster == NULL || o->release == NULL)) {
		mesh_err(NULL, "-o values prints one release's values: give "
		    "--cluster and --release");
		return -1;
	}
	if (o->hout == MESH_HELM_OUT_INSTALL && o->release != NULL) {
		mesh_err(NULL, "--release names the release whose values "
		    "-o values prints");
		return -1;
	}
	return 0;
}

static int
check_role(struct opts *o)
{
	const char *peers = o->npeers > 0 ? "" : NULL;
	const char *gw = o->gateway_service != NULL || o->gateway_port != 0 ?
	    "" : NULL;

	if (o->role != ROLE_NONE &&
	    (refuse(o, o->installer != -1 ? "" : NULL, "--installer") == -1 ||
	    refuse(o, o->release, "--release") == -1 ||
	    refuse(o, o->hout != MESH_HELM_OUT_OBJECTS ? "" : NULL,
	    "-o values or -o helm-install") == -1))
		return -1;
	if (o->role == ROLE_NONE && check_helm(o) == -1)
		return -1;
	if (o->role == ROLE_NONE)
		return refuse(o, o->network, "--network") == -1 ||
		    refuse(o, o->mesh, "--mesh") == -1 ||
		    refuse(o, peers, "--peer") == -1 ||
		    refuse(o, gw, "--gateway-service or --gateway-port") == -1 ||
		    refuse(o, o->pilot_address, "--pilot-address") == -1 ||
		    refuse(o, o->address, "--address") == -1 ||
		    refuse(o, o->namespace, "--namespace") == -1 ||
		    refuse(o, o->revision, "--revision") == -1 ||
		    refuse(o, o->has_remotes ? "" : NULL, "--has-remotes") ==
		    -1 ? -1 : 0;
	if (need(o, o->cluster, "--cluster") == -1 ||
	    refuse(o, o->consumer, "--for") == -1 ||
	    refuse(o, o->dir, "--dir") == -1 ||
	    refuse(o, o->step, "--step") == -1 ||
	    refuse(o, o->defer ? "" : NULL, "--defer") == -1 ||
	    refuse(o, o->list ? "" : NULL, "--steps") == -1)
		return -1;
	if (o->role != ROLE_PRIMARY &&
	    (refuse(o, peers, "--peer") == -1 ||
	    refuse(o, gw, "--gateway-service or --gateway-port") == -1))
		return -1;
	if (o->role != ROLE_REMOTE &&
	    refuse(o, o->pilot_address, "--pilot-address") == -1)
		return -1;
	if (o->role != ROLE_PRIMARY &&
	    refuse(o, o->has_remotes ? "" : NULL, "--has-remotes") == -1)
		return -1;
	switch (o->role) {
	case ROLE_PRIMARY:
	case ROLE_REMOTE:
		if (need(o, o->network, "--network") == -1 ||
		    refuse(o, o->address, "--address") == -1)
			return -1;
		if (o->role == ROLE_REMOTE &&
		    need(o, o->pilot_address, "--pilot-address") == -1)
			return -1;
		break;
	case ROLE_EXT_ISTIOD:
		/* it runs as the config cluster, on its network */
		if (need(o, o->address, "--address") == -1 ||
		    (mesh_istio_has(o->minor, MESH_IC_EXTERNAL_ISTIOD_MULTI) ?
		    need(o, o->network, "--network") :
		    refuse(o, o->network, "--network")) == -1)
			return -1;
		break;
	default:
		if (need(o, o->address, "--address") == -1 ||
		    need(o, o->network, "--network") == -1 ||
		    refuse(o, o->mesh, "--mesh") == -1)
			return -1;
		break;
	}
	if (o->mesh == NULL)
		o->mesh = "mesh1";
	if (o->namespace == NULL)
		o->namespace = o->role == ROLE_PRIMARY ||
		    o->role == ROLE_REMOTE ? ISTIO_SYSTEM : EXTERNAL_NS;
	if (o->gateway_service == NULL)
		o->gateway_service = o->gateway_default = xasprintf(
		    "istio-eastwestgateway.%s.svc.cluster.local", o->namespace);
	if (o->gateway_port == 0)
		o->gateway_port = DEFAULT_GATEWAY_PORT;
	return 0;
}

/*
 * The role's values, as the mesh description they would make: the same
 * checks, each problem named by its flag.
 */
static int
check_values(const struct opts *o)
{
	static const struct mesh_desc_flags flags = { "--cluster",
		"--network", "--pilot-address", "--peer", "--address",
		"--namespace" };
	struct mesh_desc *d;
	size_t i;
	int rv;

	d = mesh_desc_new(o->role == ROLE_PRIMARY || o->role == ROLE_REMOTE ?
	    MESH_MODEL_MULTI_PRIMARY : MESH_MODEL_EXTERNAL, o->namespace,
	    o->address);
	/* the release decides whether --address may be an IP address */
	d->istio_minor = mesh_istio_or_default(o->minor);
	mesh_desc_add(d, o->cluster, o->network, o->pilot_address);
	for (i = 0; i < o->npeers; i++)
		mesh_desc_add(d, o->peers[i].cluster, o->peers[i].network,
		    NULL);
	rv = mesh_desc_check_flags(d, &flags);
	mesh_desc_free(d);
	return rv;
}

static int
add_peer(struct opts *o, char *arg)
{
	char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || eq[1] == '\0') {
		mesh_err(NULL, "invalid value for '--peer': '%s' (use "
		    "CLUSTER=NETWORK)", arg);
		return -1;
	}
	*eq = '\0';
	o->peers = xreallocarray(o->peers, o->npeers + 1, sizeof(*o->peers));
	o->peers[o->npeers].cluster = arg;
	o->peers[o->npeers].network = eq + 1;
	o->npeers++;
	return 0;
}

enum { OPT_ADDRESS = 256, OPT_CLUSTER, OPT_DEFER, OPT_DIR, OPT_FOR,
	OPT_INSTALLER, OPT_RELEASE,
	OPT_STEP, OPT_STEPS, OPT_GW_PORT,
	OPT_GW_SERVICE, OPT_HAS_REMOTES, OPT_ISTIO_VERSION, OPT_MESH,
	OPT_NAMESPACE, OPT_NETWORK,
	OPT_PEER, OPT_PILOT_ADDRESS, OPT_REVISION };

/* The steps whose files --dir takes back when a run no longer writes them. */
static const char *const render_steps[] = { "namespace", "control-plane",
	"external-istiod", NULL };

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "address", required_argument, NULL, OPT_ADDRESS },
		{ "cluster", required_argument, NULL, OPT_CLUSTER },
		{ "defer", no_argument, NULL, OPT_DEFER },
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "filename", required_argument, NULL, 'f' },
		{ "for", required_argument, NULL, OPT_FOR },
		{ "gateway-port", required_argument, NULL, OPT_GW_PORT },
		{ "gateway-service", required_argument, NULL, OPT_GW_SERVICE },
		{ "has-remotes", no_argument, NULL, OPT_HAS_REMOTES },
		{ "help", no_argument, NULL, 'h' },
		{ "installer", required_argument, NULL, OPT_INSTALLER },
		{ "istio-version", required_argument, NULL, OPT_ISTIO_VERSION },
		{ "mesh", required_argument, NULL, OPT_MESH },
		{ "namespace", required_argument, NULL, OPT_NAMESPACE },
		{ "network", required_argument, NULL, OPT_NETWORK },
		{ "output", required_argument, NULL, 'o' },
		{ "peer", required_argument, NULL, OPT_PEER },
		{ "pilot-address", required_argument, NULL, OPT_PILOT_ADDRESS },
		{ "release", required_argument, NULL, OPT_RELEASE },
		{ "revision", required_argument, NULL, OPT_REVISION },
		{ "step", required_argument, NULL, OPT_STEP },
		{ "steps", no_argument, NULL, OPT_STEPS },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	struct mesh_route r;
	struct mesh_writer *w;
	enum role guessed;
	size_t i;
	int ch, rv = MESH_EXIT_FAIL;

	mesh_setprogname(argv[0]);
	memset(&o, 0, sizeof(o));
	o.minor = MESH_ISTIO_UNSET;
	o.fmt = MESH_FMT_YAML;
	o.installer = -1;
	opterr = 0;
	guessed = (enum role)mesh_guess_sub(argc, argv, role_names,
	    sizeof(role_names) / sizeof(role_names[0]));
	while ((ch = getopt_long(argc, argv, ":f:hn:o:V", lopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'f':
			o.mesh_file = optarg;
			break;
		case 'h':
			if (guessed == ROLE_NONE)
				usage(MESH_EXIT_OK);
			mesh_sub_help(role_usage, help_text,
			    role_names[guessed]);
		case 'n':
			o.namespace = optarg;
			break;
		case 'o':
			if (mesh_helm_output_parse(optarg, &o.hout) == 0) {
				o.fmt = MESH_FMT_YAML;
				break;
			}
			o.hout = MESH_HELM_OUT_OBJECTS;
			if (mesh_format_parse(optarg) == -1) {
				mesh_err(NULL, "invalid value for '-o': '%s' (use "
				    "yaml, json, values or helm-install)",
				    optarg);
				goto usage;
			}
			(void)mesh_format_option(optarg, &o.fmt);
			o.fmt_given = true;
			break;
		case 'V':
			mesh_istio_version();
		case OPT_ADDRESS:
			o.address = optarg;
			break;
		case OPT_CLUSTER:
			o.cluster = optarg;
			break;
		case OPT_DEFER:
			o.defer = true;
			break;
		case OPT_INSTALLER:
			if (mesh_helm_installer_option(optarg, &o.installer) ==
			    -1)
				goto usage;
			break;
		case OPT_RELEASE:
			o.release = optarg;
			break;
		case OPT_DIR:
			o.dir = optarg;
			break;
		case OPT_STEP:
			if (mesh_route_check_step(optarg) == -1)
				goto usage;
			o.step = optarg;
			break;
		case OPT_STEPS:
			o.list = true;
			break;
		case OPT_FOR:
			o.consumer = optarg;
			break;
		case OPT_GW_PORT:
			if (mesh_parse_num("--gateway-port", optarg, 1, 65535,
			    &o.gateway_port) == -1)
				goto usage;
			break;
		case OPT_GW_SERVICE:
			if (mesh_desc_check_address_flag("--gateway-service",
			    optarg, MESH_ADDR_HOST) == -1)
				goto usage;
			o.gateway_service = optarg;
			break;
		case OPT_HAS_REMOTES:
			o.has_remotes = true;
			break;
		case OPT_ISTIO_VERSION:
			if ((o.minor = mesh_desc_istio_version_flag(
			    "--istio-version", optarg)) < 0)
				goto usage;
			break;
		case OPT_MESH:
			o.mesh = optarg;
			break;
		case OPT_NAMESPACE:
			o.namespace = optarg;
			break;
		case OPT_NETWORK:
			o.network = optarg;
			break;
		case OPT_PEER:
			if (add_peer(&o, optarg) == -1)
				goto usage;
			break;
		case OPT_PILOT_ADDRESS:
			o.pilot_address = optarg;
			break;
		case OPT_REVISION:
			if (*optarg != '\0' && strcmp(optarg, "default") != 0 &&
			    !mesh_is_dns_label(optarg)) {
				mesh_err(NULL, "invalid value for '--revision': "
				    "'%s' (a revision is a DNS-1123 label)",
				    optarg);
				goto usage;
			}
			o.revision = optarg;
			break;
		default:
			mesh_bad_option(argv, ch);
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (o.mesh_file != NULL) {
		if (argc > 0) {
			mesh_err(NULL, "-f renders a whole mesh: '%s' is not "
			    "wanted", argv[0]);
			goto usage;
		}
	} else {
		if (argc == 0) {
			mesh_err(NULL, "name a role (primary, remote, "
			    "external-istiod, external-config, "
			    "external-remote) or give -f mesh.yaml");
			goto usage;
		}
		for (i = 1; i < sizeof(role_names) / sizeof(role_names[0]); i++)
			if (strcmp(argv[0], role_names[i]) == 0)
				o.role = (enum role)i;
		if (o.role == ROLE_NONE) {
			mesh_err(NULL, "unknown role '%s'", argv[0]);
			goto usage;
		}
		if (argc > 1) {
			mesh_err(NULL, "unexpected argument '%s'", argv[1]);
			goto usage;
		}
	}
	if (check_role(&o) == -1 ||
	    (o.role != ROLE_NONE && check_values(&o) == -1))
		goto usage;
	if (mesh_route_init(&r, o.consumer, o.dir, o.cluster, o.fmt) == -1)
		goto usage;
	r.steps = render_steps;
	r.step = o.step;
	if (o.list && (o.dir != NULL || o.consumer != NULL || o.step != NULL ||
	    o.defer || o.fmt_given)) {
		mesh_err(NULL, "--steps lists the steps of the mesh: it takes "
		    "none of --dir, --for, --step, --defer, -o");
		goto usage;
	}
	if (o.role == ROLE_NONE) {
		if (run_mesh(&o, &r) == 0)
			rv = MESH_EXIT_OK;
	} else {
		w = mesh_writer_new(STDOUT_FILENO, o.fmt, false);
		if (run_role(&o, w) == 0 && mesh_writer_finish(w) == 0)
			rv = MESH_EXIT_OK;
		mesh_writer_free(w);
	}
	if (mesh_close_stdout() == -1)
		rv = MESH_EXIT_FAIL;
	free(o.gateway_default);
	free(o.peers);
	return rv;
usage:
	free(o.gateway_default);
	free(o.peers);
	mesh_try_help(guessed != ROLE_NONE ? role_names[guessed] : NULL);
	return MESH_EXIT_USAGE;
}
