/*
 * ${VAR} substitution inside scalars.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "node.h"
#include "subst.h"

const char *
mesh_lookup_env(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

void
mesh_vars_add(struct mesh_vars *v, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->name[i], name) == 0) {
			v->value[i] = value;
			return;
		}
	if (v->n == sizeof(v->name) / sizeof(v->name[0]))
		mesh_die("too many template values ('%s')", name);
	v->name[v->n] = name;
	v->value[v->n] = value;
	v->n++;
}

const char *
mesh_vars_lookup(const char *name, void *arg)
{
	const struct mesh_vars *v = arg;
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->name[i], name) == 0)
			return v->value[i];
	return NULL;
}

int
mesh_subst_string(const char *s, size_t len, mesh_lookup_fn lookup,
    void *arg, struct mesh_buf *out, char *err, size_t errlen)
{
	const char *p = s, *end = s + len;
	char name[256];

	while (p < end) {
		const char *d = memchr(p, '$', (size_t)(end - p));
		const char *q, *def = NULL, *close, *val;
		size_t n, deflen = 0;

		if (d == NULL) {
			mesh_buf_add(out, p, (size_t)(end - p));
			break;
		}
		mesh_buf_add(out, p, (size_t)(d - p));
		if (end - d >= 3 && d[1] == '$' && d[2] == '{') {
			mesh_buf_adds(out, "${");
			p = d + 3;
			continue;
		}
		if (end - d < 2 || d[1] != '{') {
			mesh_buf_addc(out, '$');
			p = d + 1;
			continue;
		}
		q = d + 2;
		close = memchr(q, '}', (size_t)(end - q));
		if (close == NULL) {
			snprintf(err, errlen, "'${' has no closing '}'");
			return -1;
		}
		for (n = 0; q + n < close && (isalnum((unsigned char)q[n]) ||
		    q[n] == '_'); n++)
			;
		if (n == 0 || isdigit((unsigned char)q[0]) ||
		    n >= sizeof(name)) {
			snprintf(err, errlen, "'%.*s' is not a valid variable "
			    "name", (int)(close - q), q);
			return -1;
		}
		if (q + n < close) {
			if (close - (q + n) < 2 || q[n] != ':' ||
			    q[n + 1] != '-') {
				snprintf(err, errlen, "'${%.*s}': expected "
				    "'}' or ':-' after the name",
				    (int)(close - q), q);
				return -1;
			}
			def = q + n + 2;
			deflen = (size_t)(close - def);
		}
		memcpy(name, q, n);
		name[n] = '\0';
		val = lookup(name, arg);
		if (def != NULL && (val == NULL || *val == '\0'))
			mesh_buf_add(out, def, deflen);
		else if (val == NULL) {
			snprintf(err, errlen, "variable '%s' is not set "
			    "(give it a value, or write ${%s:-default})",
			    name, name);
			return -1;
		} else
			mesh_buf_adds(out, val);
		p = close + 1;
	}
	return 0;
}

/* A tag that asks for a type, for a substituted plain scalar. */
static int
typed(const char *tag)
{
	if (tag == NULL || strncmp(tag, "tag:yaml.org,2002:", 18) != 0)
		return -1;
	tag += 18;
	if (strcmp(tag, "int") == 0)
		return MESH_T_INT;
	if (strcmp(tag, "float") == 0)
		return MESH_T_FLOAT;
	if (strcmp(tag, "bool") == 0)
		return MESH_T_BOOL;
	return -1;
}

static int
subst_scalar(struct mesh_doc *doc, struct mesh_node *n,
    mesh_lookup_fn lookup, void *arg, bool *changed)
{
	static const char *const names[] = { "a string", "an integer",
		"a number", "true or false", "null" };
	struct mesh_buf out = MESH_BUF_INIT;
	char err[512];
	int want, rv = -1;

	if (memchr(n->u.s.text, '$', n->u.s.len) == NULL)
		return 0;
	if (mesh_subst_string(n->u.s.text, n->u.s.len, lookup, arg, &out, err,
	    sizeof(err)) == -1) {
		mesh_errat(doc->src, n->line, n->col, "%s", err);
		goto out;
	}
	if (out.data == NULL)
		mesh_buf_adds(&out, "");
	if (out.len == n->u.s.len && memcmp(out.data, n->u.s.text,
	    out.len) == 0) {
		rv = 0;
		goto out;
	}
	if (strlen(out.data) != out.len) {
		mesh_errat(doc->src, n->line, n->col,
		    "a variable's value holds a NUL byte");
		goto out;
	}
	n->u.s.text = mesh_doc_strndup(doc, out.data, out.len);
	n->u.s.len = out.len;
	*changed = true;
	if (n->style == MESH_STYLE_PLAIN || n->style == MESH_STYLE_ANY) {
		want = typed(n->tag);
		n->style = MESH_STYLE_ANY;
		n->stype = MESH_T_STR;
		if (want != -1) {
			char canon[64];
			const char *c;

			if ((int)mesh_resolve_plain(out.data, out.len, NULL,
			    NULL, NULL, NULL) != want) {
				mesh_errat(doc->src, n->line, n->col,
				    "'%s' is not %s, as the tag %s asks",
				    out.data, names[want], n->tag);
				goto out;
			}
			/* written the one way every reader agrees on */
			n->stype = (unsigned char)want;
			n->tag = NULL;
			c = mesh_scalar_canon(n, canon, sizeof(canon));
			n->u.s.text = mesh_doc_strndup(doc, c, strlen(c));
			n->u.s.len = strlen(c);
		}
	}
	rv = 0;
out:
	mesh_buf_release(&out);
	return rv;
}

int
mesh_subst_tree(struct mesh_doc *doc, struct mesh_node *n,
    mesh_lookup_fn lookup, void *arg, bool *changed)
{
	const struct mesh_node *k, *f;
	bool key_changed = false;
	size_t i, first;
	long d;

	if (n == NULL)
		return 0;
	if (n->type == MESH_SCALAR)
		return subst_scalar(doc, n, lookup, arg, changed);
	for (i = 0; i < n->u.c.n; i++) {
		bool c = false;

		if (mesh_subst_tree(doc, n->u.c.v[i], lookup, arg, &c) == -1)
			return -1;
		if (c && n->type == MESH_MAP && i % 2 == 0)
			key_changed = true;
		*changed = *changed || c;
	}
	if (!key_changed)
		return 0;
	/* a key made by a variable may now be given twice */
	mesh_keys_edited();
	if ((d = mesh_map_dup(n, &first)) >= 0) {
		k = mesh_map_key(n, (size_t)d);
		f = mesh_map_key(n, first);
		mesh_errat(doc->src, k->line, k->col, "key '%s' is given twice "
		    "in one mapping once variables are replaced (first at "
		    "%u:%u)", k->u.s.text, f->line, f->col);
		return -1;
	}
	return 0;
}
