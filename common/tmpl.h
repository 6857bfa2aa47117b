/*
 * Templates: the documents the guides print, kept as YAML files under
 * templates/ and built into the programs, filled with values through the
 * YAML-safe ${VAR} substitution.
 */
#ifndef MESH_TMPL_H
#define MESH_TMPL_H

#include <stdbool.h>
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
 * (*n of them; the caller frees them and the array); 0, or -1 after a
 * report (an unset variable).
 *
 * Without keep_text each document is marked changed, so it is written
 * anew from its tree.  With keep_text, a document whose text with the
 * values put in reads back as exactly the same tree keeps that text,
 * comments and all, and is not marked changed; values that would read
 * differently plain ("on", "1234") are tried double-quoted, and where
 * even that does not read back the same, the document is written anew,
 * safely.  A caller
 * that edits a document afterwards marks it changed.
 */
int mesh_template_render(const char *name, mesh_lookup_fn lookup, void *arg,
    bool keep_text, struct mesh_doc ***docs, size_t *n);

/* The same for a template given as text (len bytes), named name. */
int mesh_render_text(const char *name, const char *text, size_t len,
    mesh_lookup_fn lookup, void *arg, bool keep_text,
    struct mesh_doc ***docs, size_t *n);

#endif
