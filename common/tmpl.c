/*
 * Rendering the built-in templates: parse, then substitute inside the
 * scalars, so a value can never change a template's structure.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "stream.h"
#include "subst.h"
#include "tmpl.h"
#include "xalloc.h"

const struct mesh_template *
mesh_template(const char *name)
{
	const struct mesh_template *t;

	for (t = mesh_templates; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

int
mesh_template_render(const char *name, mesh_lookup_fn lookup, void *arg,
    struct mesh_doc ***docs, size_t *n)
{
	const struct mesh_template *t = mesh_template(name);
	struct mesh_limits lim;
	struct mesh_reader *r;
	struct mesh_doc *doc;
	size_t cap = 0;
	int rv;

	*docs = NULL;
	*n = 0;
	if (t == NULL)
		mesh_die("no built-in template '%s'", name);
	mesh_limits_init(&lim);
	r = mesh_reader_open_mem(name, t->text, t->len, &lim);
	while ((rv = mesh_reader_next(r, &doc)) == 1) {
		bool changed = false;

		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			*docs = xreallocarray(*docs, cap, sizeof(**docs));
		}
		(*docs)[(*n)++] = doc;
		doc->changed = true;
		if (mesh_subst_tree(doc, doc->root, lookup, arg,
		    &changed) == -1) {
			rv = -1;
			break;
		}
	}
	mesh_reader_free(r);
	if (rv == -1) {
		while (*n > 0)
			mesh_doc_free((*docs)[--*n]);
		free(*docs);
		*docs = NULL;
		return -1;
	}
	return 0;
}
