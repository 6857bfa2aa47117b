/*
 * Routing a mesh's documents to their consumers and clusters (route.h):
 * the guide's steps for each model, the consumer of a document, and the
 * files of --dir, written all or nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "meshdesc.h"
#include "node.h"
#include "parse.h"
#include "route.h"
#include "stream.h"
#include "xalloc.h"

static const char *const consumer_names[] = { "", "istioctl", "kubectl",
	"helm" };

/* The models and the roles of a cluster in them, as bits. */
enum {
	M_MP = 1 << MESH_MODEL_MULTI_PRIMARY,
	M_PR = 1 << MESH_MODEL_PRIMARY_REMOTE,
	M_EXT = 1 << MESH_MODEL_EXTERNAL
};
enum {
	R_PRIMARY = 1 << 0,
	R_REMOTE = 1 << 1,
	R_CONFIG = 1 << 2,
	R_EXTERNAL = 1 << 3,	/* the external control plane's cluster */
	R_ANY = R_PRIMARY | R_REMOTE | R_CONFIG | R_EXTERNAL
};

/*
 * Each model's steps in the order of its guide (today's pages), for the
 * clusters that take them.  The guides' own "before you begin" comes
 * first: the namespaces, then the plug-in CA's cacerts.  A step a guide
 * repeats for each cluster is one place, taken by every cluster in
 * parallel; a Secret's step is that of the cluster it is applied to.
 * An external control plane's services are exposed in the config
 * cluster alone, as today's page has it: the others hold no Istio
 * CRDs (the old page's second kubectl apply fails there).
 */
enum prog { P_RENDER, P_GW, P_SECRET };
static const char *const prog_names[] = { "mesh-render", "mesh-gw",
	"mesh-secret" };

static const struct step {
	unsigned models;
	const char *name;
	unsigned roles;
	int place;
	enum prog prog;		/* the program that makes its documents */
} guide_steps[] = {
	{ M_MP | M_PR | M_EXT, "namespace", R_ANY, 1, P_RENDER },
	{ M_MP | M_PR | M_EXT, "cacerts", R_ANY, 2, P_SECRET },
	{ M_MP, "control-plane", R_PRIMARY, 3, P_RENDER },
	{ M_MP, "eastwest-gateway", R_PRIMARY, 4, P_GW },
	{ M_MP, "expose-services", R_PRIMARY, 5, P_GW },
	{ M_MP, "remote-secret", R_PRIMARY, 6, P_SECRET },
	{ M_PR, "control-plane", R_PRIMARY, 3, P_RENDER },
	{ M_PR, "eastwest-gateway", R_PRIMARY, 4, P_GW },
	{ M_PR, "expose-istiod", R_PRIMARY, 5, P_GW },
	{ M_PR, "control-plane", R_REMOTE, 6, P_RENDER },
	{ M_PR, "remote-secret", R_PRIMARY, 7, P_SECRET },
	{ M_PR, "eastwest-gateway", R_REMOTE, 8, P_GW },
	{ M_PR, "expose-services", R_PRIMARY | R_REMOTE, 9, P_GW },
	{ M_EXT, "controlplane-gateway", R_EXTERNAL, 3, P_GW },
	{ M_EXT, "tls-secret", R_EXTERNAL, 4, P_SECRET },
	{ M_EXT, "control-plane", R_CONFIG, 5, P_RENDER },
	{ M_EXT, "config-secret", R_EXTERNAL, 6, P_SECRET },
	{ M_EXT, "external-istiod", R_EXTERNAL, 7, P_RENDER },
	{ M_EXT, "external-istiod-gw", R_EXTERNAL, 8, P_GW },
	{ M_EXT, "control-plane", R_REMOTE, 9, P_RENDER },
	{ M_EXT, "remote-secret", R_EXTERNAL, 10, P_SECRET },
	{ M_EXT, "eastwest-gateway", R_CONFIG | R_REMOTE, 11, P_GW },
	{ M_EXT, "expose-services", R_CONFIG, 12, P_GW },
};
#define NSTEPS (sizeof(guide_steps) / sizeof(guide_steps[0]))

