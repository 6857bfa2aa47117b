#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "node.h"
#include "overlay.h"
#include "stream.h"
#include "xalloc.h"

/*
 * --resource-list: a KRM function, as the kpt and kustomize functions
 * specification has it.  The input is one ResourceList.  Its
 * functionConfig adds edits after the command line's: a ConfigMap whose
 * data keys are long options of this program (each line of a value one
 * use of the option), or a meshline.io/v1alpha1 MeshOverlay.  Every
 * message also becomes an entry of the output's results, naming the
 * item and its file where the message is about one.  After a failure
 * the exit status is 1 and the output the input as it came, with the
 * results: an orchestrator takes no item from a function that failed,
 * and one that did would lose nothing.
 */

struct krm_msg {
	bool error;
	char *where, *text;
};

struct krm_log {
	struct krm_msg *v;
	size_t n;
};

static void
krm_collect(void *arg, bool error, const char *where, const char *text)
{
	struct krm_log *log = arg;
	struct krm_msg *m;

	log->v = xreallocarray(log->v, log->n + 1, sizeof(*log->v));
	m = &log->v[log->n++];
	m->error = error;
	m->where = where != NULL ? xstrdup(where) : NULL;
	m->text = xstrdup(text);
}

static void
krm_log_release(struct krm_log *log)
{
	size_t i;

	for (i = 0; i < log->n; i++) {
		free(log->v[i].where);
		free(log->v[i].text);
	}
	free(log->v);
}

/* The options a functionConfig can give: ConfigMap key, MeshOverlay field. */
static const struct {
	const char *key, *field;
	int ch;
} krm_opts[] = {
	{ "set", "set", 's' },
	{ "set-string", "setString", OPT_SET_STRING },
	{ "set-json", "setJSON", OPT_SET_JSON },
	{ "delete", "delete", OPT_DELETE },
	{ "filename", "filename", 'f' },
	{ "env", "env", 'e' },
	{ "select", "select", OPT_SELECT },
	{ "k8s-overlays", "k8sOverlays", OPT_K8S_OVERLAYS },
};

#define NKRM_OPTS (sizeof(krm_opts) / sizeof(krm_opts[0]))

/*
 * Take the value v (a scalar at its place in doc) of option i: each of
 * its lines that is not empty is one use; env is true or false.
 */
static int
krm_option(struct opts *o, const struct mesh_doc *doc, size_t i,
    const struct mesh_node *v)
{
	const char *p, *nl;
	char *arg;

	if (!mesh_is_scalar(v) || mesh_is_null(v)) {
		mesh_errat(doc->src, v->line, v->col, "functionConfig: the "
		    "value of '%s' is not a string", krm_opts[i].key);
		return -1;
	}
	if (krm_opts[i].ch == 'e') {
		if (mesh_scalar_is(v, "false"))
			return 0;
		if (mesh_scalar_is(v, "true"))
			return edit_option(o, 'e', NULL) == 1 ? 0 : -1;
		mesh_errat(doc->src, v->line, v->col, "functionConfig: env "
		    "is true or false, not '%s'", v->u.s.text);
		return -1;
	}
	for (p = v->u.s.text; *p != '\0'; p = *nl ? nl + 1 : nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (nl == p)
			continue;
		arg = xstrndup(p, (size_t)(nl - p));
		o->owned = xreallocarray(o->owned, o->nowned + 1,
		    sizeof(*o->owned));
		o->owned[o->nowned++] = arg;
		if ((krm_opts[i].ch == 'f' ||
		    krm_opts[i].ch == OPT_K8S_OVERLAYS) &&
		    strcmp(arg, "-") == 0) {
			mesh_errat(doc->src, v->line, v->col, "functionConfig: "
			    "%s cannot be '-': standard input holds the "
			    "ResourceList", krm_opts[i].key);
			return -1;
		}
		if (edit_option(o, krm_opts[i].ch, arg) != 1)
			return -1;
	}
	return 0;
}

/* Find key (a scalar node) among the ConfigMap keys or MeshOverlay fields. */
static int
krm_find(const struct mesh_doc *doc, const struct mesh_node *key, bool typed)
{
	size_t i;

	for (i = 0; mesh_is_scalar(key) && i < NKRM_OPTS; i++)
		if (mesh_scalar_is(key, typed ? krm_opts[i].field :
		    krm_opts[i].key))
			return (int)i;
	mesh_errat(doc->src, key->line, key->col, "functionConfig: unknown "
	    "%s '%s' (see mesh-overlay(1), FUNCTION CONFIG)", typed ?
	    "edit" : "data key", mesh_is_scalar(key) ? key->u.s.text : "?");
	return -1;
}

