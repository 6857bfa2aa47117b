/*
 * Unit tests of common/path.c: the lexical rules shared by both engines,
 * and what each engine does at every kind of node.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "merge.h"
#include "node.h"
#include "path.h"
#include "stream.h"
#include "unit.h"

static struct mesh_limits lim;

/* The path's elements written back, one per '|'. */
static const char *
elems(const char *text)
{
	static char out[1024];
	struct mesh_path p;
	struct mesh_path_err err;
	size_t i, n = 0;

	if (mesh_path_parse(text, &p, &err) == -1) {
		snprintf(out, sizeof(out), "ERR %s", err.msg);
		return out;
	}
	out[0] = '\0';
	for (i = 0; i < p.n; i++) {
		const struct mesh_path_elem *e = &p.v[i];

		if (i > 0)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "|");
		switch (e->kind) {
		case MESH_PE_KEY:
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s",
			    e->key);
			break;
		case MESH_PE_INDEX:
			n += (size_t)snprintf(out + n, sizeof(out) - n, "#%ld",
			    e->index);
			break;
		case MESH_PE_SELECT:
			n += (size_t)snprintf(out + n, sizeof(out) - n,
			    "{%s=%s}", e->key, e->value);
			break;
		case MESH_PE_LEAF:
			n += (size_t)snprintf(out + n, sizeof(out) - n, "~%s",
			    e->value);
			break;
		}
	}
	mesh_path_release(&p);
	return out;
}

static void
test_parse(void)
{
	CHECK_STR(elems("a.b.c"), "a|b|c");
	CHECK_STR(elems(".metadata.labels.x."), "metadata|labels|x");
	CHECK_STR(elems("a..b"), "a|b");
	CHECK_STR(elems("a\\.b.c"), "a.b|c");
	CHECK_STR(elems("x\\y.z"), "x\\y|z");
	CHECK_STR(elems("a[0].b"), "a|#0|b");
	CHECK_STR(elems("a.[0].b"), "a|#0|b");
	CHECK_STR(elems("a[-1]"), "a|#-1");
	CHECK_STR(elems("a[007]"), "a|#7");
	CHECK_STR(elems("a[name:x].b"), "a|{name=x}|b");
	CHECK_STR(elems("a[name:x:y]"), "a|{name=x:y}");
	CHECK_STR(elems("w[name:ns\\.sidecar\\.io]"), "w|{name=ns.sidecar.io}");
	CHECK_STR(elems("e[name:A\\:B]"), "e|{name=A:B}");
	CHECK_STR(elems("args.[:30m]"), "args|~30m");
	CHECK_STR(elems("args.[30m]"), "args|~30m");
	CHECK_STR(elems("a//b/./c"), "a/b/c");
	CHECK_STR(elems("sidecar\\.istio\\.io/inject"), "sidecar.istio.io/inject");
	CHECK_STR(elems(""), "ERR empty path");
	CHECK_STR(elems("..."), "ERR empty path");
	CHECK_STR(elems("a/../b"), "ERR '..' is not allowed in a path");
	CHECK_STR(elems("a[0]b"), "ERR '[0]b' is not a valid path element");
	CHECK_STR(elems("a[0"), "ERR '[0' is not a valid path element");
	CHECK_STR(elems("l[0][1]"), "ERR '[0][1]' is not a valid path element");
}

static struct mesh_doc *
doc_of(const char *yaml)
{
	struct mesh_doc *d = mesh_parse_string("t", yaml, &lim, false);

	CHECK(d != NULL);
	return d;
}

/* doc as one line of JSON-ish flow YAML, for comparing */
static const char *
flat(const struct mesh_node *n)
{
	static struct mesh_buf b;
	size_t i;

	if (n == NULL)
		return "~";
	b.len = 0;
	if (b.data != NULL)
		b.data[0] = '\0';
	if (mesh_emit_yaml(&b, n, true) == -1)
		return "EMIT-ERROR";
	for (i = 0; i < b.len; i++)
		if (b.data[i] == '\n')
			b.data[i] = ';';
	return b.data;
}