static const char *const model_names[] = { "multi-primary",
	"primary-remote", "external" };

/* One document added, and where it goes. */
struct entry {
	struct mesh_doc *doc;
	const char *cluster;	/* the document's annotation */
	const char *step;	/* static, or the caller's */
	int place;
	enum mesh_consumer consumer;
};

struct mesh_router {
	const struct mesh_route *r;
	const struct mesh_desc *d;
	struct entry *e;
	size_t n, cap;
	/* files of --dir left as they are: steps left for later */
	struct kept {
		const char *cluster, *step;
	} *kept;
	size_t nkept;
};

/* A file of --dir: its name, and its temporary file once made. */
struct file {
	char *dir, *path, *tmp;
};

int
mesh_route_init(struct mesh_route *r, const char *consumer, const char *dir,
    const char *cluster, enum mesh_format fmt)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->dir = dir;
	r->cluster = cluster;
	r->fmt = fmt;
	if (dir != NULL && *dir == '\0') {
		mesh_err(NULL, "invalid value for '--dir': '' (name a "
		    "directory)");
		return -1;
	}
	if (consumer == NULL)
		return 0;
	for (i = 1; i < sizeof(consumer_names) / sizeof(consumer_names[0]);
	    i++)
		if (strcmp(consumer, consumer_names[i]) == 0) {
			r->consumer = (enum mesh_consumer)i;
			return 0;
		}
	mesh_err(NULL, "invalid value for '--for': '%s' (use istioctl, "
	    "kubectl or helm)", consumer);
	return -1;
}

const char *
mesh_route_consumer_name(enum mesh_consumer c)
{
	return consumer_names[c];
}

enum mesh_consumer
mesh_route_consumer_of(const struct mesh_doc *doc)
{
	const char *kind = mesh_doc_kind(doc);
	const char *api = mesh_map_getstr(doc->root, "apiVersion");

	if (kind != NULL && strcmp(kind, "IstioOperator") == 0)
		return MESH_CONSUMER_ISTIOCTL;
	/* a Flux HelmRelease, for GitOps: helm's, applied by kubectl */
	if (kind != NULL && strcmp(kind, "HelmRelease") == 0 && api != NULL &&
	    strncmp(api, "helm.toolkit.fluxcd.io/", 23) == 0)
		return MESH_CONSUMER_HELM;
	return MESH_CONSUMER_KUBECTL;
}

bool
mesh_route_is_plain(const struct mesh_route *r)
{
	return r->consumer == MESH_CONSUMER_ANY && r->dir == NULL;
}

/* The role bit of the cluster called name; 0 when there is none. */
static unsigned
role_of(const struct mesh_desc *d, const char *name)
{
	const struct mesh_cluster *c;

	if (d->spec.external != NULL && d->spec.external->name != NULL &&
	    strcmp(name, d->spec.external->name) == 0)
		return R_EXTERNAL;
	if ((c = mesh_desc_cluster(d, name)) == NULL)
		return 0;
	switch (c->role) {
	case MESH_ROLE_PRIMARY:
		return R_PRIMARY;
	case MESH_ROLE_CONFIG:
		return R_CONFIG;
	default:
		return R_REMOTE;
	}
}

/* Is there a cluster of role (a MESH_ROLE_) in d other than c? */
static bool
has_other(const struct mesh_desc *d, const struct mesh_cluster *c,
    enum mesh_role role)
{
	unsigned i;

	for (i = 0; i < d->spec.clusters_count; i++)
		if (&d->spec.clusters[i] != c &&
		    d->spec.clusters[i].role == role)
			return true;
	return false;
}

/* The row of step for a cluster of role (bits) in d's model, or NULL. */
static const struct step *
find_step(const struct mesh_desc *d, unsigned role, const char *step)
{
	unsigned model = 1u << d->spec.model;
	size_t i;

	for (i = 0; i < NSTEPS; i++)
		if ((guide_steps[i].models & model) &&
		    (guide_steps[i].roles & role) &&
		    strcmp(guide_steps[i].name, step) == 0)
			return &guide_steps[i];
	return NULL;
}

