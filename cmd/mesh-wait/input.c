/*
 * What to wait for: objects named on the command line (TYPE/NAME, TYPE
 * NAME..., TYPE with -l or --all), the names `kubectl -o name` prints,
 * or the objects of a YAML or JSON stream (a v1 List counting as its
 * items).  A document annotated meshline.io/context is waited for in
 * that context's cluster.  An IstioOperator stands for what istioctl
 * install makes of it and waits for: istiod, the gateways, the sidecar
 * injector's webhook.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "kube.h"
#include "kubeconfig.h"
#include "node.h"
#include "stream.h"
#include "xalloc.h"

#include "wait.h"

#define CONTEXT_ANNOTATION	"meshline.io/context"
#define ISTIO_SYSTEM		"istio-system"

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct cluster *
cluster_get(struct run *r, const char *context)
{
	const struct opts *o = r->o;
	struct mesh_kubeconfig_opts ko;
	struct mesh_kube_opts kopts;
	struct cluster *c, **tail;

	if (context == NULL)
		context = o->context;
	for (c = r->clusters; c != NULL; c = c->next)
		if ((c->context == NULL && context == NULL) ||
		    (c->context != NULL && context != NULL &&
		    strcmp(c->context, context) == 0))
			return c;
	/* the files once: every context is selected from them */
	if (r->kfiles == NULL &&
	    (r->kfiles = mesh_kubeconfig_files_read(o->kubeconfig)) == NULL)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->run = r;
	c->context = dup_or_null(context);
	memset(&ko, 0, sizeof(ko));
	ko.kubeconfig = o->kubeconfig;
	ko.context = context;
	ko.namespace = o->namespace;
	if (mesh_kubeconfig_select(&c->kc, r->kfiles, &ko) == -1) {
		mesh_kubeconfig_release(&c->kc);
		free(c->context);
		free(c);
		return NULL;
	}
	c->loaded = true;
	c->label = xstrdup(c->kc.context ? c->kc.context : "in-cluster");
	memset(&kopts, 0, sizeof(kopts));
	kopts.timeout_ms = o->request_timeout_ms;
	kopts.verbose = o->verbose;
	if ((c->k = mesh_kube_new(&c->kc, &kopts)) == NULL) {
		mesh_kubeconfig_release(&c->kc);
		free(c->label);
		free(c->context);
		free(c);
		return NULL;
	}
	/* the current context, named or not, is one cluster */
	for (tail = &r->clusters; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = c;
	return c;
}

static struct want *
want_new(struct run *r, struct cluster *c, const char *src,
    unsigned long line)
{
	struct want *w = xcalloc(1, sizeof(*w));

	w->c = c;
	w->at.src = xstrdup(src);
	w->at.line = line;
	w->cond = &r->o->cond;
	*r->wtail = w;
	r->wtail = &w->next;
	r->nwants++;
	return w;
}

const char *
want_label(const struct run *r, const struct want *w, char *buf,
    size_t len)
{
	char kind[128], name[256], ns[256], ctx[256];
	const char *k;
	size_t i;
	int n;

	k = w->res ? w->res->kind : w->kind ? w->kind : w->type;
	for (i = 0; k[i] != '\0' && i < sizeof(kind) - 1; i++)
		kind[i] = (char)tolower((unsigned char)k[i]);
	kind[i] = '\0';
	/* a TYPE as typed may carry its group: deployment.apps */
	if (w->res == NULL && w->kind == NULL && strchr(kind, '.'))
		*strchr(kind, '.') = '\0';
	mesh_visible(kind, kind, sizeof(kind));
	if (w->name != NULL)
		n = snprintf(buf, len, "%s/%s", kind,
		    mesh_visible(w->name, name, sizeof(name)));
	else
		n = snprintf(buf, len, "%s -l '%s'", kind, mesh_visible(w->selector,
		    name, sizeof(name)));
	if (n < 0 || (size_t)n >= len)
		return buf;
	ns[0] = '\0';
	if (w->all_namespaces)
		snprintf(ns, sizeof(ns), "all namespaces");
	else if (w->rns != NULL)
		mesh_visible(w->rns, ns, sizeof(ns));
	else if (w->res == NULL && w->ns != NULL)
		mesh_visible(w->ns, ns, sizeof(ns));
	ctx[0] = '\0';
	if (r->clusters != NULL && r->clusters->next != NULL)
		mesh_visible(w->c->label, ctx, sizeof(ctx));
	if (ns[0] && ctx[0])
		snprintf(buf + n, len - (size_t)n, " (%s, %s)", ns, ctx);
	else if (ns[0] || ctx[0])
		snprintf(buf + n, len - (size_t)n, " (%s)", ns[0] ? ns : ctx);
	return buf;
}

