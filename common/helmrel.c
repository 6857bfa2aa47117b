/*
 * Helm releases of today's Helm tabs (helmrel.h): which releases each
 * cluster takes, with what values, in one table; and the three forms
 * they are printed in.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "helmrel.h"
#include "istiover.h"
#include "meshdesc.h"
#include "node.h"
#include "path.h"
#include "route.h"
#include "stream.h"
#include "xalloc.h"

#define ISTIO_SYSTEM "istio-system"

/* Where a value comes from. */
enum src {
	S_TRUE,		/* the boolean true */
	S_REMOTE,	/* "remote": the charts' remote profile */
	S_MESH_ID,
	S_CLUSTER,
	S_NETWORK,
	S_INJECTION_PATH,	/* /inject/cluster/C/net/N */
	S_PILOT_ADDRESS,	/* the remote's discoveryAddress */
	S_EW_NAME,	/* istio-eastwestgateway */
	S_REVISION,
	S_ISTIO_NS
};

/* When a value is set. */
enum when {
	W_ALWAYS,
	W_MULTI_NETWORK,	/* the mesh is on more than one network */
	W_EXPOSED,		/* this istiod serves remotes */
	W_REVISION,		/* spec.revision names one */
	W_NS			/* Istio runs outside istio-system */
};

enum { H_PRIMARY = 1 << 0, H_REMOTE = 1 << 1 };

struct value {
	const char *path;
	enum src src;
	enum when when;
};

/*
 * The releases of the pages' Helm tabs, in install order, and their
 * values in the order of the pages' --set flags.  A primary's istiod
 * that remotes use is an external istiod for them (primary-remote); a
 * remote installs base and istiod with the remote profile, which needs
 * the istio/istiod chart of Istio 1.24 or later; a primary sets the
 * network even on one network, a remote only on several (as the
 * pages).  The remote's istiod takes no meshID on the pages.
 */
static const struct row {
	unsigned roles;
	const char *release;
	bool revisioned;	/* named RELEASE-REV with a revision */
	const char *chart;
	const char *step;
	const char *depends;	/* revisioned when it is istiod */
	struct value values[8];
} releases[] = {
	{ H_PRIMARY, "istio-base", false, "base", "control-plane", NULL, {
		{ "global.istioNamespace", S_ISTIO_NS, W_NS },
		{ NULL, 0, 0 } } },
	{ H_REMOTE, "istio-base", false, "base", "control-plane", NULL, {
		{ "profile", S_REMOTE, W_ALWAYS },
		{ "global.istioNamespace", S_ISTIO_NS, W_NS },
		{ NULL, 0, 0 } } },
	{ H_PRIMARY, "istiod", true, "istiod", "control-plane",
	    "istio-base", {
		{ "global.meshID", S_MESH_ID, W_ALWAYS },
		{ "global.externalIstiod", S_TRUE, W_EXPOSED },
		{ "global.multiCluster.clusterName", S_CLUSTER, W_ALWAYS },
		{ "global.network", S_NETWORK, W_ALWAYS },
		{ "revision", S_REVISION, W_REVISION },
		{ "global.istioNamespace", S_ISTIO_NS, W_NS },
		{ NULL, 0, 0 } } },
	{ H_REMOTE, "istiod", true, "istiod", "control-plane",
	    "istio-base", {
		{ "profile", S_REMOTE, W_ALWAYS },
		{ "global.multiCluster.clusterName", S_CLUSTER, W_ALWAYS },
		{ "global.network", S_NETWORK, W_MULTI_NETWORK },
		{ "istiodRemote.injectionPath", S_INJECTION_PATH, W_ALWAYS },
		{ "global.configCluster", S_TRUE, W_ALWAYS },
		{ "global.remotePilotAddress", S_PILOT_ADDRESS, W_ALWAYS },
		{ "revision", S_REVISION, W_REVISION },
		{ "global.istioNamespace", S_ISTIO_NS, W_NS } } },
	{ H_PRIMARY | H_REMOTE, "istio-eastwestgateway", false, "gateway",
	    "eastwest-gateway", "istiod", {
		{ "name", S_EW_NAME, W_ALWAYS },
		{ "networkGateway", S_NETWORK, W_ALWAYS },
		{ "revision", S_REVISION, W_REVISION },
		{ NULL, 0, 0 } } },
};
#define NRELEASES (sizeof(releases) / sizeof(releases[0]))
#define NVALUES (sizeof(releases[0].values) / sizeof(releases[0].values[0]))

static void
put_str(struct mesh_doc *doc, struct mesh_node *n, const char *path,
    const char *s)
{
	mesh_path_put(doc, n, path, mesh_str_new(doc, s));
}

int
mesh_helm_output_parse(const char *arg, enum mesh_helm_out *out)
{
	if (strcmp(arg, "values") == 0)
		*out = MESH_HELM_OUT_VALUES;
	else if (strcmp(arg, "helm-install") == 0)
		*out = MESH_HELM_OUT_INSTALL;
	else
		return -1;
	return 0;
}

int
mesh_helm_installer_option(const char *arg, int *helm)
{
	if (strcmp(arg, "istioctl") == 0)
		*helm = 0;
	else if (strcmp(arg, "helm") == 0)
		*helm = 1;
	else {
		mesh_err(NULL, "invalid value for '--installer': '%s' (use "
		    "istioctl or helm)", arg);
		return -1;
	}
	return 0;
}

int
mesh_helm_check(const struct mesh_desc *d, const char *flag)
{
	const char *why = NULL;
	const char *at = "spec.installer";
	char buf[256];

	if (d->istio_minor == MESH_ISTIO_GUIDE) {
		why = "the old guides' text has no Helm tab: give an Istio "
		    "release (1.22 or later), or install with istioctl";
		at = "spec.istioVersion";
	} else if (d->spec.model != MESH_MODEL_MULTI_PRIMARY &&
	    d->istio_minor < 24) {
		snprintf(buf, sizeof(buf), "the remotes' istio/base and "
		    "istio/istiod need the charts' remote profile, which "
		    "Istio 1.%d lacks (1.24 and later)", d->istio_minor);
		why = buf;
		at = "spec.istioVersion";
	}
	if (why == NULL)
		return 0;
	if (flag != NULL)
		mesh_err(NULL, "%s: %s: %s", d->src, flag, why);
	else
		mesh_desc_error(d, at, "%s", why);
	return -1;
}

