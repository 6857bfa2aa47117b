/*
 * Unit tests of common/stream.c and common/subst.c: the bytes each
 * document keeps for a byte-for-byte copy, the writer's YAML and JSON,
 * JSON's surrogate pairs, the "!" tag, flow collections that gain
 * content, and ${VAR} expansion.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "node.h"
#include "stream.h"
#include "subst.h"
#include "unit.h"

static struct mesh_limits lim;

/* The raw bytes of every document of s, joined with '|'. */
static const char *
raws(const char *s)
{
	static struct mesh_buf out;
	struct mesh_reader *r = mesh_reader_open_mem("t", s, strlen(s), &lim);
	struct mesh_doc *d;
	int rv;

	out.len = 0;
	mesh_buf_adds(&out, "");
	while ((rv = mesh_reader_next(r, &d)) == 1) {
		if (out.len > 0)
			mesh_buf_addc(&out, '|');
		if (d->raw_explicit)
			mesh_buf_addc(&out, '!');
		mesh_buf_add(&out, d->raw ? d->raw : "(none)",
		    d->raw ? d->rawlen : 6);
		mesh_doc_free(d);
	}
	mesh_reader_free(r);
	return rv == 0 ? out.data : "ERROR";
}

static void
test_raw(void)
{
	CHECK_STR(raws("a: 1\n"), "a: 1\n");
	CHECK_STR(raws("a: 1"), "a: 1");
	CHECK_STR(raws("# c\na: 1\n# d\n---\nb: 2\n"),
	    "# c\na: 1\n# d\n|!---\nb: 2\n");
	CHECK_STR(raws("a: 1\n...\n# x\n---\nb: 2\n"),
	    "a: 1\n...\n|!# x\n---\nb: 2\n");
	CHECK_STR(raws("a: 1\n... # end\n--- {b: 2}\n"),
	    "a: 1\n... # end\n|!--- {b: 2}\n");
	CHECK_STR(raws("---\n---\n"), "!---\n|!---\n");
	CHECK_STR(raws("\xef\xbb\xbfk: \xc3\xa9\xe6\xbc\xa2\n---\nz: 1\n"),
	    "k: \xc3\xa9\xe6\xbc\xa2\n|!---\nz: 1\n");
	CHECK_STR(raws("a: \xf0\x9f\x98\x80\r\n---\r\nb: 2\r\n"),
	    "a: \xf0\x9f\x98\x80\r\n|!---\r\nb: 2\r\n");
	/* directives can only stand at the start: such documents are
	 * written anew */
	CHECK_STR(raws("%YAML 1.1\n---\na: 1\n"), "(none)");
	CHECK_STR(raws(""), "");
	CHECK_STR(raws("# only\n"), "");
	CHECK_STR(raws("a: [\n"), "ERROR");
}

static const char *
written(const char *s, enum mesh_format fmt, bool change)
{
	static struct mesh_buf out;
	struct mesh_reader *r = mesh_reader_open_mem("t", s, strlen(s), &lim);
	struct mesh_writer *w;
	struct mesh_doc *d;
	char path[] = "/tmp/mesh-unit-XXXXXX";
	int fd = mkstemp(path), rv;

	CHECK(fd != -1);
	unlink(path);
	w = mesh_writer_new(fd, fmt, false);
	while ((rv = mesh_reader_next(r, &d)) == 1) {
		d->changed = change;
		if (mesh_writer_put(w, d) == -1)
			rv = -1;
		mesh_doc_free(d);
		if (rv == -1)
			break;
	}
	if (rv == 0)
		rv = mesh_writer_finish(w);
	mesh_writer_free(w);
	mesh_reader_free(r);
	out.len = 0;
	lseek(fd, 0, SEEK_SET);
	for (;;) {
		ssize_t n = read(fd, mesh_buf_grow(&out, 4096), 4096);

		if (n <= 0)
			break;
		out.len += (size_t)n;
	}
	out.data[out.len] = '\0';
	close(fd);
	return rv == 0 ? out.data : "ERROR";
}

