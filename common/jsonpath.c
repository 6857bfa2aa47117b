/*
 * kubectl's JSONPath: a template is parsed once into segments (text,
 * actions, range bodies) and applied to any number of trees.  A path is
 * a list of steps; applying a step maps the set of nodes reached so far
 * to the next set, in document order.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonpath.h"
#include "node.h"
#include "stream.h"
#include "xalloc.h"

#define MAX_UNION	64

enum step_kind {
	S_ROOT,		/* $ */
	S_CURRENT,	/* @ */
	S_FIELD,	/* .name, ['name'], ['a','b'] */
	S_WILD,		/* .* or [*] */
	S_INDEX,	/* [n], [a:b:c], [1,2] */
	S_RECURSE,	/* .. */
	S_FILTER	/* [?(...)] */
};

struct slice {
	long start, end, step;
	bool has_start, has_end, is_slice;
};

struct path;

/* One side of a filter: a path, or a literal. */
struct operand {
	struct path *path;		/* or NULL: a literal */
	struct mesh_doc *lit;		/* the literal as a tree */
};

enum op { OP_EXISTS, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct step {
	enum step_kind kind;
	char **names;			/* S_FIELD */
	size_t nnames;
	struct slice *idx;		/* S_INDEX */
	size_t nidx;
	struct operand left, right;	/* S_FILTER */
	enum op op;
};

struct path {
	struct step *v;
	size_t n;
};

enum seg_kind { G_TEXT, G_PATH, G_RANGE };

struct seg {
	enum seg_kind kind;
	char *text;			/* G_TEXT */
	struct path *path;		/* G_PATH, G_RANGE */
	struct seg *body;		/* G_RANGE */
	size_t nbody;
};

struct mesh_jsonpath {
	struct seg *v;
	size_t n;
};

/* A set of nodes. */
struct set {
	const struct mesh_node **v;
	size_t n, cap;
};

static void
set_add(struct set *s, const struct mesh_node *n)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = n;
}

/* ---- parsing --------------------------------------------------------- */

struct parser {
	const char *p;
	char *err;
	size_t errlen;
	int failed;
};

static void
perr(struct parser *ps, const char *what)
{
	if (!ps->failed)
		snprintf(ps->err, ps->errlen, "%s", what);
	ps->failed = 1;
}

static void
skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

static void path_free(struct path *p);

static void
step_release(struct step *s)
{
	size_t i;

	for (i = 0; i < s->nnames; i++)
		free(s->names[i]);
	free(s->names);
	free(s->idx);
	path_free(s->left.path);
	path_free(s->right.path);
	mesh_doc_free(s->left.lit);
	mesh_doc_free(s->right.lit);
}

static void
path_free(struct path *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		step_release(&p->v[i]);
	free(p->v);
	free(p);
}