/* Is the value wanted for cluster c? */
static bool
wanted(const struct mesh_desc *d, const struct mesh_cluster *c,
    enum when w)
{
	switch (w) {
	case W_MULTI_NETWORK:
		return mesh_desc_multi_network(d);
	case W_EXPOSED:
		return mesh_desc_has_remotes(d, c);
	case W_REVISION:
		return *d->spec.revision != '\0' &&
		    strcmp(d->spec.revision, "default") != 0;
	case W_NS:
		return strcmp(d->spec.istio_namespace, ISTIO_SYSTEM) != 0;
	default:
		return true;
	}
}

void
mesh_helm_release_put(struct mesh_helm_release *r, const char *path,
    const char *text, enum mesh_type type)
{
	struct mesh_helm_value *v;

	r->v = xreallocarray(r->v, r->nv + 1, sizeof(*r->v));
	v = &r->v[r->nv++];
	v->path = xstrdup(path);
	v->text = xstrdup(text);
	v->type = type;
	mesh_path_put(r->values, r->values->root, path, type == MESH_T_STR ?
	    mesh_str_new(r->values, text) :
	    mesh_scalar_new(r->values, text, strlen(text), type));
	r->values->changed = true;
}

/* A release, its name and namespace copied, with no value yet. */
static struct mesh_helm_release *
new_release(struct mesh_helm_release *r, const struct mesh_desc *d,
    const char *name, const char *chart, const char *ns, const char *step,
    const char *cluster, const char *context)
{
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	r->chart = chart;
	r->ns = xstrdup(ns);
	r->step = step;
	r->cluster = cluster;
	r->context = context;
	r->values = mesh_doc_new(d->src);
	r->values->root = mesh_map_new(r->values);
	r->values->changed = true;
	return r;
}

/* One release of the row for cluster c. */
static void
make(const struct mesh_desc *d, const struct mesh_cluster *c,
    const struct row *row, struct mesh_helm_release *r)
{
	bool rev = wanted(d, c, W_REVISION);
	char *text;
	size_t i;

	text = rev && row->revisioned ? xasprintf("%s-%s", row->release,
	    d->spec.revision) : xstrdup(row->release);
	new_release(r, d, text, row->chart, d->spec.istio_namespace,
	    row->step, c->name, c->context);
	free(text);
	if (row->depends != NULL)
		r->depends = rev && strcmp(row->depends, "istiod") == 0 ?
		    xasprintf("istiod-%s", d->spec.revision) :
		    xstrdup(row->depends);
	for (i = 0; i < NVALUES && row->values[i].path != NULL; i++) {
		const struct value *v = &row->values[i];

		if (!wanted(d, c, v->when))
			continue;
		text = NULL;
		switch (v->src) {
		case S_TRUE:
			mesh_helm_release_put(r, v->path, "true", MESH_T_BOOL);
			continue;
		case S_REMOTE:
			text = xstrdup("remote");
			break;
		case S_MESH_ID:
			text = xstrdup(d->spec.mesh_id);
			break;
		case S_CLUSTER:
			text = xstrdup(c->name);
			break;
		case S_NETWORK:
			text = xstrdup(c->network);
			break;
		case S_INJECTION_PATH:
			text = xasprintf("/inject/cluster/%s/net/%s", c->name,
			    c->network);
			break;
		case S_PILOT_ADDRESS:
			text = xstrdup(c->discovery_address);
			break;
		case S_EW_NAME:
			text = xstrdup("istio-eastwestgateway");
			break;
		case S_REVISION:
			text = xstrdup(d->spec.revision);
			break;
		case S_ISTIO_NS:
			text = xstrdup(d->spec.istio_namespace);
			break;
		}
		mesh_helm_release_put(r, v->path, text, MESH_T_STR);
		free(text);
	}
}

size_t
mesh_helm_releases(const struct mesh_desc *d, const struct mesh_cluster *c,
    const char *step, struct mesh_helm_release *out, size_t max)
{
	unsigned role = c->role == MESH_ROLE_PRIMARY ? H_PRIMARY : H_REMOTE;
	size_t i, n = 0;

	/* the external model's control planes: mesh_helm_from_iop */
	if ((d->spec.model == MESH_MODEL_EXTERNAL &&
	    strcmp(step, "control-plane") == 0) ||
	    !mesh_route_has_step(d, c->name, step))
		return 0;
	for (i = 0; i < NRELEASES && n < max; i++)
		if ((releases[i].roles & role) &&
		    strcmp(releases[i].step, step) == 0)
			make(d, c, &releases[i], &out[n++]);
	return n;
}

/* Cut b back to len bytes. */
static void
cut(struct mesh_buf *b, size_t len)
{
	b->len = len;
	if (b->data != NULL)
		b->data[len] = '\0';
}

/*
 * Put every scalar under n as a value of r, in the order given, at the
 * path p holds (a key with a dot is escaped, as Helm and we read it).
 */
static void
put_tree(struct mesh_helm_release *r, struct mesh_buf *p,
    const struct mesh_node *n)
{
	size_t i, len = p->len;
	const char *k;
	char buf[64];

	if (mesh_is_map(n)) {
		for (i = 0; i < mesh_map_len(n); i++) {
			if (len > 0)
				mesh_buf_addc(p, '.');
			for (k = mesh_map_key(n, i)->u.s.text; *k != '\0'; k++) {
				if (*k == '.')
					mesh_buf_addc(p, '\\');
				mesh_buf_addc(p, *k);
			}
			put_tree(r, p, mesh_map_value(n, i));
			cut(p, len);
		}
	} else if (mesh_is_seq(n)) {
		for (i = 0; i < n->u.c.n; i++) {
			mesh_buf_addf(p, "[%zu]", i);
			put_tree(r, p, n->u.c.v[i]);
			cut(p, len);
		}
	} else if (n != NULL && len > 0) {
		mesh_helm_release_put(r, p->data, mesh_is_null(n) ? "null" :
		    mesh_scalar_canon(n, buf, sizeof(buf)),
		    mesh_scalar_type(n));
	}
}