static void
test_writer(void)
{
	/* copies, with "---" where a document had none */
	CHECK_STR(written("a: 1\n...\n--- b\n---\nc: 2", MESH_FMT_YAML,
	    false), "a: 1\n...\n--- b\n---\nc: 2\n");
	CHECK_STR(written("%YAML 1.1\n---\na: 1\n", MESH_FMT_YAML, false),
	    "a: 1\n");
	/* written anew: key order, quotes, flow collections kept */
	CHECK_STR(written("z: 'q'\na: [1, \"on\"]\n---\nb: |\n  x\n",
	    MESH_FMT_YAML, true),
	    "z: 'q'\na: [1, \"on\"]\n---\nb: |\n  x\n");
	/* a JSON document becomes block YAML with quotes only where needed */
	CHECK_STR(written("{\"a\": \"on\", \"b\": [\"x\", 1], \"c\": {}}",
	    MESH_FMT_YAML, true), "a: \"on\"\nb:\n- x\n- 1\nc: {}\n");
	/* one document in JSON is itself, with YAML 1.1 types */
	CHECK_STR(written("a: 0777\nb: yes\nc: '1'\nd: ~\ne: 1e3\nf: !!str 2\n",
	    MESH_FMT_JSON, false), "{\n    \"a\": 511,\n    \"b\": true,\n"
	    "    \"c\": \"1\",\n    \"d\": null,\n    \"e\": 1000,\n"
	    "    \"f\": \"2\"\n}\n");
	CHECK_STR(written("s: \"tab\\there \\\"q\\\" \\u0001\"\n",
	    MESH_FMT_JSON, false),
	    "{\n    \"s\": \"tab\\there \\\"q\\\" \\u0001\"\n}\n");
	/* several: a v1 List; empty documents left out */
	CHECK_STR(written("a: 1\n---\n---\n[x]\n", MESH_FMT_JSON, false),
	    "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n"
	    "        {\n            \"a\": 1\n        },\n"
	    "        [\n            \"x\"\n        ]\n    ],\n"
	    "    \"kind\": \"List\",\n    \"metadata\": {\n"
	    "        \"resourceVersion\": \"\"\n    }\n}\n");
	CHECK_STR(written("a: .nan\n", MESH_FMT_JSON, false), "ERROR");
	CHECK_STR(written("[1]: x\n", MESH_FMT_JSON, false), "ERROR");
	CHECK_STR(written("1: x\nnull: z\n", MESH_FMT_JSON, false),
	    "{\n    \"1\": \"x\",\n    \"null\": \"z\"\n}\n");
	CHECK_STR(written("a: !!int x\n", MESH_FMT_JSON, false), "ERROR");
}

/* The value of the dotted key path in the one document of s, or why not. */
static const char *
value_of(const char *s, const char *path)
{
	static char out[256];
	struct mesh_doc *d = mesh_parse_string("t", s, &lim, true);
	const char *v;

	if (d == NULL)
		return "ERROR";
	v = mesh_map_getstr(d->root, path);
	snprintf(out, sizeof(out), "%s", v ? v : "(none)");
	mesh_doc_free(d);
	return out;
}

/* The 1-based column of the value at key in the one document of s. */
static unsigned
col_of(const char *s, const char *key)
{
	struct mesh_doc *d = mesh_parse_string("t", s, &lim, true);
	const struct mesh_node *n = d ? mesh_map_get(d->root, key) : NULL;
	unsigned col = n ? n->col : 0;

	mesh_doc_free(d);
	return col;
}

