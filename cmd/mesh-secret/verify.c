/*
 * mesh-secret cacerts --verify: check cacerts Secrets (Istio's four
 * entries, or the kubernetes.io/tls layout istiod also reads): one CA
 * with its key, a chain up to the root, and one root for all of them.
 */
#include <stdarg.h>
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

/* One Secret's certificates and key, and how to name it in messages. */
struct cacerts {
	const struct mesh_node *obj;	/* the Secret */
	const char *src;
	unsigned long line;
	char name[320];			/* "cluster1" or "ns/name" */
	struct mesh_cert **ca, **root, **chain;
	size_t nca, nroot, nchain;
	struct mesh_key *key;
};

static void
cacerts_release(struct cacerts *c)
{
	mesh_certs_free(c->ca, c->nca);
	mesh_certs_free(c->root, c->nroot);
	mesh_certs_free(c->chain, c->nchain);
	mesh_key_free(c->key);
}

/* A problem with one Secret, on one line. */
static void
bad_secret(const struct cacerts *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
bad_secret(const struct cacerts *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mesh_errat(c->src, c->line, 0, "Secret %s: %s", c->name,
	    msg);
}

/* Read the four entries (or tls.crt, tls.key, ca.crt).  0 or -1. */
static int
cacerts_load(struct cacerts *c)
{
	static const char *const istio[] = { "ca-cert.pem", "ca-key.pem",
	    "root-cert.pem", "cert-chain.pem" };
	static const char *const tls[] = { "tls.crt", "tls.key", "ca.crt",
	    NULL };
	const char *const *keys = istio;
	struct mesh_buf b[4];
	char src[1024];
	size_t i;
	int rv = -1, got;

	for (i = 0; i < 4; i++) {
		mesh_buf_init(&b[i]);
		b[i].secret = true;
	}
	/* istiod takes the kubernetes.io/tls layout when tls.crt is there */
	if (mesh_map_get(mesh_map_get(c->obj, "data"), "tls.crt") ||
	    mesh_map_get(mesh_map_get(c->obj, "stringData"), "tls.crt"))
		keys = tls;
	for (i = 0; i < 4 && keys[i] != NULL; i++) {
		if ((got = secret_bytes(c->obj, keys[i], &b[i])) == -1) {
			bad_secret(c, "data.%s is not base64", keys[i]);
			goto out;
		}
		if (got == 1) {
			bad_secret(c, "%s is missing (a cacerts Secret holds "
			    "%s, %s, %s%s%s)", keys[i], keys[0], keys[1],
			    keys[2], keys[3] ? " and " : "",
			    keys[3] ? keys[3] : "");
			goto out;
		}
	}
#define SRC(k) (snprintf(src, sizeof(src), "%s:%lu: Secret %s: %s", \
	c->src, c->line, c->name, (k)), src)
	if (mesh_cert_read(SRC(keys[0]), b[0].data, b[0].len, &c->ca,
	    &c->nca) == -1 ||
	    (c->key = mesh_key_read(SRC(keys[1]), b[1].data, b[1].len)) ==
	    NULL ||
	    mesh_cert_read(SRC(keys[2]), b[2].data, b[2].len, &c->root,
	    &c->nroot) == -1)
		goto out;
	if (keys[3] != NULL) {
		if (mesh_cert_read(SRC(keys[3]), b[3].data, b[3].len,
		    &c->chain, &c->nchain) == -1)
			goto out;
	} else {
		/* istiod's chain for this layout: tls.crt, then ca.crt */
		mesh_buf_add(&b[3], b[0].data, b[0].len);
		mesh_buf_add(&b[3], b[2].data, b[2].len);
		if (mesh_cert_read(SRC(keys[0]), b[3].data, b[3].len,
		    &c->chain, &c->nchain) == -1)
			goto out;
	}
#undef SRC
	rv = 0;
out:
	for (i = 0; i < 4; i++)
		mesh_wipe_buf(&b[i]);
	return rv;
}