/* Is component name of iop's spec.components enabled? */
static bool
enabled(const struct mesh_node *spec, const char *name)
{
	const struct mesh_node *c = mesh_map_get(mesh_map_get(spec,
	    "components"), name);

	return mesh_scalar_is(mesh_map_get(c, "enabled"), "true");
}

/*
 * The k8s settings of spec's istiod, as an IstioOperator of their own
 * for mesh-overlay --k8s-overlays, with the revision that names the
 * Deployment; NULL when there are none.
 */
static struct mesh_doc *
k8s_of(const char *src, const struct mesh_node *spec)
{
	const struct mesh_node *k8s = mesh_map_get(mesh_map_get(mesh_map_get(
	    spec, "components"), "pilot"), "k8s");
	struct mesh_doc *doc;

	if (k8s == NULL || mesh_is_null(k8s))
		return NULL;
	doc = mesh_doc_new(src);
	doc->root = mesh_map_new(doc);
	doc->changed = true;
	put_str(doc, doc->root, "apiVersion", "install.istio.io/v1alpha1");
	put_str(doc, doc->root, "kind", "IstioOperator");
	/* mesh-overlay names the Deployment by it: istiod-REV */
	if (mesh_map_get(spec, "revision") != NULL)
		mesh_path_put(doc, doc->root, "spec.revision",
		    mesh_node_copy(doc, mesh_map_get(spec, "revision")));
	mesh_path_put(doc, doc->root, "spec.components.pilot.k8s",
	    mesh_node_copy(doc, k8s));
	return doc;
}

/* The name of gateway g of the list ingressGateways (i 0) or egress. */
static const char *
gateway_name(const struct mesh_node *g, size_t i)
{
	const char *name = mesh_map_getstr(g, "name");

	if (name != NULL)
		return name;
	return i == 0 ? "istio-ingressgateway" : "istio-egressgateway";
}

/*
 * Check what an IstioOperator gateway g (of list, enabled) asks that
 * the istio/gateway chart can do: its Service (k8s.service), and the
 * gateway injection template.  0, or -1 after a report, where
 * ("cluster 'C': " or "") says whose.
 */
static int
gateway_check(const struct mesh_desc *d, const char *where,
    const struct mesh_node *spec, const char *list, const struct mesh_node *g,
    const char *name)
{
	const struct mesh_node *k8s = mesh_map_get(g, "k8s"), *gv;
	const char *what = NULL, *t;
	size_t i;

	for (i = 0; mesh_is_map(g) && i < mesh_map_len(g) && what == NULL;
	    i++) {
		const char *k = mesh_map_key(g, i)->u.s.text;

		if (strcmp(k, "name") != 0 && strcmp(k, "namespace") != 0 &&
		    strcmp(k, "enabled") != 0 && strcmp(k, "k8s") != 0)
			what = k;
	}
	for (i = 0; mesh_is_map(k8s) && i < mesh_map_len(k8s) &&
	    what == NULL; i++)
		if (strcmp(mesh_map_key(k8s, i)->u.s.text, "service") != 0)
			what = mesh_map_key(k8s, i)->u.s.text;
	gv = mesh_map_get(mesh_map_get(mesh_map_get(spec, "values"),
	    "gateways"), name);
	for (i = 0; mesh_is_map(gv) && i < mesh_map_len(gv) &&
	    what == NULL; i++) {
		t = mesh_scalar_is(mesh_map_key(gv, i), "injectionTemplate") ?
		    mesh_map_getstr(gv, "injectionTemplate") : NULL;
		if (t == NULL || strcmp(t, "gateway") != 0)
			what = t == NULL ? mesh_map_key(gv, i)->u.s.text :
			    "injectionTemplate";
	}
	if (what == NULL)
		return 0;
	mesh_err(NULL, "%s: %s%s %s: '%s' has no value of istio/gateway "
	    "(its Service and the gateway injection template): install it "
	    "with istioctl", d->src, where, list, name, what);
	return -1;
}

int
mesh_helm_from_iop(const struct mesh_desc *d, const char *cluster,
    const char *context, const struct mesh_doc *iop, const char *step,
    struct mesh_helm_release *out, size_t max, size_t *n)
{
	static const char *const lists[] = { "ingressGateways",
		"egressGateways" };
	const struct mesh_node *spec = mesh_map_get(iop->root, "spec");
	const struct mesh_node *comps = mesh_map_get(spec, "components");
	const char *profile = mesh_map_getstr(spec, "profile");
	const char *rev = mesh_map_getstr(spec, "revision");
	const char *ns = mesh_map_getstr(spec, "values.global.istioNamespace");
	const char *charts[2];
	char where[128];
	struct mesh_buf p = MESH_BUF_INIT;
	struct mesh_helm_release *r;
	const struct mesh_node *g, *list;
	size_t i, j, nc = 0, total;
	bool dflt = profile == NULL || strcmp(profile, "default") == 0;
	bool named = false;