static const char *
set(const char *yaml, const char *path, const char *value)
{
	static char out[1024];
	struct mesh_doc *d = doc_of(yaml);
	struct mesh_path p;
	struct mesh_path_err err;

	CHECK(mesh_path_parse(path, &p, &err) == 0);
	if (mesh_path_set(d, d->root, &p, mesh_str_new(d, value), &err) == -1)
		snprintf(out, sizeof(out), "ERR %s", err.msg);
	else
		snprintf(out, sizeof(out), "%s", flat(d->root));
	mesh_path_release(&p);
	mesh_doc_free(d);
	return out;
}

static const char *
del(const char *yaml, const char *path)
{
	static char out[1024];
	struct mesh_doc *d = doc_of(yaml);
	struct mesh_path p;
	struct mesh_path_err err;

	CHECK(mesh_path_parse(path, &p, &err) == 0);
	if (mesh_path_delete(d->root, &p, &err) == -1)
		snprintf(out, sizeof(out), "ERR %s", err.msg);
	else
		snprintf(out, sizeof(out), "%s", flat(d->root));
	mesh_path_release(&p);
	mesh_doc_free(d);
	return out;
}

/* the overlay engine; value NULL deletes */
static const char *
ovl(const char *yaml, const char *path, const char *value)
{
	static char out[1024];
	struct mesh_doc *d = doc_of(yaml);
	struct mesh_path p;
	struct mesh_path_err err;

	CHECK(mesh_path_parse(path, &p, &err) == 0);
	if (mesh_path_overlay(d, d->root, &p,
	    value ? mesh_str_new(d, value) : NULL, &err) == -1)
		snprintf(out, sizeof(out), "ERR %s", err.msg);
	else
		snprintf(out, sizeof(out), "%s", flat(d->root));
	mesh_path_release(&p);
	mesh_doc_free(d);
	return out;
}

static void
test_set(void)
{
	CHECK_STR(set("a: 1", "b.c", "x"), "a: 1;b:;  c: x;");
	CHECK_STR(set("a: 1", "a", "x"), "a: x;");
	CHECK_STR(set("a: {b: 1}", "a", "x"), "a: x;");
	CHECK_STR(set("a: 1", "l[0].k", "v"), "a: 1;l:;- k: v;");
	CHECK_STR(set("l: [{name: a}]", "l[5].name", "b"),
	    "l:;- name: a;- name: b;");
	CHECK_STR(set("l: [{name: a}]", "l[0].on", "x"),
	    "l:;- name: a;  \"on\": x;");
	CHECK_STR(set("l: [x]", "l[1]", "z"), "l:;- x;- z;");
	CHECK_STR(set("l: [x]", "l[-1]", "z"), "l:;- x;- z;");
	CHECK_STR(set("l: [{name: a}, {name: b}]", "l[name:b].v", "1"),
	    "l:;- name: a;- name: b;  v: \"1\";");
	CHECK_STR(set("l: [{port: 80}]", "l[port:80].n", "x"),
	    "ERR element [port:80] not found");
	CHECK_STR(set("l: [{name: on}]", "l[name:on].n", "x"),
	    "ERR element [name:on] not found");
	CHECK_STR(set("l: [{name: 'on'}]", "l[name:on].k", "x"),
	    "l:;- name: 'on';  k: x;");
	CHECK_STR(set("profile: demo", "profile.x", "1"),
	    "ERR 'profile' is a scalar, not a mapping, so it has no key 'x'");
	CHECK_STR(set("g: {a: 1}", "g[0]", "x"),
	    "ERR 'g' is a mapping, not a list, so '[0]' cannot select in it");
	CHECK_STR(set("l: [x]", "l[0]", "y"),
	    "ERR cannot replace list item '[0]' with --set: set its fields, "
	    "or --delete it first");
	CHECK_STR(set("l: [x]", "l[0].a", "y"),
	    "ERR list item '[0]' is a scalar, not a mapping");
}