/* The edits a functionConfig gives, after the command line's. */
static int
krm_config(struct opts *o, const struct mesh_doc *doc,
    const struct mesh_node *fc)
{
	const char *kind = mesh_is_map(fc) ? mesh_map_getstr(fc, "kind") : NULL;
	const char *api = mesh_is_map(fc) ? mesh_map_getstr(fc, "apiVersion") :
	    NULL;
	const struct mesh_node *m, *spec, *edits;
	size_t i;
	int k;

	if (fc == NULL || mesh_is_null(fc))
		return 0;
	if (kind != NULL && api != NULL && strcmp(kind, "ConfigMap") == 0 &&
	    strcmp(api, "v1") == 0) {
		m = mesh_map_get(fc, "data");
		if (m == NULL || mesh_is_null(m))
			return 0;
		if (!mesh_is_map(m)) {
			mesh_errat(doc->src, m->line, m->col, "functionConfig: "
			    "'data' is not a mapping");
			return -1;
		}
		for (i = 0; i < mesh_map_len(m); i++)
			if ((k = krm_find(doc, mesh_map_key(m, i), false)) ==
			    -1 || krm_option(o, doc, (size_t)k,
			    mesh_map_value(m, i)) == -1)
				return -1;
		return 0;
	}
	if (kind == NULL || api == NULL || strcmp(kind, "MeshOverlay") != 0 ||
	    strcmp(api, "meshline.io/v1alpha1") != 0) {
		mesh_errat(doc->src, fc->line, fc->col, "functionConfig: a %s "
		    "%s is not a config of mine (a v1 ConfigMap or a "
		    "meshline.io/v1alpha1 MeshOverlay is)", api ? api : "?",
		    kind ? kind : "?");
		return -1;
	}
	spec = mesh_map_get(fc, "spec");
	if (spec == NULL || mesh_is_null(spec))
		return 0;
	if (!mesh_is_map(spec)) {
		mesh_errat(doc->src, spec->line, spec->col, "functionConfig: "
		    "'spec' is not a mapping");
		return -1;
	}
	for (i = 0; i < mesh_map_len(spec); i++) {
		const struct mesh_node *key = mesh_map_key(spec, i);

		if (mesh_scalar_is(key, "edits"))
			continue;
		if ((k = krm_find(doc, key, true)) == -1)
			return -1;
		if (krm_opts[k].ch != OPT_SELECT &&
		    krm_opts[k].ch != OPT_K8S_OVERLAYS) {
			mesh_errat(doc->src, key->line, key->col,
			    "functionConfig: '%s' goes in spec.edits, in the "
			    "order it is to be done", key->u.s.text);
			return -1;
		}
		if (krm_option(o, doc, (size_t)k, mesh_map_value(spec, i)) ==
		    -1)
			return -1;
	}
	edits = mesh_map_get(spec, "edits");
	if (edits == NULL || mesh_is_null(edits))
		return 0;
	if (!mesh_is_seq(edits)) {
		mesh_errat(doc->src, edits->line, edits->col,
		    "functionConfig: spec.edits is not a list");
		return -1;
	}
	for (i = 0; i < edits->u.c.n; i++) {
		const struct mesh_node *e = edits->u.c.v[i];

		if (!mesh_is_map(e) || mesh_map_len(e) != 1) {
			mesh_errat(doc->src, e->line, e->col, "functionConfig: "
			    "each of spec.edits is one 'option: value'");
			return -1;
		}
		if ((k = krm_find(doc, mesh_map_key(e, 0), true)) == -1 ||
		    krm_option(o, doc, (size_t)k, mesh_map_value(e, 0)) == -1)
			return -1;
	}
	return 0;
}

/* The last line a node's text reaches, as far as its nodes tell. */
static unsigned
last_line(const struct mesh_node *n)
{
	if (n == NULL)
		return 0;
	if (n->type != MESH_SCALAR && n->u.c.n > 0)
		return last_line(n->u.c.v[n->u.c.n - 1]);
	return n->line;
}