	*n = 0;
	snprintf(where, sizeof(where), "%s%s%s", cluster ? "cluster '" : "",
	    cluster ? cluster : "", cluster ? "': " : "");
	if (ns == NULL)
		ns = mesh_map_getstr(iop->root, "metadata.namespace");
	if (ns == NULL)
		ns = ISTIO_SYSTEM;
	if (rev != NULL && (*rev == '\0' || strcmp(rev, "default") == 0))
		rev = NULL;
	if (dflt || strcmp(profile, "remote") == 0) {
		charts[nc++] = "base";
		charts[nc++] = "istiod";
	} else if (strcmp(profile, "empty") == 0) {
		if (enabled(spec, "base"))
			charts[nc++] = "base";
		if (enabled(spec, "pilot"))
			charts[nc++] = "istiod";
	} else {
		mesh_err(NULL, "%s: %sthe %s profile has no Helm form here: "
		    "install it with istioctl", d->src, where, profile);
		return -1;
	}
	/* the gateways first: what the charts cannot do stops it all */
	total = nc;
	for (i = 0; i < 2; i++) {
		list = mesh_map_get(comps, lists[i]);
		for (j = 0; mesh_is_seq(list) && j < list->u.c.n; j++) {
			g = list->u.c.v[j];
			if (gateway_check(d, where, spec, lists[i], g,
			    gateway_name(g, i)) == -1)
				return -1;
			total++;
		}
	}
	if (total + (dflt ? 1 : 0) > max) {
		mesh_err(NULL, "%s: %smore than %zu Helm releases in one "
		    "IstioOperator", d->src, where, max);
		return -1;
	}
	for (i = 0; i < nc && *n < max; i++) {
		bool istiod = strcmp(charts[i], "istiod") == 0;
		char *name = istiod && rev != NULL ? xasprintf("istiod-%s", rev) :
		    xstrdup(istiod ? "istiod" : "istio-base");

		r = new_release(&out[(*n)++], d, name, charts[i], ns, step,
		    cluster, context);
		free(name);
		r->depends = istiod && i > 0 ? xstrdup("istio-base") : NULL;
		if (profile != NULL && strcmp(profile, "empty") != 0 &&
		    !dflt)
			mesh_helm_release_put(r, "profile", profile, MESH_T_STR);
		/* every chart takes every value, as from istioctl */
		put_tree(r, &p, mesh_map_get(spec, "values"));
		mesh_buf_adds(&p, "meshConfig");
		put_tree(r, &p, mesh_map_get(spec, "meshConfig"));
		cut(&p, 0);
		if (rev != NULL)
			mesh_helm_release_put(r, "revision", rev, MESH_T_STR);
		/* what the chart renders, changed as istioctl changes it */
		if (istiod)
			r->k8s = k8s_of(d->src, spec);
	}
	for (i = 0; i < 2; i++) {
		list = mesh_map_get(comps, lists[i]);
		for (j = 0; mesh_is_seq(list) && j < list->u.c.n && *n < max;
		    j++) {
			const struct mesh_node *svc;
			const char *gns;

			g = list->u.c.v[j];
			named = named || i == 0;
			if (mesh_scalar_is(mesh_map_get(g, "enabled"), "false"))
				continue;
			gns = mesh_map_getstr(g, "namespace");
			r = new_release(&out[(*n)++], d, gateway_name(g, i),
			    "gateway",
			    gns != NULL ? gns : ns, step, cluster, context);
			if (nc > 0) {	/* after istiod, or base */
				r->depends = xstrdup(out[nc - 1].name);
				if (strcmp(r->ns, ns) != 0)
					r->depends_ns = xstrdup(ns);
			}
			svc = mesh_map_get(mesh_map_get(g, "k8s"), "service");
			/* the egress gateway's Service is a ClusterIP */
			if (i == 1 && mesh_map_get(svc, "type") == NULL)
				mesh_helm_release_put(r, "service.type",
				    "ClusterIP", MESH_T_STR);
			mesh_buf_adds(&p, "service");
			put_tree(r, &p, svc);
			cut(&p, 0);
			if (rev != NULL)
				mesh_helm_release_put(r, "revision", rev,
				    MESH_T_STR);
		}
	}
	/* the default profile's own ingress gateway */
	if (dflt && !named)
		new_release(&out[(*n)++], d, "istio-ingressgateway", "gateway",
		    ns, step, cluster, context)->depends =
		    xstrdup(out[nc - 1].name);
	mesh_buf_release(&p);
	return 0;
}

void
mesh_helm_release_free(struct mesh_helm_release *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nv; i++) {
		free(r->v[i].path);
		free(r->v[i].text);
	}
	free(r->v);
	free(r->name);
	free(r->depends);
	free(r->depends_ns);
	free(r->ns);
	mesh_doc_free(r->values);
	mesh_doc_free(r->k8s);
	memset(r, 0, sizeof(*r));
}

int
mesh_helm_wanted(const struct mesh_desc *d, int installer,
    enum mesh_helm_out hout, bool *helm)
{
	*helm = installer == 1 || hout != MESH_HELM_OUT_OBJECTS ||
	    (installer == -1 && d->spec.installer == MESH_INSTALLER_HELM);
	if (!*helm)
		return 0;
	return mesh_helm_check(d, installer == 1 ? "--installer helm" :
	    hout == MESH_HELM_OUT_VALUES ? "-o values" :
	    hout == MESH_HELM_OUT_INSTALL ? "-o helm-install" : NULL);
}

/*
 * The chart version for d's Istio release: NULL for the newest, which
 * Helm takes unpinned, as today's pages install it.
 */
static char *
chart_version(const struct mesh_desc *d)
{
	return d->istio_minor != MESH_ISTIO_NEWEST ?
	    xasprintf("1.%d.x", d->istio_minor) :
	    NULL;
}

/*
 * The lists a Flux post-renderer patch may add an item to: those whose
 * items Kubernetes merges by a key, so that kustomize's strategic merge
 * adds the item as istioctl's "[100]" past a list's end does.
 */
static const struct {
	const char *list, *key;
} merge_keys[] = {
	{ "containers", "name" },
	{ "initContainers", "name" },
	{ "env", "name" },
	{ "volumes", "name" },
	{ "volumeMounts", "mountPath" },
	{ "imagePullSecrets", "name" },
};

/* One object's strategic merge patch, being made. */
struct smp {
	const char *kind;
	char *name;
	struct mesh_node *root;
};

struct smps {
	struct mesh_doc *doc;	/* holds every patch */
	struct smp v[8];
	size_t n;
	const char *rel;	/* the release, for messages */
};

static const char *
merge_key(const char *list)
{
	size_t i;

	for (i = 0; i < sizeof(merge_keys) / sizeof(merge_keys[0]); i++)
		if (strcmp(merge_keys[i].list, list) == 0)
			return merge_keys[i].key;
	return NULL;
}

