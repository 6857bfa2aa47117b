/*
 * mesh-secret remote: the Secret that lets istiod in another cluster
 * read the source cluster, from the cluster's own credentials or from a
 * kubeconfig's; with -f, every such Secret a mesh description needs,
 * each addressed to the cluster it is applied to.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "kube.h"
#include "kubeconfig.h"
#include "meshdesc.h"
#include "pki.h"
#include "xalloc.h"

#include "secret.h"

/* The remote secret's source: options, names, and the state of reading it. */
static void
remote_init(struct remote *r, struct opts *o)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->src_ns = o->namespace ? o->namespace : o->istio_namespace ?
	    o->istio_namespace : ISTIO_SYSTEM;
	r->secret_ns = o->istio_namespace ? o->istio_namespace :
	    o->namespace ? o->namespace : ISTIO_SYSTEM;
	r->sa = o->service_account ? o->service_account :
	    strcmp(o->type, "config") == 0 ? "istiod" : READER_SA;
}

/* Load the kubeconfig and take the credentials the Secret holds. */
static int
remote_read(struct remote *r)
{
	struct mesh_kubeconfig_opts ko;
	struct opts *o = r->o;

	memset(&ko, 0, sizeof(ko));
	ko.kubeconfig = o->from_kubeconfig ? o->from_kubeconfig :
	    o->kubeconfig;
	ko.context = o->context;
	if ((r->files != NULL ? mesh_kubeconfig_select(&r->kc, r->files, &ko) :
	    mesh_kubeconfig_load(&r->kc, &ko)) == -1 || check_server(r) == -1)
		return -1;
	return o->from_kubeconfig ? from_kubeconfig(r) : from_cluster(r);
}

static void
remote_release(struct remote *r)
{
	mesh_kube_free(r->k);
	mesh_kubeconfig_release(&r->kc);
	mesh_wipe_buf(&r->ca);
	mesh_kubeconfig_secret_free(r->token, r->token_len);
	free(r->expiry);
	free(r->cluster);
}

/* ---- every remote secret of a mesh description ------------------------- */

#define MESH_TIMEOUT_MS	30000	/* -f: each request, unless told */

/* A cluster whose credentials some other cluster's istiod reads. */
struct source {
	struct opts o;			/* the options for this cluster */
	const struct mesh_cluster *c;
	struct remote r;
	pthread_t th;
	bool started;
	int rv;
};

/* Where a cluster's Secret goes: its name and context, or NULL. */
struct dest {
	const char *name, *context;
};

/*
 * Who reads src's Secret, into t (room for every cluster and the
 * external control plane): every other primary of a primary, a remote's
 * primary; in the external model, the external control plane, as
 * today's guide applies them (the config cluster's as --type config).
 */
static size_t
targets_of(const struct mesh_desc *d, const struct mesh_cluster *src,
    struct dest *t)
{
	const struct mesh_spec *sp = &d->spec;
	const struct mesh_cluster *p;
	size_t i, n = 0;

	if (sp->model == MESH_MODEL_EXTERNAL) {
		t[n].name = sp->external->name;
		t[n++].context = sp->external->context;
		return n;
	}
	if (src->role != MESH_ROLE_PRIMARY) {
		if ((p = mesh_desc_primary_of(d, src)) != NULL) {
			t[n].name = p->name;
			t[n++].context = p->context;
		}
		return n;
	}
	for (i = 0; i < sp->clusters_count; i++) {
		p = &sp->clusters[i];
		if (p != src && p->role == MESH_ROLE_PRIMARY) {
			t[n].name = p->name;
			t[n++].context = p->context;
		}
	}
	return n;
}

/* The step of src's Secret: the config cluster's is its own. */
static const char *
step_of(const struct mesh_desc *d, const struct mesh_cluster *src)
{
	return d->spec.model == MESH_MODEL_EXTERNAL &&
	    src->role == MESH_ROLE_CONFIG ? "config-secret" : "remote-secret";
}

static const char *const remote_steps[] = { "config-secret", "remote-secret",
	NULL };

/* The options for reading one source, as the guide's command line. */
static void
source_opts(struct source *s, const struct opts *o, const struct mesh_desc *d)
{
	bool external = d->spec.model == MESH_MODEL_EXTERNAL;

	s->o = *o;
	s->o.context = s->c->context;
	s->o.name = s->c->name;
	s->o.namespace = d->spec.istio_namespace;
	s->o.istio_namespace = d->spec.istio_namespace;
	s->o.auth_type = "bearer-token";
	s->o.fmt = MESH_FMT_YAML;
	s->o.type = "remote";
	if (o->timeout_ms == 0 && !(o->seen & F_REQUEST_TIMEOUT))
		s->o.timeout_ms = MESH_TIMEOUT_MS;
	/* the external guide: istiod's accounts come from Istio's profile */
	if (external) {
		s->o.create_sa = false;
		if (s->c->role == MESH_ROLE_CONFIG) {
			s->o.type = "config";
			s->o.service_account = "istiod";
		}
	}
}

static void *
source_run(void *arg)
{
	struct source *s = arg;

	s->rv = remote_read(&s->r);
	return NULL;
}