static struct step *
new_step(struct path *p, enum step_kind kind)
{
	struct step *s;

	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	s = &p->v[p->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	return s;
}

static void
add_name(struct step *s, char *name)
{
	s->names = xreallocarray(s->names, s->nnames + 1, sizeof(*s->names));
	s->names[s->nnames++] = name;
}

/* A quoted string at ps->p ('...' or "..."), escapes read. */
static char *
quoted(struct parser *ps)
{
	struct mesh_buf b = MESH_BUF_INIT;
	char q = *ps->p++;

	for (; *ps->p != q; ps->p++) {
		if (*ps->p == '\0') {
			perr(ps, "unterminated quoted string");
			mesh_buf_release(&b);
			return NULL;
		}
		if (*ps->p == '\\' && ps->p[1] != '\0') {
			ps->p++;
			switch (*ps->p) {
			case 'n':
				mesh_buf_addc(&b, '\n');
				break;
			case 't':
				mesh_buf_addc(&b, '\t');
				break;
			case 'r':
				mesh_buf_addc(&b, '\r');
				break;
			default:
				mesh_buf_addc(&b, *ps->p);
			}
			continue;
		}
		mesh_buf_addc(&b, *ps->p);
	}
	ps->p++;
	mesh_buf_addc(&b, '\0');
	return mesh_buf_detach(&b, NULL);
}

/* A field name after '.': up to a '.', '[' or the end; "\." escapes. */
static char *
field_name(struct parser *ps)
{
	struct mesh_buf b = MESH_BUF_INIT;

	for (; *ps->p != '\0'; ps->p++) {
		if (*ps->p == '\\' && ps->p[1] == '.') {
			mesh_buf_addc(&b, '.');
			ps->p++;
			continue;
		}
		if (!isalnum((unsigned char)*ps->p) && *ps->p != '_' &&
		    *ps->p != '-' && *ps->p != '/' && *ps->p != '$' &&
		    (unsigned char)*ps->p < 0x80)
			break;
		mesh_buf_addc(&b, *ps->p);
	}
	if (b.len == 0) {
		perr(ps, "a field name is missing");
		return NULL;
	}
	mesh_buf_addc(&b, '\0');
	return mesh_buf_detach(&b, NULL);
}

static bool
number(struct parser *ps, long *out)
{
	char *end;

	if (!isdigit((unsigned char)*ps->p) && !(*ps->p == '-' &&
	    isdigit((unsigned char)ps->p[1])))
		return false;
	*out = strtol(ps->p, &end, 10);
	ps->p = end;
	return true;
}

/* One index or slice of [...]. */
static int
index_item(struct parser *ps, struct slice *sl)
{
	memset(sl, 0, sizeof(*sl));
	sl->step = 1;
	skip_ws(ps);
	sl->has_start = number(ps, &sl->start);
	skip_ws(ps);
	if (*ps->p != ':') {
		if (!sl->has_start) {
			perr(ps, "invalid array index");
			return -1;
		}
		return 0;
	}
	sl->is_slice = true;
	ps->p++;
	skip_ws(ps);
	sl->has_end = number(ps, &sl->end);
	skip_ws(ps);
	if (*ps->p == ':') {
		ps->p++;
		skip_ws(ps);
		if (!number(ps, &sl->step) || sl->step == 0) {
			perr(ps, "invalid slice step");
			return -1;
		}
	}
	return 0;
}

static struct path *parse_path(struct parser *ps, const char *stops);

/* A literal of a filter: a number, a quoted string, true, false. */
static struct mesh_doc *
literal(struct parser *ps)
{
	struct mesh_doc *doc = mesh_doc_new("jsonpath");
	const char *s = ps->p;
	char *q;
	size_t n;

	if (*s == '"' || *s == '\'') {
		if ((q = quoted(ps)) == NULL) {
			mesh_doc_free(doc);
			return NULL;
		}
		doc->root = mesh_scalar_new(doc, q, strlen(q), MESH_T_STR);
		doc->root->style = MESH_STYLE_DOUBLE;
		free(q);
		return doc;
	}
	n = strcspn(s, " \t)=!<>");
	if (n == 0) {
		perr(ps, "a value is missing in the filter");
		mesh_doc_free(doc);
		return NULL;
	}
	doc->root = mesh_scalar_new(doc, s, n, mesh_resolve_plain(s, n, NULL,
	    NULL, NULL, NULL));
	doc->root->style = MESH_STYLE_PLAIN;
	ps->p += n;
	return doc;
}

static int
operand(struct parser *ps, struct operand *o)
{
	skip_ws(ps);
	if (*ps->p == '@' || *ps->p == '$') {
		o->path = parse_path(ps, " \t)=!<>");
		return o->path != NULL ? 0 : -1;
	}
	o->lit = literal(ps);
	return o->lit != NULL ? 0 : -1;
}

static int
filter(struct parser *ps, struct step *s)
{
	static const struct {
		const char *text;
		enum op op;
	} ops[] = {
		{ "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE },
		{ ">=", OP_GE }, { "<", OP_LT }, { ">", OP_GT }, { "=", OP_EQ },
	};
	size_t i;

	if (operand(ps, &s->left) == -1)
		return -1;
	skip_ws(ps);
	s->op = OP_EXISTS;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if (strncmp(ps->p, ops[i].text, n) == 0) {
			s->op = ops[i].op;
			ps->p += n;
			if (operand(ps, &s->right) == -1)
				return -1;
			skip_ws(ps);
			break;
		}
	}
	if (ps->p[0] != ')' || ps->p[1] != ']') {
		perr(ps, "unclosed filter");
		return -1;
	}
	ps->p += 2;
	return 0;
}

/* What follows '[': an index union, names, '*' or a filter. */
static int
bracket(struct parser *ps, struct path *p)
{
	struct step *s;
	char *name;

	skip_ws(ps);
	if (*ps->p == '*') {
		ps->p++;
		skip_ws(ps);
		new_step(p, S_WILD);
		goto close;
	}
	if (ps->p[0] == '?' && ps->p[1] == '(') {
		ps->p += 2;
		s = new_step(p, S_FILTER);
		return filter(ps, s);
	}
	if (*ps->p == '\'' || *ps->p == '"') {
		s = new_step(p, S_FIELD);
		for (;;) {
			if ((name = quoted(ps)) == NULL)
				return -1;
			add_name(s, name);
			skip_ws(ps);
			if (*ps->p != ',')
				break;
			ps->p++;
			skip_ws(ps);
			if (*ps->p != '\'' && *ps->p != '"' ) {
				perr(ps, "invalid union of fields");
				return -1;
			}
		}
		goto close;
	}
	s = new_step(p, S_INDEX);
	for (;;) {
		if (s->nidx == MAX_UNION) {
			perr(ps, "too many indexes in a union");
			return -1;
		}
		s->idx = xreallocarray(s->idx, s->nidx + 1, sizeof(*s->idx));
		if (index_item(ps, &s->idx[s->nidx++]) == -1)
			return -1;
		if (*ps->p != ',')
			break;
		ps->p++;
	}
close:
	if (*ps->p != ']') {
		perr(ps, "unclosed array index");
		return -1;
	}
	ps->p++;
	return 0;
}

/* A path, up to one of stops (or '}'). */
static struct path *
parse_path(struct parser *ps, const char *stops)
{
	struct path *p = xcalloc(1, sizeof(*p));
	struct step *s;
	char *name;

	if (*ps->p == '$') {
		new_step(p, S_ROOT);
		ps->p++;
	} else if (*ps->p == '@') {
		new_step(p, S_CURRENT);
		ps->p++;
	}
	while (*ps->p != '\0' && *ps->p != '}' && strchr(stops, *ps->p) ==
	    NULL) {
		if (ps->p[0] == '.' && ps->p[1] == '.') {
			new_step(p, S_RECURSE);
			ps->p += 2;
			if (*ps->p == '[')
				continue;
		} else if (*ps->p == '.') {
			ps->p++;
		} else if (*ps->p == '[') {
			ps->p++;
			if (bracket(ps, p) == -1)
				goto bad;
			continue;
		} else if (p->n > 0 || ps->p[0] == '\0') {
			perr(ps, "unexpected character in the path");
			goto bad;
		}
		if (*ps->p == '*') {
			new_step(p, S_WILD);
			ps->p++;
			continue;
		}
		if (*ps->p == '\0' || *ps->p == '}' || *ps->p == '[')
			continue;	/* "." alone: the current node */
		if ((name = field_name(ps)) == NULL)
			goto bad;
		s = new_step(p, S_FIELD);
		add_name(s, name);
	}
	return p;
bad:
	path_free(p);
	return NULL;
}

static void
segs_free(struct seg *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].text);
		path_free(v[i].path);
		segs_free(v[i].body, v[i].nbody);
	}
	free(v);
}