/* The checks of one Secret; the number of problems reported. */
static int
cacerts_check(struct cacerts *c, const struct cacerts *first)
{
	const char *why = "no root";
	int bad = 0;
	size_t i;

	if (c->nca != 1) {
		bad_secret(c, "ca-cert.pem holds %zu certificates: it is the "
		    "one CA istiod signs with (the rest go in "
		    "cert-chain.pem)", c->nca);
		return 1;
	}
	if (!mesh_cert_is_ca(c->ca[0])) {
		bad_secret(c, "ca-cert.pem is not a CA certificate "
		    "(basicConstraints CA:TRUE with keyCertSign): istiod "
		    "cannot sign with it");
		bad++;
	}
	if (!mesh_key_matches(c->key, c->ca[0])) {
		bad_secret(c, "ca-key.pem is not the key of ca-cert.pem");
		bad++;
	}
	for (i = 0; i < c->nroot; i++)
		if ((why = mesh_cert_verify(c->ca[0], c->chain + 1,
		    c->nchain > 0 ? c->nchain - 1 : 0, c->root[i])) == NULL)
			break;
	if (why != NULL) {
		bad_secret(c, "ca-cert.pem does not chain to root-cert.pem: "
		    "%s", why);
		bad++;
	}
	if (!mesh_cert_equal(c->chain[0], c->ca[0])) {
		bad_secret(c, "cert-chain.pem does not start with "
		    "ca-cert.pem (it is ca-cert.pem, then its issuers up to "
		    "the root)");
		bad++;
	} else {
		for (i = 0; i < c->nroot; i++)
			if (mesh_cert_equal(c->chain[c->nchain - 1],
			    c->root[i]))
				break;
		if (i == c->nroot) {
			bad_secret(c, "cert-chain.pem does not end with the "
			    "root of root-cert.pem");
			bad++;
		}
	}
	if (first != NULL && !mesh_cert_equal(c->root[0], first->root[0])) {
		/* the subjects are Istio's in both: tell them apart */
		char *a = mesh_cert_fingerprint(c->root[0]);
		char *b = mesh_cert_fingerprint(first->root[0]);

		bad_secret(c, "its root (SHA-256 %.11s...) is not the root of "
		    "Secret %s (SHA-256 %.11s...): the clusters will not "
		    "trust each other's workloads", a, first->name, b);
		free(a);
		free(b);
		bad++;
	}
	return bad;
}

/* The items of a v1 List, or NULL. */
static struct mesh_node *
list_items(const struct mesh_doc *doc)
{
	struct mesh_node *items;

	return doc->root != NULL && mesh_is_list(doc->root, &items) ? items :
	    NULL;
}

/*
 * The first key that appears twice in a mapping under n, or NULL: two
 * Secrets run together without "---" read as one mapping.
 */
static const struct mesh_node *
dup_key(const struct mesh_node *n)
{
	const struct mesh_node *d;
	size_t i, j;

	if (n == NULL || n->type == MESH_SCALAR)
		return NULL;
	if (n->type == MESH_SEQ) {
		for (i = 0; i < n->u.c.n; i++)
			if ((d = dup_key(n->u.c.v[i])) != NULL)
				return d;
		return NULL;
	}
	for (i = 0; i < mesh_map_len(n); i++) {
		const struct mesh_node *k = mesh_map_key(n, i);

		for (j = 0; j < i; j++)
			if (mesh_node_equal(mesh_map_key(n, j), k))
				return k;
		if ((d = dup_key(mesh_map_value(n, i))) != NULL)
			return d;
	}
	return NULL;
}

/* Name the Secret, load it, check it, and say OK into out.  0 or -1. */
static int
verify_one(struct cacerts *c, const struct cacerts **first,
    struct mesh_buf *out)
{
	struct mesh_node *ann = mesh_map_get(mesh_map_get(c->obj, "metadata"),
	    "annotations");
	struct mesh_node *cl = mesh_map_get(ann, MESH_CLUSTER_ANN);
	const char *ns = mesh_map_getstr(c->obj, "metadata.namespace");
	const char *nm = mesh_map_getstr(c->obj, "metadata.name");
	const struct mesh_node *dup;
	char *subj, day[32];
	struct tm tm;
	time_t t;