/*
 * Does step of the row s apply to c (NULL: the external control plane)?
 * Gateways where traffic crosses networks or remotes reach their
 * primary's istiod; a remote secret where some istiod reads another
 * cluster; the external istiod's TLS Secret unless it is reached at an
 * IP address.
 */
static bool
applies(const struct mesh_desc *d, const struct step *s,
    const struct mesh_cluster *c)
{
	bool primary = c != NULL && c->role == MESH_ROLE_PRIMARY;

	if (strcmp(s->name, "eastwest-gateway") == 0)
		return mesh_desc_multi_network(d) ||
		    mesh_desc_has_remotes(d, c);
	if (strcmp(s->name, "expose-istiod") == 0)
		return mesh_desc_has_remotes(d, c);
	if (strcmp(s->name, "expose-services") == 0)
		return mesh_desc_multi_network(d);
	/* at an IP address, the gateway passes TLS through to istiod */
	if (strcmp(s->name, "tls-secret") == 0)
		return !mesh_desc_external_ip(d);
	if (strcmp(s->name, "remote-secret") == 0)
		return d->spec.model == MESH_MODEL_EXTERNAL ?
		    has_other(d, NULL, MESH_ROLE_REMOTE) :
		    primary && (mesh_desc_has_remotes(d, c) ||
		    has_other(d, c, MESH_ROLE_PRIMARY));
	return true;
}

bool
mesh_route_has_step(const struct mesh_desc *d, const char *cluster,
    const char *step)
{
	const struct step *s = find_step(d, role_of(d, cluster), step);

	return s != NULL && applies(d, s, mesh_desc_cluster(d, cluster));
}

int
mesh_route_check_step(const char *step)
{
	struct mesh_buf names = MESH_BUF_INIT;
	size_t i, j;

	for (i = 0; i < NSTEPS; i++)
		if (strcmp(guide_steps[i].name, step) == 0)
			return 0;
	for (i = 0; i < NSTEPS; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(guide_steps[j].name,
			    guide_steps[i].name) == 0)
				break;
		if (j == i)
			mesh_buf_addf(&names, "%s%s", i > 0 ? ", " : "",
			    guide_steps[i].name);
	}
	mesh_err(NULL, "invalid value for '--step': '%s' (use %s)", step,
	    names.data);
	mesh_buf_release(&names);
	return -1;
}

/* One line of mesh_route_list, for c (NULL: the external plane). */
static void
list_one(const struct mesh_desc *d, const struct step *s,
    const struct mesh_cluster *c)
{
	const struct mesh_cluster *p = NULL;
	const char *name = c != NULL ? c->name : d->spec.external->name;
	const char *context = c != NULL ? c->context :
	    d->spec.external->context;
	bool live = strcmp(s->name, "remote-secret") == 0 ||
	    strcmp(s->name, "config-secret") == 0;

	/* a remote's control plane waits for its primary's address */
	if (c != NULL && c->role == MESH_ROLE_REMOTE &&
	    d->spec.model == MESH_MODEL_PRIMARY_REMOTE &&
	    strcmp(s->name, "control-plane") == 0 &&
	    *c->discovery_address == '\0')
		p = mesh_desc_primary_of(d, c);
	printf("%02d\t%s\t%s\t%s\t%s\t%s\t%s\n", s->place, s->name, name,
	    context, prog_names[s->prog], live || p != NULL ? "install" :
	    "plan", p != NULL ? p->name : "-");
}