/* ---- arguments ------------------------------------------------------- */

/* A usage error about the argument s. */
static int
bad_arg(const char *what, const char *s)
{
	char buf[256];

	mesh_err(NULL, "'%s' %s", mesh_visible(s, buf, sizeof(buf)), what);
	return -1;
}

int
input_args(struct run *r, int argc, char *argv[])
{
	const struct opts *o = r->o;
	struct cluster *c;
	struct want *w;
	const char *slash;
	bool named = false, typed = false;
	int i;

	if (argc == 0)
		return 0;
	for (i = 0; i < argc; i++) {
		if (strchr(argv[i], '/') != NULL)
			named = true;
		else
			typed = true;
	}
	if (named && typed) {
		mesh_err(NULL, "give objects as TYPE/NAME or as TYPE NAME..., "
		    "not both");
		return -1;
	}
	if (named && (o->selector != NULL || o->all)) {
		mesh_err(NULL, "a name cannot be given with %s",
		    o->all ? "--all" : "-l");
		return -1;
	}
	if (typed && argc > 1 && (o->selector != NULL || o->all)) {
		mesh_err(NULL, "a name cannot be given with %s",
		    o->all ? "--all" : "-l");
		return -1;
	}
	if (typed && argc == 1 && o->selector == NULL && !o->all)
		return bad_arg("names no object: give TYPE/NAME, TYPE NAME, "
		    "or TYPE with -l or --all", argv[0]);
	if (o->all_namespaces && (named || argc > 1)) {
		mesh_err(NULL, "-A waits for what -l or --all selects in "
		    "every namespace; it takes no name");
		return -1;
	}
	if ((c = cluster_get(r, NULL)) == NULL) {
		r->fail = 1;
		return -1;
	}
	if (typed && argc == 1) {
		if (*argv[0] == '\0')
			return bad_arg("is an empty TYPE", argv[0]);
		w = want_new(r, c, "argument", 0);
		w->type = xstrdup(argv[0]);
		w->selector = xstrdup(o->selector ? o->selector : "");
		w->all_namespaces = o->all_namespaces;
		w->ns = dup_or_null(o->namespace);
		return 0;
	}
	for (i = typed ? 1 : 0; i < argc; i++) {
		const char *type = typed ? argv[0] : argv[i];
		size_t tlen = typed ? strlen(type) :
		    (size_t)((slash = strchr(argv[i], '/')) - argv[i]);
		const char *name = typed ? argv[i] : slash + 1;

		if (tlen == 0 || *name == '\0' || strchr(name, '/') != NULL)
			return bad_arg("is not TYPE/NAME", argv[i]);
		w = want_new(r, c, "argument", 0);
		w->type = xstrndup(type, tlen);
		w->name = xstrdup(name);
		w->ns = dup_or_null(o->namespace);
	}
	return 0;
}

/* ---- streams --------------------------------------------------------- */

/* Is the text the lines `kubectl ... -o name` prints? */
static bool
is_names(const char *p, size_t len)
{
	const char *e = p + len, *nl;
	size_t n = 0, slashes, i;

	for (; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		slashes = 0;
		for (i = 0; p + i < nl; i++) {
			unsigned char ch = (unsigned char)p[i];

			if (ch == '/')
				slashes++;
			else if (ch == '\r' && p + i + 1 == nl)
				continue;
			else if (!isalnum(ch) && ch != '.' && ch != '-' &&
			    ch != '_' && ch != ':')
				return false;
		}
		if (i == 0)
			continue;
		if (slashes != 1 || p[0] == '/' || nl[-1] == '/')
			return false;
		n++;
	}
	return n > 0;
}