/*
 * Every remote secret the mesh in o->files[0] needs, each annotated with
 * the cluster (and context) it is applied to, or with --cluster only
 * those that go there.  The sources are read at once, a thread and a
 * client each; any failure fails the whole run, naming the cluster.
 */
static int
run_remote_mesh(struct opts *o)
{
	const char *only = o->nclusters > 0 ? o->clusters[0] : NULL;
	struct mesh_desc *d;
	struct source *src = NULL;
	struct dest *t = NULL;
	struct mesh_doc **docs = NULL;
	const char **steps = NULL;
	struct mesh_kubeconfig_files *files = NULL;
	size_t nc, ns = 0, ndocs = 0, i, j, k, nt;
	int rv = -1;

	if ((d = mesh_desc_load(o->files[0])) == NULL)
		return -1;
	if (only != NULL && mesh_desc_check_cluster(d, only) == -1)
		goto out;
	nc = d->spec.clusters_count;
	src = xcalloc(nc, sizeof(*src));
	t = xcalloc(nc + 1, sizeof(*t));
	/* the clusters whose Secrets go anywhere (or to --cluster) */
	for (i = 0; i < nc; i++) {
		if (o->step != NULL &&
		    strcmp(o->step, step_of(d, &d->spec.clusters[i])) != 0)
			continue;
		nt = targets_of(d, &d->spec.clusters[i], t);
		for (j = 0; j < nt; j++)
			if (only == NULL || strcmp(t[j].name, only) == 0)
				break;
		if (j == nt)
			continue;
		src[ns].c = &d->spec.clusters[i];
		source_opts(&src[ns], o, d);
		remote_init(&src[ns].r, &src[ns].o);
		ns++;
	}
	if (ns == 0) {
		if (o->step != NULL)
			mesh_err(d->src, "no %s goes to %s%s%s: no other "
			    "cluster's istiod reads it that way", o->step,
			    only != NULL ? "cluster '" : "any cluster",
			    only != NULL ? only : "", only != NULL ? "'" : "");
		else if (only != NULL)
			mesh_err(d->src, "no remote secret goes to cluster "
			    "'%s': no other cluster's istiod reads it", only);
		else
			mesh_err(d->src, "no remote secret goes to any "
			    "cluster: there is no cluster another one's istiod "
			    "reads");
		goto out;
	}
	/* the files once, not once a source: each selects its context */
	if ((files = mesh_kubeconfig_files_read(o->kubeconfig)) == NULL)
		goto out;
	for (i = 0; i < ns; i++) {
		src[i].r.files = files;
		src[i].started = pthread_create(&src[i].th, NULL, source_run,
		    &src[i]) == 0;
	}
	for (i = 0; i < ns; i++) {
		if (src[i].started)
			pthread_join(src[i].th, NULL);
		else
			source_run(&src[i]);
	}
	for (i = 0, k = 0; i < ns; i++)
		if (src[i].rv == -1) {
			mesh_err(d->src, "cluster %s (context %s): cannot read "
			    "the credentials of its remote secret",
			    src[i].c->name, src[i].c->context);
			k++;
		}
	if (k > 0)
		goto out;
	/* by target, in the description's order, the external plane first */
	docs = xcalloc(ns * (nc + 1), sizeof(*docs));
	steps = xcalloc(ns * (nc + 1), sizeof(*steps));
	for (i = 0; i < ns; i++)
		warn_refused(&src[i].r);
	for (k = 0; k <= nc; k++) {
		const struct mesh_external *ext = d->spec.external;
		const char *to = k > 0 ? d->spec.clusters[k - 1].name :
		    ext != NULL ? ext->name : NULL;

		if (to == NULL || (only != NULL && strcmp(to, only) != 0))
			continue;
		for (i = 0; i < ns; i++) {
			nt = targets_of(d, src[i].c, t);
			for (j = 0; j < nt; j++)
				if (strcmp(t[j].name, to) == 0)
					break;
			if (j == nt)
				continue;
			if ((docs[ndocs] = remote_secret_doc(&src[i].r)) ==
			    NULL)
				goto out;
			steps[ndocs] = step_of(d, src[i].c);
			mesh_desc_annotate(docs[ndocs++], t[j].name,
			    t[j].context);
		}
	}
	/* the router takes the documents */
	rv = route_docs(o, d, docs, steps, ndocs, remote_steps);
	ndocs = 0;
out:
	for (i = 0; i < ndocs; i++)
		doc_free_secret(docs[i]);
	free(docs);
	free(steps);
	for (i = 0; i < ns; i++)
		remote_release(&src[i].r);
	mesh_kubeconfig_files_free(files);
	free(src);
	free(t);
	mesh_desc_free(d);
	return rv;
}

int
run_remote(struct opts *o, struct mesh_writer *w)
{
	struct remote r;
	int rv = -1;

	if (o->nfiles > 0)
		return run_remote_mesh(o);
	remote_init(&r, o);
	if (remote_read(&r) == -1)
		goto out;
	warn_refused(&r);
	rv = put_remote_secret(&r, w);
out:
	remote_release(&r);
	return rv;
}
