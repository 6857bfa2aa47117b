/*
 * Unit tests of common/tmpl.c: values are put in safely, and with
 * keep_text the template's own text (comments too) is kept exactly when
 * it reads back as the same tree.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "node.h"
#include "stream.h"
#include "tmpl.h"
#include "unit.h"

static const char *value;

static const char *
lookup(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "NET") == 0 ? value : NULL;
}

static const char text[] =
    "# the network's gateway\n"
    "kind: Gateway\n"
    "metadata:\n"
    "  labels:\n"
    "    topology.istio.io/network: ${NET}  # set by the script\n"
    "---\n"
    "kind: Other\n"
    "data: {a: \"${NET}\"}\n";

/* The writer's YAML for the rendered stream. */
static const char *
render(const char *v, bool keep, bool *kept)
{
	static struct mesh_buf out;
	struct mesh_doc **docs;
	size_t i, n;

	value = v;
	out.len = 0;
	mesh_buf_adds(&out, "");
	if (mesh_render_text("t", text, sizeof(text) - 1, lookup, NULL, keep,
	    &docs, &n) == -1)
		return "ERROR";
	*kept = true;
	for (i = 0; i < n; i++) {
		/* as the writer does: a kept document has its own "---" */
		if (i > 0 && (docs[i]->changed || !docs[i]->raw_explicit))
			mesh_buf_adds(&out, "---\n");
		if (!docs[i]->changed)
			mesh_buf_add(&out, docs[i]->raw, docs[i]->rawlen);
		else if (mesh_emit_yaml(&out, docs[i]->root, false) == -1)
			return "EMIT";
		*kept = *kept && !docs[i]->changed;
		mesh_doc_free(docs[i]);
	}
	free(docs);
	return out.data;
}

int
main(void)
{
	bool kept;

	CHECK_STR(render("network1", true, &kept),
	    "# the network's gateway\nkind: Gateway\nmetadata:\n  labels:\n"
	    "    topology.istio.io/network: network1  # set by the script\n"
	    "---\nkind: Other\ndata: {a: \"network1\"}\n");
	CHECK(kept);
	/* "on" would read back as true plain: double-quoted, comments kept */
	CHECK_STR(render("on", true, &kept),
	    "# the network's gateway\nkind: Gateway\nmetadata:\n  labels:\n"
	    "    topology.istio.io/network: \"on\"  # set by the script\n"
	    "---\nkind: Other\ndata: {a: \"on\"}\n");
	CHECK(kept);
	CHECK_STR(render("a: b", true, &kept),
	    "# the network's gateway\nkind: Gateway\nmetadata:\n  labels:\n"
	    "    topology.istio.io/network: \"a: b\"  # set by the script\n"
	    "---\nkind: Other\ndata: {a: \"a: b\"}\n");
	CHECK(kept);
	/* a newline: double-quoted as an escape, still one line of text */
	CHECK_STR(render("a\nb", true, &kept),
	    "# the network's gateway\nkind: Gateway\nmetadata:\n  labels:\n"
	    "    topology.istio.io/network: \"a\\x0ab\"  # set by the script\n"
	    "---\nkind: Other\ndata: {a: \"a\\nb\"}\n");
	/* a quote inside a quoted scalar cannot be put in as text */
	CHECK_STR(render("x\"y", true, &kept),
	    "# the network's gateway\nkind: Gateway\nmetadata:\n  labels:\n"
	    "    topology.istio.io/network: x\"y  # set by the script\n"
	    "---\nkind: Other\ndata: {a: \"x\\\"y\"}\n");
	CHECK(!kept);
	/* without keep_text, always the tree */
	CHECK_STR(render("network1", false, &kept),
	    "kind: Gateway\nmetadata:\n  labels:\n"
	    "    topology.istio.io/network: network1\n"
	    "---\nkind: Other\ndata: {a: \"network1\"}\n");
	CHECK(!kept);
	CHECK_STR(render(NULL, true, &kept), "ERROR");
	return UNIT_DONE();
}