static int
input_names(struct run *r, const char *src, const char *p, size_t len)
{
	const char *e = p + len, *nl, *slash;
	unsigned long line = 0;
	struct cluster *c;
	struct want *w;
	size_t l;

	if ((c = cluster_get(r, NULL)) == NULL)
		return -1;
	for (; p < e; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		l = (size_t)(nl - p);
		if (l > 0 && p[l - 1] == '\r')
			l--;
		if (l == 0)
			continue;
		slash = memchr(p, '/', l);
		w = want_new(r, c, src, line);
		w->type = xstrndup(p, (size_t)(slash - p));
		w->name = xstrndup(slash + 1, l - (size_t)(slash - p) - 1);
		w->ns = dup_or_null(r->o->namespace);
	}
	return 0;
}

static const char *
str_at(const struct mesh_node *n, const char *dotted)
{
	const char *s = mesh_map_getstr(n, dotted);

	return s != NULL && *s != '\0' ? s : NULL;
}

static const char *
annotation(const struct mesh_node *obj, const char *key)
{
	const struct mesh_node *a = mesh_map_get(mesh_map_get(obj,
	    "metadata"), "annotations");
	const struct mesh_node *v = mesh_map_get(a, key);

	return mesh_is_scalar(v) && v->u.s.len > 0 ? v->u.s.text : NULL;
}

/* The node at a dotted chain of keys in n, or NULL. */
static const struct mesh_node *
node_at(const struct mesh_node *n, const char *dotted)
{
	char key[128];
	const char *dot;
	size_t len;

	while (n != NULL) {
		dot = strchr(dotted, '.');
		len = dot ? (size_t)(dot - dotted) : strlen(dotted);
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, dotted, len);
		key[len] = '\0';
		n = mesh_map_get(n, key);
		if (dot == NULL)
			break;
		dotted = dot + 1;
	}
	return n;
}

/*
 * An explicit boolean at dotted in n, read as istioctl reads YAML 1.1
 * (yes and on are true): 1, 0, or -1 when not set or not a boolean.
 */
static int
flag_at(const struct mesh_node *n, const char *dotted)
{
	const struct mesh_node *v = node_at(n, dotted);
	char buf[32];

	if (!mesh_is_scalar(v) || mesh_scalar_type(v) != MESH_T_BOOL)
		return -1;
	return strcmp(mesh_scalar_canon(v, buf, sizeof(buf)), "true") == 0;
}

static struct want *
iop_want(struct run *r, struct cluster *c, const struct origin *at,
    const char *from, const char *av, const char *kind, const char *name,
    const char *ns)
{
	struct want *w = want_new(r, c, at->src, at->line);

	w->api_version = xstrdup(av);
	w->kind = xstrdup(kind);
	w->name = xstrdup(name);
	w->ns = dup_or_null(ns);
	w->from = xstrdup(from);
	return w;
}

/*
 * The enabled gateways of an IstioOperator's list: their Deployment,
 * and their Service (which --for ready wants an address of when it is
 * a LoadBalancer).  A list in the file replaces the profile's whole, as
 * istioctl merges lists (an empty or null one too); without one, the
 * profile's own gateway counts, with its Deployment only.
 */
static void
iop_gateways(struct run *r, struct cluster *c, const struct origin *at,
    const char *from, const struct mesh_node *spec, const char *ns,
    const char *list, const char *profile_gw)
{
	const struct mesh_node *comps = mesh_map_get(spec, "components");
	const struct mesh_node *gws = mesh_map_get(comps, list);
	bool address = r->o->cond.kind == FOR_ADDRESS;
	size_t i;

	if (!mesh_is_map(comps) || mesh_map_find(comps, list) < 0) {
		if (profile_gw != NULL && !address)
			iop_want(r, c, at, from, "apps/v1", "Deployment",
			    profile_gw, ns);
		return;
	}
	for (i = 0; mesh_is_seq(gws) && i < gws->u.c.n; i++) {
		const struct mesh_node *g = gws->u.c.v[i];
		const char *name = str_at(g, "name");
		const char *gns = str_at(g, "namespace");

		if (name == NULL || flag_at(g, "enabled") != 1)
			continue;
		if (!address)
			iop_want(r, c, at, from, "apps/v1", "Deployment", name,
			    gns ? gns : ns);
		iop_want(r, c, at, from, "v1", "Service", name,
		    gns ? gns : ns);
	}
}