int
mesh_route_list(const struct mesh_desc *d, const char *cluster)
{
	unsigned model = 1u << d->spec.model, i;
	const struct mesh_cluster *c;
	const struct mesh_external *x = d->spec.external;
	size_t k;

	for (k = 0; k < NSTEPS; k++) {
		const struct step *s = &guide_steps[k];

		if (!(s->models & model))
			continue;
		if ((s->roles & R_EXTERNAL) && x != NULL && x->name != NULL &&
		    (cluster == NULL || strcmp(cluster, x->name) == 0) &&
		    applies(d, s, NULL))
			list_one(d, s, NULL);
		for (i = 0; i < d->spec.clusters_count; i++) {
			c = &d->spec.clusters[i];
			if ((cluster == NULL || strcmp(cluster, c->name) == 0) &&
			    (s->roles & role_of(d, c->name)) &&
			    applies(d, s, c))
				list_one(d, s, c);
		}
	}
	return 0;
}

int
mesh_route_step(const struct mesh_desc *d, const char *cluster,
    const char *step)
{
	const struct step *s = find_step(d, role_of(d, cluster), step);

	if (s != NULL)
		return s->place;
	mesh_err(NULL, "%s: no step '%s' for cluster '%s' of a %s mesh",
	    d->src, step, cluster, model_names[d->spec.model]);
	return -1;
}

struct mesh_router *
mesh_router_new(const struct mesh_route *r, const struct mesh_desc *d)
{
	struct mesh_router *rt = xcalloc(1, sizeof(*rt));

	rt->r = r;
	rt->d = d;
	return rt;
}

static void
free_doc(const struct mesh_router *rt, struct mesh_doc *doc)
{
	mesh_doc_free_wipe(doc, rt->r->wipe);
}

int
mesh_router_add(struct mesh_router *rt, struct mesh_doc *doc,
    const char *step)
{
	struct mesh_node *ann = mesh_map_get(mesh_map_get(doc->root,
	    "metadata"), "annotations");
	struct mesh_node *c = mesh_map_get(ann, "meshline.io/cluster");
	struct entry *e;
	int place;

	if (!mesh_is_scalar(c)) {
		mesh_err(NULL, "%s: a document of step '%s' has no "
		    "meshline.io/cluster annotation", rt->d->src, step);
		free_doc(rt, doc);
		return -1;
	}
	if ((place = mesh_route_step(rt->d, c->u.s.text, step)) == -1) {
		free_doc(rt, doc);
		return -1;
	}
	if (rt->n == rt->cap) {
		rt->cap = rt->cap ? rt->cap * 2 : 16;
		rt->e = xreallocarray(rt->e, rt->cap, sizeof(*rt->e));
	}
	e = &rt->e[rt->n++];
	e->doc = doc;
	e->cluster = c->u.s.text;
	e->step = step;
	e->place = place;
	e->consumer = mesh_route_consumer_of(doc);
	return 0;
}

void
mesh_router_keep(struct mesh_router *rt, const char *cluster,
    const char *step)
{
	rt->kept = xreallocarray(rt->kept, rt->nkept + 1, sizeof(*rt->kept));
	rt->kept[rt->nkept].cluster = cluster;
	rt->kept[rt->nkept++].step = step;
}

void
mesh_router_free(struct mesh_router *rt)
{
	size_t i;

	if (rt == NULL)
		return;
	for (i = 0; i < rt->n; i++)
		free_doc(rt, rt->e[i].doc);
	free(rt->e);
	free(rt->kept);
	free(rt);
}

static bool
wanted(const struct mesh_router *rt, const struct entry *e)
{
	return (rt->r->consumer == MESH_CONSUMER_ANY ||
	    rt->r->consumer == e->consumer) &&
	    (rt->r->step == NULL || strcmp(rt->r->step, e->step) == 0);
}

