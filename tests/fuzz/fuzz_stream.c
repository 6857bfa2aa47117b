/*
 * libFuzzer target for the stream reader and writers.  The input is read
 * as a stream of documents under small limits; each document is written
 * as YAML (copied and emitted anew) and as JSON, and both outputs must
 * read back as one document of the same shape.  An input that starts
 * with the byte 0x01 (which no YAML starts with) sets the limits on
 * aliases' bytes, anchors, documents and depth from its next four
 * bytes, so that small inputs reach each of them.  Every document read
 * must hold no key twice and no merge key, and what it and its JSON
 * take must stay within a fixed multiple of the input.  A violated
 * property calls abort(), so that the fuzzer keeps the input.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "node.h"
#include "stream.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int devnull = -1;	/* where the writers go */
static int scratch = -1;	/* an unlinked file, for the JSON round trip */

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_stream: %s\n", what);
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char tmpl[] = "/tmp/fuzz_stream.XXXXXX";

	(void)argc;
	(void)argv;
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		die("cannot open /dev/null");
	if ((scratch = mkstemp(tmpl)) == -1)
		die("cannot make a scratch file");
	unlink(tmpl);
	return 0;
}

static void
small_limits(struct mesh_limits *lim)
{
	mesh_limits_init(lim);
	lim->max_depth = 64;
	lim->max_doc_size = 64 * 1024;
	lim->max_input_size = 1024 * 1024;
	lim->max_alias_nodes = 4096;
}

#define LIMITS_TAG 0x01
#define LIMITS_LEN 5

/* Limits chosen by the input: LIMITS_TAG and four bytes. */
static void
chosen_limits(struct mesh_limits *lim, const uint8_t *p)
{
	small_limits(lim);
	lim->max_alias_bytes = 64 + (size_t)p[1] * 256;
	lim->max_anchors = 1 + p[2] % 32;
	lim->max_docs = 1 + p[3] % 32;
	lim->max_depth = 1 + p[4] % 64;
}

/* Are a and b, scalar keys, one JSON key (checked the slow way)? */
static bool
same_key(const struct mesh_node *a, const struct mesh_node *b)
{
	char ba[64], bb[64];
	const char *ta, *tb;

	/* as JSON keys: strings, a null as "null" */
	ta = mesh_scalar_type(a) == MESH_T_NULL ? "null" :
	    mesh_scalar_canon(a, ba, sizeof(ba));
	tb = mesh_scalar_type(b) == MESH_T_NULL ? "null" :
	    mesh_scalar_canon(b, bb, sizeof(bb));
	if (ta == a->u.s.text && tb == b->u.s.text)
		return a->u.s.len == b->u.s.len &&
		    memcmp(ta, tb, a->u.s.len) == 0;
	return strcmp(ta, tb) == 0;
}

/* No mapping under n holds a key twice, or a merge key. */
static void
check_keys(const struct mesh_node *n)
{
	size_t i, j;

	if (n->type == MESH_SCALAR)
		return;
	for (i = 0; i < n->u.c.n; i++) {
		const struct mesh_node *k = n->u.c.v[i];

		check_keys(k);
		if (n->type != MESH_MAP || i % 2 != 0 ||
		    k->type != MESH_SCALAR)
			continue;
		if (k->style == MESH_STYLE_PLAIN && k->tag == NULL &&
		    strcmp(k->u.s.text, "<<") == 0)
			die("a merge key was let through");
		for (j = 0; j < i; j += 2)
			if (n->u.c.v[j]->type == MESH_SCALAR &&
			    same_key(n->u.c.v[j], k))
				die("a key given twice was let through");
	}
}

/*
 * What a document and its JSON take stay within a multiple of the
 * input and of what aliases may add: no square of the depth, no
 * expansion past the limit.
 */