static void
test_surrogates(void)
{
	struct mesh_buf big = MESH_BUF_INIT;
	struct mesh_doc *d;
	const struct mesh_node *items;
	size_t i, n, nx, ok;

	/* JSON's pairs are one character; YAML's writer escapes it */
	CHECK_STR(value_of("{\"a\": \"\\ud83d\\ude00\"}", "a"),
	    "\xf0\x9f\x98\x80");
	CHECK_STR(value_of("{\"\\uD83D\\uDE00k\": [1, {\"b\": "
	    "\"x\\ud83d\\ude01y\\u00e9\"}]}", "\xf0\x9f\x98\x80k"),
	    "(none)");
	CHECK_STR(written("{\"a\": [1, {\"b\": \"x\\ud83d\\ude01y\"}]}",
	    MESH_FMT_JSON, false), "{\n    \"a\": [\n        1,\n"
	    "        {\n            \"b\": \"x\xf0\x9f\x98\x81y\"\n"
	    "        }\n    ]\n}\n");
	CHECK_STR(value_of("\"\\ud83d\\ude00\"", "x"), "(none)");
	CHECK_STR(written("\"\\ud83d\\ude00\"", MESH_FMT_JSON, false),
	    "\"\xf0\x9f\x98\x80\"\n");
	/* after a BOM, a "---" or another document */
	CHECK_STR(value_of("\xef\xbb\xbf{\"a\":\"\\ud83d\\ude00\"}", "a"),
	    "\xf0\x9f\x98\x80");
	CHECK_STR(written("a: 1\n--- {\"b\": \"\\ud83d\\ude00\"}\n---\n"
	    "# c\n[\"\\ud83d\\ude02\"]\n", MESH_FMT_JSON, false),
	    written("a: 1\n---\nb: \"\\U0001F600\"\n---\n"
	    "- \"\\U0001F602\"\n", MESH_FMT_JSON, false));
	/* escapes around them are read as they were */
	CHECK_STR(value_of("{\"a\":\"\\\"\\ud83d\\ude00\\\\\"}", "a"),
	    "\"\xf0\x9f\x98\x80\\");
	CHECK_STR(value_of("{\"a\":\"\\\\ud83d\\\\ude00\"}", "a"),
	    "\\ud83d\\ude00");
	/* what libyaml does not read as a double-quoted scalar is left */
	CHECK_STR(value_of("a: x\"\\ud83d\\ude00\"\n", "a"),
	    "x\"\\ud83d\\ude00\"");
	CHECK_STR(value_of("a: |\n  \"\\ud83d\\ude00\"\n", "a"),
	    "\"\\ud83d\\ude00\"\n");
	CHECK_STR(value_of("# \"\\ud83d\nb: 1\n", "b"), "1");
	d = mesh_parse_string("t",
	    "[1 \"\\ud83d\\ude00\", x\"\\ud83d\\ude00\"]", &lim, true);
	CHECK(d != NULL && d->root->u.c.n == 2 &&
	    strcmp(d->root->u.c.v[0]->u.s.text, "1 \"\\ud83d\\ude00\"") == 0 &&
	    strcmp(d->root->u.c.v[1]->u.s.text, "x\"\\ud83d\\ude00\"") == 0);
	mesh_doc_free(d);
	/* YAML has no surrogates, and a lone one is no character */
	CHECK_STR(value_of("a: \"\\ud83d\\ude00\"\n", "a"), "ERROR");
	CHECK_STR(value_of("{\"a\": \"\\ud83d\"}", "a"), "ERROR");
	CHECK_STR(value_of("{\"a\": \"\\ude00\\ud83d\"}", "a"), "ERROR");
	CHECK_STR(value_of("{\"a\": \"\\ud83d\\u0041\"}", "a"), "ERROR");
	/* a document with a pair is written anew, the next one copied */
	CHECK_STR(raws("{\"a\": \"\\ud83d\\ude00\"}\n---\nb: 1\n"),
	    "(none)|!---\nb: 1\n");
	/* columns count the characters as written */
	CHECK(col_of("{\"a\":\"\\ud83d\\ude00\",\"b\":1}", "b") == 25);
	CHECK(col_of("{\"a\":\"\\ud83d\\ude00\\ud83d\\ude00\",\"b\":1}",
	    "b") == 37);
	CHECK(col_of("{\"a\":\"\\ud83d\\ude00\",\n\"b\":1}", "b") == 5);
	CHECK(col_of("\xef\xbb\xbf{\"a\":\"\\ud83d\\ude00\",\"b\":1}", "b") ==
	    25);

	/* many pairs, across every buffer's edge */
	mesh_buf_adds(&big, "{\"items\": [");
	for (n = 0; n < 30000; n++)
		mesh_buf_adds(&big, n % 7 ? "\"\\ud83d\\ude00\", " :
		    "\"x\", ");
	mesh_buf_adds(&big, "\"\\udbff\\udfff\"]}");
	d = mesh_parse_string("t", big.data, &lim, false);
	CHECK(d != NULL);
	items = d ? mesh_map_get(d->root, "items") : NULL;
	CHECK(items != NULL && items->u.c.n == n + 1);
	for (i = ok = 0; items != NULL && i < n; i++)
		ok += strcmp(items->u.c.v[i]->u.s.text, i % 7 ?
		    "\xf0\x9f\x98\x80" : "x") == 0;
	CHECK(ok == n);
	CHECK(items != NULL && strcmp(items->u.c.v[n]->u.s.text,
	    "\xf4\x8f\xbf\xbf") == 0);
	/* '{"items": [', then "x", (5) and the pairs (16) before it */
	nx = (n + 6) / 7;
	CHECK(items != NULL && items->u.c.v[n]->col == 11 + 5 * nx +
	    16 * (n - nx) + 1);
	mesh_doc_free(d);
	mesh_buf_release(&big);
}

