/*
 * Templates: the documents the guides print, kept as YAML files under
 * templates/ and built into the programs, filled with values through the
 * YAML-safe ${VAR} substitution.
 */
#ifndef MESH_TMPL_H
#define MESH_TMPL_H

#include <stddef.h>

#include "node.h"
#include "stream.h"
#include "subst.h"

struct mesh_template {
	const char *name;	/* "render/primary" for templates/render/primary.yaml */
	const char *text;
	size_t len;
};

/* Every template, ended by one whose name is NULL (generated). */
extern const struct mesh_template mesh_templates[];

/* The template called name, or NULL. */
const struct mesh_template *mesh_template(const char *name);

/*
 * Parse template name (it must exist: a missing one is a bug and dies)
 * and fill its ${VAR}s through lookup.  Returns its documents in *docs
 * (*n of them, each marked changed; the caller frees them and the
 * array); 0, or -1 after a report (an unset variable).
 */
int mesh_template_render(const char *name, mesh_lookup_fn lookup, void *arg,
    struct mesh_doc ***docs, size_t *n);

#endif