/* Does the profile keep the default profile's istio-ingressgateway? */
static bool
has_ingress(const char *profile)
{
	static const char *const with[] = { "default", "demo", "openshift",
	    "preview", "stable" };
	size_t i;

	for (i = 0; i < sizeof(with) / sizeof(with[0]); i++)
		if (strcmp(profile, with[i]) == 0)
			return true;
	return false;
}

/*
 * What istioctl install waits for, and what the guides check after it:
 * istiod's Deployment (istiod-REV with a revision), the injector's
 * MutatingWebhookConfiguration (istiod patches its caBundle in; a remote
 * profile's only has to exist, as its istiod runs elsewhere), and the
 * gateways.  Profiles as Istio 1.21 to 1.30 define them.
 */
static int
expand_iop(struct run *r, struct cluster *c, const struct origin *at,
    const struct mesh_node *obj)
{
	const struct mesh_node *spec = mesh_map_get(obj, "spec");
	const struct mesh_node *values = mesh_map_get(spec, "values");
	const char *ns, *profile, *vprofile, *rev, *iopname;
	char from[300], name[300];
	bool remote, pilot, webhooks;
	int p;
	enum cond_kind k = r->o->cond.kind;
	struct want *w;

	if (k != FOR_READY && k != FOR_EXISTS && k != FOR_DELETE &&
	    k != FOR_ADDRESS) {
		mesh_errat(at->src, at->line, 0, "an IstioOperator stands for "
		    "several objects: --for %s does not apply to it",
		    r->o->cond.text);
		r->fail = 2;
		return -1;
	}
	iopname = str_at(obj, "metadata.name");
	snprintf(from, sizeof(from), "istiooperator%s%s", iopname ? "/" : "",
	    iopname ? iopname : "");
	/* istioctl sets metadata.namespace from values.global.istioNamespace */
	if ((ns = str_at(values, "global.istioNamespace")) == NULL &&
	    (ns = str_at(obj, "metadata.namespace")) == NULL)
		ns = ISTIO_SYSTEM;
	if ((profile = str_at(spec, "profile")) == NULL)
		profile = "default";
	if ((rev = str_at(spec, "revision")) == NULL)
		rev = str_at(values, "revision");
	vprofile = str_at(values, "profile");
	p = flag_at(spec, "components.pilot.enabled");
	/*
	 * A remote cluster, whose istiod runs elsewhere: the remote profile
	 * (1.24 on: values.profile remote; before: istiodRemote on, pilot
	 * off), istioctl 1.21's external profile, or (as the old guides
	 * install it) a profile pointed at another cluster's istiod.
	 */
	remote = strcmp(profile, "remote") == 0 ||
	    strcmp(profile, "external") == 0 ||
	    (vprofile != NULL && strcmp(vprofile, "remote") == 0) ||
	    flag_at(values, "istiodRemote.enabled") == 1 ||
	    flag_at(spec, "components.istiodRemote.enabled") == 1 ||
	    (str_at(values, "global.remotePilotAddress") != NULL && p != 1);
	pilot = !remote && (p == 1 || (p == -1 &&
	    strcmp(profile, "empty") != 0));
	webhooks = (pilot || remote) &&
	    flag_at(values, "global.operatorManageWebhooks") != 1 &&
	    flag_at(values, "sidecarInjectorWebhook.enabled") != 0;
	if (pilot && k != FOR_ADDRESS) {
		snprintf(name, sizeof(name), "istiod%s%s", rev ? "-" : "",
		    rev ? rev : "");
		iop_want(r, c, at, from, "apps/v1", "Deployment", name, ns);
	}
	if (webhooks && k != FOR_ADDRESS) {
		snprintf(name, sizeof(name), "istio-sidecar-injector%s%s%s%s",
		    rev ? "-" : "", rev ? rev : "",
		    strcmp(ns, ISTIO_SYSTEM) != 0 ? "-" : "",
		    strcmp(ns, ISTIO_SYSTEM) != 0 ? ns : "");
		w = iop_want(r, c, at, from, "admissionregistration.k8s.io/v1",
		    "MutatingWebhookConfiguration", name, NULL);
		if (remote && k == FOR_READY)
			w->cond = &r->exists;
	}
	iop_gateways(r, c, at, from, spec, ns, "ingressGateways",
	    has_ingress(profile) ? "istio-ingressgateway" : NULL);
	iop_gateways(r, c, at, from, spec, ns, "egressGateways",
	    strcmp(profile, "demo") == 0 ? "istio-egressgateway" : NULL);
	return 0;
}