/* Nothing for the consumer asked for: say what there is instead. */
static void
nothing_wanted(const struct mesh_router *rt)
{
	const struct mesh_route *r = rt->r;
	struct mesh_buf there = MESH_BUF_INIT, what = MESH_BUF_INIT;
	const char *where;
	bool seen[sizeof(consumer_names) / sizeof(consumer_names[0])] = {
		false };
	size_t i;

	for (i = 0; i < rt->n; i++)
		if (r->step == NULL || strcmp(r->step, rt->e[i].step) == 0)
			seen[rt->e[i].consumer] = true;
	for (i = 1; i < sizeof(seen) / sizeof(seen[0]); i++)
		if (seen[i])
			mesh_buf_addf(&there, "%s%s", there.len > 0 ? " and " :
			    "", consumer_names[i]);
	if (r->step != NULL)
		mesh_buf_addf(&what, " of step '%s'", r->step);
	if (r->cluster != NULL)
		mesh_buf_addf(&what, " for cluster '%s'", r->cluster);
	where = what.len > 0 ? what.data : "";
	if (r->consumer == MESH_CONSUMER_ANY || there.len == 0)
		mesh_err(NULL, "%s: no document%s", rt->d->src, where);
	else if (r->consumer == MESH_CONSUMER_HELM)
		mesh_err(NULL, "%s: no document for helm%s: Helm releases "
		    "come from mesh-render and mesh-gw with --installer helm "
		    "(or spec.installer: helm); %s's documents are for %s",
		    rt->d->src, where, mesh_getprogname(), there.data);
	else
		mesh_err(NULL, "%s: no document for %s%s: %s's documents "
		    "there are all for %s", rt->d->src,
		    consumer_names[r->consumer], where, mesh_getprogname(),
		    there.data);
	mesh_buf_release(&there);
	mesh_buf_release(&what);
}

static int
write_stdout(struct mesh_router *rt)
{
	struct mesh_writer *w = mesh_writer_new(STDOUT_FILENO, rt->r->fmt,
	    false);
	size_t i;
	int rv = -1;

	if (rt->r->wipe != NULL)
		mesh_writer_secret(w);
	for (i = 0; i < rt->n; i++)
		if (wanted(rt, &rt->e[i]) &&
		    mesh_writer_put(w, rt->e[i].doc) == -1)
			goto out;
	rv = mesh_writer_finish(w);
out:
	mesh_writer_free(w);
	return rv;
}

/* Order for the files: cluster, step, consumer; then as added. */
static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = *(const struct entry *const *)a;
	const struct entry *y = *(const struct entry *const *)b;
	int c = strcmp(x->cluster, y->cluster);

	if (c != 0)
		return c;
	if (x->place != y->place)
		return x->place < y->place ? -1 : 1;
	if (x->consumer != y->consumer)
		return x->consumer < y->consumer ? -1 : 1;
	return x < y ? -1 : x > y;
}

static bool
same_file(const struct entry *x, const struct entry *y)
{
	return strcmp(x->cluster, y->cluster) == 0 && x->place == y->place &&
	    x->consumer == y->consumer;
}

/* Make directory path unless it is one already. */
static int
make_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0755) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		errno = ENOTDIR;
	mesh_err(NULL, "cannot create directory '%s':", path);
	return -1;
}

/* Sync a directory, so that the names renamed in it last. */
static void
sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd != -1) {
		(void)fsync(fd);
		close(fd);
	}
}

/*
 * Write the n documents of e (one file's) into a new temporary file
 * beside f->path, synced; f->tmp names it after.  0, or -1 after a
 * report (the temporary file then removed).
 */
static int
write_tmp(const struct mesh_router *rt, struct file *f,
    struct entry *const *e, size_t n)
{
	struct mesh_writer *w;
	size_t i;
	int fd, rv = -1;

	f->tmp = xasprintf("%s/.%s.XXXXXX", f->dir, f->path +
	    strlen(f->dir) + 1);
	if ((fd = mkstemp(f->tmp)) == -1) {
		mesh_err(NULL, "cannot create a file in '%s':", f->dir);
		free(f->tmp);
		f->tmp = NULL;
		return -1;
	}
	w = mesh_writer_new(fd, rt->r->fmt, false);
	if (rt->r->wipe != NULL)
		mesh_writer_secret(w);
	for (i = 0; i < n; i++)
		if (mesh_writer_put(w, e[i]->doc) == -1)
			goto out;
	if (mesh_writer_finish(w) == -1)
		goto out;
	if (fchmod(fd, rt->r->wipe != NULL ? 0600 : 0644) == -1 ||
	    fsync(fd) == -1) {
		mesh_err(NULL, "cannot write '%s':", f->path);
		goto out;
	}
	rv = 0;
out:
	mesh_writer_free(w);
	if (close(fd) == -1 && rv == 0) {
		mesh_err(NULL, "cannot write '%s':", f->path);
		rv = -1;
	}
	if (rv == -1) {
		unlink(f->tmp);
		free(f->tmp);
		f->tmp = NULL;
	}
	return rv;
}