static void
test_delete(void)
{
	CHECK_STR(del("a: 1\nb: 2", "a"), "b: 2;");
	CHECK_STR(del("a: 1", "zz"), "a: 1;");
	CHECK_STR(del("a: 1", "zz.y"), "ERR 'zz' does not exist");
	CHECK_STR(del("l: [a, b, c]", "l[1]"), "l:;- a;- c;");
	CHECK_STR(del("l: [a]", "l[3]"),
	    "ERR index [3] is past the end of a list of 1");
	CHECK_STR(del("l: [{name: a}, {name: b}]", "l[name:a]"),
	    "l:;- name: b;");
	CHECK_STR(del("a: x", "a.b"), "ERR cannot delete key 'b' from a scalar");
}

static void
test_overlay(void)
{
	CHECK_STR(ovl("a: {}", "a.b.c", "x"), "a:;  b:;    c: x;");
	CHECK_STR(ovl("l: [a]", "l[100]", "b"), "l:;- a;- b;");
	CHECK_STR(ovl("l: [a]", "l[-1]", "b"), "l:;- a;- b;");
	CHECK_STR(ovl("l: [a, b]", "l[0]", "z"), "l:;- z;- b;");
	CHECK_STR(ovl("l: [{p: 8080}]", "l.[p:8080].p", "1"),
	    "l:;- p: \"1\";");
	CHECK_STR(ovl("l: [{p: yes}]", "l.[p:true].q", "1"),
	    "l:;- p: yes;  q: \"1\";");
	CHECK_STR(ovl("a: [disc, --keepMax, 30m]", "a.[:Max]", "x"),
	    "a:;- disc;- x;- 30m;");
	CHECK_STR(ovl("a: [disc, --keepMax, 30m]", "a.[:^30m$]", NULL),
	    "a:;- disc;- --keepMax;");
	CHECK_STR(ovl("a: [disc]", "a.[:nomatch]", "x"),
	    "ERR no list item matches '[:nomatch]'");
	CHECK_STR(ovl("a: [{n: 1}]", "a.[:x]", "y"),
	    "ERR '[:x]' selects in a list of scalars, but this list holds a "
	    "mapping; use [key:value]");
	CHECK(strncmp(ovl("a: [x]", "a.[:(]", "y"), "ERR '[:(]' is not a "
	    "valid regular expression: ", 45) == 0);
	CHECK_STR(ovl("a: {}", "a.t[0]", "y"),
	    "ERR 't' does not exist, so '[0]' has no list to select in");
	CHECK_STR(ovl("a: 1", "a.b", "y"),
	    "ERR 'b' is under a scalar ('1'), not a mapping or a list");
	CHECK_STR(ovl("a: {b: 1}", "a[0]", "y"),
	    "ERR '[0]' selects in a list, but this is a mapping");
	CHECK_STR(ovl("a: {b: 1}", "a.b", NULL), "a: {};");
	CHECK_STR(ovl("a: {b: 1}", "a.c", NULL), "a:;  b: 1;");
	CHECK_STR(ovl("a: [x]", "a[4]", NULL),
	    "ERR cannot delete '[4]': the list has 1 items");
	CHECK_STR(ovl("l: [{k: v}]", "l.[k!:v]", "x"),
	    "ERR '[k!:v]': the key may hold only letters, digits, '-' and '_'");
}

static const char *
merged(const char *a, const char *b)
{
	static char out[1024];
	struct mesh_doc *da = doc_of(a), *db = doc_of(b);

	da->root = mesh_merge(da, da->root, db->root);
	mesh_doc_free(db);
	snprintf(out, sizeof(out), "%s", flat(da->root));
	mesh_doc_free(da);
	return out;
}

static void
test_merge(void)
{
	CHECK_STR(merged("a: {b: 1, c: 2}", "a: {c: 3, d: 4}"),
	    "a:;  b: 1;  c: 3;  d: 4;");
	CHECK_STR(merged("l: [a, b]", "l: [c]"), "l:;- c;");
	CHECK_STR(merged("a: {b: 1}", "a: x"), "a: x;");
	CHECK_STR(merged("a: x", "a: {b: 1}"), "a:;  b: 1;");
	CHECK_STR(merged("a: {b: 1}", "a: null"), "a: null;");
	CHECK_STR(merged("x: 1", "[1]"), "- 1;");
}

int
main(void)
{
	mesh_limits_init(&lim);
	test_parse();
	test_set();
	test_delete();
	test_overlay();
	test_merge();
	return UNIT_DONE();
}