/* The annotation key of an item, or NULL. */
static const char *
annotation(const struct mesh_node *item, const char *key)
{
	const struct mesh_node *a = mesh_map_get(mesh_map_get(item,
	    "metadata"), "annotations");
	const struct mesh_node *v = mesh_map_get(a, key);

	return mesh_is_scalar(v) && !mesh_is_null(v) ? v->u.s.text : NULL;
}

/* One result: the message, and the item it is about (or NULL). */
static struct mesh_node *
krm_result(struct mesh_doc *out, const struct krm_msg *m,
    const struct mesh_node *item, const char *file)
{
	static const char *const ref_keys[] = { "apiVersion", "kind",
		"metadata.name", "metadata.namespace" };
	struct mesh_node *r = mesh_map_new(out), *ref, *f;
	struct mesh_buf b;
	const char *v, *idx, *text = m->text;
	char what[256];
	size_t i, n;

	mesh_buf_init(&b);
	if (m->where != NULL && item == NULL)
		mesh_buf_addf(&b, "%s: ", m->where);
	if (item != NULL) {	/* resourceRef names the item */
		n = strlen(mesh_describe(item, what, sizeof(what)));
		if (strncmp(text, what, n) == 0 && strncmp(text + n, ": ",
		    2) == 0)
			text += n + 2;
	}
	mesh_buf_adds(&b, text);
	mesh_map_set(out, r, "message", mesh_scalar_new(out, b.data, b.len,
	    MESH_T_STR));
	mesh_buf_release(&b);
	mesh_map_set(out, r, "severity", mesh_str_new(out, m->error ?
	    "error" : "warning"));
	if (item != NULL) {
		ref = mesh_map_new(out);
		for (i = 0; i < 4; i++)
			if ((v = mesh_map_getstr(item, ref_keys[i])) != NULL)
				mesh_map_set(out, ref, strchr(ref_keys[i], '.') ?
				    strchr(ref_keys[i], '.') + 1 : ref_keys[i],
				    mesh_str_new(out, v));
		mesh_map_set(out, r, "resourceRef", ref);
		if ((file = annotation(item, "internal.config.kubernetes.io/"
		    "path")) == NULL)
			file = annotation(item, "config.kubernetes.io/path");
	}
	if (file == NULL)
		return r;
	f = mesh_map_new(out);
	mesh_map_set(out, f, "path", mesh_str_new(out, file));
	if (item != NULL && ((idx = annotation(item,
	    "internal.config.kubernetes.io/index")) != NULL ||
	    (idx = annotation(item, "config.kubernetes.io/index")) != NULL) &&
	    idx[strspn(idx, "0123456789")] == '\0' && strlen(idx) < 10)
		mesh_map_set(out, f, "index", mesh_scalar_new(out, idx,
		    strlen(idx), MESH_T_INT));
	mesh_map_set(out, r, "file", f);
	return r;
}

/*
 * The results of the messages in log: a message placed in an item of
 * the input's items (src's lines) names that item; one placed in another
 * file names the file, its line in the message.
 */
static struct mesh_node *
krm_results(struct mesh_doc *out, const struct krm_log *log, const char *src,
    const struct mesh_node *items)
{
	struct mesh_node *seq = mesh_seq_new(out);
	size_t i, j, n = strlen(src);

	for (i = 0; i < log->n; i++) {
		const struct krm_msg *m = &log->v[i];
		const struct mesh_node *item = NULL;
		char *file = NULL;

		if (m->where != NULL && strncmp(m->where, src, n) == 0 &&
		    m->where[n] == ':') {
			unsigned long line = strtoul(m->where + n + 1, NULL,
			    10);

			for (j = 0; mesh_is_seq(items) && j < items->u.c.n;
			    j++)
				if (items->u.c.v[j]->line <= line &&
				    line <= last_line(items->u.c.v[j]))
					item = items->u.c.v[j];
		} else if (m->where != NULL) {
			file = xstrndup(m->where, strcspn(m->where, ":"));
		}
		mesh_seq_append(out, seq, krm_result(out, m, item, file));
		free(file);
	}
	return seq;
}

static bool
krm_is_resource_list(const struct mesh_node *root)
{
	const char *kind = mesh_is_map(root) ? mesh_map_getstr(root, "kind") :
	    NULL;
	const char *api = mesh_is_map(root) ?
	    mesh_map_getstr(root, "apiVersion") : NULL;

	return kind != NULL && api != NULL &&
	    strcmp(kind, "ResourceList") == 0 &&
	    strncmp(api, "config.kubernetes.io/", 21) == 0;
}

