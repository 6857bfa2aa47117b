/*
 * Parsing and walking istioctl-style paths.  The lexical rules are shared
 * by both engines; the walks differ in what they create, how selectors
 * compare and what they refuse.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "node.h"
#include "path.h"
#include "xalloc.h"

static int
fail(struct mesh_path_err *err, const struct mesh_node *at, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static int
fail(struct mesh_path_err *err, const struct mesh_node *at, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->at = at;
	return -1;
}

/*
 * Go's filepath.Clean on the '/'-separated parts: "//" and "/./" fold
 * away.  A ".." part would climb out of keys istioctl never meant to
 * leave, so it is refused.
 */
static int
clean(const char *in, struct mesh_buf *out, struct mesh_path_err *err)
{
	const char *p = in, *slash;
	bool rooted = *in == '/', first = true;

	if (rooted)
		mesh_buf_addc(out, '/');
	while (*p != '\0') {
		size_t n;

		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && memcmp(p, "..", 2) == 0)
			return fail(err, NULL, "'..' is not allowed in a path");
		if (n > 0 && !(n == 1 && *p == '.')) {
			if (!first)
				mesh_buf_addc(out, '/');
			mesh_buf_add(out, p, n);
			first = false;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	if (out->len == 0)
		mesh_buf_addc(out, '.');
	return 0;
}

static bool
parse_long(const char *s, long *out)
{
	const char *p = s;
	char *end;
	long v;

	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0)
		return false;
	*out = v;
	return true;
}

static void
add_elem(struct mesh_path *p, enum mesh_pe_kind kind, char *key, char *value,
    long index)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n].kind = kind;
	p->v[p->n].key = key;
	p->v[p->n].value = value;
	p->v[p->n].index = index;
	p->n++;
}

/* "[...]": the bracket's contents, with "\:" kept for the split below. */
static int
add_bracket(struct mesh_path *p, const char *s, size_t len,
    struct mesh_path_err *err)
{
	char *in;
	const char *colon = NULL;
	size_t i;
	long idx;

	/* one bracket a piece: "a[0][1]" is not a path istioctl reads */
	if (len < 2 || s[len - 1] != ']' ||
	    memchr(s + 1, '[', len - 2) != NULL ||
	    memchr(s + 1, ']', len - 2) != NULL)
		return fail(err, NULL, "'%.*s' is not a valid path element",
		    (int)len, s);
	in = xstrndup(s + 1, len - 2);
	if (parse_long(in, &idx)) {
		free(in);
		add_elem(p, MESH_PE_INDEX, NULL, NULL, idx);
		return 0;
	}
	for (i = 0; in[i] != '\0'; i++) {
		if (in[i] == '\\' && in[i + 1] == ':') {
			i++;
			continue;
		}
		if (in[i] == ':') {
			colon = in + i;
			break;
		}
	}
	if (colon == NULL || colon == in) {
		char *v = xstrdup(colon ? in + 1 : in);

		free(in);
		add_elem(p, MESH_PE_LEAF, NULL, v, 0);
		return 0;
	}
	{
		char *key = xstrndup(in, (size_t)(colon - in));
		struct mesh_buf v = MESH_BUF_INIT;
		const char *q;

		/* "\:" in the value means ':' */
		for (q = colon + 1; *q; q++) {
			if (*q == '\\' && q[1] == ':')
				q++;
			mesh_buf_addc(&v, *q);
		}
		free(in);
		add_elem(p, MESH_PE_SELECT, key, mesh_buf_detach(&v, NULL), 0);
	}
	return 0;
}

int
mesh_path_parse(const char *text, struct mesh_path *p,
    struct mesh_path_err *err)
{
	struct mesh_buf c = MESH_BUF_INIT, piece = MESH_BUF_INIT;
	const char *s, *end;
	int rv = -1;

	memset(p, 0, sizeof(*p));
	err->msg[0] = '\0';
	err->at = NULL;
	p->text = xstrdup(text);
	if (*text == '\0') {
		fail(err, NULL, "empty path");
		goto out;
	}
	if (clean(text, &c, err) == -1)
		goto out;
	s = c.data;
	end = c.data + c.len;
	/* one leading and one trailing '.' go */
	if (s < end && *s == '.')
		s++;
	if (end > s && end[-1] == '.' && !(end - s >= 2 && end[-2] == '\\'))
		end--;
	while (s <= end) {
		const char *q = s;
		char *br;

		/* up to the next '.' that no '\' escapes */
		piece.len = 0;
		while (q < end && *q != '.') {
			if (*q == '\\' && q + 1 < end && q[1] == '.') {
				mesh_buf_addc(&piece, '.');
				q += 2;
				continue;
			}
			mesh_buf_addc(&piece, *q++);
		}
		if (piece.len > 0) {
			br = memchr(piece.data, '[', piece.len);
			if (br != NULL && br != piece.data) {
				add_elem(p, MESH_PE_KEY,
				    xstrndup(piece.data,
				    (size_t)(br - piece.data)), NULL, 0);
				if (add_bracket(p, br, piece.len -
				    (size_t)(br - piece.data), err) == -1)
					goto out;
			} else if (br != NULL) {
				if (add_bracket(p, piece.data, piece.len,
				    err) == -1)
					goto out;
			} else {
				add_elem(p, MESH_PE_KEY,
				    xstrndup(piece.data, piece.len), NULL, 0);
			}
		}
		s = q + 1;
	}
	if (p->n == 0) {
		fail(err, NULL, "empty path");
		goto out;
	}
	rv = 0;
out:
	mesh_buf_release(&c);
	mesh_buf_release(&piece);
	if (rv == -1)
		mesh_path_release(p);
	return rv;
}

