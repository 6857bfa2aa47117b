/*
 * libFuzzer target for the path grammar and both engines.  The input is
 * a path, a newline and a value (read as YAML, else taken as a string).
 * The path is parsed, then looked up, set, deleted and overlaid (set and
 * delete) on fresh copies of one small document; every tree that comes
 * out must still be emitted as YAML that reads back.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "node.h"
#include "path.h"
#include "stream.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base_text[] =
    "a:\n"
    "  b:\n"
    "  - c: 1\n"
    "    name: x\n"
    "  - c: 2\n"
    "    name: y\n"
    "x:\n"
    "- name: y\n"
    "  z: {q: 1}\n"
    "- name: \"0x1F\"\n"
    "  z: ~\n"
    "list: [one, two, 3, \"4\", yes, 1.50]\n"
    "a.b: dotted\n"
    "\"[0]\": bracket\n"
    "empty: {}\n"
    "seq: []\n"
    "n: ~\n"
    "s: hello\n"
    "nested: [[1, 2], [3]]\n"
    "? [k]\n"
    ": complex\n";

static struct mesh_doc *base;

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_path: %s\n", what);
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mesh_limits lim;

	(void)argc;
	(void)argv;
	mesh_limits_init(&lim);
	if ((base = mesh_parse_string("<base>", base_text, &lim,
	    false)) == NULL || base->root == NULL)
		die("the base document does not parse");
	return 0;
}

/* A fresh copy of the base document. */
static struct mesh_doc *
fresh(void)
{
	struct mesh_doc *doc = mesh_doc_new("<fuzz>");

	doc->root = mesh_node_copy(doc, base->root);
	return doc;
}

/* The tree must still be whole: emitted, it reads back. */
static void
check_tree(const struct mesh_doc *doc)
{
	struct mesh_limits lim;
	struct mesh_buf out = MESH_BUF_INIT;
	struct mesh_doc *back;

	/* a long path builds a tree deeper than the default limit */
	mesh_limits_init(&lim);
	lim.max_depth = 10000;
	/* refused with a report: a key from the path need not be UTF-8 */
	if (mesh_emit_yaml(&out, doc->root, false) == -1) {
		mesh_buf_release(&out);
		return;
	}
	if ((back = mesh_parse_string("<emitted>", out.data, &lim,
	    false)) == NULL)
		die("a changed tree does not read back");
	if (mesh_node_count(back->root) != mesh_node_count(doc->root))
		die("a changed tree reads back with other nodes");
	mesh_doc_free(back);
	mesh_buf_release(&out);
}

static bool
all_keys(const struct mesh_path *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->v[i].kind != MESH_PE_KEY)
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mesh_limits lim;
	struct mesh_path p;
	struct mesh_path_err err;
	struct mesh_doc *vdoc, *doc;
	struct mesh_node *value, *got;
	const uint8_t *nl;
	char *text, *vtext;
	size_t plen;

	nl = memchr(data, '\n', size);
	plen = nl != NULL ? (size_t)(nl - data) : size;
	/* both are C strings to the library: stop at a NUL */
	text = strndup((const char *)data, plen);
	vtext = nl != NULL ? strndup((const char *)nl + 1,
	    size - plen - 1) : strdup("v");
	if (text == NULL || vtext == NULL)
		die("out of memory");

	mesh_limits_init(&lim);
	lim.max_depth = 64;
	lim.max_doc_size = 64 * 1024;
	if ((vdoc = mesh_parse_string("<value>", vtext, &lim, true)) == NULL)
		vdoc = mesh_doc_new("<value>");
	if (vdoc->root == NULL)
		vdoc->root = mesh_str_new(vdoc, vtext);

	if (mesh_path_parse(text, &p, &err) == -1) {
		if (err.msg[0] == '\0')
			die("a path was refused without a reason");
		goto out;
	}
	if (p.n == 0)
		die("a parsed path has no elements");

	doc = fresh();
	mesh_path_get(doc->root, &p);
	value = mesh_node_copy(doc, vdoc->root);
	if (mesh_path_set(doc, doc->root, &p, value, &err) == 0) {
		got = mesh_path_get(doc->root, &p);
		if (all_keys(&p) && got != value)
			die("a set key does not read back");
	}
	check_tree(doc);
	mesh_doc_free(doc);

	doc = fresh();
	if (mesh_path_delete(doc->root, &p, &err) == 0 && all_keys(&p) &&
	    mesh_path_get(doc->root, &p) != NULL)
		die("a deleted key is still there");
	check_tree(doc);
	mesh_doc_free(doc);

	doc = fresh();
	value = mesh_node_copy(doc, vdoc->root);
	mesh_path_overlay(doc, doc->root, &p, value, &err);
	check_tree(doc);
	mesh_doc_free(doc);

	doc = fresh();
	mesh_path_overlay(doc, doc->root, &p, NULL, &err);
	check_tree(doc);
	mesh_doc_free(doc);

	mesh_path_release(&p);
out:
	mesh_doc_free(vdoc);
	free(text);
	free(vtext);
	return 0;
}