static struct seg *
new_seg(struct seg **v, size_t *n, enum seg_kind kind)
{
	struct seg *s;

	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	s = &(*v)[(*n)++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	return s;
}

static bool
word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(ps->p, w, n) != 0 || (ps->p[n] != '}' && ps->p[n] != ' '
	    && ps->p[n] != '\t' && ps->p[n] != '\0'))
		return false;
	ps->p += n;
	return true;
}

/*
 * Segments up to the end of the template (in_range: up to {end}).
 * Returns 1 when {end} ended them, 0 at the end, -1 on a parse error.
 */
static int
parse_segs(struct parser *ps, struct seg **v, size_t *n, bool in_range)
{
	struct mesh_buf text = MESH_BUF_INIT;
	struct seg *s;
	char *lit;
	int r;

	for (;;) {
		if (*ps->p != '{' && *ps->p != '\0') {
			mesh_buf_addc(&text, *ps->p++);
			continue;
		}
		if (text.len > 0) {
			mesh_buf_addc(&text, '\0');
			new_seg(v, n, G_TEXT)->text = mesh_buf_detach(&text,
			    NULL);
		}
		if (*ps->p == '\0') {
			if (in_range) {
				perr(ps, "range without end");
				return -1;
			}
			return 0;
		}
		ps->p++;
		skip_ws(ps);
		if (word(ps, "end")) {
			if (!in_range) {
				perr(ps, "end without range");
				return -1;
			}
			skip_ws(ps);
			if (*ps->p++ != '}') {
				perr(ps, "unclosed action");
				return -1;
			}
			return 1;
		}
		if (word(ps, "range")) {
			skip_ws(ps);
			s = new_seg(v, n, G_RANGE);
			if ((s->path = parse_path(ps, " \t")) == NULL)
				return -1;
			skip_ws(ps);
			if (*ps->p++ != '}') {
				perr(ps, "unclosed action");
				return -1;
			}
			if ((r = parse_segs(ps, &s->body, &s->nbody, true)) != 1)
				return -1;
			continue;
		}
		if (*ps->p == '"' || *ps->p == '\'') {
			if ((lit = quoted(ps)) == NULL)
				return -1;
			new_seg(v, n, G_TEXT)->text = lit;
		} else {
			s = new_seg(v, n, G_PATH);
			if ((s->path = parse_path(ps, " \t")) == NULL)
				return -1;
		}
		skip_ws(ps);
		if (*ps->p != '}') {
			perr(ps, *ps->p == '\0' ? "unclosed action" :
			    "unexpected character in the action");
			return -1;
		}
		ps->p++;
	}
}