void
mesh_path_release(struct mesh_path *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].value);
	}
	free(p->v);
	free(p->text);
	memset(p, 0, sizeof(*p));
}

/* How an element is written in messages. */
static const char *
show(const struct mesh_path_elem *e, char *buf, size_t len)
{
	switch (e->kind) {
	case MESH_PE_KEY:
		snprintf(buf, len, "%s", e->key);
		break;
	case MESH_PE_INDEX:
		snprintf(buf, len, "[%ld]", e->index);
		break;
	case MESH_PE_SELECT:
		snprintf(buf, len, "[%s:%s]", e->key, e->value);
		break;
	case MESH_PE_LEAF:
		snprintf(buf, len, "[:%s]", e->value);
		break;
	}
	return buf;
}

static bool
is_bracket(const struct mesh_path_elem *e)
{
	return e->kind != MESH_PE_KEY;
}

static const char *
what(const struct mesh_node *n)
{
	if (n->type == MESH_MAP)
		return "a mapping";
	if (n->type == MESH_SEQ)
		return "a list";
	return "a scalar";
}

/* --set's selector: the first mapping whose key holds the string value. */
static long
find_select_str(const struct mesh_node *seq, const struct mesh_path_elem *e)
{
	size_t i;

	for (i = 0; i < seq->u.c.n; i++) {
		const struct mesh_node *v = mesh_map_get(seq->u.c.v[i], e->key);

		if (mesh_is_scalar(v) && mesh_scalar_type(v) == MESH_T_STR &&
		    strcmp(v->u.s.text, e->value) == 0)
			return (long)i;
	}
	return -1;
}

struct mesh_node *
mesh_path_get(struct mesh_node *n, const struct mesh_path *p)
{
	size_t i;
	long j;

	for (i = 0; i < p->n && n != NULL; i++) {
		const struct mesh_path_elem *e = &p->v[i];

		switch (e->kind) {
		case MESH_PE_KEY:
			n = mesh_is_map(n) ? mesh_map_get(n, e->key) : NULL;
			break;
		case MESH_PE_INDEX:
			if (!mesh_is_seq(n) || e->index < 0 ||
			    (size_t)e->index >= n->u.c.n)
				return NULL;
			n = n->u.c.v[e->index];
			break;
		case MESH_PE_SELECT:
			if (!mesh_is_seq(n) ||
			    (j = find_select_str(n, e)) < 0)
				return NULL;
			n = n->u.c.v[j];
			break;
		case MESH_PE_LEAF:
			return NULL;
		}
	}
	return n;
}

/* The bracket after a key that holds something other than a list. */
static int
check_bracket_target(const struct mesh_path *p, size_t i,
    const struct mesh_node *child, struct mesh_path_err *err)
{
	char b1[256], b2[256];

	if (i + 1 < p->n && is_bracket(&p->v[i + 1]) && !mesh_is_seq(child))
		return fail(err, child, "'%s' is %s, not a list, so '%s' "
		    "cannot select in it", show(&p->v[i], b1, sizeof(b1)),
		    what(child), show(&p->v[i + 1], b2, sizeof(b2)));
	if (i + 1 < p->n && !is_bracket(&p->v[i + 1]) && !mesh_is_map(child))
		return fail(err, child, "'%s' is %s, not a mapping, so it "
		    "has no key '%s'", show(&p->v[i], b1, sizeof(b1)),
		    what(child), show(&p->v[i + 1], b2, sizeof(b2)));
	return 0;
}

int
mesh_path_set(struct mesh_doc *doc, struct mesh_node *n,
    const struct mesh_path *p, struct mesh_node *value,
    struct mesh_path_err *err)
{
	char b[256];
	size_t i;
	long j;