	if (cl != NULL && mesh_is_scalar(cl))
		snprintf(c->name, sizeof(c->name), "%.63s (cluster %.200s)",
		    nm ? nm : "", cl->u.s.text);
	else
		snprintf(c->name, sizeof(c->name), "%.63s/%.200s",
		    ns ? ns : "-", nm ? nm : "");
	if ((dup = dup_key(c->obj)) != NULL) {
		mesh_errat(c->src, dup->line, dup->col, "Secret %s: '%s' "
		    "appears twice in one mapping (two Secrets without '---' "
		    "between them?)", c->name, mesh_is_scalar(dup) ?
		    dup->u.s.text : "?");
		return -1;
	}
	if (cacerts_load(c) == -1 || cacerts_check(c, *first) > 0)
		return -1;
	if (*first == NULL)
		*first = c;
	subj = mesh_cert_subject(c->ca[0]);
	t = mesh_cert_not_after(c->ca[0]);
	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	mesh_buf_addf(out, "%s: OK: %s, valid until %s\n", c->name, subj,
	    day);
	free(subj);
	return 0;
}

int
run_verify(struct opts *o)
{
	struct mesh_limits lim;
	struct mesh_doc **docs = NULL;
	struct cacerts *cs = NULL;
	struct mesh_buf out = MESH_BUF_INIT;
	const char *const dash[] = { "-" };
	const char *const *files = o->nfiles ? o->files : dash;
	size_t nfiles = o->nfiles ? o->nfiles : 1, ndocs = 0, nc = 0, i, j;
	const struct cacerts *first = NULL;
	int bad = 0;
	char what[256];

	mesh_limits_init(&lim);
	lim.secret = true;
	for (i = 0; i < nfiles; i++) {
		struct mesh_doc **d;
		size_t n;

		if (mesh_read_all(files[i], &lim, &d, &n) == -1) {
			bad++;
			goto out;
		}
		if (n > 0) {
			docs = xreallocarray(docs, ndocs + n, sizeof(*docs));
			memcpy(docs + ndocs, d, n * sizeof(*d));
			ndocs += n;
		}
		free(d);
	}
	/* the Secrets: documents, or the items of a List (-o json) */
	for (i = 0, j = 1; i < ndocs; i++)
		j += list_items(docs[i]) ? list_items(docs[i])->u.c.n : 1;
	cs = xcalloc(j, sizeof(*cs));
	for (i = 0; i < ndocs; i++) {
		struct mesh_node *items = list_items(docs[i]);
		const char *kind;
		size_t k, n = items ? items->u.c.n : 1;

		if (docs[i]->root == NULL)
			continue;
		for (k = 0; k < n; k++) {
			struct cacerts *c = &cs[nc];
			const struct mesh_node *obj = items ? items->u.c.v[k] :
			    docs[i]->root;

			memset(c, 0, sizeof(*c));
			c->obj = obj;
			c->src = docs[i]->src;
			c->line = items && obj->line ? obj->line :
			    docs[i]->line;
			kind = mesh_map_getstr(obj, "kind");
			if (kind == NULL || strcmp(kind, "Secret") != 0) {
				mesh_errat(c->src, c->line, 0, "%s is not a "
				    "Secret", mesh_describe(obj, what,
				    sizeof(what)));
				bad++;
				continue;
			}
			nc++;
			if (verify_one(c, &first, &out) == -1)
				bad++;
		}
	}
	if (nc == 0 && bad == 0) {
		mesh_err(nfiles == 1 ? files[0] : NULL, "no Secret to verify");
		bad++;
	}
	if (bad == 0 && mesh_write_all(STDOUT_FILENO, out.data, out.len) ==
	    -1) {
		mesh_err("<stdout>", "write error:");
		bad++;
	}
out:
	for (j = 0; j < nc; j++)
		cacerts_release(&cs[j]);
	free(cs);
	for (i = 0; i < ndocs; i++)
		doc_free_secret(docs[i]);
	free(docs);
	mesh_buf_release(&out);
	return bad ? -1 : 0;
}