/* One object of a stream.  0, or -1 after a report. */
static int
input_object(struct run *r, const char *src, const struct mesh_node *obj,
    int depth)
{
	struct origin at = { (char *)src, obj->line };
	const char *av, *kind, *name, *ctx;
	struct mesh_node *items;
	struct cluster *c;
	struct want *w;
	char what[256];
	size_t i;

	if (!mesh_is_map(obj)) {
		mesh_errat(src, obj->line, obj->col, "not an object: a "
		    "document must be a mapping");
		return -1;
	}
	av = str_at(obj, "apiVersion");
	kind = str_at(obj, "kind");
	if (mesh_is_list(obj, &items)) {
		if (depth > 8) {
			mesh_errat(src, obj->line, obj->col, "Lists nested too "
			    "deep");
			return -1;
		}
		for (i = 0; items != NULL && i < items->u.c.n; i++)
			if (input_object(r, src, items->u.c.v[i], depth + 1) ==
			    -1)
				return -1;
		return 0;
	}
	if (av == NULL || kind == NULL) {
		mesh_errat(src, obj->line, obj->col, "%s has no %s: it names "
		    "no object to wait for", mesh_describe(obj, what,
		    sizeof(what)), av == NULL ? "apiVersion" : "kind");
		return -1;
	}
	if (strcmp(kind, "Mesh") == 0 && strncmp(av, "meshline.io/", 12) ==
	    0) {
		mesh_errat(src, obj->line, obj->col, "a mesh description is "
		    "not an object in a cluster: wait for what mesh-render -f "
		    "and mesh-gw -f print from it");
		return -1;
	}
	ctx = annotation(obj, CONTEXT_ANNOTATION);
	if ((c = cluster_get(r, ctx)) == NULL) {
		r->fail = 1;
		return -1;
	}
	if (mesh_is_iop(obj))
		return expand_iop(r, c, &at, obj);
	if ((name = str_at(obj, "metadata.name")) == NULL) {
		mesh_errat(src, obj->line, obj->col, "%s has no metadata.name%s",
		    kind, str_at(obj, "metadata.generateName") ? " (the "
		    "server makes one from generateName: wait for what "
		    "kubectl create -o name prints)" : "");
		return -1;
	}
	w = want_new(r, c, src, obj->line);
	w->api_version = xstrdup(av);
	w->kind = xstrdup(kind);
	w->name = xstrdup(name);
	w->ns = dup_or_null(str_at(obj, "metadata.namespace"));
	if (w->ns == NULL)
		w->ns = dup_or_null(r->o->namespace);
	return 0;
}

int
input_stream(struct run *r, const char *path)
{
	struct mesh_limits lim;
	struct mesh_buf in = MESH_BUF_INIT;
	struct mesh_reader *rd = NULL;
	struct mesh_doc *doc;
	const char *src = strcmp(path, "-") == 0 ? "<stdin>" : path;
	int rv = -1, n;

	mesh_limits_init(&lim);
	if (mesh_slurp(path, &in, lim.max_input_size) == -1)
		goto out;
	if (in.len > 0 && memchr(in.data, '\0', in.len) == NULL &&
	    is_names(in.data, in.len)) {
		rv = input_names(r, src, in.data, in.len);
		goto out;
	}
	if ((rd = mesh_reader_open_mem(src, in.data ? in.data : "", in.len,
	    &lim)) == NULL)
		goto out;
	while ((n = mesh_reader_next(rd, &doc)) == 1) {
		if (doc->root != NULL && !mesh_is_null(doc->root) &&
		    input_object(r, src, doc->root, 0) == -1) {
			mesh_doc_free(doc);
			goto out;
		}
		mesh_doc_free(doc);
	}
	if (n == -1)
		goto out;
	rv = 0;
out:
	mesh_reader_free(rd);
	mesh_buf_release(&in);
	return rv;
}