/* The patch of object (kind, name), made when it is not there yet. */
static struct mesh_node *
smp_of(struct smps *s, const char *kind, const char *name)
{
	struct smp *p;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].kind, kind) == 0 &&
		    strcmp(s->v[i].name, name) == 0)
			return s->v[i].root;
	if (s->n == sizeof(s->v) / sizeof(s->v[0])) {
		mesh_err(NULL, "release '%s': a Flux post-renderer here "
		    "patches at most %zu objects", s->rel, s->n);
		return NULL;
	}
	p = &s->v[s->n++];
	p->kind = kind;
	p->name = xstrdup(name);
	p->root = mesh_map_new(s->doc);
	put_str(s->doc, p->root, "apiVersion", "apps/v1");
	put_str(s->doc, p->root, "kind", kind);
	put_str(s->doc, p->root, "metadata.name", name);
	return p->root;
}

/* The item of seq whose key is value, made when it is not there yet. */
static struct mesh_node *
item_of(struct mesh_doc *doc, struct mesh_node *seq, const char *key,
    const char *value)
{
	struct mesh_node *it;
	size_t i;

	for (i = 0; i < seq->u.c.n; i++)
		if (mesh_scalar_is(mesh_map_get(seq->u.c.v[i], key), value))
			return seq->u.c.v[i];
	it = mesh_map_new(doc);
	put_str(doc, it, key, value);
	mesh_seq_append(doc, seq, it);
	return it;
}

/* The child of map at key, made as a sequence or mapping if missing. */
static struct mesh_node *
child(struct mesh_doc *doc, struct mesh_node *map, const char *key, bool seq)
{
	struct mesh_node *n = mesh_map_get(map, key);

	if (n == NULL) {
		n = seq ? mesh_seq_new(doc) : mesh_map_new(doc);
		mesh_map_set(doc, map, key, n);
	}
	return (seq ? mesh_is_seq(n) : mesh_is_map(n)) ? n : NULL;
}

/* The istiod container of the patch of Deployment name. */
static struct mesh_node *
istiod_container(struct smps *s, const char *name)
{
	struct mesh_node *n = smp_of(s, "Deployment", name);

	if (n != NULL)
		n = child(s->doc, n, "spec", false);
	if (n != NULL)
		n = child(s->doc, n, "template", false);
	if (n != NULL)
		n = child(s->doc, n, "spec", false);
	if (n != NULL)
		n = child(s->doc, n, "containers", true);
	return n != NULL ? item_of(s->doc, n, "name", "discovery") : NULL;
}

/*
 * Add to the patch of (kind, name) what one k8s.overlays patch does:
 * path, of istioctl's grammar, with its value.  The istiod Deployment's
 * container 0 is its "discovery".  0, or -1 after a report.
 */
static int
smp_overlay(struct smps *s, const char *kind, const char *name,
    const char *path, const struct mesh_node *value)
{
	struct mesh_node *cur;
	struct mesh_path pp;
	struct mesh_path_err err;
	struct mesh_limits lim;
	struct mesh_doc *parsed = NULL;
	const char *list = NULL, *key;
	size_t i;
	int rv = -1;

	if (kind == NULL || name == NULL || path == NULL ||
	    strcmp(kind, "Deployment") != 0) {
		mesh_err(NULL, "release '%s': k8s.overlays of %s '%s': a Flux "
		    "post-renderer here patches a Deployment: render the "
		    "release with -o helm-install, post-rendered by "
		    "mesh-overlay", s->rel, kind ? kind : "?",
		    name ? name : "?");
		return -1;
	}
	cur = smp_of(s, kind, name);
	if (cur == NULL)
		return -1;
	if (mesh_path_parse(path, &pp, &err) == -1) {
		mesh_err(NULL, "release '%s': k8s.overlays patch '%s': %s",
		    s->rel, path, err.msg);
		return -1;
	}
	/* a string holding a mapping is that mapping, as istioctl reads it */
	if (value != NULL && mesh_is_scalar(value) &&
	    mesh_scalar_type(value) == MESH_T_STR &&
	    strchr(value->u.s.text, ':') != NULL) {
		mesh_limits_init(&lim);
		parsed = mesh_parse_string("value", value->u.s.text, &lim, true);
		if (parsed != NULL && mesh_is_map(parsed->root))
			value = parsed->root;
	}
	for (i = 0; i < pp.n; i++) {
		const struct mesh_path_elem *e = &pp.v[i];
		bool last = i + 1 == pp.n;
		bool next_list = !last && pp.v[i + 1].kind != MESH_PE_KEY;

		if (e->kind == MESH_PE_KEY && last && value != NULL) {
			mesh_map_set(s->doc, cur, e->key,
			    mesh_node_copy(s->doc, value));
			rv = 0;
		} else if (e->kind == MESH_PE_KEY && !last) {
			list = e->key;
			if ((cur = child(s->doc, cur, e->key, next_list)) != NULL)
				continue;
		} else if (e->kind == MESH_PE_INDEX && last && e->index >= 100 &&
		    list != NULL && (key = merge_key(list)) != NULL &&
		    mesh_is_map(value) && mesh_map_get(value, key) != NULL) {
			/*
			 * an item the list merges in by its key: the
			 * guides' [100], past the end, which appends (a
			 * smaller index may name an item to replace)
			 */
			mesh_seq_append(s->doc, cur, mesh_node_copy(s->doc,
			    value));
			rv = 0;
		} else if (e->kind == MESH_PE_INDEX && !last && e->index == 0 &&
		    list != NULL && strcmp(list, "containers") == 0 &&
		    strncmp(name, "istiod", 6) == 0) {
			cur = item_of(s->doc, cur, "name", "discovery");
			continue;
		} else if (e->kind == MESH_PE_SELECT && !last && list != NULL &&
		    (key = merge_key(list)) != NULL &&
		    strcmp(e->key, key) == 0) {
			cur = item_of(s->doc, cur, key, e->value);
			continue;
		}
		break;
	}
	if (rv == -1)
		mesh_err(NULL, "release '%s': k8s.overlays patch '%s' of %s "
		    "'%s': a Flux post-renderer here adds an item past the end "
		    "([100]) of a list that merges by a key, or sets a key: "
		    "render the release "
		    "with -o helm-install, post-rendered by mesh-overlay",
		    s->rel, path, kind, name);
	mesh_doc_free(parsed);
	mesh_path_release(&pp);
	return rv;
}