	for (i = 0; i < p->n; i++) {
		const struct mesh_path_elem *e = &p->v[i];
		bool last = i + 1 == p->n;
		struct mesh_node *child;

		if (e->kind == MESH_PE_KEY) {
			if (!mesh_is_map(n))
				return fail(err, n, "cannot set key '%s' in "
				    "%s", e->key, what(n));
			if (last) {
				mesh_map_set(doc, n, e->key, value);
				return 0;
			}
			child = mesh_map_get(n, e->key);
			if (child == NULL) {
				child = is_bracket(&p->v[i + 1]) ?
				    mesh_seq_new(doc) : mesh_map_new(doc);
				mesh_map_set(doc, n, e->key, child);
			}
			if (check_bracket_target(p, i, child, err) == -1)
				return -1;
			n = child;
			continue;
		}
		if (i == 0 || is_bracket(&p->v[i - 1]))
			return fail(err, n, "'%s' must follow a key: lists "
			    "of lists cannot be addressed",
			    show(e, b, sizeof(b)));
		switch (e->kind) {
		case MESH_PE_INDEX:
			if (e->index < 0 || (size_t)e->index >= n->u.c.n) {
				/* past the end: append */
				child = last ? value : mesh_map_new(doc);
				mesh_seq_append(doc, n, child);
				if (last)
					return 0;
				n = child;
				continue;
			}
			if (last)
				return fail(err, n->u.c.v[e->index],
				    "cannot replace list item '%s' with "
				    "--set: set its fields, or --delete it "
				    "first", show(e, b, sizeof(b)));
			j = e->index;
			break;
		case MESH_PE_SELECT:
			if ((j = find_select_str(n, e)) < 0)
				return fail(err, n, "element %s not found",
				    show(e, b, sizeof(b)));
			if (last)
				return fail(err, n->u.c.v[j],
				    "cannot replace list item '%s' with "
				    "--set: set its fields instead",
				    show(e, b, sizeof(b)));
			break;
		default:
			return fail(err, n, "'[%s]' selects list items only "
			    "in k8s.overlays; use [key:value] or [N]",
			    e->value);
		}
		child = n->u.c.v[j];
		if (!mesh_is_map(child))
			return fail(err, child, "list item '%s' is %s, not a "
			    "mapping", show(e, b, sizeof(b)), what(child));
		n = child;
	}
	return 0;
}

void
mesh_path_put(struct mesh_doc *doc, struct mesh_node *n, const char *path,
    struct mesh_node *value)
{
	struct mesh_path p;
	struct mesh_path_err err;

	if (mesh_path_parse(path, &p, &err) == -1 ||
	    mesh_path_set(doc, n, &p, value, &err) == -1)
		mesh_die("internal error setting '%s': %s", path, err.msg);
	mesh_path_release(&p);
}

int
mesh_path_delete(struct mesh_node *n, const struct mesh_path *p,
    struct mesh_path_err *err)
{
	char b[256];
	size_t i;
	long j;

	for (i = 0; i < p->n; i++) {
		const struct mesh_path_elem *e = &p->v[i];
		bool last = i + 1 == p->n;

		switch (e->kind) {
		case MESH_PE_KEY:
			if (!mesh_is_map(n))
				return fail(err, n, "cannot delete key '%s' "
				    "from %s", e->key, what(n));
			j = mesh_map_find(n, e->key);
			if (last) {
				if (j >= 0)
					mesh_map_remove(n, (size_t)j);
				return 0;
			}
			if (j < 0)
				return fail(err, n, "'%s' does not exist",
				    e->key);
			n = mesh_map_value(n, (size_t)j);
			continue;
		case MESH_PE_INDEX:
			if (!mesh_is_seq(n))
				return fail(err, n, "'%s' needs a list, not "
				    "%s", show(e, b, sizeof(b)), what(n));
			if (e->index < 0 || (size_t)e->index >= n->u.c.n)
				return fail(err, n, "index %s is past the end "
				    "of a list of %zu", show(e, b, sizeof(b)),
				    n->u.c.n);
			j = e->index;
			break;
		case MESH_PE_SELECT:
			if (!mesh_is_seq(n))
				return fail(err, n, "'%s' needs a list, not "
				    "%s", show(e, b, sizeof(b)), what(n));
			if ((j = find_select_str(n, e)) < 0)
				return fail(err, n, "element %s not found",
				    show(e, b, sizeof(b)));
			break;
		default:
			return fail(err, n, "'[%s]' selects list items only "
			    "in k8s.overlays; use [key:value] or [N]",
			    e->value);
		}
		if (last) {
			mesh_seq_remove(n, (size_t)j);
			return 0;
		}
		n = n->u.c.v[j];
	}
	return 0;
}

/* The overlay engine's [key:value]: compared as printed text. */
static long
find_select_text(const struct mesh_node *seq, const struct mesh_path_elem *e)
{
	char canon[64];
	size_t i;

	for (i = 0; i < seq->u.c.n; i++) {
		const struct mesh_node *v = mesh_map_get(seq->u.c.v[i], e->key);

		if (mesh_is_scalar(v) && strcmp(mesh_scalar_canon(v, canon,
		    sizeof(canon)), e->value) == 0)
			return (long)i;
	}
	return -1;
}

