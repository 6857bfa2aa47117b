/*
 * mesh-overlay: edit every document of a YAML or JSON stream the way
 * istioctl edits an IstioOperator.  It reads the files named as operands
 * (or stdin), applies --set, --set-string, --set-json, --delete, -f
 * overlays and --env in the order given to each selected document, then
 * applies the k8s.overlays of an IstioOperator to the objects they name,
 * and writes the stream to stdout.  A List (kubectl get -o yaml, -o json
 * of several documents) is read as its items, as kubectl reads it, and
 * written as them, one document each.  Documents it does not change are
 * copied byte for byte.  Nothing is written unless everything succeeded.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "merge.h"
#include "node.h"
#include "parse.h"
#include "path.h"
#include "stream.h"
#include "subst.h"
#include "overlay.h"
#include "xalloc.h"

static void
opts_release(struct opts *o)
{
	size_t i, j;

	for (i = 0; i < o->nops; i++) {
		struct op *op = &o->ops[i];

		mesh_path_release(&op->path);
		free(op->value);
		free(op->typed);
		mesh_doc_free(op->json);
		for (j = 0; j < op->ndocs; j++)
			mesh_doc_free(op->docs[j]);
		free(op->docs);
	}
	free(o->ops);
	for (i = 0; i < o->nsel; i++) {
		free(o->sel[i].key);
		free(o->sel[i].value);
	}
	free(o->sel);
	for (i = 0; i < o->novl; i++) {
		for (j = 0; j < o->ovl[i].npatches; j++)
			mesh_path_release(&o->ovl[i].patches[j].path);
		free(o->ovl[i].patches);
	}
	free(o->ovl);
	free(o->set);
	for (i = 0; i < o->niop_docs; i++)
		mesh_doc_free(o->iop_docs[i]);
	free(o->iop_docs);
	for (i = 0; i < o->nowned; i++)
		free(o->owned[i]);
	free(o->owned);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* strconv.Atoi: an optional sign and decimal digits, in 64 bits. */
static bool
go_atoi(const char *s, long long *v)
{
	const char *p = s + (*s == '+' || *s == '-');
	char *end;

	if (*p == '\0')
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno == 0;
}

/* strconv.ParseFloat's syntax: decimal, hex with a 'p' exponent, inf, nan. */
static bool
go_parse_float(const char *s, double *d)
{
	const char *p = s + (*s == '+' || *s == '-');
	bool digits = false;
	char *end;

	if (strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0 ||
	    strcasecmp(p, "nan") == 0) {
		*d = strtod(s, NULL);
		return true;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		if (strpbrk(p, "pP") == NULL)
			return false;
	} else {
		for (; isdigit((unsigned char)*p); p++)
			digits = true;
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++)
				digits = true;
		if (!digits)
			return false;
		if (*p == 'e' || *p == 'E') {
			p++;
			p += *p == '+' || *p == '-';
			if (!isdigit((unsigned char)*p))
				return false;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p != '\0')
			return false;
	}
	errno = 0;
	*d = strtod(s, &end);
	return *end == '\0';
}

static bool
go_parse_bool(const char *s, bool *b)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true",
		"True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false",
		"False" };
	size_t i;

	for (i = 0; i < 6; i++) {
		if (strcmp(s, t[i]) == 0)
			return *b = true, true;
		if (strcmp(s, f[i]) == 0)
			return *b = false, true;
	}
	return false;
}

/*
 * Type a --set value as istioctl does: integer, then float, then
 * boolean, else a string in which "\," is ",".
 */
static int
type_value(struct op *op)
{
	char buf[64], *w;
	const char *r;
	long long i;
	double d;
	bool b;

	if (go_atoi(op->value, &i)) {
		snprintf(buf, sizeof(buf), "%lld", i);
		op->type = MESH_T_INT;
		op->typed = xstrdup(buf);
	} else if (go_parse_float(op->value, &d)) {
		if (!isfinite(d)) {
			mesh_err(NULL, "%s '%s': '%s' is not a finite number; "
			    "use --set-string for the text", op->flag, op->arg,
			    op->value);
			return -1;
		}
		mesh_format_float(d, buf, sizeof(buf));
		op->type = MESH_T_FLOAT;
		op->typed = xstrdup(buf);
	} else if (go_parse_bool(op->value, &b)) {
		op->type = MESH_T_BOOL;
		op->typed = xstrdup(b ? "true" : "false");
	} else {
		op->type = MESH_T_STR;
		op->typed = w = xstrdup(op->value);
		for (r = op->value; *r; r++) {
			if (r[0] == '\\' && r[1] == ',')
				r++;
			*w++ = *r;
		}
		*w = '\0';
	}
	return 0;
}