struct mesh_jsonpath *
mesh_jsonpath_parse(const char *tmpl, char *err, size_t errlen)
{
	struct mesh_jsonpath *jp = xcalloc(1, sizeof(*jp));
	struct parser ps;
	char *relaxed = NULL;

	memset(&ps, 0, sizeof(ps));
	ps.err = err;
	ps.errlen = errlen;
	if (strchr(tmpl, '{') == NULL) {
		/* kubectl's relaxed form: "status.phase", ".status.phase" */
		relaxed = xasprintf("{%s%s}", *tmpl == '.' || *tmpl == '$' ||
		    *tmpl == '[' ? "" : ".", tmpl);
		tmpl = relaxed;
	}
	ps.p = tmpl;
	if (parse_segs(&ps, &jp->v, &jp->n, false) != 0) {
		mesh_jsonpath_free(jp);
		jp = NULL;
	}
	free(relaxed);
	return jp;
}

void
mesh_jsonpath_free(struct mesh_jsonpath *jp)
{
	if (jp == NULL)
		return;
	segs_free(jp->v, jp->n);
	free(jp);
}

/* ---- evaluation ------------------------------------------------------ */

struct eval {
	const struct mesh_node *root;
	bool allow_missing;
	char *err;
	size_t errlen;
};

static int apply_path(struct eval *e, const struct path *p,
    const struct mesh_node *cur, struct set *out);