/* Edit the items of the ResourceList doc with the options and its config. */
static int
krm_edit(struct opts *o, struct mesh_doc *doc)
{
	struct mesh_node *items;
	bool changed = false;
	size_t i;

	if (!krm_is_resource_list(doc->root)) {
		mesh_errat(doc->src, doc->line, 0, "--resource-list: the "
		    "input is not a config.kubernetes.io/v1 ResourceList");
		return -1;
	}
	if (krm_config(o, doc, mesh_map_get(doc->root, "functionConfig")) ==
	    -1 || load_files(o) == -1)
		return -1;
	items = mesh_map_get(doc->root, "items");
	if (items != NULL && !mesh_is_null(items) && !mesh_is_seq(items)) {
		mesh_errat(doc->src, items->line, items->col,
		    "--resource-list: 'items' is not a list");
		return -1;
	}
	for (i = 0; mesh_is_seq(items) && i < items->u.c.n; i++)
		if (edit(o, doc, &items->u.c.v[i], &changed) == -1)
			return -1;
	doc->changed = changed;
	return all_found(o);
}

/*
 * Write doc with the messages in log as its results.  doc is the edited
 * ResourceList after a success, the input as it came after a failure
 * (NULL when there was none: a ResourceList of results alone).
 */
static int
krm_write(struct mesh_writer *w, struct mesh_doc *doc, const char *src,
    const struct krm_log *log)
{
	struct mesh_doc *made = NULL;
	long at;
	int rv;

	if (doc == NULL) {
		doc = made = mesh_doc_new(src);
		doc->root = mesh_map_new(doc);
		mesh_map_set(doc, doc->root, "apiVersion",
		    mesh_str_new(doc, "config.kubernetes.io/v1"));
		mesh_map_set(doc, doc->root, "kind",
		    mesh_str_new(doc, "ResourceList"));
		mesh_map_set(doc, doc->root, "items", mesh_seq_new(doc));
	}
	if (log->n > 0) {
		mesh_map_set(doc, doc->root, "results", krm_results(doc, log,
		    src, mesh_map_get(doc->root, "items")));
		doc->changed = true;
	} else if ((at = mesh_map_find(doc->root, "results")) != -1) {
		mesh_map_remove(doc->root, (size_t)at);
		doc->changed = true;
	}
	rv = mesh_writer_take(w, doc);
	mesh_doc_free(made);
	return rv;
}

int
run_krm(struct opts *o, const char *path)
{
	struct krm_log log = { NULL, 0 };
	struct mesh_reader *r;
	struct mesh_doc *doc = NULL, *more = NULL, *orig = NULL, *out;
	struct mesh_writer *w;
	const char *src = strcmp(path, "-") == 0 ? "<stdin>" : path;
	bool ok = false;
	int rv = -1;

	mesh_diag_tee(krm_collect, &log);
	if ((r = mesh_reader_open(path, &o->lim)) != NULL) {
		if ((rv = mesh_reader_next(r, &doc)) == 0)
			mesh_err(src, "--resource-list: no ResourceList in "
			    "the input");
		else if (rv == 1 && (rv = mesh_reader_next(r, &more)) == 1)
			mesh_errat(more->src, more->line, 0, "--resource-list: "
			    "expected one ResourceList, found a second "
			    "document");
		mesh_reader_free(r);
	}
	if (doc != NULL && more == NULL && rv == 0) {
		/* kept as it came, to be written back after a failure */
		orig = mesh_doc_new_sized(doc->src,
		    mesh_node_copy_size(doc->root));
		orig->root = mesh_node_copy(orig, doc->root);
		ok = krm_edit(o, doc) == 0;
	}
	mesh_diag_tee(NULL, NULL);
	w = mesh_writer_new(STDOUT_FILENO, o->fmt, false);
	out = ok ? doc : orig != NULL && krm_is_resource_list(orig->root) ?
	    orig : NULL;
	rv = krm_write(w, out, src, &log) == -1 ||
	    mesh_writer_finish(w) == -1 || !ok ? -1 : 0;
	mesh_writer_free(w);
	mesh_doc_free(doc);
	mesh_doc_free(orig);
	mesh_doc_free(more);
	krm_log_release(&log);
	return rv;
}