/* The document s with its scalar at key "x" (if any) changed, as YAML. */
static const char *
rewritten(const char *s)
{
	static struct mesh_buf out;
	struct mesh_doc *d = mesh_parse_string("t", s, &lim, true);

	out.len = 0;
	mesh_buf_adds(&out, "");
	if (d == NULL || mesh_emit_yaml(&out, d->root, false) == -1) {
		mesh_doc_free(d);
		return "ERROR";
	}
	mesh_doc_free(d);
	return out.data;
}

static void
test_bang(void)
{
	/* "!" makes a string of a plain scalar, and is said with quotes */
	CHECK_STR(written("a: ! 12\nb: ! yes\nc: ! x\nd: !\ne: ! '1'\n",
	    MESH_FMT_JSON, false), "{\n    \"a\": \"12\",\n    \"b\": "
	    "\"yes\",\n    \"c\": \"x\",\n    \"d\": \"\",\n    \"e\": "
	    "\"1\"\n}\n");
	CHECK_STR(rewritten("a: ! 12\nb: ! yes\nc: ! x\nd: !\n"),
	    "a: \"12\"\nb: \"yes\"\nc: x\nd: \"\"\n");
	/* on a collection it says nothing, and is not written */
	CHECK_STR(rewritten("a: ! {b: 1}\nc: ! [d]\n"), "a: {b: 1}\nc: [d]\n");
	/* any tag but YAML's own types makes a string, as Kubernetes reads */
	CHECK_STR(written("a: !foo 12\nb: !!int '3'\n", MESH_FMT_JSON, false),
	    "{\n    \"a\": \"12\",\n    \"b\": 3\n}\n");
	/* an unchanged document keeps its bytes */
	CHECK_STR(written("a: ! 12\n", MESH_FMT_YAML, false), "a: ! 12\n");
}

