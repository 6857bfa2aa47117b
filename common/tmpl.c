/*
 * Rendering the built-in templates: parse, then substitute inside the
 * scalars, so a value can never change a template's structure.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "stream.h"
#include "subst.h"
#include "tmpl.h"
#include "xalloc.h"

const struct mesh_template *
mesh_template(const char *name)
{
	const struct mesh_template *t;

	for (t = mesh_templates; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/* Can s be written plain and read back as the same string? */
static bool
is_plain_safe(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-") == n &&
	    s[0] != '-' && s[0] != '.' && !mesh_str_is_ambiguous(s, n);
}

/* Another lookup's values, double-quoted where plain would not do. */
struct quoting {
	mesh_lookup_fn lookup;
	void *arg;
	struct mesh_buf buf;	/* the last value: substitution copies it */
};

static const char *
quoted_lookup(const char *name, void *arg)
{
	struct quoting *q = arg;
	const char *v = q->lookup(name, q->arg), *s;

	if (v == NULL || *v == '\0' || is_plain_safe(v))
		return v;
	q->buf.len = 0;
	mesh_buf_addc(&q->buf, '"');
	for (s = v; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			mesh_buf_addf(&q->buf, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			mesh_buf_addf(&q->buf, "\\x%02x", (unsigned char)*s);
		else
			mesh_buf_addc(&q->buf, *s);
	}
	mesh_buf_addc(&q->buf, '"');
	return q->buf.data;
}

/*
 * Put the values into the document's own text, then keep that text only
 * if it reads back as the tree the safe substitution made.
 */
static void
try_text(struct mesh_doc *doc, mesh_lookup_fn lookup, void *arg)
{
	struct mesh_buf text = MESH_BUF_INIT;
	struct mesh_limits lim;
	struct mesh_doc *again;
	char err[256];

	if (doc->raw == NULL || doc->root == NULL)
		return;
	if (mesh_subst_string(doc->raw, doc->rawlen, lookup, arg, &text, err,
	    sizeof(err)) == -1 || text.data == NULL)
		goto out;
	mesh_limits_init(&lim);
	again = mesh_parse_string("template", text.data, &lim, true);
	if (again != NULL && mesh_node_equal(again->root, doc->root)) {
		doc->raw = mesh_doc_strndup(doc, text.data, text.len);
		doc->rawlen = text.len;
		doc->changed = false;
	}
	mesh_doc_free(again);
out:
	mesh_buf_release(&text);
}

/*
 * Keep the text with the values as they are, or else with the values
 * that would read differently plain ("on", "1234") double-quoted, so a
 * script's comments stay whatever a value holds.
 */
static void
keep_text(struct mesh_doc *doc, mesh_lookup_fn lookup, void *arg)
{
	struct quoting q = { lookup, arg, MESH_BUF_INIT };

	try_text(doc, lookup, arg);
	if (doc->changed)
		try_text(doc, quoted_lookup, &q);
	mesh_buf_release(&q.buf);
}

int
mesh_template_render(const char *name, mesh_lookup_fn lookup, void *arg,
    bool keep, struct mesh_doc ***docs, size_t *n)
{
	const struct mesh_template *t = mesh_template(name);

	if (t == NULL)
		mesh_die("no built-in template '%s'", name);
	return mesh_render_text(name, t->text, t->len, lookup, arg, keep,
	    docs, n);
}

int
mesh_render_text(const char *name, const char *text, size_t len,
    mesh_lookup_fn lookup, void *arg, bool keep, struct mesh_doc ***docs,
    size_t *n)
{
	struct mesh_limits lim;
	struct mesh_reader *r;
	struct mesh_doc *doc;
	size_t cap = 0;
	int rv;

	*docs = NULL;
	*n = 0;
	mesh_limits_init(&lim);
	r = mesh_reader_open_mem(name, text, len, &lim);
	while ((rv = mesh_reader_next(r, &doc)) == 1) {
		bool changed = false;

		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			*docs = xreallocarray(*docs, cap, sizeof(**docs));
		}
		(*docs)[(*n)++] = doc;
		doc->changed = true;
		if (mesh_subst_tree(doc, doc->root, lookup, arg,
		    &changed) == -1) {
			rv = -1;
			break;
		}
		if (keep)
			keep_text(doc, lookup, arg);
	}
	mesh_reader_free(r);
	if (rv == -1) {
		while (*n > 0)
			mesh_doc_free((*docs)[--*n]);
		free(*docs);
		*docs = NULL;
		return -1;
	}
	return 0;
}