/*
 * r's post-render as the patches of Flux's kustomize post-renderer,
 * into a sequence of doc: env of the istiod container, then each
 * overlay.  NULL after a report.
 */
static struct mesh_node *
flux_patches(struct mesh_doc *doc, const struct mesh_helm_release *r)
{
	const struct mesh_node *comps = mesh_map_get(mesh_map_get(r->k8s->root,
	    "spec"), "components");
	const struct mesh_node *k8s, *ovl, *o, *pat;
	struct smps s = { mesh_doc_new(r->values->src), { { 0 } }, 0, r->name };
	struct mesh_node *seq = NULL, *p, *c;
	struct mesh_buf b = MESH_BUF_INIT;
	size_t i, j, k;
	int rv = 0;

	for (i = 0; rv == 0 && mesh_is_map(comps) && i < mesh_map_len(comps);
	    i++) {
		const char *comp = mesh_map_key(comps, i)->u.s.text;

		k8s = mesh_map_get(mesh_map_value(comps, i), "k8s");
		for (j = 0; rv == 0 && mesh_is_map(k8s) && j < mesh_map_len(k8s);
		    j++) {
			const char *f = mesh_map_key(k8s, j)->u.s.text;

			if (strcmp(comp, "pilot") == 0 &&
			    strcmp(f, "env") == 0 &&
			    mesh_is_seq(mesh_map_value(k8s, j))) {
				if ((c = istiod_container(&s, r->name)) ==
				    NULL) {
					rv = -1;
					break;
				}
				mesh_map_set(s.doc, c, "env", mesh_node_copy(
				    s.doc, mesh_map_value(k8s, j)));
				continue;
			}
			if (strcmp(f, "overlays") != 0) {
				mesh_err(NULL, "release '%s': k8s.%s of "
				    "component %s: a Flux post-renderer here "
				    "says a container's env and k8s.overlays: "
				    "render the release with -o helm-install, "
				    "post-rendered by mesh-overlay", r->name,
				    f, comp);
				rv = -1;
				break;
			}
			ovl = mesh_map_value(k8s, j);
			for (k = 0; rv == 0 && mesh_is_seq(ovl) &&
			    k < ovl->u.c.n; k++) {
				size_t m;

				o = ovl->u.c.v[k];
				pat = mesh_map_get(o, "patches");
				for (m = 0; rv == 0 && mesh_is_seq(pat) &&
				    m < pat->u.c.n; m++)
					rv = smp_overlay(&s,
					    mesh_map_getstr(o, "kind"),
					    mesh_map_getstr(o, "name"),
					    mesh_map_getstr(pat->u.c.v[m], "path"),
					    mesh_map_get(pat->u.c.v[m], "value"));
			}
		}
	}
	if (rv == 0) {
		seq = mesh_seq_new(doc);
		for (i = 0; i < s.n; i++) {
			b.len = 0;
			if (mesh_emit_yaml(&b, s.v[i].root, false) == -1) {
				seq = NULL;
				break;
			}
			p = mesh_map_new(doc);
			put_str(doc, p, "target.kind", s.v[i].kind);
			put_str(doc, p, "target.name", s.v[i].name);
			put_str(doc, p, "patch", b.data);
			mesh_seq_append(doc, seq, p);
		}
	}
	for (i = 0; i < s.n; i++)
		free(s.v[i].name);
	mesh_buf_release(&b);
	mesh_doc_free(s.doc);
	return seq;
}

struct mesh_doc *
mesh_helm_release_doc(const struct mesh_desc *d,
    const struct mesh_helm_release *r)
{
	struct mesh_doc *doc = mesh_doc_new(d->src);
	struct mesh_node *root, *spec, *deps, *dep, *patches;
	char *version = chart_version(d);

	doc->root = root = mesh_map_new(doc);
	doc->changed = true;
	put_str(doc, root, "apiVersion", "helm.toolkit.fluxcd.io/v2");
	put_str(doc, root, "kind", "HelmRelease");
	put_str(doc, root, "metadata.name", r->name);
	put_str(doc, root, "metadata.namespace", r->ns);
	if (r->cluster != NULL)
		mesh_desc_annotate(doc, r->cluster, r->context);
	spec = mesh_map_new(doc);
	mesh_map_set(doc, root, "spec", spec);
	put_str(doc, spec, "interval", "10m");
	put_str(doc, spec, "chart.spec.chart", r->chart);
	if (version != NULL)
		put_str(doc, spec, "chart.spec.version", version);
	put_str(doc, spec, "chart.spec.sourceRef.kind", "HelmRepository");
	put_str(doc, spec, "chart.spec.sourceRef.name", "istio");
	put_str(doc, spec, "releaseName", r->name);
	put_str(doc, spec, "targetNamespace", r->ns);
	if (r->depends != NULL) {
		deps = mesh_seq_new(doc);
		dep = mesh_map_new(doc);
		mesh_map_set(doc, dep, "name", mesh_str_new(doc, r->depends));
		if (r->depends_ns != NULL)
			mesh_map_set(doc, dep, "namespace",
			    mesh_str_new(doc, r->depends_ns));
		mesh_seq_append(doc, deps, dep);
		mesh_map_set(doc, spec, "dependsOn", deps);
	}
	mesh_map_set(doc, spec, "values",
	    mesh_node_copy(doc, r->values->root));
	free(version);
	if (r->k8s != NULL) {
		struct mesh_node *post = mesh_map_new(doc), *seq;

		if ((patches = flux_patches(doc, r)) == NULL) {
			mesh_doc_free(doc);
			return NULL;
		}
		mesh_path_put(doc, post, "kustomize.patches", patches);
		seq = mesh_seq_new(doc);
		mesh_seq_append(doc, seq, post);
		mesh_map_set(doc, spec, "postRenderers", seq);
	}
	return doc;
}

/* s as one sh word: bare when it can be, else in single quotes. */
static void
sh_word(struct mesh_buf *b, const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_@%+=:,./-", *p) == NULL)
			break;
	if (*s != '\0' && *p == '\0') {
		mesh_buf_adds(b, s);
		return;
	}
	mesh_buf_addc(b, '\'');
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			mesh_buf_adds(b, "'\\''");
		else
			mesh_buf_addc(b, *p);
	}
	mesh_buf_addc(b, '\'');
}

