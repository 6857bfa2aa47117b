/*
 * Unit tests of common/node.c: what plain scalars mean, which strings
 * must be quoted, float formatting, the tree operations, and which
 * documents are Lists and IstioOperators.
 */
#include <math.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "stream.h"
#include "unit.h"

static enum mesh_type
res(const char *s)
{
	return mesh_resolve_plain(s, strlen(s), NULL, NULL, NULL, NULL);
}

static long long
ival(const char *s)
{
	int64_t i = -12345;

	mesh_resolve_plain(s, strlen(s), &i, NULL, NULL, NULL);
	return (long long)i;
}

static double
dval(const char *s)
{
	double d = -12345;

	mesh_resolve_plain(s, strlen(s), NULL, NULL, NULL, &d);
	return d;
}

static const char *
fmt(double d)
{
	static char buf[64];

	mesh_format_float(d, buf, sizeof(buf));
	return buf;
}

static void
test_resolve(void)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const bools[] = { "y", "Y", "yes", "No", "ON",
		"off", "true", "False", "TRUE", "n" };
	static const char *const strs[] = { "abc", "nULL", "0x", "1:20",
		"1.2.3", "--1", "tRUE", "0b102", "1e", "e3", "1-2" };
	bool uns = false;
	uint64_t u = 0;
	size_t i;

	for (i = 0; i < sizeof(nulls) / sizeof(*nulls); i++)
		CHECK(res(nulls[i]) == MESH_T_NULL);
	for (i = 0; i < sizeof(bools) / sizeof(*bools); i++)
		CHECK(res(bools[i]) == MESH_T_BOOL);
	for (i = 0; i < sizeof(strs) / sizeof(*strs); i++)
		CHECK(res(strs[i]) == MESH_T_STR);

	/* integers as Go's ParseInt(s, 0, 64) reads them, less '_' */
	CHECK(res("0777") == MESH_T_INT && ival("0777") == 511);
	CHECK(ival("0x1F") == 31);
	CHECK(ival("0o17") == 15);
	CHECK(ival("0b101") == 5);
	CHECK(ival("1_000") == 1000);
	CHECK(ival("+5") == 5);
	CHECK(ival("-3") == -3);
	CHECK(ival("0") == 0);
	CHECK(ival("-9223372036854775808") == INT64_MIN);
	CHECK(mesh_resolve_plain("18446744073709551615", 20, NULL, &u, &uns,
	    NULL) == MESH_T_INT && uns && u == UINT64_MAX);

	/* floats by YAML's own pattern */
	CHECK(res("1e3") == MESH_T_FLOAT && dval("1e3") == 1000);
	CHECK(res(".5") == MESH_T_FLOAT && dval(".5") == 0.5);
	CHECK(res("1.") == MESH_T_FLOAT);
	CHECK(res("-1.5E-2") == MESH_T_FLOAT);
	CHECK(res("08") == MESH_T_FLOAT && dval("08") == 8);
	CHECK(res(".inf") == MESH_T_FLOAT && isinf(dval(".inf")));
	CHECK(isinf(dval("-.Inf")) && dval("-.Inf") < 0);
	CHECK(isnan(dval(".NaN")));
	CHECK(res("18446744073709551616") == MESH_T_FLOAT);
}

