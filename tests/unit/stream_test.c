/*
 * Unit tests of common/stream.c and common/subst.c: the bytes each
 * document keeps for a byte-for-byte copy, the writer's YAML and JSON,
 * and ${VAR} expansion.
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
	test_subst();
	return UNIT_DONE();
}
