/*
 * Discovery, as kubectl resolves types: a document's apiVersion and
 * kind need that one group version's resource list; a TYPE typed by
 * hand (svc, deploy, deployment.apps, gateways.networking.istio.io,
 * Deployment) needs /api, /apis and the preferred version of every
 * group, then short names, plurals, singulars and kinds are matched in
 * that order, the core group first.  Every request goes through the loop,
 * each cluster's at once, retried while the deadline allows.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "kube.h"
#include "node.h"
#include "xalloc.h"

#include "wait.h"

enum { GV_NONE, GV_ASKED, GV_HAVE, GV_MISSING };

struct gv {
	struct gv *next;
	struct run *r;
	struct cluster *c;
	char *gv;			/* "v1", "apps/v1" */
	int state;
	struct apires *res;
	size_t nres;
	bool preferred;			/* named by /apis as preferred */
	struct mesh_kube_informer *inf;
};

static void
apires_release(struct apires *a)
{
	size_t i;

	free(a->group);
	free(a->version);
	free(a->api_version);
	free(a->name);
	free(a->singular);
	free(a->kind);
	for (i = 0; a->shortnames != NULL && a->shortnames[i] != NULL; i++)
		free(a->shortnames[i]);
	free(a->shortnames);
}

void
gvs_free(struct gv *g)
{
	struct gv *next;
	size_t i;

	for (; g != NULL; g = next) {
		next = g->next;
		for (i = 0; i < g->nres; i++)
			apires_release(&g->res[i]);
		free(g->res);
		free(g->gv);
		free(g);
	}
}

static struct gv *
gv_find(struct cluster *c, const char *gv)
{
	struct gv *g;

	for (g = c->gvs; g != NULL; g = g->next)
		if (strcmp(g->gv, gv) == 0)
			return g;
	return NULL;
}

