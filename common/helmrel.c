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

	if (d->spec.model == MESH_MODEL_EXTERNAL) {
		why = "the external model has no Helm release: the external "
		    "istiod's k8s.overlays (its ConfigMap volumes and "
		    "environment) are no Helm value; install it with "
		    "istioctl, or post-render helm template istio/istiod "
		    "with mesh-overlay --k8s-overlays";
	} else if (d->istio_minor == MESH_ISTIO_GUIDE) {
		why = "the old guides' text has no Helm tab: give an Istio "
		    "release (1.22 or later), or install with istioctl";
		at = "spec.istioVersion";
	} else if (d->spec.model == MESH_MODEL_PRIMARY_REMOTE &&
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

/* One release of the row for cluster c. */
static void
make(const struct mesh_desc *d, const struct mesh_cluster *c,
    const struct row *row, struct mesh_helm_release *r)
{
	bool rev = wanted(d, c, W_REVISION);
	char *text;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->name = rev && row->revisioned ? xasprintf("%s-%s", row->release,
	    d->spec.revision) : xstrdup(row->release);
	if (row->depends != NULL)
		r->depends = rev && strcmp(row->depends, "istiod") == 0 ?
		    xasprintf("istiod-%s", d->spec.revision) :
		    xstrdup(row->depends);
	r->chart = row->chart;
	r->ns = d->spec.istio_namespace;
	r->step = row->step;
	r->cluster = c->name;
	r->context = c->context;
	r->values = mesh_doc_new(d->src);
	r->values->root = mesh_map_new(r->values);
	r->values->changed = true;
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

	if (d->spec.model == MESH_MODEL_EXTERNAL ||
	    !mesh_route_has_step(d, c->name, step))
		return 0;
	for (i = 0; i < NRELEASES && n < max; i++)
		if ((releases[i].roles & role) &&
		    strcmp(releases[i].step, step) == 0)
			make(d, c, &releases[i], &out[n++]);
	return n;
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
	mesh_doc_free(r->values);
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

static void
put_str(struct mesh_doc *doc, struct mesh_node *n, const char *path,
    const char *s)
{
	mesh_path_put(doc, n, path, mesh_str_new(doc, s));
}

struct mesh_doc *
mesh_helm_release_doc(const struct mesh_desc *d,
    const struct mesh_helm_release *r)
{
	struct mesh_doc *doc = mesh_doc_new(d->src);
	struct mesh_node *root, *spec, *deps, *dep;
	char *version = chart_version(d);

	doc->root = root = mesh_map_new(doc);
	doc->changed = true;
	put_str(doc, root, "apiVersion", "helm.toolkit.fluxcd.io/v2");
	put_str(doc, root, "kind", "HelmRelease");
	put_str(doc, root, "metadata.name", r->name);
	put_str(doc, root, "metadata.namespace", r->ns);
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
		mesh_seq_append(doc, deps, dep);
		mesh_map_set(doc, spec, "dependsOn", deps);
	}
	mesh_map_set(doc, spec, "values",
	    mesh_node_copy(doc, r->values->root));
	free(version);
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
    const struct mesh_helm_release *r)
{
	struct mesh_buf arg = MESH_BUF_INIT;
	char *version = chart_version(d);
	const char *p;
	size_t i;

	mesh_buf_adds(b, "helm install ");
	sh_word(b, r->name);
	mesh_buf_addf(b, " istio/%s -n ", r->chart);
	sh_word(b, r->ns);
	mesh_buf_adds(b, " --kube-context ");
	sh_word(b, r->context);
	if (version != NULL)
		mesh_buf_addf(b, " --version %s", version);
	for (i = 0; i < r->nv; i++) {
		const struct mesh_helm_value *v = &r->v[i];

		mesh_buf_adds(b, v->type == MESH_T_STR && set_types(v->text) ?
		    " --set-string " : " --set ");
		arg.len = 0;
		mesh_buf_addf(&arg, "%s=", v->path);
		/* --set splits at commas and takes \ as an escape */
		for (p = v->text; *p != '\0'; p++) {
			if (*p == ',' || *p == '\\')
				mesh_buf_addc(&arg, '\\');
			mesh_buf_addc(&arg, *p);
		}
		mesh_buf_addc(&arg, '\0');
		sh_word(b, arg.data);
	}
	mesh_buf_addc(b, '\n');
	mesh_buf_release(&arg);
	free(version);
}

int
mesh_helm_collect(struct mesh_helm_set *s, const struct mesh_desc *d,
    const struct mesh_cluster *c, const char *step)
{
	struct mesh_helm_release r[4];
	size_t i, n = mesh_helm_releases(d, c, step, r, 4);
	int place;

	if (n == 0)
		return 0;
	if ((place = mesh_route_step(d, c->name, step)) == -1) {
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

/* The values of one release, or an error naming those there are. */
static int
print_values(const struct mesh_desc *d, struct mesh_helm_set *s,
    const char *cluster, const char *release)
{
	struct mesh_buf there = MESH_BUF_INIT;
	struct mesh_writer *w;
	size_t i;
	int rv;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->r[i].cluster, cluster) == 0 &&
		    strcmp(s->r[i].name, release) == 0)
			break;
	if (i < s->n) {
		w = mesh_writer_new(STDOUT_FILENO, MESH_FMT_YAML, false);
		rv = mesh_writer_put(w, s->r[i].values) == 0 &&
		    mesh_writer_finish(w) == 0 ? 0 : -1;
		mesh_writer_free(w);
		return rv;
	}
	for (i = 0; i < s->n; i++)
		if (strcmp(s->r[i].cluster, cluster) == 0)
			mesh_buf_addf(&there, "%s%s", there.len > 0 ? ", " : "",
			    s->r[i].name);
	if (there.len > 0)
		mesh_err(NULL, "%s: cluster '%s' has no Helm release '%s' "
		    "from %s: it has %s", d->src, cluster, release,
		    mesh_getprogname(), there.data);
	else
		mesh_err(NULL, "%s: cluster '%s' has no Helm release '%s' "
		    "from %s: it has none", d->src, cluster, release,
		    mesh_getprogname());
	mesh_buf_release(&there);
	return -1;
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
		mesh_err(NULL, "%s: no Helm release from %s%s%s%s", d->src,
		    mesh_getprogname(), cluster != NULL ? " for cluster '" :
		    "", cluster != NULL ? cluster : "", cluster != NULL ?
		    "'" : "");
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
	    "# The Helm releases %s renders for mesh '%s', in install order,\n"
	    "# from the Helm repository istio:\n"
	    "#   helm repo add istio "
	    "https://istio-release.storage.googleapis.com/charts\n"
	    "# Each release's namespace must exist first:\n"
	    "#   mesh-render -f MESH --for kubectl --step namespace\n"
	    "set -e\n", mesh_getprogname(), d->metadata.name);
	for (i = 0; i < s->n; i++)
		mesh_helm_install_line(&b, d, &s->r[order[i]]);
	free(order);
	rv = mesh_write_all(STDOUT_FILENO, b.data, b.len);
	if (rv == -1)
		mesh_err(NULL, "cannot write to standard output:");
	mesh_buf_release(&b);
	return rv == -1 ? -1 : 0;
}