/*
 * Is name a file of --dir for one of the program's steps and a consumer
 * written ("NN-step.consumer.ext"), that no file in f (nf of them, in
 * dir) is?
 */
static bool
stale(const struct mesh_router *rt, const char *dir, const char *name,
    const struct file *f, size_t nf)
{
	const char *p = name + 3, *dot, *cons;
	size_t i, len;

	if (strlen(name) < 4 || name[0] < '0' || name[0] > '9' ||
	    name[1] < '0' || name[1] > '9' || name[2] != '-' ||
	    (dot = strchr(p, '.')) == NULL)
		return false;
	for (i = 0; rt->r->steps[i] != NULL; i++)
		if (strlen(rt->r->steps[i]) == (size_t)(dot - p) &&
		    strncmp(p, rt->r->steps[i], (size_t)(dot - p)) == 0)
			break;
	if (rt->r->steps[i] == NULL || (rt->r->step != NULL &&
	    strcmp(rt->r->step, rt->r->steps[i]) != 0))
		return false;
	for (i = 0; i < rt->nkept; i++)
		if (strcmp(dir + strlen(rt->r->dir) + 1,
		    rt->kept[i].cluster) == 0 &&
		    strlen(rt->kept[i].step) == (size_t)(dot - p) &&
		    strncmp(p, rt->kept[i].step, (size_t)(dot - p)) == 0)
			return false;
	cons = dot + 1;
	for (i = 1; i < sizeof(consumer_names) / sizeof(consumer_names[0]);
	    i++) {
		len = strlen(consumer_names[i]);
		if (strncmp(cons, consumer_names[i], len) == 0 &&
		    (strcmp(cons + len, ".yaml") == 0 ||
		    strcmp(cons + len, ".json") == 0))
			break;
	}
	if (i == sizeof(consumer_names) / sizeof(consumer_names[0]) ||
	    (rt->r->consumer != MESH_CONSUMER_ANY &&
	    (enum mesh_consumer)i != rt->r->consumer))
		return false;
	for (i = 0; i < nf; i++)
		if (strcmp(f[i].dir, dir) == 0 &&
		    strcmp(f[i].path + strlen(dir) + 1, name) == 0)
			return false;
	return true;
}

/* Take the program's files this run did not write out of cluster's dir. */
static int
sweep(const struct mesh_router *rt, const char *cluster, const struct file *f,
    size_t nf)
{
	char *dir = xasprintf("%s/%s", rt->r->dir, cluster), *path;
	struct dirent *de;
	DIR *d;
	int rv = 0;

	if ((d = opendir(dir)) == NULL) {
		rv = errno == ENOENT ? 0 : -1;
		if (rv == -1)
			mesh_err(NULL, "cannot read '%s':", dir);
		free(dir);
		return rv;
	}
	while ((de = readdir(d)) != NULL) {
		if (!stale(rt, dir, de->d_name, f, nf))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (unlink(path) == -1 && errno != ENOENT) {
			mesh_err(NULL, "cannot remove '%s':", path);
			rv = -1;
		}
		free(path);
	}
	closedir(d);
	if (rv == 0)
		sync_dir(dir);
	free(dir);
	return rv;
}