static void
descend(const struct mesh_node *n, struct set *out)
{
	size_t i;

	set_add(out, n);
	if (mesh_is_map(n))
		for (i = 0; i < mesh_map_len(n); i++)
			descend(mesh_map_value(n, i), out);
	else if (mesh_is_seq(n))
		for (i = 0; i < n->u.c.n; i++)
			descend(n->u.c.v[i], out);
}

/* Is the scalar a number?  Its value into *d. */
static bool
numeric(const struct mesh_node *n, double *d)
{
	char *end;

	if (!mesh_is_scalar(n))
		return false;
	switch (mesh_scalar_type(n)) {
	case MESH_T_INT:
	case MESH_T_FLOAT:
		*d = strtod(n->u.s.text, &end);
		return *end == '\0';
	default:
		return false;
	}
}

static bool
compare(const struct mesh_node *a, const struct mesh_node *b, enum op op)
{
	struct mesh_buf ta = MESH_BUF_INIT, tb = MESH_BUF_INIT;
	double x, y;
	int c;

	if (numeric(a, &x) && numeric(b, &y)) {
		c = x < y ? -1 : x > y;
	} else {
		mesh_jsonpath_print(&ta, a);
		mesh_jsonpath_print(&tb, b);
		c = strcmp(ta.data ? ta.data : "", tb.data ? tb.data : "");
		mesh_buf_release(&ta);
		mesh_buf_release(&tb);
		/* only numbers are ordered; other values are equal or not */
		if (op != OP_EQ && op != OP_NE && !(mesh_is_scalar(a) &&
		    mesh_is_scalar(b) && mesh_scalar_type(a) == MESH_T_STR &&
		    mesh_scalar_type(b) == MESH_T_STR))
			return false;
	}
	switch (op) {
	case OP_EQ:
		return c == 0;
	case OP_NE:
		return c != 0;
	case OP_LT:
		return c < 0;
	case OP_LE:
		return c <= 0;
	case OP_GT:
		return c > 0;
	case OP_GE:
		return c >= 0;
	default:
		return false;
	}
}

static void
side(struct eval *e, const struct operand *o, const struct mesh_node *cur,
    struct set *out)
{
	struct eval quiet = *e;

	if (o->lit != NULL) {
		set_add(out, o->lit->root);
		return;
	}
	quiet.allow_missing = true;
	apply_path(&quiet, o->path, cur, out);
}

static bool
passes(struct eval *e, const struct step *s, const struct mesh_node *item)
{
	struct set l = { 0 }, r = { 0 };
	size_t i, j;
	bool ok = false;

	side(e, &s->left, item, &l);
	if (s->op == OP_EXISTS) {
		ok = l.n > 0;
	} else {
		side(e, &s->right, item, &r);
		for (i = 0; i < l.n && !ok; i++)
			for (j = 0; j < r.n && !ok; j++)
				ok = compare(l.v[i], r.v[j], s->op);
	}
	free(l.v);
	free(r.v);
	return ok;
}

static int
index_step(struct eval *e, const struct step *s, const struct mesh_node *n,
    struct set *out)
{
	long len = (long)n->u.c.n, a, b, i;
	size_t k;

	for (k = 0; k < s->nidx; k++) {
		const struct slice *sl = &s->idx[k];

		if (!sl->is_slice) {
			i = sl->start < 0 ? sl->start + len : sl->start;
			if (i < 0 || i >= len) {
				if (e->allow_missing)
					continue;
				snprintf(e->err, e->errlen, "array index out "
				    "of bounds: index %ld, length %ld",
				    sl->start, len);
				return -1;
			}
			set_add(out, n->u.c.v[i]);
			continue;
		}
		if (sl->step > 0) {
			a = sl->has_start ? sl->start : 0;
			b = sl->has_end ? sl->end : len;
		} else {
			a = sl->has_start ? sl->start : len - 1;
			b = sl->has_end ? sl->end : -len - 1;
		}
		if (a < 0)
			a += len;
		if (b < 0)
			b += len;
		if (sl->step > 0) {
			a = a < 0 ? 0 : a;
			b = b > len ? len : b;
			for (i = a; i < b; i += sl->step)
				set_add(out, n->u.c.v[i]);
		} else {
			a = a >= len ? len - 1 : a;
			for (i = a; i > b && i >= 0; i += sl->step)
				set_add(out, n->u.c.v[i]);
		}
	}
	return 0;
}

