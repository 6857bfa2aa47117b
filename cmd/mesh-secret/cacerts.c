/*
 * mesh-secret cacerts: a root CA kept on disk and, for each cluster, an
 * intermediate CA signed by it in a cacerts Secret, as Istio's plug-in
 * CA Makefile makes them.  The intermediates' keys are made on every
 * CPU while the root is read or made.
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
#include "node.h"
#include "pki.h"
#include "stream.h"
#include "xalloc.h"

#include "secret.h"

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

/* A cacerts Secret for one cluster, from its key and the root. */
static struct mesh_doc *
cacerts_secret(const struct opts *o, const struct mesh_ca *root,
    const char *cluster, const char *ns, const struct mesh_key *k)
{
	struct mesh_buf cert = MESH_BUF_INIT, key = MESH_BUF_SECRET;
	struct mesh_buf chain = MESH_BUF_INIT;
	struct mesh_cert_spec spec;
	struct mesh_cert *c = NULL;
	struct mesh_doc *doc = NULL;
	struct mesh_node *meta, *m;
	char *san = xasprintf("istiod.%s.svc", ns);
	const char *sans[] = { san, NULL };

	memset(&spec, 0, sizeof(spec));
	spec.profile = MESH_CERT_INTERMEDIATE;
	spec.org = o->org ? o->org : "Istio";
	spec.cn = "Intermediate CA";
	spec.locality = cluster;
	spec.san = sans;
	spec.days = o->days ? o->days : CACERTS_DAYS;
	if ((c = mesh_cert_issue(&spec, k, root->cert, root->key)) == NULL ||
	    mesh_cert_pem(c, &cert) == -1 || mesh_key_pem(k, &key) == -1)
		goto out;
	/* Istio's cert-chain.pem: ca-cert.pem, then root-cert.pem */
	mesh_buf_add(&chain, cert.data, cert.len);
	mesh_buf_add(&chain, root->cert_pem, root->cert_len);
	doc = new_doc("<mesh-secret>");
	put_str(doc, doc->root, "apiVersion", "v1");
	m = put_map(doc, doc->root, "data");
	put_b64(doc, m, "ca-cert.pem", cert.data, cert.len);
	put_b64(doc, m, "ca-key.pem", key.data, key.len);
	put_b64(doc, m, "cert-chain.pem", chain.data, chain.len);
	put_b64(doc, m, "root-cert.pem", root->cert_pem, root->cert_len);
	put_str(doc, doc->root, "kind", "Secret");
	meta = put_map(doc, doc->root, "metadata");
	m = put_map(doc, meta, "annotations");
	put_str(doc, m, MESH_CLUSTER_ANN, cluster);
	put_str(doc, meta, "name", "cacerts");
	put_str(doc, meta, "namespace", ns);
out:
	mesh_wipe_buf(&key);
	mesh_buf_release(&cert);
	mesh_buf_release(&chain);
	mesh_cert_free(c);
	free(san);
	return doc;
}

/* Say where a new CA's key now is: it must be kept. */
int
run_cacerts(struct opts *o, struct mesh_writer *w)
{
	struct mesh_cert_spec spec;
	struct mesh_ca_opts co;
	struct mesh_ca ca;
	struct mesh_doc **docs;
	struct keygen g;
	pthread_t th[KEYGEN_THREADS], progress;
	bool show = isatty(STDERR_FILENO);
	char *root_key;
	const char *ns = o->istio_namespace ? o->istio_namespace :
	    ISTIO_SYSTEM;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i, n = 0, nth;
	int rv = -1, ca_rv;

	memset(&spec, 0, sizeof(spec));
	spec.profile = MESH_CERT_ROOT;
	spec.org = o->org ? o->org : "Istio";
	spec.cn = "Root CA";
	spec.days = o->days ? o->days : CACERTS_DAYS;
	memset(&co, 0, sizeof(co));
	co.dir = o->root_dir ? o->root_dir : "mesh-ca";
	co.key_file = "root-key.pem";
	co.cert_file = "root-cert.pem";
	co.spec = &spec;
	co.type = o->key_type;
	co.bits = o->key_size;
	co.force = o->force;
	memset(&ca, 0, sizeof(ca));

	/* the workers make keys while this thread opens the root */
	memset(&g, 0, sizeof(g));
	g.type = o->key_type;
	g.bits = o->key_size;
	g.n = g.total = o->nclusters;
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
	ca_rv = mesh_ca_open(&ca, &co);
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
	docs = xcalloc(o->nclusters, sizeof(*docs));
	if (ca_rv == -1 || g.stop)
		goto out;
	if (ca.created)
		note_new_ca(co.dir, "root CA", co.key_file);
	/* a day's grace: a new root and its intermediates end together */
	if (time(NULL) + (spec.days - 1) * 86400L >
	    mesh_cert_not_after(ca.cert)) {
		char day[32];
		time_t t = mesh_cert_not_after(ca.cert);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		mesh_warn(NULL, "the root in %s ends on %s, before the "
		    "intermediates do: workloads stop trusting them then",
		    co.dir, day);
	}
	for (n = 0; n < o->nclusters; n++)
		if ((docs[n] = cacerts_secret(o, &ca, o->clusters[n], ns,
		    g.keys[n])) == NULL)
			goto out;
	rv = write_docs(w, docs, n);
out:
	for (i = 0; i < n; i++)
		doc_free_secret(docs[i]);
	free(docs);
	for (i = 0; i < g.n; i++)
		mesh_key_free(g.keys[i]);
	free(g.keys);
	mesh_ca_release(&ca);
	return rv;
}