/* Sweep the directory of every cluster the run is for. */
static int
sweep_all(const struct mesh_router *rt, const struct file *f, size_t nf)
{
	const struct mesh_spec *sp = &rt->d->spec;
	unsigned i;
	int rv = 0;

	if (rt->r->steps == NULL)
		return 0;
	if (rt->r->cluster != NULL)
		return mesh_is_dns_label(rt->r->cluster) ?
		    sweep(rt, rt->r->cluster, f, nf) : 0;
	if (sp->external != NULL && sp->external->name != NULL &&
	    sweep(rt, sp->external->name, f, nf) == -1)
		rv = -1;
	for (i = 0; i < sp->clusters_count; i++)
		if (sweep(rt, sp->clusters[i].name, f, nf) == -1)
			rv = -1;
	return rv;
}

static int
write_dir(struct mesh_router *rt, size_t nwanted)
{
	const char *ext = rt->r->fmt == MESH_FMT_JSON ? "json" : "yaml";
	struct entry **e = xcalloc(nwanted, sizeof(*e));
	struct file *f = xcalloc(nwanted, sizeof(*f));
	size_t i, j, k, nf = 0;
	int rv = -1;

	for (i = j = 0; i < rt->n; i++)
		if (wanted(rt, &rt->e[i]))
			e[j++] = &rt->e[i];
	qsort(e, nwanted, sizeof(*e), cmp_entry);
	if (make_dir(rt->r->dir) == -1)
		goto out;
	/* every file to its temporary name first */
	for (i = 0; i < nwanted; i = j, nf++) {
		for (j = i + 1; j < nwanted && same_file(e[i], e[j]); j++)
			;
		/* a name becomes a directory: it must be one (DNS-1123) */
		if (!mesh_is_dns_label(e[i]->cluster)) {
			mesh_err(NULL, "%s: cluster '%s' cannot name a "
			    "directory: it is not a DNS-1123 label",
			    rt->d->src, e[i]->cluster);
			goto out;
		}
		f[nf].dir = xasprintf("%s/%s", rt->r->dir, e[i]->cluster);
		f[nf].path = xasprintf("%s/%02d-%s.%s.%s", f[nf].dir,
		    e[i]->place, e[i]->step,
		    consumer_names[e[i]->consumer], ext);
		if (make_dir(f[nf].dir) == -1 ||
		    write_tmp(rt, &f[nf], e + i, j - i) == -1) {
			nf++;
			goto out;
		}
	}
	/* then each into place */
	for (k = 0; k < nf; k++) {
		if (rename(f[k].tmp, f[k].path) == -1) {
			mesh_err(NULL, "cannot write '%s':", f[k].path);
			goto out;
		}
		free(f[k].tmp);
		f[k].tmp = NULL;
		if (k + 1 == nf || strcmp(f[k].dir, f[k + 1].dir) != 0)
			sync_dir(f[k].dir);
	}
	if (sweep_all(rt, f, nf) == -1)
		goto out;
	rv = 0;
out:
	for (k = 0; k < nf; k++) {
		if (f[k].tmp != NULL)
			unlink(f[k].tmp);
		free(f[k].tmp);
		free(f[k].path);
		free(f[k].dir);
	}
	free(f);
	free(e);
	return rv;
}

int
mesh_router_finish(struct mesh_router *rt)
{
	size_t i, nwanted = 0;

	for (i = 0; i < rt->n; i++)
		if (wanted(rt, &rt->e[i]))
			nwanted++;
	if (nwanted == 0) {
		nothing_wanted(rt);
		return -1;
	}
	return rt->r->dir != NULL ? write_dir(rt, nwanted) :
	    write_stdout(rt);
}

int
mesh_route_write(const struct mesh_route *r, const struct mesh_desc *d,
    struct mesh_doc **docs, const char *const *steps, size_t n)
{
	struct mesh_router *rt = mesh_router_new(r, d);
	size_t i;
	int rv = 0;

	for (i = 0; i < n; i++)
		if (mesh_router_add(rt, docs[i], steps[i]) == -1)
			rv = -1;
	if (rv == 0)
		rv = mesh_router_finish(rt);
	mesh_router_free(rt);
	return rv;
}