static int
apply_step(struct eval *e, const struct step *s, const struct set *in,
    struct set *out, const struct mesh_node *cur)
{
	const struct mesh_node *n, *v;
	size_t i, j;

	for (i = 0; i < in->n; i++) {
		n = in->v[i];
		switch (s->kind) {
		case S_ROOT:
			set_add(out, e->root);
			break;
		case S_CURRENT:
			set_add(out, cur);
			break;
		case S_FIELD:
			if (!mesh_is_map(n))
				break;
			for (j = 0; j < s->nnames; j++)
				if ((v = mesh_map_get(n, s->names[j])) != NULL)
					set_add(out, v);
			break;
		case S_WILD:
			if (mesh_is_map(n))
				for (j = 0; j < mesh_map_len(n); j++)
					set_add(out, mesh_map_value(n, j));
			else if (mesh_is_seq(n))
				for (j = 0; j < n->u.c.n; j++)
					set_add(out, n->u.c.v[j]);
			break;
		case S_INDEX:
			if (mesh_is_seq(n) && index_step(e, s, n, out) == -1)
				return -1;
			break;
		case S_RECURSE:
			descend(n, out);
			break;
		case S_FILTER:
			if (mesh_is_seq(n)) {
				for (j = 0; j < n->u.c.n; j++)
					if (passes(e, s, n->u.c.v[j]))
						set_add(out, n->u.c.v[j]);
			} else if (mesh_is_map(n) && passes(e, s, n)) {
				set_add(out, n);
			}
			break;
		}
	}
	if (s->kind == S_FIELD && in->n > 0 && out->n == 0 &&
	    !e->allow_missing) {
		snprintf(e->err, e->errlen, "%s is not found", s->names[0]);
		return -1;
	}
	return 0;
}

static int
apply_path(struct eval *e, const struct path *p, const struct mesh_node *cur,
    struct set *out)
{
	struct set a = { 0 }, b = { 0 }, t;
	size_t i;
	int rv = 0;

	set_add(&a, cur);
	for (i = 0; i < p->n && rv == 0; i++) {
		b.n = 0;
		rv = apply_step(e, &p->v[i], &a, &b, cur);
		t = a;
		a = b;
		b = t;
	}
	for (i = 0; rv == 0 && i < a.n; i++)
		if (a.v[i] != NULL)
			set_add(out, a.v[i]);
	free(a.v);
	free(b.v);
	return rv;
}

static int
run_segs(struct eval *e, const struct seg *v, size_t n,
    const struct mesh_node *cur, struct mesh_buf *out)
{
	struct set s = { 0 };
	size_t i, j, k;
	int rv = 0;

	for (i = 0; i < n && rv == 0; i++) {
		s.n = 0;
		switch (v[i].kind) {
		case G_TEXT:
			mesh_buf_adds(out, v[i].text);
			break;
		case G_PATH:
			if ((rv = apply_path(e, v[i].path, cur, &s)) != 0)
				break;
			for (j = 0; j < s.n; j++) {
				if (j > 0)
					mesh_buf_addc(out, ' ');
				mesh_jsonpath_print(out, s.v[j]);
			}
			break;
		case G_RANGE:
			if ((rv = apply_path(e, v[i].path, cur, &s)) != 0)
				break;
			for (j = 0; j < s.n && rv == 0; j++) {
				if (!mesh_is_seq(s.v[j])) {
					rv = run_segs(e, v[i].body, v[i].nbody,
					    s.v[j], out);
					continue;
				}
				for (k = 0; k < s.v[j]->u.c.n && rv == 0; k++)
					rv = run_segs(e, v[i].body,
					    v[i].nbody, s.v[j]->u.c.v[k], out);
			}
			break;
		}
	}
	free(s.v);
	return rv;
}

