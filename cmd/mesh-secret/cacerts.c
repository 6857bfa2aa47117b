/*
 * mesh-secret cacerts: a root CA kept on disk and, for each cluster, an
 * intermediate CA signed by it in a cacerts Secret, as Istio's plug-in
 * CA Makefile makes them.  The intermediates' keys are made on every
 * CPU while the root is read or made.  What a run makes on disk is kept
 * only when every Secret is made: a failure takes it all back, and a
 * rotated intermediate is replaced only then.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "meshdesc.h"
#include "node.h"
#include "pki.h"
#include "stream.h"
#include "xalloc.h"

#include "secret.h"

/* A cluster to make a cacerts Secret for. */
struct target {
	const char *cluster;
	const char *context;	/* with -f: the annotation's */
	bool rotate;		/* --rotate names it */
	bool fresh;		/* it needs a new key */
	bool created;		/* its intermediate was made on disk now */
};

/*
 * The intermediates' keys, made on every CPU while the root is read or
 * made: RSA key generation is nearly all of cacerts' time.
 */
struct keygen {
	enum mesh_key_type type;
	int bits;
	struct mesh_key **keys;		/* n of them, NULL until made */
	size_t n, next;
	bool stop;			/* a key failed, or the root did */
	pthread_mutex_t mu;
	/* for the progress line: keys made of total, the root's among them */
	size_t made, total;
	bool finished;			/* every key is made, or none will be */
	pthread_cond_t cv;
};

#define KEYGEN_THREADS	16

static void *
keygen_run(void *arg)
{
	struct keygen *g = arg;
	struct mesh_key *k;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&g->mu);
		i = g->stop ? g->n : g->next++;
		pthread_mutex_unlock(&g->mu);
		if (i >= g->n)
			return NULL;
		k = mesh_key_new(g->type, g->bits);
		pthread_mutex_lock(&g->mu);
		g->keys[i] = k;
		g->made++;
		if (k == NULL)
			g->stop = true;
		pthread_mutex_unlock(&g->mu);
	}
}

#define PROGRESS_AFTER_MS	1000	/* quiet for work quicker than this */
#define PROGRESS_EVERY_MS	250

static void
add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/*
 * The progress line on a terminal, while keys are made: after a second,
 * "mesh-secret: making keys: 3 of 11" rewritten in place, erased at the
 * end.  It says how far, never what.
 */
static void *
progress_run(void *arg)
{
	struct keygen *g = arg;
	struct timespec t;
	bool shown = false;

	clock_gettime(CLOCK_REALTIME, &t);
	add_ms(&t, PROGRESS_AFTER_MS);
	pthread_mutex_lock(&g->mu);
	while (!g->finished) {
		if (pthread_cond_timedwait(&g->cv, &g->mu, &t) != ETIMEDOUT)
			continue;
		fprintf(stderr, "\r%s: making keys: %zu of %zu\033[K",
		    mesh_cmdname(), g->made, g->total);
		shown = true;
		add_ms(&t, PROGRESS_EVERY_MS);
	}
	pthread_mutex_unlock(&g->mu);
	if (shown)
		fputs("\r\033[K", stderr);
	return NULL;
}