static void
check_size(const struct mesh_doc *doc, size_t in,
    const struct mesh_limits *lim)
{
	struct mesh_buf out = MESH_BUF_INIT;
	size_t budget = in + lim->alias_seen;

	if (doc->root == NULL)
		return;
	if (lim->alias_seen > lim->max_alias_bytes)
		die("aliases expanded past their limit");
	if (doc->arena > 64 * budget + 4096)
		die("a document takes more than 64 times its input");
	if (mesh_emit_json(&out, doc, doc->root) == 0 &&
	    out.len > 300 * budget + 1024)
		die("JSON takes more than 300 times the input");
	mesh_buf_release(&out);
}

/*
 * a and b have the same shape: the same kinds of node with the same
 * number of children.  With text, scalars must also keep their text and
 * meaning (a YAML round trip); JSON rewrites both.
 */
static bool
same_shape(const struct mesh_node *a, const struct mesh_node *b, bool text)
{
	size_t i;

	if (a->type != b->type)
		return false;
	if (a->type == MESH_SCALAR) {
		if (!text)
			return true;
		if ((a->tag == NULL) != (b->tag == NULL) ||
		    (a->tag != NULL && strcmp(a->tag, b->tag) != 0))
			return false;
		/* an empty null may come back as "null" */
		if (a->tag == NULL && mesh_scalar_type(a) == MESH_T_NULL &&
		    mesh_scalar_type(b) == MESH_T_NULL)
			return true;
		if (a->u.s.len != b->u.s.len ||
		    memcmp(a->u.s.text, b->u.s.text, a->u.s.len) != 0)
			return false;
		/*
		 * Untagged, the meaning must survive; a local tag's meaning
		 * is the tag's, and an empty one may come back quoted.
		 */
		return a->tag != NULL ||
		    mesh_scalar_type(a) == mesh_scalar_type(b);
	}
	if (a->u.c.n != b->u.c.n)
		return false;
	for (i = 0; i < a->u.c.n; i++)
		if (!same_shape(a->u.c.v[i], b->u.c.v[i], text))
			return false;
	return true;
}

/* Read back what was written: exactly one document, shaped like doc. */
static void
read_back(const char *what, const char *text, size_t len,
    const struct mesh_doc *doc, bool same_text)
{
	struct mesh_limits lim;
	struct mesh_reader *r;
	struct mesh_doc *back = NULL, *extra = NULL;

	/* Aliases were expanded, so the copy may be larger than the input. */
	mesh_limits_init(&lim);
	r = mesh_reader_open_mem(what, text, len, &lim);
	if (mesh_reader_next(r, &back) != 1) {
		fprintf(stderr, "%s (%zu bytes):\n%.*s\n", what, len,
		    (int)len, text);
		die("written output does not read back");
	}
	if (mesh_reader_next(r, &extra) != 0)
		die("written output reads back as more than one document");
	if ((back->root == NULL) != (doc->root == NULL) ||
	    (doc->root != NULL && !same_shape(doc->root, back->root,
	    same_text)))
		die("written output reads back as a different document");
	mesh_doc_free(back);
	mesh_reader_free(r);
}

/*
 * A mapping key that JSON may write longer than a YAML reader takes
 * without "?" (1024 characters; an escape takes up to 6): valid JSON,
 * but not YAML that libyaml reads back.
 */
static bool
has_long_key(const struct mesh_node *n)
{
	size_t i;

	if (n->type == MESH_SCALAR)
		return false;
	for (i = 0; i < n->u.c.n; i++) {
		if (n->type == MESH_MAP && i % 2 == 0 &&
		    n->u.c.v[i]->type == MESH_SCALAR &&
		    n->u.c.v[i]->u.s.len > 1000 / 6)
			return true;
		if (has_long_key(n->u.c.v[i]))
			return true;
	}
	return false;
}