/*
 * Would helm's --set read s as something other than a string?  Its
 * rule: true, false and null in any case, 0, and an integer not
 * starting with 0.
 */
static bool
set_types(const char *s)
{
	const char *p = s;

	if (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0 ||
	    strcasecmp(s, "null") == 0 || strcmp(s, "0") == 0)
		return true;
	if (*p == '0' || *p == '\0')
		return false;
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

void
mesh_helm_install_line(struct mesh_buf *b, const struct mesh_desc *d,
    const struct mesh_helm_release *r, const char *k8s_file)
{
	struct mesh_buf arg = MESH_BUF_INIT;
	char *version = chart_version(d);
	const char *p;
	size_t i;

	mesh_buf_adds(b, "helm install ");
	sh_word(b, r->name);
	mesh_buf_addf(b, " istio/%s -n ", r->chart);
	sh_word(b, r->ns);
	if (r->context != NULL) {
		mesh_buf_adds(b, " --kube-context ");
		sh_word(b, r->context);
	}
	if (version != NULL)
		mesh_buf_addf(b, " --version %s", version);
	for (i = 0; i < r->nv; i++) {
		const struct mesh_helm_value *v = &r->v[i];

		/* --set types no float, and reads null as a deletion */
		mesh_buf_adds(b, v->type == MESH_T_STR && set_types(v->text) ?
		    " --set-string " : v->type == MESH_T_FLOAT ||
		    v->type == MESH_T_NULL ? " --set-json " : " --set ");
		arg.len = 0;
		mesh_buf_addf(&arg, "%s=", v->path);
		/*
		 * --set splits at commas, takes \ as an escape and a value
		 * that starts with { as a list
		 */
		for (p = v->text; *p != '\0'; p++) {
			if (*p == ',' || *p == '\\' || (*p == '{' &&
			    p == v->text))
				mesh_buf_addc(&arg, '\\');
			mesh_buf_addc(&arg, *p);
		}
		mesh_buf_addc(&arg, '\0');
		sh_word(b, arg.data);
	}
	if (k8s_file != NULL)
		mesh_buf_addf(b, " --post-renderer mesh-overlay "
		    "--post-renderer-args --k8s-overlays "
		    "--post-renderer-args %s", k8s_file);
	mesh_buf_addc(b, '\n');
	mesh_buf_release(&arg);
	free(version);
}

int
mesh_helm_collect_made(struct mesh_helm_set *s, const struct mesh_desc *d,
    const char *cluster, const char *step, struct mesh_helm_release *r,
    size_t n)
{
	size_t i;
	int place;

	if (n == 0)
		return 0;
	/* a single role's releases come in the order made */
	if (cluster == NULL)
		place = 0;
	else if ((place = mesh_route_step(d, cluster, step)) == -1) {
		for (i = 0; i < n; i++)
			mesh_helm_release_free(&r[i]);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 8;
			s->r = xreallocarray(s->r, s->cap, sizeof(*s->r));
			s->place = xreallocarray(s->place, s->cap,
			    sizeof(*s->place));
		}
		s->r[s->n] = r[i];
		s->place[s->n++] = place;
	}
	return 0;
}

int
mesh_helm_deliver(struct mesh_helm_set *s, const struct mesh_desc *d,
    enum mesh_helm_out out, const char *only_step, const char *cluster,
    const char *step, struct mesh_helm_release *r, size_t n,
    int (*put)(void *arg, struct mesh_doc *doc, const char *step), void *arg)
{
	struct mesh_doc *doc;
	size_t i;
	int rv = 0;

	if (out != MESH_HELM_OUT_OBJECTS &&
	    (only_step == NULL || strcmp(only_step, step) == 0))
		return mesh_helm_collect_made(s, d, cluster, step, r, n);
	for (i = 0; i < n; i++) {
		if (rv == 0 && out == MESH_HELM_OUT_OBJECTS &&
		    ((doc = mesh_helm_release_doc(d, &r[i])) == NULL ||
		    put(arg, doc, step) == -1))
			rv = -1;
		mesh_helm_release_free(&r[i]);
	}
	return rv;
}

void
mesh_helm_set_free(struct mesh_helm_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		mesh_helm_release_free(&s->r[i]);
	free(s->r);
	free(s->place);
	memset(s, 0, sizeof(*s));
}

/*
 * r's values, after comments saying what must post-render it when Helm
 * values cannot say everything.
 */
static int
put_values(const struct mesh_helm_release *r)
{
	struct mesh_buf head = MESH_BUF_INIT;
	struct mesh_writer *w;
	int rv = 0;

	if (r->k8s != NULL)
		mesh_buf_addf(&head, "# The values of Helm release '%s' "
		    "(istio/%s) of cluster '%s'.  What Helm\n"
		    "# values cannot say, the IstioOperator's k8s settings, "
		    "mesh-overlay applies\n"
		    "# as Helm's post-renderer:\n"
		    "#   mesh-render -f MESH --cluster %s --step %s "
		    "--installer istioctl >k8s.yaml\n"
		    "#   helm install %s istio/%s -n %s -f THIS-FILE "
		    "--post-renderer mesh-overlay \\\n"
		    "#       --post-renderer-args --k8s-overlays "
		    "--post-renderer-args k8s.yaml\n", r->name, r->chart,
		    r->cluster, r->cluster, r->step, r->name, r->chart, r->ns);
	if (head.len > 0 &&
	    mesh_write_all(STDOUT_FILENO, head.data, head.len) == -1) {
		mesh_err(NULL, "cannot write to standard output:");
		rv = -1;
	}
	mesh_buf_release(&head);
	if (rv == -1)
		return -1;
	w = mesh_writer_new(STDOUT_FILENO, MESH_FMT_YAML, false);
	rv = mesh_writer_put(w, r->values) == 0 &&
	    mesh_writer_finish(w) == 0 ? 0 : -1;
	mesh_writer_free(w);
	return rv;
}