static struct gv *
gv_get(struct run *r, struct cluster *c, const char *gv)
{
	struct gv *g, **tail;

	if ((g = gv_find(c, gv)) != NULL)
		return g;
	g = xcalloc(1, sizeof(*g));
	g->r = r;
	g->c = c;
	g->gv = xstrdup(gv);
	for (tail = &c->gvs; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = g;
	return g;
}

static int gv_got(void *arg, const struct mesh_doc *doc);

static void
gv_ask(struct run *r, struct gv *g)
{
	char path[512], what[600];

	if (g->state != GV_NONE)
		return;
	snprintf(path, sizeof(path), "%s%s", strchr(g->gv, '/') ? "/apis/" :
	    "/api/", g->gv);
	snprintf(what, sizeof(what), "the API of %s in %s", g->gv,
	    g->c->label);
	g->state = GV_ASKED;
	g->c->gv_pending++;
	g->inf = mesh_kube_fetch(r->loop, g->c->k, path, what, gv_got, g);
}

/* An APIResourceList: its resources, subresources left out. */
static int
gv_got(void *arg, const struct mesh_doc *doc)
{
	struct gv *g = arg;
	const struct mesh_node *list;
	const char *slash = strchr(g->gv, '/');
	size_t i, j, n;

	g->c->gv_pending--;
	if (doc == NULL) {
		g->state = GV_MISSING;
		return discover_resolve(g->r) == -1 ? -1 : 0;
	}
	list = mesh_map_get(doc->root, "resources");
	n = mesh_is_seq(list) ? list->u.c.n : 0;
	g->res = xcalloc(n ? n : 1, sizeof(*g->res));
	for (i = 0; i < n; i++) {
		const struct mesh_node *e = list->u.c.v[i];
		const char *name = mesh_map_getstr(e, "name");
		const char *kind = mesh_map_getstr(e, "kind");
		const char *ns = mesh_map_getstr(e, "namespaced");
		const char *sing = mesh_map_getstr(e, "singularName");
		const struct mesh_node *sn = mesh_map_get(e, "shortNames");
		struct apires *a;

		if (name == NULL || kind == NULL || strchr(name, '/') != NULL)
			continue;
		a = &g->res[g->nres++];
		a->group = slash ? xstrndup(g->gv, (size_t)(slash - g->gv)) :
		    xstrdup("");
		a->version = xstrdup(slash ? slash + 1 : g->gv);
		a->api_version = xstrdup(g->gv);
		a->name = xstrdup(name);
		a->kind = xstrdup(kind);
		a->singular = xstrdup(sing && *sing ? sing : "");
		a->namespaced = ns != NULL && strcmp(ns, "true") == 0;
		a->shortnames = xcalloc(mesh_is_seq(sn) ? sn->u.c.n + 1 : 1,
		    sizeof(char *));
		for (j = 0; mesh_is_seq(sn) && j < sn->u.c.n; j++)
			a->shortnames[j] = xstrdup(mesh_is_scalar(sn->u.c.v[j]) ?
			    sn->u.c.v[j]->u.s.text : "");
	}
	g->state = GV_HAVE;
	return discover_resolve(g->r) == -1 ? -1 : 0;
}

/* /api: the core group's versions. */
static int
core_got(void *arg, const struct mesh_doc *doc)
{
	struct cluster *c = arg;
	struct run *r = c->run;
	const struct mesh_node *v = doc ? mesh_map_get(doc->root,
	    "versions") : NULL;
	struct gv *g;

	c->have_core = true;
	if (mesh_is_seq(v) && v->u.c.n > 0 && mesh_is_scalar(v->u.c.v[0])) {
		g = gv_get(r, c, v->u.c.v[0]->u.s.text);
		g->preferred = true;
		gv_ask(r, g);
	}
	return discover_resolve(r) == -1 ? -1 : 0;
}

/* /apis: every group and its preferred version. */
static int
groups_got(void *arg, const struct mesh_doc *doc)
{
	struct cluster *c = arg;
	struct run *r = c->run;
	const struct mesh_node *groups = doc ? mesh_map_get(doc->root,
	    "groups") : NULL;
	struct gv *g;
	size_t i;

	c->have_groups = true;
	for (i = 0; mesh_is_seq(groups) && i < groups->u.c.n; i++) {
		const char *pv = mesh_map_getstr(groups->u.c.v[i],
		    "preferredVersion.groupVersion");

		if (pv == NULL) {
			const struct mesh_node *vs = mesh_map_get(
			    groups->u.c.v[i], "versions");

			if (mesh_is_seq(vs) && vs->u.c.n > 0)
				pv = mesh_map_getstr(vs->u.c.v[0],
				    "groupVersion");
		}
		if (pv == NULL)
			continue;
		g = gv_get(r, c, pv);
		g->preferred = true;
		gv_ask(r, g);
	}
	return discover_resolve(r) == -1 ? -1 : 0;
}

void
discover_start(struct run *r)
{
	struct want *w;
	struct cluster *c;
	char what[300];

	for (w = r->wants; w != NULL; w = w->next) {
		if (w->api_version != NULL)
			gv_ask(r, gv_get(r, w->c, w->api_version));
		else
			w->c->want_all = true;
	}
	for (c = r->clusters; c != NULL; c = c->next) {
		if (!c->want_all || c->groups_state != 0)
			continue;
		c->groups_state = 1;
		snprintf(what, sizeof(what), "the API of %s", c->label);
		c->disco[0] = mesh_kube_fetch(r->loop, c->k, "/api", what,
		    core_got, c);
		c->disco[1] = mesh_kube_fetch(r->loop, c->k, "/apis", what,
		    groups_got, c);
	}
}

/* ---- matching a TYPE ------------------------------------------------- */

static bool
matches(const struct apires *a, const char *res, int pass)
{
	size_t i;

	switch (pass) {
	case 0:
		for (i = 0; a->shortnames[i] != NULL; i++)
			if (strcasecmp(a->shortnames[i], res) == 0)
				return true;
		return false;
	case 1:
		return strcasecmp(a->name, res) == 0 ||
		    (*a->singular && strcasecmp(a->singular, res) == 0);
	default:
		return strcasecmp(a->kind, res) == 0;
	}
}

/* Does a's group (and version) fit what followed the first dot? */
static bool
group_fits(const struct apires *a, const char *rest)
{
	const char *dot;

	if (rest == NULL)
		return true;
	if (strcasecmp(a->group, rest) == 0)
		return true;
	dot = strchr(rest, '.');
	return dot != NULL && strncasecmp(a->version, rest,
	    (size_t)(dot - rest)) == 0 && a->version[dot - rest] == '\0' &&
	    strcasecmp(a->group, dot + 1) == 0;
}

static const struct apires *
match_type(struct cluster *c, const char *type)
{
	const char *dot = strchr(type, '.');
	char *res = dot ? xstrndup(type, (size_t)(dot - type)) :
	    xstrdup(type);
	const char *rest = dot ? dot + 1 : NULL;
	const struct apires *found = NULL;
	struct gv *g;
	size_t i;
	int pass, core;

	for (pass = 0; pass < 3 && found == NULL; pass++) {
		/* the core group first, then the groups in /apis' order */
		for (core = 1; core >= 0 && found == NULL; core--) {
			for (g = c->gvs; g != NULL && found == NULL;
			    g = g->next) {
				if (g->state != GV_HAVE || !g->preferred ||
				    (strchr(g->gv, '/') == NULL) != core)
					continue;
				for (i = 0; i < g->nres && found == NULL; i++)
					if (matches(&g->res[i], res, pass) &&
					    group_fits(&g->res[i], rest))
						found = &g->res[i];
			}
		}
	}
	free(res);
	return found;
}

/* ---- resolving wants ------------------------------------------------- */

static const struct apires *
match_kind(struct gv *g, const char *kind)
{
	size_t i;

	for (i = 0; i < g->nres; i++)
		if (strcmp(g->res[i].kind, kind) == 0)
			return &g->res[i];
	return NULL;
}

/* Is every group version a TYPE might need in? */
static bool
all_known(const struct cluster *c)
{
	return c->have_core && c->have_groups && c->gv_pending == 0;
}

static int
usage_fail(struct run *r, const struct want *w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
usage_fail(struct run *r, const struct want *w, const char *fmt, ...)
{
	char where[128];
	va_list ap;

	if (w->at.line > 0)
		snprintf(where, sizeof(where), "%s:%lu", w->at.src, w->at.line);
	va_start(ap, fmt);
	mesh_verr(w->at.line > 0 ? where : NULL, fmt, ap);
	va_end(ap);
	if (r->fail == 0)
		r->fail = 2;
	return -1;
}

/* What w's --for asks of its kind: -1 after a report. */
static int
check_cond(struct run *r, struct want *w)
{
	char label[600];

	if (w->cond->kind == FOR_ADDRESS && w->k != K_SERVICE)
		return usage_fail(r, w, "%s is a %s: --for address waits for "
		    "Services", want_label(r, w, label, sizeof(label)),
		    w->res->kind);
	if (w->cond->kind == FOR_INJECTED && w->k != K_POD &&
	    !kind_has_pods(w->k))
		return usage_fail(r, w, "%s is a %s: --for injected waits "
		    "for pods, or what runs them", want_label(r, w, label,
		    sizeof(label)), w->res->kind);
	return 0;
}

static void
resolved(struct want *w, const struct apires *a)
{
	w->res = a;
	w->k = kind_of(a->group, a->kind);
	free(w->rns);
	w->rns = NULL;
	if (a->namespaced && !w->all_namespaces)
		w->rns = xstrdup(w->ns ? w->ns : w->c->kc.namespace);
}

int
discover_resolve(struct run *r)
{
	struct want *w;
	struct gv *g;
	const struct apires *a;
	struct cluster *c;
	char ctx[300], t[300];
	bool all = true;

	for (w = r->wants; w != NULL; w = w->next) {
		if (w->res != NULL)
			continue;
		if (w->api_version != NULL) {
			g = gv_find(w->c, w->api_version);
			if (g == NULL || g->state == GV_ASKED ||
			    g->state == GV_NONE) {
				all = false;
				continue;
			}
			mesh_visible(w->c->label, ctx, sizeof(ctx));
			if (g->state == GV_MISSING) {
				mesh_errat(w->at.src, w->at.line, 0, "%s: the "
				    "cluster of context %s serves no %s: is "
				    "the CRD of %s installed?", w->kind, ctx,
				    mesh_visible(w->api_version, t, sizeof(t)),
				    w->kind);
				r->fail = 1;
				return -1;
			}
			if ((a = match_kind(g, w->kind)) == NULL) {
				mesh_errat(w->at.src, w->at.line, 0, "the "
				    "cluster of context %s serves no kind %s "
				    "in %s", ctx, mesh_visible(w->kind, t, sizeof(t)),
				    w->api_version);
				r->fail = 1;
				return -1;
			}
		} else {
			if (!all_known(w->c)) {
				all = false;
				continue;
			}
			if ((a = match_type(w->c, w->type)) == NULL) {
				mesh_visible(w->c->label, ctx, sizeof(ctx));
				return usage_fail(r, w, "the server of context "
				    "%s has no resource type '%s'", ctx,
				    mesh_visible(w->type, t, sizeof(t)));
			}
		}
		resolved(w, a);
		if (check_cond(r, w) == -1)
			return -1;
	}
	/* a cluster whose every want is resolved is watched at once */
	for (c = r->clusters; c != NULL; c = c->next) {
		if (c->started)
			continue;
		for (w = r->wants; w != NULL; w = w->next)
			if (w->c == c && w->res == NULL)
				break;
		if (w == NULL)
			feeds_start(r, c);
	}
	if (all)
		r->started = true;
	return 0;
}

const char *
discover_trouble(const struct want *w)
{
	const struct cluster *c = w->c;
	const struct gv *g;
	const char *t;
	int i;

	for (i = 0; i < 2; i++)
		if (c->disco[i] != NULL &&
		    (t = mesh_kube_informer_trouble(c->disco[i])) != NULL)
			return t;
	for (g = c->gvs; g != NULL; g = g->next)
		if (g->inf != NULL && g->state == GV_ASKED &&
		    (w->api_version == NULL || strcmp(g->gv,
		    w->api_version) == 0) &&
		    (t = mesh_kube_informer_trouble(g->inf)) != NULL)
			return t;
	return NULL;
}

const struct apires *
core_pods(struct cluster *c)
{
	static char *none[] = { NULL };
	static struct apires pods = {
		.group = (char *)"", .version = (char *)"v1",
		.api_version = (char *)"v1", .name = (char *)"pods",
		.singular = (char *)"pod", .kind = (char *)"Pod",
		.shortnames = none, .namespaced = true
	};
	struct gv *g = gv_find(c, "v1");
	size_t i;

	for (i = 0; g != NULL && i < g->nres; i++)
		if (strcmp(g->res[i].name, "pods") == 0)
			return &g->res[i];
	return &pods;
}