/* JSON, through a file, since the JSON writer only writes to an fd. */
static void
json_round_trip(const struct mesh_doc *doc)
{
	struct mesh_writer *w;
	struct mesh_buf out = MESH_BUF_INIT;
	off_t end;
	int rv;

	if (doc->root == NULL || has_long_key(doc->root))
		return;
	if (ftruncate(scratch, 0) == -1 || lseek(scratch, 0, SEEK_SET) == -1)
		die("cannot reset the scratch file");
	w = mesh_writer_new(scratch, MESH_FMT_JSON, true);
	rv = mesh_writer_put(w, doc);
	mesh_writer_free(w);
	if (rv == -1)
		return;		/* refused with a report: fine */
	if ((end = lseek(scratch, 0, SEEK_END)) <= 0)
		die("the JSON writer wrote nothing");
	if (pread(scratch, mesh_buf_grow(&out, (size_t)end), (size_t)end,
	    0) != end)
		die("cannot read the scratch file");
	out.len = (size_t)end;
	out.data[out.len] = '\0';
	read_back("<json>", out.data, out.len, doc, false);
	mesh_buf_release(&out);
}

static void
yaml_round_trip(struct mesh_doc *doc)
{
	struct mesh_buf out = MESH_BUF_INIT;

	if (doc->root == NULL)
		return;
	/* refused with a report: a tag libyaml cannot write back */
	if (mesh_emit_yaml(&out, doc->root, false) == -1) {
		mesh_buf_release(&out);
		return;
	}
	read_back("<yaml>", out.data, out.len, doc, true);
	mesh_buf_release(&out);
}

/*
 * The documents as read, copied byte for byte into one stream, must read
 * back as the same documents.
 */
static void
copy_round_trip(struct mesh_doc **docs, size_t n)
{
	struct mesh_limits lim;
	struct mesh_reader *r;
	struct mesh_writer *w;
	struct mesh_buf out = MESH_BUF_INIT;
	struct mesh_doc *back;
	off_t end;
	size_t i;

	if (ftruncate(scratch, 0) == -1 || lseek(scratch, 0, SEEK_SET) == -1)
		die("cannot reset the scratch file");
	w = mesh_writer_new(scratch, MESH_FMT_YAML, false);
	/* refused with a report: a tag libyaml cannot write back */
	for (i = 0; i < n; i++)
		if (mesh_writer_put(w, docs[i]) == -1) {
			mesh_writer_free(w);
			return;
		}
	if (mesh_writer_finish(w) == -1)
		die("the YAML writer failed");
	mesh_writer_free(w);
	if ((end = lseek(scratch, 0, SEEK_END)) == -1)
		die("cannot size the scratch file");
	if (pread(scratch, mesh_buf_grow(&out, (size_t)end), (size_t)end,
	    0) != end)
		die("cannot read the scratch file");
	out.len = (size_t)end;
	out.data[out.len] = '\0';

	mesh_limits_init(&lim);
	r = mesh_reader_open_mem("<copy>", out.data, out.len, &lim);
	for (i = 0; i < n; i++) {
		if (mesh_reader_next(r, &back) != 1)
			die("copied documents do not read back");
		if ((back->root == NULL) != (docs[i]->root == NULL) ||
		    (back->root != NULL && !same_shape(docs[i]->root,
		    back->root, true)))
			die("a copied document reads back differently");
		mesh_doc_free(back);
	}
	if (n > 0 && mesh_reader_next(r, &back) != 0)
		die("copied documents read back as more documents");
	mesh_reader_free(r);
	mesh_buf_release(&out);
}

/*
 * Every other document written anew through mesh_writer_take, which
 * gives the parser's strings to the emitter, between byte copies, in
 * one stream: it must read back as the documents first read.
 */