static void
keygen_finish(struct keygen *g)
{
	pthread_mutex_lock(&g->mu);
	g->finished = true;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* What an intermediate's certificate says, as Istio's Makefile makes it. */
static void
inter_spec(const struct opts *o, const char *cluster, const char **sans,
    struct mesh_cert_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->profile = MESH_CERT_INTERMEDIATE;
	spec->org = o->org ? o->org : "Istio";
	spec->cn = "Intermediate CA";
	spec->locality = cluster;
	spec->san = sans;
	spec->days = o->days ? o->days : CACERTS_DAYS;
}

/*
 * The cacerts Secret of a cluster, from the PEM text of its intermediate
 * (certificate, key, chain) and of the root.
 */
static struct mesh_doc *
put_cacerts(const char *cluster, const char *ns, const struct mesh_buf *cert,
    const struct mesh_buf *key, const struct mesh_buf *chain,
    const struct mesh_ca *root)
{
	struct mesh_doc *doc = new_doc("<mesh-secret>");
	struct mesh_node *meta, *m;

	put_str(doc, doc->root, "apiVersion", "v1");
	m = put_map(doc, doc->root, "data");
	put_b64(doc, m, "ca-cert.pem", cert->data, cert->len);
	put_b64(doc, m, "ca-key.pem", key->data, key->len);
	put_b64(doc, m, "cert-chain.pem", chain->data, chain->len);
	put_b64(doc, m, "root-cert.pem", root->cert_pem, root->cert_len);
	put_str(doc, doc->root, "kind", "Secret");
	meta = put_map(doc, doc->root, "metadata");
	m = put_map(doc, meta, "annotations");
	put_str(doc, m, MESH_CLUSTER_ANN, cluster);
	put_str(doc, meta, "name", "cacerts");
	put_str(doc, meta, "namespace", ns);
	return doc;
}

/* A cacerts Secret for one cluster, from a new key and the root. */
static struct mesh_doc *
cacerts_secret(const struct opts *o, const struct mesh_ca *root,
    const char *cluster, const char *ns, const struct mesh_key *k)
{
	struct mesh_buf cert = MESH_BUF_INIT, key = MESH_BUF_SECRET;
	struct mesh_buf chain = MESH_BUF_INIT;
	struct mesh_cert_spec spec;
	struct mesh_cert *c = NULL;
	struct mesh_doc *doc = NULL;
	char *san = xasprintf("istiod.%s.svc", ns);
	const char *sans[] = { san, NULL };

	inter_spec(o, cluster, sans, &spec);
	if ((c = mesh_cert_issue(&spec, k, root->cert, root->key)) == NULL ||
	    mesh_cert_pem(c, &cert) == -1 || mesh_key_pem(k, &key) == -1)
		goto out;
	/* Istio's cert-chain.pem: ca-cert.pem, then root-cert.pem */
	mesh_buf_add(&chain, cert.data, cert.len);
	mesh_buf_add(&chain, root->cert_pem, root->cert_len);
	doc = put_cacerts(cluster, ns, &cert, &key, &chain, root);
out:
	mesh_wipe_buf(&key);
	mesh_buf_release(&cert);
	mesh_buf_release(&chain);
	mesh_cert_free(c);
	free(san);
	return doc;
}

/*
 * A cluster's intermediate kept on disk beside the root, in ROOT/CLUSTER
 * with the files Istio's Makefile keeps there: read as it is, or made
 * (from k, when not NULL) when missing or when it is to be rotated,
 * recorded in j and t->created set; and its cacerts Secret, for the
 * cluster's context.
 */
static struct mesh_doc *
kept_secret(const struct opts *o, const struct mesh_ca *root,
    const char *root_dir, struct target *t, const char *ns,
    const struct mesh_key *k, struct mesh_ca_journal *j)
{
	struct mesh_ca_opts co;
	struct mesh_ca_issue x;
	struct mesh_ca ca;
	struct mesh_cert_spec spec;
	struct mesh_buf cert = MESH_BUF_INIT, key = MESH_BUF_SECRET;
	struct mesh_buf chain = MESH_BUF_INIT;
	struct mesh_doc *doc = NULL;
	char *san = xasprintf("istiod.%s.svc", ns);
	char *dir = xasprintf("%s%s%s", root_dir, root_dir[strlen(root_dir) -
	    1] == '/' ? "" : "/", t->cluster);
	const char *sans[] = { san, NULL };

	inter_spec(o, t->cluster, sans, &spec);
	ca_opts_init(&co, o, dir, "ca-key.pem", "ca-cert.pem", &spec);
	memset(&x, 0, sizeof(x));
	x.journal = j;
	x.issuer = root;
	x.chain_file = "cert-chain.pem";
	x.root_file = "root-cert.pem";
	x.key = k;
	x.renew = t->rotate;
	if (mesh_ca_open_issue(&ca, &co, &x) == -1)
		goto out;
	t->created = ca.created;
	if (mesh_key_pem(ca.key, &key) == -1)
		goto out;
	mesh_buf_add(&cert, ca.cert_pem, ca.cert_len);
	mesh_buf_add(&chain, ca.chain_pem, ca.chain_len);
	doc = put_cacerts(t->cluster, ns, &cert, &key, &chain, root);
	mesh_desc_annotate(doc, t->cluster, t->context);
out:
	mesh_ca_release(&ca);
	mesh_wipe_buf(&key);
	mesh_buf_release(&cert);
	mesh_buf_release(&chain);
	free(dir);
	free(san);
	return doc;
}

/*
 * The clusters to make Secrets for: those of --cluster, or those of the
 * description (and its external control plane), all or the one of
 * --cluster; which of them --rotate names; and which need a new key
 * (all but the intermediates kept on disk that stay).
 */
static int
targets(const struct opts *o, const struct mesh_desc *d, const char *root_dir,
    struct target **out, size_t *n)
{
	const struct mesh_spec *sp = d ? &d->spec : NULL;
	struct target *t;
	size_t i, max = d ? sp->clusters_count + 1 : o->nclusters;

	*n = 0;
	*out = t = xcalloc(max, sizeof(*t));
	if (d == NULL) {
		for (i = 0; i < o->nclusters; i++) {
			t[i].cluster = o->clusters[i];
			t[i].fresh = true;
		}
		*n = o->nclusters;
		return 0;
	}
	if (o->nclusters > 0 && mesh_desc_check_cluster(d, o->clusters[0]) ==
	    -1)
		return -1;
	/* the external istiod signs the remotes' workloads: it comes first */
	if (sp->model == MESH_MODEL_EXTERNAL && sp->external != NULL) {
		t[*n].cluster = sp->external->name;
		t[(*n)++].context = sp->external->context;
	}
	for (i = 0; i < sp->clusters_count; i++) {
		t[*n].cluster = sp->clusters[i].name;
		t[(*n)++].context = sp->clusters[i].context;
	}
	for (i = 0; i < *n; i++) {
		char *key;

		if (o->nclusters > 0 && strcmp(t[i].cluster,
		    o->clusters[0]) != 0) {
			memmove(&t[i], &t[i + 1], (*n - i - 1) * sizeof(*t));
			(*n)--;
			i--;
			continue;
		}
		for (size_t j = 0; j < o->nrotate; j++)
			if (strcmp(o->rotate_clusters[j], t[i].cluster) == 0)
				t[i].rotate = true;
		key = xasprintf("%s/%s/ca-key.pem", root_dir, t[i].cluster);
		t[i].fresh = t[i].rotate || (access(key, F_OK) == -1 &&
		    errno == ENOENT);
		free(key);
	}
	for (i = 0; i < o->nrotate; i++) {
		size_t j;

		for (j = 0; j < *n; j++)
			if (strcmp(o->rotate_clusters[i], t[j].cluster) == 0)
				break;
		if (j < *n)
			continue;
		if (mesh_desc_cluster(d, o->rotate_clusters[i]) != NULL ||
		    (sp->external != NULL && strcmp(sp->external->name,
		    o->rotate_clusters[i]) == 0))
			mesh_err(NULL, "--rotate %s: --cluster %s keeps only "
			    "that cluster's Secret", o->rotate_clusters[i],
			    o->clusters[0]);
		else
			mesh_err(d->src, "--rotate %s: no such cluster in the "
			    "mesh description", o->rotate_clusters[i]);
		return -1;
	}
	return 0;
}

/*
 * Write the Secrets, keep what the run made on disk and say which CAs
 * are new, once every Secret is made: a failure before takes every CA
 * made back and leaves a rotated one as it was.  New files only are
 * kept after the Secrets are written, so that a failure to write them
 * takes those back too; a rotation is put in place before, so that a
 * failure to do that writes nothing.
 */
static int
keep_and_write(struct mesh_writer *w, const struct opts *o,
    const struct mesh_desc *d, struct mesh_doc **docs, size_t *n,
    struct mesh_ca_journal *j, const struct mesh_ca_opts *root,
    bool root_created, const struct target *t)
{
	static const char *const mine[] = { "cacerts", NULL };
	const char **steps;
	bool rotates = false;
	size_t i, nt = *n;
	int rv;

	for (i = 0; i < nt; i++)
		rotates |= t[i].rotate;
	if (d != NULL) {
		/* the router writes all or nothing: keep the CAs first */
		if (rotates && mesh_ca_journal_keep(j) == -1)
			return -1;
		steps = xcalloc(nt, sizeof(*steps));
		for (i = 0; i < nt; i++)
			steps[i] = mine[0];
		*n = 0;		/* the router takes the documents */
		rv = route_docs(o, d, docs, steps, nt, mine);
		free(steps);
		if (rv == -1)
			return -1;
	} else {
		for (i = 0; i < nt; i++)
			if (mesh_writer_put(w, docs[i]) == -1)
				return -1;
		if (rotates && mesh_ca_journal_keep(j) == -1)
			return -1;
		if (mesh_writer_finish(w) == -1)
			return -1;
	}
	/* nothing left to rename: this cannot fail */
	(void)mesh_ca_journal_keep(j);
	if (root_created)
		note_new_ca(root->dir, "root CA", root->key_file);
	for (i = 0; i < nt; i++)
		if (t[i].created) {
			char *dir = xasprintf("%s%s%s", root->dir,
			    root->dir[strlen(root->dir) - 1] == '/' ? "" : "/",
			    t[i].cluster);

			note_new_ca(dir, "intermediate CA", "ca-key.pem");
			free(dir);
		}
	return 0;
}

int
run_cacerts(struct opts *o, struct mesh_writer *w)
{
	struct mesh_cert_spec spec;
	struct mesh_ca_opts co;
	struct mesh_ca_journal j;
	struct mesh_ca_issue rx;	/* the root: self-signed */
	struct mesh_ca ca;
	struct mesh_desc *d = NULL;
	struct mesh_doc **docs = NULL;
	struct target *t = NULL;
	struct keygen g;
	pthread_t th[KEYGEN_THREADS], progress;
	bool show = isatty(STDERR_FILENO);
	char *root_key;
	const char *ns = o->istio_namespace ? o->istio_namespace :
	    ISTIO_SYSTEM;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i, k, n = 0, nt = 0, nth;
	int rv = -1, ca_rv;

	memset(&spec, 0, sizeof(spec));
	spec.profile = MESH_CERT_ROOT;
	spec.org = o->org ? o->org : "Istio";
	spec.cn = "Root CA";
	spec.days = o->days ? o->days : CACERTS_DAYS;
	ca_opts_init(&co, o, o->root_dir ? o->root_dir : "mesh-ca",
	    "root-key.pem", "root-cert.pem", &spec);
	mesh_ca_journal_init(&j);
	memset(&rx, 0, sizeof(rx));
	rx.journal = &j;
	memset(&ca, 0, sizeof(ca));
	memset(&g, 0, sizeof(g));
	if (o->nfiles == 1) {
		if ((d = mesh_desc_load(o->files[0])) == NULL)
			return -1;
		ns = d->spec.istio_namespace;
	}
	if (targets(o, d, co.dir, &t, &nt) == -1)
		goto out;

	/* the workers make keys while this thread opens the root */
	g.type = o->key_type;
	g.bits = o->key_size;
	for (i = 0; i < nt; i++)
		g.n += t[i].fresh;
	g.total = g.n;
	g.keys = xcalloc(g.n, sizeof(*g.keys));
	pthread_mutex_init(&g.mu, NULL);
	pthread_cond_init(&g.cv, NULL);
	mesh_pki_init();
	/* a root to be made is a key more to wait for */
	root_key = xasprintf("%s/%s", co.dir, co.key_file);
	if (access(root_key, F_OK) == -1 && errno == ENOENT)
		g.total++;
	free(root_key);
	if (show && pthread_create(&progress, NULL, progress_run, &g) != 0)
		show = false;
	for (nth = 0; nth < KEYGEN_THREADS && nth < g.n &&
	    (long)nth < (ncpu > 1 ? ncpu : 1); nth++)
		if (pthread_create(&th[nth], NULL, keygen_run, &g) != 0)
			break;
	ca_rv = mesh_ca_open_issue(&ca, &co, &rx);
	pthread_mutex_lock(&g.mu);
	if (ca_rv == -1)
		g.stop = true;
	else if (ca.created)
		g.made++;
	pthread_mutex_unlock(&g.mu);
	keygen_run(&g);		/* and then helps */
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	keygen_finish(&g);
	if (show)
		pthread_join(progress, NULL);
	pthread_cond_destroy(&g.cv);
	pthread_mutex_destroy(&g.mu);
	docs = xcalloc(nt, sizeof(*docs));
	if (ca_rv == -1 || g.stop)
		goto out;
	/* a day's grace: a new root and its intermediates end together */
	if (g.n > 0 && time(NULL) + (spec.days - 1) * 86400L >
	    mesh_cert_not_after(ca.cert)) {
		char day[32];
		time_t tt = mesh_cert_not_after(ca.cert);
		struct tm tm;

		gmtime_r(&tt, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		mesh_warn(NULL, "the root in %s ends on %s, before the "
		    "intermediates do: workloads stop trusting them then",
		    co.dir, day);
	}
	for (n = 0, k = 0; n < nt; n++) {
		const struct mesh_key *key = t[n].fresh ? g.keys[k++] : NULL;

		docs[n] = d == NULL ? cacerts_secret(o, &ca, t[n].cluster, ns,
		    key) : kept_secret(o, &ca, co.dir, &t[n], ns, key, &j);
		if (docs[n] == NULL)
			goto out;
	}
	rv = keep_and_write(w, o, d, docs, &n, &j, &co, ca.created, t);
out:
	/* what is not kept is taken back: nothing when all went well */
	mesh_ca_journal_release(&j);
	for (i = 0; i < n; i++)
		doc_free_secret(docs[i]);
	free(docs);
	for (i = 0; i < g.n; i++)
		mesh_key_free(g.keys[i]);
	free(g.keys);
	free(t);
	mesh_ca_release(&ca);
	mesh_desc_free(d);
	return rv;
}
