/*
 * The documents mesh-secret prints: mappings built node by node, data
 * entries in base64, a Secret's bytes read back, and the stream written
 * all or nothing.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "node.h"
#include "parse.h"
#include "pki.h"
#include "route.h"
#include "stream.h"
#include "xalloc.h"

#include "secret.h"

bool
is_cluster_id(const char *s)
{
	return mesh_is_label(s, strlen(s));
}

struct mesh_node *
put_str(struct mesh_doc *doc, struct mesh_node *map, const char *key,
    const char *value)
{
	struct mesh_node *n = mesh_str_new(doc, value);

	mesh_map_set(doc, map, key, n);
	return n;
}

struct mesh_node *
put_map(struct mesh_doc *doc, struct mesh_node *map, const char *key)
{
	struct mesh_node *n = mesh_map_new(doc);

	mesh_map_set(doc, map, key, n);
	return n;
}

struct mesh_doc *
new_doc(const char *src)
{
	struct mesh_doc *doc = mesh_doc_new(src);

	doc->root = mesh_map_new(doc);
	doc->changed = true;
	return doc;
}

struct mesh_doc *
new_object(const char *kind, const char *name, const char *ns,
    struct mesh_node **meta)
{
	struct mesh_doc *doc = new_doc("<mesh-secret>");

	put_str(doc, doc->root, "apiVersion", "v1");
	put_str(doc, doc->root, "kind", kind);
	*meta = put_map(doc, doc->root, "metadata");
	if (name != NULL)
		put_str(doc, *meta, "name", name);
	if (ns != NULL)
		put_str(doc, *meta, "namespace", ns);
	return doc;
}

void
doc_free_secret(struct mesh_doc *doc)
{
	mesh_doc_free_wipe(doc, mesh_wipe);
}

void
put_b64(struct mesh_doc *doc, struct mesh_node *map, const char *key,
    const void *p, size_t n)
{
	struct mesh_buf b = MESH_BUF_SECRET;
	struct mesh_node *v;

	mesh_buf_grow(&b, (n + 2) / 3 * 4 + 1);
	mesh_base64_encode(&b, p, n);
	v = mesh_scalar_new(doc, b.data, b.len, MESH_T_STR);
	mesh_map_set(doc, map, key, v);
	mesh_wipe_buf(&b);
}

int
secret_bytes(const struct mesh_node *secret, const char *key,
    struct mesh_buf *b)
{
	struct mesh_node *v = mesh_map_get(mesh_map_get(secret, "stringData"),
	    key);

	if (v != NULL && mesh_is_scalar(v) && v->u.s.len > 0) {
		mesh_buf_add(b, v->u.s.text, v->u.s.len);
		return 0;
	}
	v = mesh_map_get(mesh_map_get(secret, "data"), key);
	if (v == NULL || !mesh_is_scalar(v) || v->u.s.len == 0)
		return 1;
	return mesh_base64_decode(b, v->u.s.text, v->u.s.len) == -1 ? -1 : 0;
}

int
write_docs(struct mesh_writer *w, struct mesh_doc **docs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (mesh_writer_put(w, docs[i]) == -1)
			return -1;
	return mesh_writer_finish(w);
}

int
route_docs(const struct opts *o, const struct mesh_desc *d,
    struct mesh_doc **docs, const char *const *steps, size_t n,
    const char *const *mine)
{
	struct mesh_route r;
	size_t i;

	if (mesh_route_init(&r, o->consumer, o->dir, o->nclusters > 0 ?
	    o->clusters[0] : NULL, o->fmt) == -1) {
		for (i = 0; i < n; i++)
			doc_free_secret(docs[i]);
		return -1;
	}
	r.wipe = mesh_wipe;
	r.steps = mine;
	r.step = o->step;
	return mesh_route_write(&r, d, docs, steps, n);
}

void
note_new_ca(const char *dir, const char *what, const char *key_file)
{
	char shown[1024];

	/* the directory as messages show names: no control characters */
	mesh_visible(dir, shown, sizeof(shown));
	fprintf(stderr, "%s: new %s in %s (keep %s/%s safe: it signs "
	    "everything made from it)\n", mesh_cmdname(), what, shown, shown,
	    key_file);
}

void
ca_opts_init(struct mesh_ca_opts *co, const struct opts *o, const char *dir,
    const char *key_file, const char *cert_file,
    const struct mesh_cert_spec *spec)
{
	memset(co, 0, sizeof(*co));
	co->dir = dir;
	co->key_file = key_file;
	co->cert_file = cert_file;
	co->spec = spec;
	co->type = o->key_type;
	co->bits = o->key_size;
	co->force = o->force;
}