static void
take_round_trip(struct mesh_doc **docs, size_t n)
{
	struct mesh_doc *keep = mesh_doc_new("keep"), *back;
	struct mesh_node **want = calloc(n + 1, sizeof(*want));
	struct mesh_buf out = MESH_BUF_INIT;
	struct mesh_limits lim;
	struct mesh_reader *r;
	struct mesh_writer *w;
	off_t end;
	size_t i;
	int failed = 0;

	if (want == NULL)
		die("out of memory");
	for (i = 0; i < n; i++)
		want[i] = docs[i]->root ? mesh_node_copy(keep, docs[i]->root) :
		    NULL;
	if (ftruncate(scratch, 0) == -1 || lseek(scratch, 0, SEEK_SET) == -1)
		die("cannot reset the scratch file");
	w = mesh_writer_new(scratch, MESH_FMT_YAML, false);
	for (i = 0; i < n; i++) {
		docs[i]->changed = i % 2 == 0;
		if (!failed && mesh_writer_take(w, docs[i]) == -1)
			failed = 1;	/* refused with a report */
		mesh_doc_free(docs[i]);
	}
	if (!failed) {
		if (mesh_writer_finish(w) == -1)
			die("the YAML writer failed");
		if ((end = lseek(scratch, 0, SEEK_END)) == -1)
			die("cannot size the scratch file");
		if (pread(scratch, mesh_buf_grow(&out, (size_t)end),
		    (size_t)end, 0) != end)
			die("cannot read the scratch file");
		out.len = (size_t)end;
		out.data[out.len] = '\0';
		mesh_limits_init(&lim);
		r = mesh_reader_open_mem("<take>", out.data, out.len, &lim);
		for (i = 0; i < n; i++) {
			if (mesh_reader_next(r, &back) != 1)
				die("taken documents do not read back");
			if ((back->root == NULL) != (want[i] == NULL) ||
			    (back->root != NULL && !same_shape(want[i],
			    back->root, true)))
				die("a taken document reads back differently");
			mesh_doc_free(back);
		}
		mesh_reader_free(r);
	}
	mesh_writer_free(w);
	mesh_buf_release(&out);
	free(want);
	mesh_doc_free(keep);
}

#define MAX_DOCS 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mesh_limits lim;
	struct mesh_reader *r;
	struct mesh_writer *yw, *jw, *sw;
	struct mesh_doc *doc, *docs[MAX_DOCS];
	size_t i, n = 0;
	int rv = 0;

	if (size >= LIMITS_LEN && data[0] == LIMITS_TAG) {
		chosen_limits(&lim, data);
		data += LIMITS_LEN;
		size -= LIMITS_LEN;
	} else {
		small_limits(&lim);
	}
	r = mesh_reader_open_mem("<fuzz>", (const char *)data, size, &lim);
	yw = mesh_writer_new(devnull, MESH_FMT_YAML, false);
	jw = mesh_writer_new(devnull, MESH_FMT_JSON, false);
	sw = mesh_writer_new(devnull, MESH_FMT_YAML, true);
	while (n < MAX_DOCS && (rv = mesh_reader_next(r, &doc)) == 1) {
		if (lim.docs_seen > (lim.max_docs ? lim.max_docs : SIZE_MAX))
			die("more documents than the limit");
		if (doc->root != NULL)
			check_keys(doc->root);
		check_size(doc, size, &lim);
		/* as read: copied byte for byte */
		mesh_writer_put(yw, doc);
		mesh_writer_put(jw, doc);
		yaml_round_trip(doc);
		json_round_trip(doc);
		docs[n++] = doc;
	}
	/* after a read error the programs write nothing */
	if (rv != -1)
		copy_round_trip(docs, n);
	for (i = 0; i < n; i++) {
		/* as changed: emitted anew */
		docs[i]->changed = true;
		mesh_writer_put(yw, docs[i]);
		mesh_writer_put(sw, docs[i]);
	}
	/* frees them */
	if (rv != -1)
		take_round_trip(docs, n);
	else
		for (i = 0; i < n; i++)
			mesh_doc_free(docs[i]);
	mesh_writer_finish(yw);
	mesh_writer_finish(jw);
	mesh_writer_finish(sw);
	mesh_writer_free(yw);
	mesh_writer_free(jw);
	mesh_writer_free(sw);
	mesh_reader_free(r);
	return 0;
}