static bool
valid_select_key(const char *k)
{
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-')
			return false;
	return true;
}

/* The overlay engine's [:regex] on a list of scalars. */
static int
find_leaf(const struct mesh_node *seq, const struct mesh_path_elem *e,
    long *found, struct mesh_path_err *err)
{
	char canon[64];
	regex_t re;
	size_t i;
	int rc;

	if ((rc = regcomp(&re, e->value, REG_EXTENDED | REG_NOSUB)) != 0) {
		char msg[128];

		regerror(rc, &re, msg, sizeof(msg));
		return fail(err, seq, "'[:%s]' is not a valid regular "
		    "expression: %s", e->value, msg);
	}
	*found = -1;
	for (i = 0; i < seq->u.c.n; i++) {
		const struct mesh_node *v = seq->u.c.v[i];

		if (!mesh_is_scalar(v)) {
			regfree(&re);
			return fail(err, v, "'[:%s]' selects in a list of "
			    "scalars, but this list holds %s; use "
			    "[key:value]", e->value, what(v));
		}
		if (regexec(&re, mesh_scalar_canon(v, canon, sizeof(canon)),
		    0, NULL, 0) == 0) {
			*found = (long)i;
			break;
		}
	}
	regfree(&re);
	return 0;
}

int
mesh_path_overlay(struct mesh_doc *doc, struct mesh_node *n,
    const struct mesh_path *p, struct mesh_node *value,
    struct mesh_path_err *err)
{
	char b[256], b2[256];
	size_t i;
	long j = -1;

	for (i = 0; i < p->n; i++) {
		const struct mesh_path_elem *e = &p->v[i];
		bool last = i + 1 == p->n;
		struct mesh_node *child;

		if (n->type == MESH_SCALAR)
			return fail(err, n, "'%s' is under a scalar "
			    "('%s'), not a mapping or a list",
			    show(e, b, sizeof(b)), n->u.s.text);
		if (n->type == MESH_MAP) {
			if (e->kind != MESH_PE_KEY)
				return fail(err, n, "'%s' selects in a list, "
				    "but this is a mapping",
				    show(e, b, sizeof(b)));
			j = mesh_map_find(n, e->key);
			if (last) {
				if (value != NULL)
					mesh_map_set(doc, n, e->key, value);
				else if (j >= 0)
					mesh_map_remove(n, (size_t)j);
				return 0;
			}
			if (j >= 0) {
				n = mesh_map_value(n, (size_t)j);
				continue;
			}
			if (value == NULL)
				return 0;	/* nothing there to delete */
			if (is_bracket(&p->v[i + 1]))
				return fail(err, n, "'%s' does not exist, so "
				    "'%s' has no list to select in",
				    e->key, show(&p->v[i + 1], b2, sizeof(b2)));
			child = mesh_map_new(doc);
			mesh_map_set(doc, n, e->key, child);
			n = child;
			continue;
		}
		/* a list */
		switch (e->kind) {
		case MESH_PE_KEY:
			return fail(err, n, "'%s' is a key, but this is a "
			    "list; select an item first", e->key);
		case MESH_PE_INDEX:
			if (e->index < -1)
				return fail(err, n, "'%s': an index must be "
				    "-1 or more", show(e, b, sizeof(b)));
			if (e->index == -1 || (size_t)e->index >= n->u.c.n) {
				if (value == NULL)
					return fail(err, n, "cannot delete "
					    "'%s': the list has %zu items",
					    show(e, b, sizeof(b)), n->u.c.n);
				child = last ? value : mesh_map_new(doc);
				mesh_seq_append(doc, n, child);
				if (last)
					return 0;
				n = child;
				continue;
			}
			j = e->index;
			break;
		case MESH_PE_SELECT:
			if (!valid_select_key(e->key))
				return fail(err, n, "'%s': the key may hold "
				    "only letters, digits, '-' and '_'",
				    show(e, b, sizeof(b)));
			if ((j = find_select_text(n, e)) < 0)
				return fail(err, n, "element %s not found",
				    show(e, b, sizeof(b)));
			break;
		case MESH_PE_LEAF:
			if (find_leaf(n, e, &j, err) == -1)
				return -1;
			if (j < 0)
				return fail(err, n, "no list item matches "
				    "'%s'", show(e, b, sizeof(b)));
			break;
		}
		if (last) {
			if (value == NULL)
				mesh_seq_remove(n, (size_t)j);
			else
				n->u.c.v[j] = value;
			return 0;
		}
		n = n->u.c.v[j];
	}
	return 0;
}