static void
test_flow_growth(void)
{
	static struct mesh_buf out;
	struct mesh_doc *d = mesh_parse_string("t",
	    "a: {b: {c: 1}, l: [1]}\nd: {e: 1}\nf: [1, {g: 2}]\n", &lim, false);
	struct mesh_node *m;

	CHECK(d != NULL);
	/* a new mapping in a flow one: block, around it too */
	m = mesh_map_new(d);
	mesh_map_set(d, m, "k", mesh_str_new(d, "z"));
	mesh_map_set(d, mesh_map_get(mesh_map_get(d->root, "a"), "b"), "x", m);
	/* a new scalar alone keeps the flow style */
	mesh_map_set(d, mesh_map_get(d->root, "d"), "h", mesh_str_new(d, "i"));
	/* a block list put in a flow one */
	mesh_seq_append(d, mesh_map_get(d->root, "f"), mesh_seq_new(d));
	mesh_seq_append(d, mesh_map_get(d->root, "f")->u.c.v[2],
	    mesh_str_new(d, "j"));
	out.len = 0;
	mesh_buf_adds(&out, "");
	CHECK(mesh_emit_yaml(&out, d->root, false) == 0);
	CHECK_STR(out.data, "a:\n  b:\n    c: 1\n    x:\n      k: z\n"
	    "  l: [1]\nd: {e: 1, h: i}\nf:\n- 1\n- {g: 2}\n- - j\n");
	mesh_doc_free(d);
	mesh_buf_release(&out);
}

/* A List's items written as documents of their own. */
static void
test_take_node(void)
{
	struct mesh_doc *d = mesh_parse_string("t",
	    "{\"kind\": \"List\", \"items\": [{\"a\": \"on\"}, {\"b\": [1]}]}",
	    &lim, false);
	struct mesh_node *items = mesh_map_get(d->root, "items");
	char path[] = "/tmp/mesh-unit-XXXXXX";
	int fd = mkstemp(path);
	struct mesh_writer *w = mesh_writer_new(fd, MESH_FMT_YAML, false);
	char buf[256];
	ssize_t n;

	unlink(path);
	CHECK(mesh_writer_take_node(w, d, items->u.c.v[0]) == 0);
	CHECK(mesh_writer_take_node(w, d, items->u.c.v[1]) == 0);
	CHECK(mesh_writer_finish(w) == 0);
	mesh_writer_free(w);
	mesh_doc_free(d);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	CHECK_STR(buf, "a: \"on\"\n---\nb:\n- 1\n");
}

static const char *
env(const char *name, void *arg)
{
	(void)arg;
	if (strcmp(name, "A") == 0)
		return "alpha";
	if (strcmp(name, "E") == 0)
		return "";
	return NULL;
}

static const char *
sub(const char *s)
{
	static char out[512];
	struct mesh_buf b = MESH_BUF_INIT;
	char err[256];

	if (mesh_subst_string(s, strlen(s), env, NULL, &b, err,
	    sizeof(err)) == -1)
		snprintf(out, sizeof(out), "ERR %s", err);
	else
		snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	mesh_buf_release(&b);
	return out;
}

static void
test_subst(void)
{
	CHECK_STR(sub("x ${A} y"), "x alpha y");
	CHECK_STR(sub("${A}${A}"), "alphaalpha");
	CHECK_STR(sub("${U:-d e f}"), "d e f");
	CHECK_STR(sub("${E:-d}"), "d");
	CHECK_STR(sub("${A:-d}"), "alpha");
	CHECK_STR(sub("$${A} $A $ {A} $"), "${A} $A $ {A} $");
	CHECK_STR(sub("${U}"), "ERR variable 'U' is not set (give it a "
	    "value, or write ${U:-default})");
	CHECK_STR(sub("${A"), "ERR '${' has no closing '}'");
	CHECK_STR(sub("${}"), "ERR '' is not a valid variable name");
	CHECK_STR(sub("${A B}"), "ERR '${A B}': expected '}' or ':-' after "
	    "the name");
	CHECK_STR(sub("${A-x}"), "ERR '${A-x}': expected '}' or ':-' after "
	    "the name");
	CHECK_STR(sub(""), "");
}

int
main(void)
{
	mesh_limits_init(&lim);
	test_raw();
	test_writer();
	test_surrogates();
	test_bang();
	test_flow_growth();
	test_take_node();
	test_subst();
	return UNIT_DONE();
}