/* The values of one release, or an error naming those there are. */
static int
print_values(const struct mesh_desc *d, struct mesh_helm_set *s,
    const char *cluster, const char *release)
{
	struct mesh_buf there = MESH_BUF_INIT;
	size_t i;

	/* a single role (no cluster) names a release only among several */
	for (i = 0; i < s->n; i++)
		if ((cluster == NULL || strcmp(s->r[i].cluster, cluster) == 0) &&
		    (release == NULL ? s->n == 1 :
		    strcmp(s->r[i].name, release) == 0))
			break;
	if (i < s->n)
		return put_values(&s->r[i]);
	for (i = 0; i < s->n; i++)
		if (cluster == NULL || strcmp(s->r[i].cluster, cluster) == 0)
			mesh_buf_addf(&there, "%s%s", there.len > 0 ? ", " : "",
			    s->r[i].name);
	if (cluster == NULL && release == NULL)
		mesh_err(NULL, "%s: -o values prints one release's values: "
		    "give --release, one of %s", d->src, there.len > 0 ?
		    there.data : "none");
	else if (cluster == NULL)
		mesh_err(NULL, "%s: no Helm release '%s': there %s %s", d->src,
		    release, s->n == 1 ? "is" : "are", there.len > 0 ?
		    there.data : "none");
	else
		mesh_err(NULL, "%s: cluster '%s' has no Helm release '%s' "
		    "from %s%s%s%s: it has %s", d->src, cluster, release,
		    mesh_getprogname(), s->step != NULL ? " in step '" : "",
		    s->step != NULL ? s->step : "", s->step != NULL ? "'" : "",
		    there.len > 0 ? there.data : "none");
	mesh_buf_release(&there);
	return -1;
}

#define K8S_EOF "MESH_K8S_EOF"

/*
 * r's helm install line, after the here-document that writes its
 * post-render file into the directory $k8s when it has one.  0, or -1
 * after a report.
 */
static int
install(struct mesh_buf *b, const struct mesh_desc *d,
    const struct mesh_helm_release *r)
{
	struct mesh_buf y = MESH_BUF_INIT, file = MESH_BUF_INIT;
	const char *p;
	int rv = 0;

	if (r->k8s == NULL) {
		mesh_helm_install_line(b, d, r, NULL);
		return 0;
	}
	if (mesh_emit_yaml(&y, r->k8s->root, false) == -1)
		return -1;
	/* no line of it may end the here-document */
	for (p = y.data; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, K8S_EOF "\n", strlen(K8S_EOF) + 1) == 0) {
			mesh_err(NULL, "%s: release '%s': its k8s settings hold "
			    "a line " K8S_EOF, d->src, r->name);
			rv = -1;
			break;
		}
	}
	if (rv == 0) {
		mesh_buf_addf(&file, "\"$k8s\"/%s-%s.yaml", r->cluster != NULL ?
		    r->cluster : "release", r->name);
		mesh_buf_addf(b, "cat >%s <<'" K8S_EOF "'\n%s" K8S_EOF "\n",
		    file.data, y.data);
		mesh_helm_install_line(b, d, r, file.data);
	}
	mesh_buf_release(&file);
	mesh_buf_release(&y);
	return rv;
}

int
mesh_helm_print(const struct mesh_desc *d, struct mesh_helm_set *s,
    enum mesh_helm_out out, const char *cluster, const char *release)
{
	struct mesh_buf b = MESH_BUF_INIT;
	size_t i, j, *order;
	int place, rv;

	if (out == MESH_HELM_OUT_VALUES)
		return print_values(d, s, cluster, release);
	if (s->n == 0) {
		mesh_err(NULL, "%s: no Helm release from %s%s%s%s%s%s%s",
		    d->src, mesh_getprogname(), cluster != NULL ?
		    " for cluster '" : "", cluster != NULL ? cluster : "",
		    cluster != NULL ? "'" : "", s->step != NULL ?
		    " in step '" : "", s->step != NULL ? s->step : "",
		    s->step != NULL ? "'" : "");
		return -1;
	}
	/* install order: by step, then as collected (the description's) */
	order = xcalloc(s->n, sizeof(*order));
	for (i = 0; i < s->n; i++)
		order[i] = i;
	for (i = 1; i < s->n; i++) {
		size_t k = order[i];

		place = s->place[k];
		for (j = i; j > 0 && s->place[order[j - 1]] > place; j--)
			order[j] = order[j - 1];
		order[j] = k;
	}
	mesh_buf_addf(&b, "#!/bin/sh\n"
	    "# The Helm releases %s renders for %s%s%s, in install order,\n"
	    "# from the Helm repository istio:\n"
	    "#   helm repo add istio "
	    "https://istio-release.storage.googleapis.com/charts\n"
	    "# Each release's namespace must exist first:\n"
	    "#   %s\n"
	    "set -e\n", mesh_getprogname(), d->metadata.name != NULL ?
	    "mesh '" : d->src, d->metadata.name != NULL ? d->metadata.name :
	    "", d->metadata.name != NULL ? "'" : "",
	    d->metadata.name != NULL ?
	    "mesh-render -f MESH --for kubectl --step namespace" :
	    "kubectl create namespace NAMESPACE");
	for (i = 0; i < s->n; i++)
		if (s->r[i].k8s != NULL)
			break;
	if (i < s->n)
		mesh_buf_adds(&b, "# What Helm values cannot say, the "
		    "IstioOperators' k8s settings, mesh-overlay\n"
		    "# applies as Helm's post-renderer (Helm 4 runs the "
		    "plugin meshline installs in\n"
		    "# share/meshline/helm/mesh-overlay: helm plugin install "
		    "it first).\n"
		    "k8s=$(mktemp -d)\n"
		    "trap 'rm -rf \"$k8s\"' EXIT\n");
	rv = 0;
	for (i = 0; rv == 0 && i < s->n; i++)
		rv = install(&b, d, &s->r[order[i]]);
	free(order);
	if (rv == 0 && mesh_write_all(STDOUT_FILENO, b.data, b.len) == -1) {
		mesh_err(NULL, "cannot write to standard output:");
		rv = -1;
	}
	mesh_buf_release(&b);
	return rv;
}