static void
test_ambiguous(void)
{
	static const char *const yes[] = { "", "on", "Off", "y", "N", "~",
		"null", "true", "0777", "1e3", "0x10", "1_000", "1:20", ".5",
		"-1", "+.inf", ".NaN", "2001-12-14", "<<", "=", "12", "1.20",
		"0o17", "0b1" };
	static const char *const no[] = { "abc", "on-call", "yesno", "v1",
		"1.20-alpha", "a: b", "x y", "10.0.0.0/8", "istio-system",
		"-", ".", "http://x" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		CHECK(mesh_str_is_ambiguous(yes[i], strlen(yes[i])));
	for (i = 0; i < sizeof(no) / sizeof(*no); i++)
		CHECK(!mesh_str_is_ambiguous(no[i], strlen(no[i])));
}

static void
test_format_float(void)
{
	CHECK_STR(fmt(1000), "1000");
	CHECK_STR(fmt(1), "1");
	CHECK_STR(fmt(0.5), "0.5");
	CHECK_STR(fmt(0.1), "0.1");
	CHECK_STR(fmt(-2.25), "-2.25");
	CHECK_STR(fmt(1e20), "100000000000000000000");
	CHECK_STR(fmt(1e21), "1e+21");
	CHECK_STR(fmt(1e-6), "0.000001");
	CHECK_STR(fmt(1e-7), "1e-7");
	CHECK_STR(fmt(123456789.125), "123456789.125");
}

static void
test_tree(void)
{
	struct mesh_limits lim;
	struct mesh_doc *doc, *other;
	struct mesh_node *m, *s;
	char buf[64];

	mesh_limits_init(&lim);
	doc = mesh_parse_string("t", "a: 1\nb: [x, 'y']\nc: {d: on}\n", &lim,
	    false);
	CHECK(doc != NULL && mesh_is_map(doc->root));
	m = doc->root;
	CHECK(mesh_map_len(m) == 3);
	CHECK(mesh_map_find(m, "b") == 1);
	CHECK(mesh_map_find(m, "z") == -1);
	CHECK_STR(mesh_map_getstr(m, "c.d"), "on");
	CHECK(mesh_map_getstr(m, "c.d.e") == NULL);
	CHECK(mesh_map_getstr(m, "b") == NULL);
	CHECK(mesh_node_count(m) == 11);
	CHECK(mesh_map_get(m, "a")->line == 1 && mesh_map_get(m, "a")->col == 4);

	/* the quotes say string; the plain word says bool */
	s = mesh_map_get(m, "b")->u.c.v[1];
	CHECK(s->style == MESH_STYLE_SINGLE && mesh_scalar_type(s) ==
	    MESH_T_STR);
	CHECK(mesh_scalar_type(mesh_map_get(mesh_map_get(m, "c"), "d")) ==
	    MESH_T_BOOL);
	CHECK_STR(mesh_scalar_canon(mesh_map_get(mesh_map_get(m, "c"), "d"),
	    buf, sizeof(buf)), "true");

	mesh_map_set(doc, m, "a", mesh_str_new(doc, "new"));
	mesh_map_set(doc, m, "e", mesh_scalar_new(doc, "5", 1, MESH_T_INT));
	CHECK(mesh_map_len(m) == 4);
	CHECK_STR(mesh_map_getstr(m, "a"), "new");
	CHECK(mesh_map_find(m, "e") == 3);
	mesh_map_insert(doc, m, 1, mesh_str_new(doc, "i"), mesh_str_new(doc,
	    "v"));
	CHECK(mesh_map_find(m, "i") == 1 && mesh_map_find(m, "b") == 2 &&
	    mesh_map_len(m) == 5);
	mesh_map_remove(m, 1);
	mesh_map_insert(doc, m, 4, mesh_str_new(doc, "z"), mesh_str_new(doc,
	    "v"));
	CHECK(mesh_map_find(m, "z") == 4);
	mesh_map_remove(m, 4);
	mesh_map_remove(m, 0);
	CHECK(mesh_map_find(m, "a") == -1 && mesh_map_find(m, "e") == 2);
	mesh_seq_remove(mesh_map_get(m, "b"), 0);
	CHECK(mesh_map_get(m, "b")->u.c.n == 1);

	/* a copy lives in the other document and is independent */
	other = mesh_doc_new("o");
	s = mesh_node_copy(other, m);
	mesh_map_remove(m, 0);
	CHECK(mesh_map_len(s) == 3 && mesh_map_len(m) == 2);
	mesh_doc_free(doc);
	CHECK_STR(mesh_map_getstr(s, "c.d"), "on");
	mesh_doc_free(other);
	mesh_doc_free(NULL);
}

/* A copy made to its size holds all of the original, tags included. */
static void
test_sized_copy(void)
{
	struct mesh_limits lim;
	struct mesh_doc *doc, *copy;
	size_t bytes;

	mesh_limits_init(&lim);
	doc = mesh_parse_string("t", "a: !!str 1\nb: [x, 'y', {z: [1, 2]}]\n"
	    "c: {}\nd: []\ne: \"\"\n", &lim, false);
	CHECK(doc != NULL);
	bytes = mesh_node_copy_size(doc->root);
	CHECK(bytes > 0 && bytes % sizeof(max_align_t) == 0);
	copy = mesh_doc_new_sized("copy", bytes);
	copy->root = mesh_node_copy(copy, doc->root);
	CHECK(mesh_node_equal(copy->root, doc->root));
	CHECK_STR(copy->src, "copy");
	CHECK_STR(mesh_map_get(copy->root, "a")->tag, "tag:yaml.org,2002:str");
	CHECK(mesh_node_count(copy->root) == mesh_node_count(doc->root) &&
	    mesh_node_count(doc->root) == 18);
	mesh_doc_free(doc);
	/* the original is gone; the copy reads on */
	CHECK_STR(mesh_map_get(mesh_map_get(copy->root, "b")->u.c.v[2],
	    "z")->u.c.v[1]->u.s.text, "2");
	CHECK_STR(mesh_map_getstr(copy->root, "e"), "");
	/* the block holds exactly the copy: more still fits, elsewhere */
	mesh_map_set(copy, copy->root, "f", mesh_str_new(copy, "more"));
	CHECK_STR(mesh_map_getstr(copy->root, "f"), "more");
	mesh_doc_free(copy);
	/* an empty one */
	copy = mesh_doc_new_sized("", 0);
	CHECK_STR(copy->src, "");
	mesh_doc_free(copy);
}

/* Is the one document of s a List, and how many items has it? */
static int
list_len(const char *s)
{
	struct mesh_limits lim;
	struct mesh_doc *d;
	struct mesh_node *items = NULL;
	int n = -1;

	mesh_limits_init(&lim);
	d = mesh_parse_string("t", s, &lim, false);
	if (d != NULL && mesh_is_list(d->root, &items))
		n = items != NULL ? (int)items->u.c.n : 0;
	mesh_doc_free(d);
	return n;
}

/* The kinds and apiVersions of s's items after mesh_list_item_fill. */
static const char *
filled(const char *s)
{
	static char out[256];
	struct mesh_limits lim;
	struct mesh_doc *d;
	struct mesh_node *items;
	size_t i, len = 0;

	mesh_limits_init(&lim);
	d = mesh_parse_string("t", s, &lim, false);
	out[0] = '\0';
	if (d == NULL || !mesh_is_list(d->root, &items) || items == NULL) {
		mesh_doc_free(d);
		return "ERROR";
	}
	for (i = 0; i < items->u.c.n; i++) {
		struct mesh_node *it = items->u.c.v[i];
		bool changed = mesh_list_item_fill(d, d->root, it);
		const char *k = mesh_map_getstr(it, "kind");
		const char *a = mesh_map_getstr(it, "apiVersion");

		len += (size_t)snprintf(out + len, sizeof(out) - len,
		    "%s%s/%s%s", i ? " " : "", a ? a : "-", k ? k : "-",
		    changed ? "*" : "");
		if (changed)
			CHECK(mesh_map_find(it, "apiVersion") == (a ? 0 : -1));
	}
	mesh_doc_free(d);
	return out;
}

static bool
iop(const char *s)
{
	struct mesh_limits lim;
	struct mesh_doc *d;
	bool yes;

	mesh_limits_init(&lim);
	d = mesh_parse_string("t", s, &lim, false);
	yes = d != NULL && mesh_is_iop(d->root);
	mesh_doc_free(d);
	return yes;
}

static void
test_kinds(void)
{
	struct mesh_limits lim;
	struct mesh_doc *d;

	/* kubectl's Lists: kind *List with items, a list or null */
	CHECK(list_len("apiVersion: v1\nkind: List\nitems: [a, b]\n") == 2);
	CHECK(list_len("{\"kind\": \"PodList\", \"items\": []}") == 0);
	CHECK(list_len("kind: ConfigMapList\nitems:\n") == 0);
	CHECK(list_len("kind: List\n") == -1);
	CHECK(list_len("kind: AllowList\nspec: {items: []}\n") == -1);
	CHECK(list_len("kind: List\nitems: {a: 1}\n") == -1);
	CHECK(list_len("kind: Listing\nitems: []\n") == -1);
	CHECK(list_len("kind: Pod\nitems: []\n") == -1);
	CHECK(list_len("[kind, List]\n") == -1);
	CHECK(list_len("kind: [List]\nitems: []\n") == -1);
	CHECK(!mesh_is_list(NULL, NULL));

	/* a typed List's items are of its kind; a v1 List's say theirs */
	CHECK_STR(filled("apiVersion: v1\nkind: PodList\nitems:\n"
	    "- metadata: {name: a}\n- kind: Pod\n- apiVersion: v2\n- x\n"),
	    "v1/Pod* -/Pod v2/- -/-");
	CHECK_STR(filled("kind: FooList\nitems: [{}]\n"), "-/Foo*");
	CHECK_STR(filled("apiVersion: v1\nkind: List\nitems: [{a: 1}]\n"),
	    "-/-");

	/* an IstioOperator, whatever its group */
	CHECK(iop("apiVersion: install.istio.io/v1alpha1\n"
	    "kind: IstioOperator\n"));
	CHECK(iop("apiVersion: operator.istio.io/v1alpha1\n"
	    "kind: IstioOperator\n"));
	CHECK(iop("kind: IstioOperator\n"));
	CHECK(!iop("apiVersion: install.istio.io/v1alpha1\nkind: Other\n"));
	CHECK(!iop("- kind: IstioOperator\n"));

	/* a tag that is not one of YAML's types makes a string */
	mesh_limits_init(&lim);
	d = mesh_parse_string("t", "a: !foo 12\nb: !!int '3'\nc: !!null ''\n"
	    "d: ! 1.5\ne: !!binary aGk=\n", &lim, false);
	CHECK(d != NULL);
	CHECK(mesh_scalar_type(mesh_map_get(d->root, "a")) == MESH_T_STR);
	CHECK(mesh_scalar_type(mesh_map_get(d->root, "b")) == MESH_T_INT);
	CHECK(mesh_scalar_type(mesh_map_get(d->root, "c")) == MESH_T_NULL);
	CHECK(mesh_scalar_type(mesh_map_get(d->root, "d")) == MESH_T_STR);
	CHECK(mesh_scalar_type(mesh_map_get(d->root, "e")) == MESH_T_STR);
	mesh_doc_free(d);
}

int
main(void)
{
	test_resolve();
	test_ambiguous();
	test_format_float();
	test_tree();
	test_sized_copy();
	test_kinds();
	return UNIT_DONE();
}