int
mesh_jsonpath_exec(const struct mesh_jsonpath *jp,
    const struct mesh_node *root, bool allow_missing, struct mesh_buf *out,
    char *err, size_t errlen)
{
	struct eval e = { root, allow_missing, err, errlen };

	if (out->data == NULL)
		mesh_buf_adds(out, "");
	return run_segs(&e, jp->v, jp->n, root, out);
}

int
mesh_jsonpath_find(const struct mesh_jsonpath *jp,
    const struct mesh_node *root, const struct mesh_node ***res, size_t *n,
    char *err, size_t errlen)
{
	struct eval e = { root, true, err, errlen };
	struct set s = { 0 };
	size_t i, paths = 0;
	const struct seg *one = NULL;

	for (i = 0; i < jp->n; i++) {
		if (jp->v[i].kind == G_PATH) {
			one = &jp->v[i];
			paths++;
		} else if (jp->v[i].kind == G_RANGE || strspn(jp->v[i].text,
		    " \t\n") != strlen(jp->v[i].text)) {
			paths = 2;
		}
	}
	if (paths != 1) {
		snprintf(err, errlen, "the expression must be one path");
		return -1;
	}
	if (apply_path(&e, one->path, root, &s) == -1) {
		free(s.v);
		return -1;
	}
	*res = s.v;
	*n = s.n;
	return 0;
}

/* ---- printing -------------------------------------------------------- */

static int
key_cmp(const void *a, const void *b)
{
	const struct mesh_node *const *x = a, *const *y = b;

	return strcmp((*x)->u.s.text, (*y)->u.s.text);
}

/* JSON as Go's encoding/json writes it: compact, keys sorted. */
static void
json(struct mesh_buf *out, const struct mesh_node *n)
{
	const struct mesh_node **keys;
	char buf[64];
	size_t i, len;

	if (mesh_is_map(n)) {
		len = mesh_map_len(n);
		keys = xreallocarray(NULL, len ? len : 1, sizeof(*keys));
		for (i = 0; i < len; i++)
			keys[i] = mesh_map_key(n, i);
		qsort(keys, len, sizeof(*keys), key_cmp);
		mesh_buf_addc(out, '{');
		for (i = 0; i < len; i++) {
			if (i > 0)
				mesh_buf_addc(out, ',');
			mesh_json_string(out, keys[i]->u.s.text,
			    keys[i]->u.s.len);
			mesh_buf_addc(out, ':');
			json(out, mesh_map_get(n, keys[i]->u.s.text));
		}
		mesh_buf_addc(out, '}');
		free(keys);
		return;
	}
	if (mesh_is_seq(n)) {
		mesh_buf_addc(out, '[');
		for (i = 0; i < n->u.c.n; i++) {
			if (i > 0)
				mesh_buf_addc(out, ',');
			json(out, n->u.c.v[i]);
		}
		mesh_buf_addc(out, ']');
		return;
	}
	switch (mesh_scalar_type(n)) {
	case MESH_T_STR:
		mesh_json_string(out, n->u.s.text, n->u.s.len);
		break;
	case MESH_T_NULL:
		mesh_buf_adds(out, "null");
		break;
	default:
		mesh_buf_adds(out, mesh_scalar_canon(n, buf, sizeof(buf)));
	}
}

void
mesh_jsonpath_print(struct mesh_buf *out, const struct mesh_node *n)
{
	char buf[64];

	if (!mesh_is_scalar(n)) {
		json(out, n);
		return;
	}
	if (mesh_scalar_type(n) == MESH_T_STR)
		mesh_buf_add(out, n->u.s.text, n->u.s.len);
	else
		mesh_buf_adds(out, mesh_scalar_canon(n, buf, sizeof(buf)));
	if (out->data == NULL)
		mesh_buf_adds(out, "");
}