/* Paths whose values istioctl keeps as typed, on an IstioOperator. */
static bool
always_string(const char *path)
{
	static const char *const pre[] = { "spec.tag",
		"spec.values.global.tag", "spec.compatibilityVersion",
		"spec.values.compatibilityVersion",
		"spec.meshConfig.defaultConfig.proxyMetadata.",
		"spec.values.meshConfig.defaultConfig.proxyMetadata." };
	char full[1024];
	size_t i;

	snprintf(full, sizeof(full), "spec.%s", path + (*path == '.'));
	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (strncmp(full, pre[i], strlen(pre[i])) == 0)
			return true;
	return false;
}

static struct op *
add_op(struct opts *o, enum op_kind kind, const char *flag, const char *arg)
{
	struct op *op;

	o->ops = xreallocarray(o->ops, o->nops + 1, sizeof(*o->ops));
	op = &o->ops[o->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->flag = flag;
	op->arg = arg;
	return op;
}

/* PATH=VALUE for --set, --set-string and --set-json; exit 2 when bad. */
static int
parse_assign(struct op *op, struct mesh_limits *lim)
{
	struct mesh_path_err err;
	char *copy = xstrdup(op->arg), *eq, *path, *value = NULL;
	int rv = -1;

	if ((eq = strchr(copy, '=')) != NULL) {
		*eq = '\0';
		/* istioctl trims --set values; --set-string keeps them */
		value = op->kind == OP_SET_STRING ? eq + 1 : trim(eq + 1);
	} else if (op->kind == OP_SET_JSON) {
		mesh_err(NULL, "%s '%s': expected PATH=JSON", op->flag,
		    op->arg);
		goto out;
	}
	path = trim(copy);
	if (mesh_path_parse(path, &op->path, &err) == -1) {
		mesh_err(NULL, "%s '%s': %s", op->flag, op->arg, err.msg);
		goto out;
	}
	op->value = xstrdup(value ? value : "");
	switch (op->kind) {
	case OP_SET:
		op->iop_string = always_string(path);
		if (type_value(op) == -1)
			goto out;
		break;
	case OP_SET_JSON:
		op->json = mesh_parse_string(op->flag, op->value, lim, true);
		if (op->json == NULL || op->json->root == NULL ||
		    (op->value[0] != '{' && op->value[0] != '[' &&
		    op->value[0] != '"' && mesh_scalar_type(op->json->root) ==
		    MESH_T_STR)) {
			mesh_err(NULL, "%s '%s': the value is not valid JSON",
			    op->flag, op->arg);
			goto out;
		}
		break;
	default:
		break;
	}
	rv = 0;
out:
	free(copy);
	return rv;
}

/* kind=Deployment,name=istiod,...: exit 2 when bad. */
static int
parse_select(struct opts *o, const char *expr)
{
	static const char *const keys[] = { "kind", "name", "namespace",
		"apiVersion" };
	char *copy = xstrdup(expr), *term, *next, *eq;
	size_t i;
	int rv = -1;

	o->select_text = expr;
	for (term = copy; term != NULL; term = next) {
		if ((next = strchr(term, ',')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(term, '=')) == NULL || eq == term) {
			mesh_err(NULL, "--select '%s': '%s' is not KEY=VALUE",
			    expr, term);
			goto out;
		}
		*eq = '\0';
		for (i = 0; i < 4; i++)
			if (strcmp(term, keys[i]) == 0)
				break;
		if (i == 4) {
			mesh_err(NULL, "--select '%s': unknown key '%s' (use "
			    "kind, name, namespace or apiVersion)", expr, term);
			goto out;
		}
		o->sel = xreallocarray(o->sel, o->nsel + 1, sizeof(*o->sel));
		o->sel[o->nsel].key = xstrdup(term);
		o->sel[o->nsel].value = xstrdup(eq + 1);
		o->nsel++;
	}
	rv = 0;
out:
	free(copy);
	return rv;
}

/*
 * Take one of the options that say what to edit (ch as getopt_long
 * returns it): 1 when taken, 0 when ch is another option, -1 (after a
 * message) when its value is bad.  arg must outlive o.
 */
int
edit_option(struct opts *o, int ch, char *arg)
{
	struct mesh_path_err err;
	struct op *op;

	switch (ch) {
	case 'e':
		add_op(o, OP_ENV, "--env", NULL);
		return 1;
	case 'f':
		add_op(o, OP_MERGE, "-f", arg);
		return 1;
	case OPT_K8S_OVERLAYS:
		if (o->overlays_file != NULL) {
			mesh_err(NULL, "--k8s-overlays is given twice");
			return -1;
		}
		o->overlays_file = arg;
		return 1;
	case OPT_SELECT:
		return parse_select(o, arg) == -1 ? -1 : 1;
	case OPT_DELETE:
		op = add_op(o, OP_DELETE, "--delete", arg);
		if (mesh_path_parse(trim(arg), &op->path, &err) == -1) {
			mesh_err(NULL, "--delete '%s': %s", arg, err.msg);
			return -1;
		}
		return 1;
	case 's':
		op = add_op(o, OP_SET, "--set", arg);
		break;
	case OPT_SET_JSON:
		op = add_op(o, OP_SET_JSON, "--set-json", arg);
		break;
	case OPT_SET_STRING:
		op = add_op(o, OP_SET_STRING, "--set-string", arg);
		break;
	default:
		return 0;
	}
	return parse_assign(op, &o->lim) == -1 ? -1 : 1;
}

static bool
selected(const struct opts *o, const struct mesh_node *root)
{
	size_t i;

	for (i = 0; i < o->nsel; i++) {
		const char *k = o->sel[i].key, *v;

		if (strcmp(k, "name") == 0)
			k = "metadata.name";
		else if (strcmp(k, "namespace") == 0)
			k = "metadata.namespace";
		v = mesh_is_map(root) ? mesh_map_getstr(root, k) : NULL;
		if (v == NULL || strcmp(v, o->sel[i].value) != 0)
			return false;
	}
	return true;
}

/* "src:line:col: Kind/name: " in front of a message about root. */
void
report(const struct mesh_doc *doc, const struct mesh_node *root,
    const struct mesh_node *at, const char *fmt, ...)
{
	char what[256], msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (at == NULL || at->line == 0)
		at = root;
	mesh_errat(doc->src, at && at->line ? at->line : doc->line,
	    at && at->line ? at->col : 0, "%s: %s",
	    mesh_describe(root, what, sizeof(what)), msg);
}

/*
 * A --set-json value is new content: written as the writer chooses, in
 * block style, not in the flow style and quotes of its JSON.
 */
static void
restyle(struct mesh_node *n)
{
	size_t i;

	if (n->type == MESH_SCALAR) {
		n->stype = (unsigned char)mesh_scalar_type(n);
		n->style = MESH_STYLE_ANY;
		return;
	}
	n->style = MESH_STYLE_ANY;
	for (i = 0; i < n->u.c.n; i++)
		restyle(n->u.c.v[i]);
}

static struct mesh_node *
set_value(struct mesh_doc *doc, const struct op *op, bool iop)
{
	struct mesh_node *n;

	if (op->kind == OP_SET_JSON) {
		n = mesh_node_copy(doc, op->json->root);
		restyle(n);
		return n;
	}
	if (op->kind == OP_SET_STRING || (iop && op->iop_string))
		return mesh_str_new(doc, op->value);
	return mesh_scalar_new(doc, op->typed, strlen(op->typed), op->type);
}

/* Merge an overlay document onto *rootp, keeping an IstioOperator's
 * spec when the overlay's is null, as istioctl does. */
static void
merge_doc(struct mesh_doc *doc, struct mesh_node **rootp,
    const struct mesh_node *src)
{
	size_t i;

	if (src == NULL)
		return;
	if (!mesh_is_map(*rootp) || !mesh_is_map(src) || !mesh_is_iop(*rootp)) {
		*rootp = mesh_merge(doc, *rootp, src);
		return;
	}
	for (i = 0; i < mesh_map_len(src); i++) {
		const struct mesh_node *k = mesh_map_key(src, i);
		const struct mesh_node *v = mesh_map_value(src, i);
		struct mesh_node *one = mesh_map_new(doc);

		if (mesh_scalar_is(k, "spec") && mesh_is_null(v))
			continue;
		/* one pair at a time, so the order of keys is kept */
		mesh_map_append(doc, one, (struct mesh_node *)k,
		    (struct mesh_node *)v);
		*rootp = mesh_merge(doc, *rootp, one);
	}
}

/* Merge an overlay document, or each item of an overlay List. */
static void
merge_all(struct mesh_doc *doc, struct mesh_node **rootp,
    const struct mesh_node *src)
{
	struct mesh_node *items;
	size_t i;

	if (!mesh_is_list(src, &items)) {
		merge_doc(doc, rootp, src);
		return;
	}
	for (i = 0; items != NULL && i < items->u.c.n; i++)
		merge_all(doc, rootp, items->u.c.v[i]);
}

/* Apply the edits to one object; -1 after a report. */
static int
apply_ops(struct opts *o, struct mesh_doc *doc, struct mesh_node **rootp,
    bool *changed)
{
	struct mesh_path_err err;
	size_t i, j;

	for (i = 0; i < o->nops; i++) {
		struct op *op = &o->ops[i];
		struct mesh_node *start = *rootp;
		bool iop;

		if (op->kind == OP_MERGE) {
			for (j = 0; j < op->ndocs; j++)
				merge_all(doc, rootp, op->docs[j]->root);
			*changed = true;
			continue;
		}
		if (op->kind == OP_ENV) {
			if (mesh_subst_tree(doc, *rootp, mesh_lookup_env, NULL,
			    changed) == -1)
				return -1;
			continue;
		}
		if (!mesh_is_map(start)) {
			report(doc, *rootp, NULL, "%s '%s': the document is "
			    "%s, not a mapping", op->flag, op->arg,
			    start->type == MESH_SEQ ? "a list" : "a scalar");
			return -1;
		}
		/* On an IstioOperator, paths are relative to spec. */
		if ((iop = mesh_is_iop(start))) {
			struct mesh_node *spec = mesh_map_get(start, "spec");

			if (spec == NULL || (mesh_is_null(spec) &&
			    op->kind != OP_DELETE)) {
				spec = mesh_map_new(doc);
				mesh_map_set(doc, start, "spec", spec);
			}
			start = spec;
		}
		if (op->kind == OP_DELETE) {
			if (!mesh_is_map(start))
				err.at = start, snprintf(err.msg,
				    sizeof(err.msg), "'spec' is not a mapping");
			if (!mesh_is_map(start) ||
			    mesh_path_delete(start, &op->path, &err) == -1) {
				report(doc, *rootp, err.at, "%s '%s': %s",
				    op->flag, op->arg, err.msg);
				return -1;
			}
		} else if (mesh_path_set(doc, start, &op->path,
		    set_value(doc, op, iop), &err) == -1) {
			report(doc, *rootp, err.at, "%s '%s': %s", op->flag,
			    op->arg, err.msg);
			return -1;
		}
		*changed = true;
	}
	return 0;
}

/*
 * istioctl reads a patch's YAML text with YAML 1.1 rules and writes the
 * values it found: "yes" is written true, "0777" 511.  Do the same, so
 * that readers of either YAML version see what istioctl would have made.
 */
static void
canonicalize(struct mesh_doc *doc, struct mesh_node *n)
{
	char buf[64];
	const char *c;
	size_t i;

	if (n->type != MESH_SCALAR) {
		for (i = 0; i < n->u.c.n; i++)
			canonicalize(doc, n->u.c.v[i]);
		return;
	}
	if (n->style != MESH_STYLE_PLAIN || n->tag != NULL)
		return;
	switch (mesh_scalar_type(n)) {
	case MESH_T_STR:
		return;
	case MESH_T_NULL:
		c = "null";
		break;
	default:
		c = mesh_scalar_canon(n, buf, sizeof(buf));
		break;
	}
	n->u.s.text = mesh_doc_strndup(doc, c, strlen(c));
	n->u.s.len = strlen(c);
}

/* A k8s.overlays patch value, as istioctl reads it (PATHS.md 4.3). */
static struct mesh_node *
overlay_value(struct opts *o, struct mesh_doc *doc, const struct mesh_node *v)
{
	struct mesh_doc *parsed;
	struct mesh_node *n;
	const char *s;
	bool multi;

	if (mesh_is_null(v))
		return NULL;
	if (v->type != MESH_SCALAR || mesh_scalar_type(v) != MESH_T_STR)
		return mesh_node_copy(doc, v);
	s = v->u.s.text;
	multi = strchr(s, '\n') != NULL;
	if (!(multi ? strchr(s, ':') != NULL : strstr(s, ": ") != NULL))
		return mesh_node_copy(doc, v);
	parsed = mesh_parse_string("value", s, &o->lim, true);
	if (parsed == NULL || !mesh_is_map(parsed->root) ||
	    parsed->root->style == MESH_STYLE_FLOW) {
		/* not a mapping, or a JSON object: the string itself */
		mesh_doc_free(parsed);
		return mesh_node_copy(doc, v);
	}
	n = mesh_node_copy(doc, parsed->root);
	canonicalize(doc, n);
	mesh_keys_edited();	/* canonicalize may rewrite keys' text */
	mesh_doc_free(parsed);
	return n;
}

static int
apply_overlays(struct opts *o, struct mesh_doc *doc, struct mesh_node *root,
    bool *changed)
{
	struct mesh_path_err err;
	const char *kind, *name;
	size_t i, j;

	if (!mesh_is_map(root))
		return 0;
	kind = mesh_map_getstr(root, "kind");
	name = mesh_map_getstr(root, "metadata.name");
	if (kind == NULL || name == NULL)
		return 0;
	for (i = 0; i < o->nset; i++) {
		struct k8s_setting *st = &o->set[i];

		if (strcmp(settings_kind(st), kind) != 0 ||
		    strcmp(st->name, name) != 0)
			continue;
		st->matched++;
		if (apply_setting(o, doc, root, st) == -1)
			return -1;
		*changed = true;
	}
	for (i = 0; i < o->novl; i++) {
		struct k8s_overlay *ov = &o->ovl[i];

		if (strcmp(ov->kind, kind) != 0 || strcmp(ov->name, name) != 0)
			continue;
		ov->matched++;
		for (j = 0; j < ov->npatches; j++) {
			struct patch *p = &ov->patches[j];

			if (mesh_path_overlay(doc, root, &p->path,
			    overlay_value(o, doc, p->value), &err) == -1) {
				report(doc, root, err.at, "k8s.overlays "
				    "patch '%s' (%s:%u): %s", p->path.text,
				    o->overlays_file, p->at->line, err.msg);
				return -1;
			}
		}
		*changed = true;
	}
	return 0;
}

/*
 * Edit one object (a document's root, or a ResourceList item).  A List
 * is its items, as kubectl reads it: each is edited, never the List.
 */
int
edit(struct opts *o, struct mesh_doc *doc, struct mesh_node **rootp,
    bool *changed)
{
	struct mesh_node *items;
	size_t i;

	if (mesh_is_list(*rootp, &items)) {
		for (i = 0; items != NULL && i < items->u.c.n; i++) {
			if (mesh_list_item_fill(doc, *rootp, items->u.c.v[i]))
				*changed = true;
			if (edit(o, doc, &items->u.c.v[i], changed) == -1)
				return -1;
		}
		return 0;
	}
	if (*rootp == NULL || !selected(o, *rootp))
		return 0;
	o->selected++;
	if (apply_ops(o, doc, rootp, changed) == -1)
		return -1;
	return apply_overlays(o, doc, *rootp, changed);
}

/*
 * Write n, of doc: a List as its items, each a document of its own, so
 * that kubectl apply and istioctl install -f read the objects themselves
 * (istioctl takes no List).
 */
static int
put_objects(struct mesh_writer *w, struct mesh_doc *doc, struct mesh_node *n)
{
	struct mesh_node *items;
	size_t i;

	if (!mesh_is_list(n, &items))
		return n == doc->root ? mesh_writer_take(w, doc) :
		    mesh_writer_take_node(w, doc, n);
	for (i = 0; items != NULL && i < items->u.c.n; i++)
		if (put_objects(w, doc, items->u.c.v[i]) == -1)
			return -1;
	return 0;
}

static int
run_file(struct opts *o, const char *path, struct mesh_writer *w,
    size_t *ndocs)
{
	struct mesh_reader *r;
	struct mesh_doc *doc;
	int rv;

	if ((r = mesh_reader_open(path, &o->lim)) == NULL)
		return -1;
	while ((rv = mesh_reader_next(r, &doc)) == 1) {
		bool changed = false;

		(*ndocs)++;
		if (edit(o, doc, &doc->root, &changed) == -1)
			rv = -1;
		doc->changed = changed;
		if (rv != -1 && put_objects(w, doc, doc->root) == -1)
			rv = -1;
		mesh_doc_free(doc);
		/* --stream holds no document: what aliases make is counted per
		 * document, as the memory it takes is */
		if (o->stream)
			o->lim.alias_seen = 0;
		if (rv == -1)
			break;
	}
	mesh_reader_free(r);
	return rv;
}

/* The spec of the last IstioOperator in n, or in the items of a List. */
static void
iop_spec(const struct mesh_node *n, const struct mesh_node **spec)
{
	struct mesh_node *items;
	size_t i;

	if (mesh_is_list(n, &items)) {
		for (i = 0; items != NULL && i < items->u.c.n; i++)
			iop_spec(items->u.c.v[i], spec);
	} else if (mesh_is_iop(n) && mesh_map_get(n, "spec") != NULL) {
		*spec = mesh_map_get(n, "spec");
	}
}

/* Gather every k8s.overlays entry of the IstioOperator in path. */
static int
load_overlays(struct opts *o, const char *path)
{
	const struct mesh_node *spec = NULL, *comps;
	size_t i, j, k;

	if (mesh_read_all(path, &o->lim, &o->iop_docs, &o->niop_docs) == -1)
		return -1;
	for (i = 0; i < o->niop_docs; i++)
		iop_spec(o->iop_docs[i]->root, &spec);
	if (spec == NULL) {
		mesh_err(path, "no IstioOperator with a spec in it");
		return -1;
	}
	comps = mesh_map_get(spec, "components");
	if (!mesh_is_map(comps))
		return 0;
	for (i = 0; i < mesh_map_len(comps); i++) {
		const struct mesh_node *c = mesh_map_value(comps, i);
		size_t nc = mesh_is_seq(c) ? c->u.c.n : 1;

		for (j = 0; j < nc; j++) {
			const struct mesh_node *one = mesh_is_seq(c) ?
			    c->u.c.v[j] : c;
			const struct mesh_node *ovls =
			    mesh_map_get(mesh_map_get(one, "k8s"), "overlays");
			const struct mesh_node *cn = mesh_map_key(comps, i);

			if (mesh_is_map(one) && mesh_is_scalar(cn) &&
			    load_settings(o, path, spec, cn->u.s.text, one) ==
			    -1)
				return -1;
			if (!mesh_is_map(one) || mesh_is_null(ovls))
				continue;
			if (!mesh_is_seq(ovls)) {
				mesh_errat(path, ovls->line, ovls->col,
				    "k8s.overlays is not a list");
				return -1;
			}
			for (k = 0; k < ovls->u.c.n; k++) {
				const struct mesh_node *ov = ovls->u.c.v[k];
				const struct mesh_node *patches;
				struct k8s_overlay *d;
				size_t m;

				o->ovl = xreallocarray(o->ovl, o->novl + 1,
				    sizeof(*o->ovl));
				d = &o->ovl[o->novl];
				memset(d, 0, sizeof(*d));
				d->at = ov;
				d->kind = mesh_map_getstr(ov, "kind");
				d->name = mesh_map_getstr(ov, "name");
				if (d->kind == NULL || d->name == NULL) {
					mesh_errat(path, ov->line, ov->col,
					    "a k8s.overlays entry needs a "
					    "kind and a name");
					return -1;
				}
				o->novl++;
				patches = mesh_map_get(ov, "patches");
				if (mesh_is_null(patches))
					continue;
				if (!mesh_is_seq(patches)) {
					mesh_errat(path, patches->line,
					    patches->col, "'patches' is not a "
					    "list");
					return -1;
				}
				d->patches = xcalloc(patches->u.c.n,
				    sizeof(*d->patches));
				for (m = 0; m < patches->u.c.n; m++) {
					const struct mesh_node *pn =
					    patches->u.c.v[m];
					const char *ps =
					    mesh_map_getstr(pn, "path");
					struct mesh_path_err err;
					struct patch *p = &d->patches[m];

					if (ps == NULL) {
						mesh_errat(path, pn->line,
						    pn->col, "a patch needs "
						    "a path");
						return -1;
					}
					if (mesh_path_parse(ps, &p->path,
					    &err) == -1) {
						mesh_errat(path, pn->line,
						    pn->col, "patch '%s': %s",
						    ps, err.msg);
						return -1;
					}
					p->value = mesh_map_get(pn, "value");
					p->at = pn;
					d->npatches++;
				}
			}
		}
	}
	return 0;
}

/* Read the -f overlays and the --k8s-overlays file. */
int
load_files(struct opts *o)
{
	size_t i;

	for (i = 0; i < o->nops; i++) {
		struct op *op = &o->ops[i];

		if (op->kind == OP_MERGE && mesh_read_all(op->arg, &o->lim,
		    &op->docs, &op->ndocs) == -1)
			return -1;
	}
	if (o->overlays_file != NULL && load_overlays(o, o->overlays_file) == -1)
		return -1;
	return 0;
}

/* After the input: --select and every k8s.overlays entry found something. */
int
all_found(const struct opts *o)
{
	size_t i;

	if (o->nsel > 0 && o->selected == 0) {
		mesh_err(NULL, "--select '%s' matched no document",
		    o->select_text);
		return -1;
	}
	/* a partial manifest often lacks one: said, as istioctl does not */
	for (i = 0; i < o->nset; i++)
		if (o->set[i].matched == 0)
			mesh_warnat(o->overlays_file, o->set[i].at->line,
			    o->set[i].at->col, "k8s.%s: no %s '%s' in the "
			    "input: not applied", o->set[i].f->name,
			    settings_kind(&o->set[i]), o->set[i].name);
	for (i = 0; i < o->novl; i++)
		if (o->ovl[i].matched == 0) {
			mesh_errat(o->overlays_file, o->ovl[i].at->line,
			    o->ovl[i].at->col, "k8s.overlays: no %s '%s' in "
			    "the input", o->ovl[i].kind, o->ovl[i].name);
			return -1;
		}
	return 0;
}

static int
run(struct opts *o, int argc, char *argv[])
{
	static char dash[] = "-";
	char *stdin_only[] = { dash, NULL };
	struct mesh_writer *w;
	size_t i, ndocs = 0;
	int rv = -1;

	if (o->resource_list)
		return run_krm(o, argc > 0 ? argv[0] : "-");
	if (load_files(o) == -1)
		return -1;
	if (argc == 0) {
		argc = 1;
		argv = stdin_only;
	}
	w = mesh_writer_new(STDOUT_FILENO, o->fmt, o->stream);
	for (i = 0; i < (size_t)argc; i++)
		if (run_file(o, argv[i], w, &ndocs) == -1)
			goto out;
	if (all_found(o) == -1)
		goto out;
	if (mesh_writer_finish(w) == -1)
		goto out;
	rv = 0;
out:
	mesh_writer_free(w);
	return rv;
}

static _Noreturn void
usage(int status)
{
	FILE *f = status == MESH_EXIT_OK ? stdout : stderr;

	fputs("usage: mesh-overlay [-ehV] [-f overlay] [-o yaml|json] "
	    "[-s path=value]\n"
	    "                    [--delete path] [--k8s-overlays file] "
	    "[--max-depth n]\n"
	    "                    [--max-document-size size] "
	    "[--max-input-size size]\n"
	    "                    [--resource-list] [--select expr] "
	    "[--set-json path=json]\n"
	    "                    [--set-string path=value] [--stream] "
	    "[file ...]\n", f);
	if (status == MESH_EXIT_OK)
		fputs("\n"
		    "Edit every document of a YAML or JSON stream as istioctl "
		    "edits an IstioOperator.\n\n"
		    "  -s, --set path=value     set a value, typed as istioctl "
		    "types it\n"
		    "      --set-string path=value  set a string\n"
		    "      --set-json path=json     set a list, mapping or "
		    "other JSON value\n"
		    "      --delete path        delete a key or list item\n"
		    "  -f, --filename overlay   deep-merge an overlay file, as "
		    "istioctl -f does\n"
		    "  -e, --env                substitute ${VAR} in every "
		    "scalar from the environment\n"
		    "      --select expr        edit only documents matching "
		    "kind=,name=,namespace=,apiVersion=\n"
		    "      --k8s-overlays file  apply an IstioOperator's k8s "
		    "settings and overlays\n"
		    "      --resource-list      run as a KRM function, on a "
		    "ResourceList (kpt, kustomize)\n"
		    "  -o, --output yaml|json   output format (default yaml)\n"
		    "      --stream             write each document as it is "
		    "done\n"
		    "      --max-depth n        nesting limit (512)\n"
		    "      --max-document-size size  bytes in one document "
		    "(64M)\n"
		    "      --max-input-size size     bytes in all input (1G; "
		    "0: none)\n"
		    "  -h, --help               show this help\n"
		    "  -V, --version            show the version\n\n"
		    "Edits apply in the order given.  On an IstioOperator, "
		    "paths are relative to spec.\n"
		    "A List is edited and written as its items.  "
		    "See mesh-overlay(1).\n", f);
	if (status == MESH_EXIT_OK)
		mesh_close_stdout();
	exit(status);
}

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "delete", required_argument, NULL, OPT_DELETE },
		{ "env", no_argument, NULL, 'e' },
		{ "filename", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "k8s-overlays", required_argument, NULL, OPT_K8S_OVERLAYS },
		{ "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
		{ "max-document-size", required_argument, NULL, OPT_MAX_DOC },
		{ "max-input-size", required_argument, NULL, OPT_MAX_INPUT },
		{ "output", required_argument, NULL, 'o' },
		{ "resource-list", no_argument, NULL, OPT_RESOURCE_LIST },
		{ "select", required_argument, NULL, OPT_SELECT },
		{ "set", required_argument, NULL, 's' },
		{ "set-json", required_argument, NULL, OPT_SET_JSON },
		{ "set-string", required_argument, NULL, OPT_SET_STRING },
		{ "stream", no_argument, NULL, OPT_STREAM },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	long long n;
	size_t i, stdin_uses = 0;
	int ch, rv = MESH_EXIT_FAIL;

	mesh_setprogname(argv[0]);
	memset(&o, 0, sizeof(o));
	mesh_limits_init(&o.lim);
	o.lim.options = true;
	o.fmt = MESH_FMT_YAML;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":ef:ho:s:V", lopts,
	    NULL)) != -1) {
		int took = edit_option(&o, ch, optarg);

		if (took == -1)
			goto usage;
		if (took == 1) {
			stdin_uses += (ch == 'f' || ch == OPT_K8S_OVERLAYS) &&
			    strcmp(optarg, "-") == 0;
			continue;
		}
		switch (ch) {
		case 'h':
			usage(MESH_EXIT_OK);
		case 'o':
			if (mesh_format_option(optarg, &o.fmt) == -1)
				goto usage;
			break;
		case 'V':
			mesh_version();
		case OPT_MAX_DEPTH:
			if (mesh_parse_num("--max-depth", optarg, 1, 10000,
			    &n) == -1)
				goto usage;
			o.lim.max_depth = (unsigned)n;
			break;
		case OPT_MAX_DOC:
			if (mesh_parse_size("--max-document-size", optarg,
			    (size_t)1 << 40, &o.lim.max_doc_size) == -1 ||
			    o.lim.max_doc_size == 0) {
				if (o.lim.max_doc_size == 0)
					mesh_err(NULL, "invalid value for "
					    "'--max-document-size': '%s'",
					    optarg);
				goto usage;
			}
			break;
		case OPT_MAX_INPUT:
			if (mesh_parse_size("--max-input-size", optarg,
			    (size_t)1 << 50, &o.lim.max_input_size) == -1)
				goto usage;
			break;
		case OPT_RESOURCE_LIST:
			o.resource_list = true;
			break;
		case OPT_STREAM:
			o.stream = true;
			break;
		default:
			mesh_bad_option(argv, ch);
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	for (i = 0; i < (size_t)argc; i++)
		stdin_uses += strcmp(argv[i], "-") == 0;
	if (argc == 0)
		stdin_uses++;
	if (stdin_uses > 1) {
		mesh_err(NULL, "standard input can be read only once");
		goto usage;
	}
	if (o.resource_list && argc > 1) {
		mesh_err(NULL, "--resource-list reads one ResourceList: one "
		    "file or standard input");
		goto usage;
	}
	if (o.stream)
		o.lim.max_docs = 0;	/* none is held: no count to bound */
	if (o.stream && o.resource_list) {
		mesh_err(NULL, "--stream and --resource-list do not go "
		    "together");
		goto usage;
	}
	if (run(&o, argc, argv) == 0)
		rv = MESH_EXIT_OK;
	if (mesh_close_stdout() == -1)
		rv = MESH_EXIT_FAIL;
	opts_release(&o);
	return rv;
usage:
	opts_release(&o);
	mesh_try_help(NULL);
	return MESH_EXIT_USAGE;
}
